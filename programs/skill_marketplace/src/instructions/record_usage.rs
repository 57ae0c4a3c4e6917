use anchor_lang::prelude::*;

use crate::{
    constants::{SEED_LICENSE, SEED_MARKETPLACE, SEED_SKILL},
    errors::MarketplaceError,
    events::UsageRecorded,
    state::*,
};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct RecordUsageArgs {
    pub units: u64,
    /// Hash of the executor's signed usage receipt, echoed in the event.
    pub receipt_hash: [u8; 32],
}

#[derive(Accounts)]
pub struct RecordUsage<'info> {
    pub meter_authority: Signer<'info>,
    #[account(
        seeds = [SEED_MARKETPLACE],
        bump = marketplace.bump,
        has_one = meter_authority @ MarketplaceError::UnauthorizedMeter
    )]
    pub marketplace: Account<'info, Marketplace>,
    #[account(
        mut,
        seeds = [SEED_SKILL, skill.author.as_ref(), skill.slug.as_bytes()],
        bump = skill.bump
    )]
    pub skill: Account<'info, Skill>,
    #[account(
        mut,
        seeds = [SEED_LICENSE, skill.key().as_ref(), license.buyer.as_ref()],
        bump = license.bump,
        has_one = skill @ MarketplaceError::LicenseSkillMismatch
    )]
    pub license: Account<'info, License>,
}

/// Specification:
/// - Signed by the marketplace's meter authority only; blocked while paused.
/// - units ≥ 1; a usage license never goes beyond its limit; a subscription must not have
///   expired; one-time licenses are counted without a limit.
/// - Emits the receipt hash with the new totals.
pub fn handler(ctx: Context<RecordUsage>, args: RecordUsageArgs) -> Result<()> {
    ctx.accounts.marketplace.require_open()?;
    let clock = Clock::get()?;
    let license = &mut ctx.accounts.license;
    license.consume(args.units, clock.unix_timestamp)?;
    ctx.accounts.skill.record_usage(args.units)?;
    emit!(UsageRecorded {
        license: license.key(),
        skill: license.skill,
        buyer: license.buyer,
        units: args.units,
        usage_used: license.usage_used,
        usage_limit: license.usage_limit,
        receipt_hash: args.receipt_hash,
        slot: clock.slot,
        timestamp: clock.unix_timestamp,
    });
    Ok(())
}
