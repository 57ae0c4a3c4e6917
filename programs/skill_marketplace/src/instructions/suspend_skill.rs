use anchor_lang::prelude::*;

use crate::{
    constants::{SEED_MARKETPLACE, SEED_SKILL},
    errors::MarketplaceError,
    events::SkillSuspensionChanged,
    state::*,
};

#[event_cpi]
#[derive(Accounts)]
pub struct SetSkillSuspension<'info> {
    pub admin: Signer<'info>,
    #[account(
        seeds = [SEED_MARKETPLACE],
        bump = marketplace.bump,
        has_one = admin @ MarketplaceError::Unauthorized
    )]
    pub marketplace: Account<'info, Marketplace>,
    #[account(
        mut,
        seeds = [SEED_SKILL, skill.author.as_ref(), skill.slug.as_bytes()],
        bump = skill.bump
    )]
    pub skill: Account<'info, Skill>,
}

/// Specification:
/// - Admin only. `Some(reason_cid)` suspends the skill (no purchases, no metered use) and
///   records why; `None` lifts the suspension. Works while paused (a moderation action).
pub fn handler(ctx: Context<SetSkillSuspension>, reason_cid: Option<String>) -> Result<()> {
    if let Some(cid) = &reason_cid {
        validate_cid(cid)?;
    }
    let clock = Clock::get()?;
    let skill = &mut ctx.accounts.skill;
    skill.suspended = reason_cid.is_some();
    skill.suspension_cid = reason_cid.unwrap_or_default();
    skill.updated_at = clock.unix_timestamp;
    crate::emit_event!(ctx, SkillSuspensionChanged {
        skill: skill.key(),
        author: skill.author,
        suspended: skill.suspended,
        reason_cid: skill.suspension_cid.clone(),
        slot: clock.slot,
        timestamp: clock.unix_timestamp,
    });
    Ok(())
}
