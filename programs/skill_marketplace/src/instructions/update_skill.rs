use anchor_lang::prelude::*;

use crate::{
    constants::{SEED_MARKETPLACE, SEED_SKILL}, errors::MarketplaceError, events::SkillUpdated, state::*,
};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct UpdateSkillArgs {
    pub version: Semver,
    /// Replaces all provenance fields at once.
    pub provenance: Provenance,
    pub price: Option<u64>,
    pub category: Option<String>,
}

#[event_cpi]
#[derive(Accounts)]
pub struct UpdateSkill<'info> {
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
/// - Author only; blocked while paused. The version must be strictly greater (semver order)
///   than the current one and than any pending one; provenance (docs CID, commit SHA, image
///   digest) is replaced as a whole and validated.
/// - What a buyer bought stays what they bought: the new version takes effect after the
///   marketplace's notice period (at once with no notice), and until then purchases and the
///   executor keep the current version. A second update before then replaces the pending one
///   with a fresh notice period.
/// - A price increase waits for the notice period too; a decrease (or the same price) applies at
///   once and cancels a pending increase. Category changes apply at once. Pricing kind and
///   currency never change.
pub fn handler(ctx: Context<UpdateSkill>, args: UpdateSkillArgs) -> Result<()> {
    let marketplace = &ctx.accounts.marketplace;
    marketplace.require_open()?;
    let clock = Clock::get()?;
    let now = clock.unix_timestamp;
    let skill = &mut ctx.accounts.skill;
    skill.settle(now);
    let newest = skill.pending_version.as_ref().map_or(skill.version, |p| p.version);
    require!(args.version > newest, MarketplaceError::VersionNotIncreased);
    args.provenance.validate()?;
    if let Some(price) = args.price {
        validate_price(price)?;
    }
    if let Some(category) = &args.category {
        validate_category(category)?;
    }

    let previous_version = skill.version;
    let effective_at = now.checked_add(marketplace.notice_secs).ok_or(MarketplaceError::MathOverflow)?;
    if marketplace.notice_secs == 0 {
        skill.version = args.version;
        skill.provenance = args.provenance;
        skill.pending_version = None;
    } else {
        skill.pending_version = Some(PendingVersion { version: args.version, provenance: args.provenance, effective_at });
    }
    if let Some(price) = args.price {
        if price > skill.price && marketplace.notice_secs > 0 {
            skill.pending_price = Some(PendingPrice { price, effective_at });
        } else {
            skill.price = price;
            skill.pending_price = None;
        }
    }
    if let Some(category) = args.category {
        skill.category = category;
    }
    skill.updated_at = now;

    crate::emit_event!(ctx, SkillUpdated {
        skill: skill.key(),
        author: skill.author,
        previous_version,
        version: skill.version,
        category: skill.category.clone(),
        price: skill.price,
        provenance: skill.provenance.clone(),
        pending_version: skill.pending_version.clone(),
        pending_price: skill.pending_price,
        slot: clock.slot,
        timestamp: clock.unix_timestamp,
    });
    Ok(())
}
