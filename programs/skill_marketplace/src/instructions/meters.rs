//! Meter authorities: the keys allowed to record usage, one account each, registered and
//! revoked by the admin.

use anchor_lang::prelude::*;

use crate::{
    constants::{LAYOUT_VERSION, SEED_MARKETPLACE, SEED_METER},
    errors::MarketplaceError,
    events::{MeterAuthorityAdded, MeterAuthorityRevoked},
    state::{Marketplace, MeterAuthority},
};

#[event_cpi]
#[derive(Accounts)]
#[instruction(authority: Pubkey)]
pub struct AddMeterAuthority<'info> {
    #[account(mut)]
    pub admin: Signer<'info>,
    #[account(
        mut,
        seeds = [SEED_MARKETPLACE],
        bump = marketplace.bump,
        has_one = admin @ MarketplaceError::Unauthorized
    )]
    pub marketplace: Account<'info, Marketplace>,
    #[account(
        init,
        payer = admin,
        space = 8 + MeterAuthority::INIT_SPACE,
        seeds = [SEED_METER, authority.as_ref()],
        bump
    )]
    pub meter: Account<'info, MeterAuthority>,
    pub system_program: Program<'info, System>,
}

/// Specification (`add_meter_authority`):
/// - Admin only; the admin pays the account's rent. One account per key (a second add fails:
///   account already in use).
pub fn add(ctx: Context<AddMeterAuthority>, authority: Pubkey) -> Result<()> {
    let clock = Clock::get()?;
    let meter = &mut ctx.accounts.meter;
    meter.set_inner(MeterAuthority {
        layout: LAYOUT_VERSION,
        authority,
        added_at: clock.unix_timestamp,
        bump: ctx.bumps.meter,
        reserved: [0; 32],
    });
    let marketplace = &mut ctx.accounts.marketplace;
    marketplace.meter_count = marketplace.meter_count.checked_add(1).ok_or(MarketplaceError::MathOverflow)?;
    crate::emit_event!(ctx, MeterAuthorityAdded {
        marketplace: marketplace.key(),
        meter: meter.key(),
        authority,
        meter_count: marketplace.meter_count,
        slot: clock.slot,
        timestamp: clock.unix_timestamp,
    });
    Ok(())
}

#[event_cpi]
#[derive(Accounts)]
pub struct RevokeMeterAuthority<'info> {
    #[account(mut)]
    pub admin: Signer<'info>,
    #[account(
        mut,
        seeds = [SEED_MARKETPLACE],
        bump = marketplace.bump,
        has_one = admin @ MarketplaceError::Unauthorized
    )]
    pub marketplace: Account<'info, Marketplace>,
    #[account(
        mut,
        seeds = [SEED_METER, meter.authority.as_ref()],
        bump = meter.bump,
        close = admin
    )]
    pub meter: Account<'info, MeterAuthority>,
}

/// Specification (`revoke_meter_authority`):
/// - Admin only. Closes the account (rent to the admin); from then on the key's
///   `record_usage` fails because its meter account no longer exists.
pub fn revoke(ctx: Context<RevokeMeterAuthority>) -> Result<()> {
    let clock = Clock::get()?;
    let marketplace = &mut ctx.accounts.marketplace;
    marketplace.meter_count = marketplace.meter_count.saturating_sub(1);
    crate::emit_event!(ctx, MeterAuthorityRevoked {
        marketplace: marketplace.key(),
        meter: ctx.accounts.meter.key(),
        authority: ctx.accounts.meter.authority,
        meter_count: marketplace.meter_count,
        slot: clock.slot,
        timestamp: clock.unix_timestamp,
    });
    Ok(())
}
