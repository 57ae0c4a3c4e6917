use anchor_lang::prelude::*;

use crate::{
    constants::SEED_MARKETPLACE, errors::MarketplaceError, events::MarketplaceUpdated,
    state::Marketplace,
};

/// Fields left `None` keep their value.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, Default)]
pub struct UpdateMarketplaceArgs {
    pub admin: Option<Pubkey>,
    pub treasury: Option<Pubkey>,
    pub fee_bps: Option<u16>,
    pub meter_authority: Option<Pubkey>,
    pub paused: Option<bool>,
}

#[derive(Accounts)]
pub struct UpdateMarketplace<'info> {
    pub admin: Signer<'info>,
    #[account(
        mut,
        seeds = [SEED_MARKETPLACE],
        bump = marketplace.bump,
        has_one = admin @ MarketplaceError::Unauthorized
    )]
    pub marketplace: Account<'info, Marketplace>,
}

/// Specification:
/// - Admin only.
/// - fee_bps ≤ 1000; treasury, meter authority, paused flag and admin may change.
pub fn handler(ctx: Context<UpdateMarketplace>, args: UpdateMarketplaceArgs) -> Result<()> {
    let marketplace = &mut ctx.accounts.marketplace;
    if let Some(fee_bps) = args.fee_bps {
        Marketplace::validate_fee(fee_bps)?;
        marketplace.fee_bps = fee_bps;
    }
    if let Some(admin) = args.admin {
        marketplace.admin = admin;
    }
    if let Some(treasury) = args.treasury {
        marketplace.treasury = treasury;
    }
    if let Some(meter_authority) = args.meter_authority {
        marketplace.meter_authority = meter_authority;
    }
    if let Some(paused) = args.paused {
        marketplace.paused = paused;
    }
    let clock = Clock::get()?;
    emit!(MarketplaceUpdated {
        marketplace: marketplace.key(),
        admin: marketplace.admin,
        treasury: marketplace.treasury,
        fee_bps: marketplace.fee_bps,
        meter_authority: marketplace.meter_authority,
        paused: marketplace.paused,
        slot: clock.slot,
        timestamp: clock.unix_timestamp,
    });
    Ok(())
}
