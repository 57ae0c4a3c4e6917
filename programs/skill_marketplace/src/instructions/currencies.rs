//! The currency allowlist: one account per accepted SPL mint, added and removed by the admin.

use anchor_lang::prelude::*;
use anchor_spl::token_interface::{Mint, TokenInterface};

use crate::{
    constants::{LAYOUT_VERSION, SEED_CURRENCY, SEED_MARKETPLACE},
    errors::MarketplaceError,
    events::{CurrencyAdded, CurrencyRemoved},
    state::{require_plain_mint, Currency, Marketplace},
};

#[event_cpi]
#[derive(Accounts)]
pub struct AddCurrency<'info> {
    #[account(mut)]
    pub admin: Signer<'info>,
    #[account(
        seeds = [SEED_MARKETPLACE],
        bump = marketplace.bump,
        has_one = admin @ MarketplaceError::Unauthorized
    )]
    pub marketplace: Account<'info, Marketplace>,
    #[account(mint::token_program = token_program)]
    pub mint: InterfaceAccount<'info, Mint>,
    #[account(
        init,
        payer = admin,
        space = 8 + Currency::INIT_SPACE,
        seeds = [SEED_CURRENCY, mint.key().as_ref()],
        bump
    )]
    pub currency: Account<'info, Currency>,
    pub token_program: Interface<'info, TokenInterface>,
    pub system_program: Program<'info, System>,
}

/// Specification (`add_currency`):
/// - Admin only; a Token or Token-2022 mint, once (a second add fails: account already in use).
/// - A Token-2022 mint is refused if it carries any extension beyond names, metadata, groups,
///   interest display and a close authority (see `require_plain_mint`).
pub fn add(ctx: Context<AddCurrency>) -> Result<()> {
    require_plain_mint(&ctx.accounts.mint.to_account_info())?;
    let clock = Clock::get()?;
    let currency = &mut ctx.accounts.currency;
    currency.set_inner(Currency {
        layout: LAYOUT_VERSION,
        mint: ctx.accounts.mint.key(),
        token_program: ctx.accounts.token_program.key(),
        decimals: ctx.accounts.mint.decimals,
        added_at: clock.unix_timestamp,
        bump: ctx.bumps.currency,
        reserved: [0; 32],
    });
    crate::emit_event!(ctx, CurrencyAdded {
        currency: currency.key(),
        mint: currency.mint,
        token_program: currency.token_program,
        decimals: currency.decimals,
        slot: clock.slot,
        timestamp: clock.unix_timestamp,
    });
    Ok(())
}

#[event_cpi]
#[derive(Accounts)]
pub struct RemoveCurrency<'info> {
    #[account(mut)]
    pub admin: Signer<'info>,
    #[account(
        seeds = [SEED_MARKETPLACE],
        bump = marketplace.bump,
        has_one = admin @ MarketplaceError::Unauthorized
    )]
    pub marketplace: Account<'info, Marketplace>,
    #[account(mut, seeds = [SEED_CURRENCY, currency.mint.as_ref()], bump = currency.bump, close = admin)]
    pub currency: Account<'info, Currency>,
}

/// Specification (`remove_currency`):
/// - Admin only; closes the account (rent to the admin). No new skill can be priced in the mint;
///   skills already priced in it keep selling their licenses.
pub fn remove(ctx: Context<RemoveCurrency>) -> Result<()> {
    let clock = Clock::get()?;
    crate::emit_event!(ctx, CurrencyRemoved {
        currency: ctx.accounts.currency.key(),
        mint: ctx.accounts.currency.mint,
        slot: clock.slot,
        timestamp: clock.unix_timestamp,
    });
    Ok(())
}
