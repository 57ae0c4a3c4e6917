use anchor_lang::prelude::*;

use crate::{
    constants::SEED_MARKETPLACE, errors::MarketplaceError, events::emit_marketplace_updated,
    state::Marketplace,
};

/// Fields left `None` keep their value.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, Default)]
pub struct UpdateMarketplaceArgs {
    pub treasury: Option<Pubkey>,
    /// Scheduled: applies once the notice period has passed.
    pub fee_bps: Option<u16>,
    pub pauser: Option<Pubkey>,
    /// May only grow (up to 90 days); applied before a fee given in the same call.
    pub notice_secs: Option<i64>,
}

#[event_cpi]
#[derive(Accounts)]
pub struct AdminOnly<'info> {
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
/// - Admin only. Treasury and pauser change at once.
/// - The notice period may be lengthened (never shortened), at most 90 days.
/// - A new fee (≤ 1000 bps) is scheduled `notice_secs` from now; purchases keep paying the
///   current fee until then. A pending fee whose time has come is folded in first; a second
///   change before the first applied replaces it.
pub fn handler(ctx: Context<AdminOnly>, args: UpdateMarketplaceArgs) -> Result<()> {
    let clock = Clock::get()?;
    let marketplace = &mut ctx.accounts.marketplace;
    if let Some(notice_secs) = args.notice_secs {
        Marketplace::validate_notice(notice_secs)?;
        require!(notice_secs >= marketplace.notice_secs, MarketplaceError::NoticeShortened);
        marketplace.notice_secs = notice_secs;
    }
    if let Some(fee_bps) = args.fee_bps {
        marketplace.schedule_fee(fee_bps, clock.unix_timestamp)?;
    } else {
        marketplace.settle_fee(clock.unix_timestamp);
    }
    if let Some(treasury) = args.treasury {
        marketplace.treasury = treasury;
    }
    if let Some(pauser) = args.pauser {
        marketplace.pauser = pauser;
    }
    emit_marketplace_updated(&ctx.accounts.event_authority, ctx.bumps.event_authority, marketplace.key(), marketplace, &clock)?;
    Ok(())
}
