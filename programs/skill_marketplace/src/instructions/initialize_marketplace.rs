use anchor_lang::{prelude::*, solana_program::bpf_loader_upgradeable};

use crate::{
    constants::{LAYOUT_VERSION, SEED_FEE_VAULT, SEED_MARKETPLACE},
    errors::MarketplaceError,
    events::MarketplaceInitialized,
    state::{FeeVault, Marketplace},
};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct InitializeMarketplaceArgs {
    pub treasury: Pubkey,
    pub fee_bps: u16,
    pub pauser: Pubkey,
    /// Notice period for fee changes (0 to 90 days).
    pub notice_secs: i64,
}

/// The ProgramData account of this program: where the upgradeable loader keeps its upgrade authority.
pub fn program_data_address() -> Pubkey {
    Pubkey::find_program_address(&[crate::ID.as_ref()], &bpf_loader_upgradeable::ID).0
}

#[event_cpi]
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
    #[account(
        init,
        payer = admin,
        space = 8 + FeeVault::INIT_SPACE,
        seeds = [SEED_FEE_VAULT],
        bump
    )]
    pub fee_vault: Account<'info, FeeVault>,
    /// Owned by the upgradeable loader (checked by `Account`), at this program's ProgramData address.
    #[account(
        address = program_data_address() @ MarketplaceError::InvalidProgramData,
        constraint = program_data.upgrade_authority_address == Some(admin.key()) @ MarketplaceError::NotUpgradeAuthority
    )]
    pub program_data: Account<'info, ProgramData>,
    pub system_program: Program<'info, System>,
}

/// Specification:
/// - Only the program's upgrade authority, so nobody can take the marketplace between the
///   program's deployment and its initialization. The signer becomes admin.
/// - Creates the single marketplace account and its fee vault; a second call fails (account
///   already in use). fee_bps ≤ 1000, notice 0–90 days.
/// - Starts unpaused with no skills and no meter authority.
pub fn handler(ctx: Context<InitializeMarketplace>, args: InitializeMarketplaceArgs) -> Result<()> {
    Marketplace::validate_fee(args.fee_bps)?;
    Marketplace::validate_notice(args.notice_secs)?;
    let marketplace = &mut ctx.accounts.marketplace;
    marketplace.set_inner(Marketplace {
        layout: LAYOUT_VERSION,
        admin: ctx.accounts.admin.key(),
        pending_admin: None,
        pauser: args.pauser,
        treasury: args.treasury,
        fee_bps: args.fee_bps,
        pending_fee: None,
        notice_secs: args.notice_secs,
        paused: false,
        skill_count: 0,
        meter_count: 0,
        bump: ctx.bumps.marketplace,
        fee_vault_bump: ctx.bumps.fee_vault,
        reserved: [0; 64],
    });
    ctx.accounts.fee_vault.set_inner(FeeVault { layout: LAYOUT_VERSION, bump: ctx.bumps.fee_vault, reserved: [0; 16] });
    let clock = Clock::get()?;
    crate::emit_event!(ctx, MarketplaceInitialized {
        marketplace: marketplace.key(),
        admin: marketplace.admin,
        pauser: marketplace.pauser,
        treasury: marketplace.treasury,
        fee_vault: ctx.accounts.fee_vault.key(),
        fee_bps: marketplace.fee_bps,
        notice_secs: marketplace.notice_secs,
        slot: clock.slot,
        timestamp: clock.unix_timestamp,
    });
    Ok(())
}
