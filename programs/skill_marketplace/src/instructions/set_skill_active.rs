use anchor_lang::prelude::*;

use crate::{
    constants::{SEED_MARKETPLACE, SEED_SKILL}, errors::MarketplaceError, events::SkillActiveChanged, state::{Marketplace, Skill},
};

#[event_cpi]
#[derive(Accounts)]
pub struct SetSkillActive<'info> {
    pub author: Signer<'info>,
    #[account(seeds = [SEED_MARKETPLACE], bump = marketplace.bump)]
    pub marketplace: Account<'info, Marketplace>,
    #[account(
        mut,
        seeds = [SEED_SKILL, author.key().as_ref(), skill.slug.as_bytes()],
        bump = skill.bump,
        has_one = author @ MarketplaceError::Unauthorized
    )]
    pub skill: Account<'info, Skill>,
}

/// Specification:
/// - Author only; blocked while paused. Inactive (delisted) skills cannot be bought; existing licenses stay valid.
pub fn handler(ctx: Context<SetSkillActive>, active: bool) -> Result<()> {
    ctx.accounts.marketplace.require_open()?;
    let skill = &mut ctx.accounts.skill;
    let clock = Clock::get()?;
    skill.active = active;
    skill.updated_at = clock.unix_timestamp;
    crate::emit_event!(ctx, SkillActiveChanged {
        skill: skill.key(),
        author: skill.author,
        active,
        slot: clock.slot,
        timestamp: clock.unix_timestamp,
    });
    Ok(())
}
