use anchor_lang::prelude::*;

use crate::{
    constants::{SEED_FEE_VAULT, SEED_MARKETPLACE},
    errors::MarketplaceError,
    events::FeesWithdrawn,
    state::{FeeVault, Marketplace},
};

#[event_cpi]
#[derive(Accounts)]
pub struct WithdrawFees<'info> {
    pub admin: Signer<'info>,
    #[account(
        seeds = [SEED_MARKETPLACE],
        bump = marketplace.bump,
        has_one = admin @ MarketplaceError::Unauthorized,
        has_one = treasury @ MarketplaceError::TreasuryMismatch
    )]
    pub marketplace: Account<'info, Marketplace>,
    #[account(mut, seeds = [SEED_FEE_VAULT], bump = marketplace.fee_vault_bump)]
    pub fee_vault: Account<'info, FeeVault>,
    /// CHECK: only credited; it is the marketplace's treasury (has_one above).
    #[account(mut)]
    pub treasury: UncheckedAccount<'info>,
}

/// Specification:
/// - Admin only; the SOL goes to the marketplace's treasury, nowhere else.
/// - 0 < amount ≤ the vault's balance above its rent-exempt minimum, so the vault stays open
///   and every later fee, however small, still lands.
pub fn handler(ctx: Context<WithdrawFees>, amount: u64) -> Result<()> {
    let vault = ctx.accounts.fee_vault.to_account_info();
    let keep = Rent::get()?.minimum_balance(vault.data_len());
    let available = vault.lamports().saturating_sub(keep);
    require!(amount > 0 && amount <= available, MarketplaceError::InsufficientFees);
    vault.sub_lamports(amount)?;
    ctx.accounts.treasury.add_lamports(amount)?;
    let clock = Clock::get()?;
    crate::emit_event!(ctx, FeesWithdrawn {
        marketplace: ctx.accounts.marketplace.key(),
        treasury: ctx.accounts.treasury.key(),
        amount,
        vault_balance: vault.lamports(),
        slot: clock.slot,
        timestamp: clock.unix_timestamp,
    });
    Ok(())
}
