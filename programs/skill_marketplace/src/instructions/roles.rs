//! Admin handover (propose, accept) and the pause switch.

use anchor_lang::prelude::*;

use crate::{
    constants::SEED_MARKETPLACE, errors::MarketplaceError, events::emit_marketplace_updated,
    instructions::AdminOnly, state::Marketplace,
};

/// Specification (`propose_admin`):
/// - Admin only. `Some(key)` proposes `key` as the next admin (replacing any earlier proposal);
///   `None` withdraws the proposal. Nothing changes hands until the proposed key accepts.
pub fn propose_admin(ctx: Context<AdminOnly>, new_admin: Option<Pubkey>) -> Result<()> {
    let marketplace = &mut ctx.accounts.marketplace;
    marketplace.pending_admin = new_admin;
    emit_marketplace_updated(&ctx.accounts.event_authority, ctx.bumps.event_authority, marketplace.key(), marketplace, &Clock::get()?)?;
    Ok(())
}

#[event_cpi]
#[derive(Accounts)]
pub struct AcceptAdmin<'info> {
    pub new_admin: Signer<'info>,
    #[account(
        mut,
        seeds = [SEED_MARKETPLACE],
        bump = marketplace.bump,
        constraint = marketplace.pending_admin == Some(new_admin.key()) @ MarketplaceError::NotPendingAdmin
    )]
    pub marketplace: Account<'info, Marketplace>,
}

/// Specification (`accept_admin`):
/// - Signed by the proposed admin, who becomes admin; the proposal is cleared.
pub fn accept_admin(ctx: Context<AcceptAdmin>) -> Result<()> {
    let marketplace = &mut ctx.accounts.marketplace;
    marketplace.admin = ctx.accounts.new_admin.key();
    marketplace.pending_admin = None;
    emit_marketplace_updated(&ctx.accounts.event_authority, ctx.bumps.event_authority, marketplace.key(), marketplace, &Clock::get()?)?;
    Ok(())
}

#[event_cpi]
#[derive(Accounts)]
pub struct SetPaused<'info> {
    pub signer: Signer<'info>,
    #[account(
        mut,
        seeds = [SEED_MARKETPLACE],
        bump = marketplace.bump,
        constraint = signer.key() == marketplace.admin || signer.key() == marketplace.pauser @ MarketplaceError::Unauthorized
    )]
    pub marketplace: Account<'info, Marketplace>,
}

/// Specification (`set_paused`):
/// - The admin or the pauser. While paused, nothing that changes what a buyer gets runs:
///   registrations, skill updates and listing changes, purchases, usage metering.
pub fn set_paused(ctx: Context<SetPaused>, paused: bool) -> Result<()> {
    let marketplace = &mut ctx.accounts.marketplace;
    marketplace.paused = paused;
    emit_marketplace_updated(&ctx.accounts.event_authority, ctx.bumps.event_authority, marketplace.key(), marketplace, &Clock::get()?)?;
    Ok(())
}
