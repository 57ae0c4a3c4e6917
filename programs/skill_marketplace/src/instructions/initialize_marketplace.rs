use anchor_lang::prelude::*;

use crate::{constants::SEED_MARKETPLACE, events::MarketplaceInitialized, state::Marketplace};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct InitializeMarketplaceArgs {
    pub treasury: Pubkey,
    pub fee_bps: u16,
    pub meter_authority: Pubkey,
}

#[derive(Accounts)]
pub struct InitializeMarketplace<'info> {
    #[account(mut)]
    pub admin: Signer<'info>,
    #[account(
        init,
        payer = admin,
        space = 8 + Marketplace::INIT_SPACE,
        seeds = [SEED_MARKETPLACE],
        bump
    )]
    pub marketplace: Account<'info, Marketplace>,
    pub system_program: Program<'info, System>,
}

/// Specification:
/// - Creates the single marketplace account; a second call fails (account already in use).
/// - The signer becomes admin; fee_bps ≤ 1000.
/// - Starts unpaused with no skills.
pub fn handler(ctx: Context<InitializeMarketplace>, args: InitializeMarketplaceArgs) -> Result<()> {
    Marketplace::validate_fee(args.fee_bps)?;
    let marketplace = &mut ctx.accounts.marketplace;
    marketplace.set_inner(Marketplace {
        admin: ctx.accounts.admin.key(),
        treasury: args.treasury,
        fee_bps: args.fee_bps,
        meter_authority: args.meter_authority,
        paused: false,
        skill_count: 0,
        bump: ctx.bumps.marketplace,
    });
    let clock = Clock::get()?;
    emit!(MarketplaceInitialized {
        marketplace: marketplace.key(),
        admin: marketplace.admin,
        treasury: marketplace.treasury,
        fee_bps: marketplace.fee_bps,
        meter_authority: marketplace.meter_authority,
        slot: clock.slot,
        timestamp: clock.unix_timestamp,
    });
    Ok(())
}
