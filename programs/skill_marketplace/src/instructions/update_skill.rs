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
/// - Author only; blocked while paused (it swaps the image buyers run). The version must be strictly greater (semver order) than the current one.
/// - Provenance (docs CID, commit SHA, image digest) is replaced as a whole and validated.
/// - Price (> 0) and category may change; pricing kind and currency never do.
pub fn handler(ctx: Context<UpdateSkill>, args: UpdateSkillArgs) -> Result<()> {
    ctx.accounts.marketplace.require_open()?;
    let skill = &mut ctx.accounts.skill;
    require!(args.version > skill.version, MarketplaceError::VersionNotIncreased);
    args.provenance.validate()?;
    if let Some(price) = args.price {
        validate_price(price)?;
    }
    if let Some(category) = &args.category {
        validate_category(category)?;
    }

    let clock = Clock::get()?;
    let previous_version = skill.version;
    skill.version = args.version;
    skill.provenance = args.provenance;
    if let Some(price) = args.price {
        skill.price = price;
    }
    if let Some(category) = args.category {
        skill.category = category;
    }
    skill.updated_at = clock.unix_timestamp;

    emit!(SkillUpdated {
        skill: skill.key(),
        author: skill.author,
        previous_version,
        version: skill.version,
        category: skill.category.clone(),
        price: skill.price,
        provenance: skill.provenance.clone(),
        slot: clock.slot,
        timestamp: clock.unix_timestamp,
    });
    Ok(())
}
