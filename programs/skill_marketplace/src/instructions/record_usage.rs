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
    /// The license's `usage_used` the caller read before building this call. A retry of a batch
    /// that already landed finds a larger value and fails, so no batch is counted twice.
    pub expected_usage_used: u64,
    /// Root of the batch of signed receipts this call settles, echoed in the event.
    pub receipts_root: [u8; 32],
    /// Receipts in the batch: at least one, at most one per unit.
    pub receipt_count: u32,
}

#[event_cpi]
#[derive(Accounts)]
pub struct RecordUsage<'info> {
    pub meter_authority: Signer<'info>,
    /// The signer's registration; a revoked key has none (the account is closed).
    #[account(
        constraint = meter.authority == meter_authority.key() @ MarketplaceError::UnauthorizedMeter
    )]
    pub meter: Account<'info, MeterAuthority>,
    #[account(seeds = [SEED_MARKETPLACE], bump = marketplace.bump)]
    pub marketplace: Account<'info, Marketplace>,
    /// Read only: metering never writes the skill, so calls under different licenses run in parallel.
    #[account(
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
/// - Signed by a registered meter authority only; blocked while paused or while the skill is
///   suspended.
/// - Applies only if the license's usage is still `expected_usage_used`; otherwise StaleUsage
///   and nothing changes (safe to retry).
/// - units ≥ 1 and 1 ≤ receipt_count ≤ units; a usage license never goes beyond its limit; a
///   subscription must not have expired; one-time licenses are counted without a limit.
/// - Emits the batch's receipts root with the new totals.
pub fn handler(ctx: Context<RecordUsage>, args: RecordUsageArgs) -> Result<()> {
    ctx.accounts.marketplace.require_open()?;
    ctx.accounts.skill.require_usable()?;
    let clock = Clock::get()?;
    let license = &mut ctx.accounts.license;
    require!(license.usage_used == args.expected_usage_used, MarketplaceError::StaleUsage);
    require!(args.units > 0, MarketplaceError::ZeroUsage);
    require!(
        args.receipt_count >= 1 && u64::from(args.receipt_count) <= args.units,
        MarketplaceError::InvalidReceiptBatch
    );
    license.consume(args.units, clock.unix_timestamp)?;
    crate::emit_event!(ctx, UsageRecorded {
        license: license.key(),
        skill: license.skill,
        buyer: license.buyer,
        units: args.units,
        usage_used: license.usage_used,
        usage_limit: license.usage_limit,
        meter_authority: ctx.accounts.meter_authority.key(),
        receipts_root: args.receipts_root,
        receipt_count: args.receipt_count,
        slot: clock.slot,
        timestamp: clock.unix_timestamp,
    });
    Ok(())
}
