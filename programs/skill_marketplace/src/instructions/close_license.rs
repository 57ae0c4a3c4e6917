use anchor_lang::prelude::*;

use crate::{
    constants::SEED_LICENSE, errors::MarketplaceError, events::LicenseClosed, state::License,
};

#[event_cpi]
#[derive(Accounts)]
pub struct CloseLicense<'info> {
    #[account(mut)]
    pub buyer: Signer<'info>,
    #[account(
        mut,
        seeds = [SEED_LICENSE, license.skill.as_ref(), buyer.key().as_ref()],
        bump = license.bump,
        has_one = buyer @ MarketplaceError::NotLicenseHolder,
        close = buyer
    )]
    pub license: Account<'info, License>,
}

/// Specification:
/// - Buyer only; only an expired subscription or a fully used usage license (one-time licenses
///   never end). The rent goes back to the buyer and the account is closed.
pub fn handler(ctx: Context<CloseLicense>) -> Result<()> {
    let clock = Clock::get()?;
    let license = &ctx.accounts.license;
    require!(license.is_spent(clock.unix_timestamp), MarketplaceError::LicenseStillActive);
    crate::emit_event!(ctx, LicenseClosed {
        license: license.key(),
        skill: license.skill,
        buyer: license.buyer,
        refunded_lamports: license.to_account_info().lamports(),
        slot: clock.slot,
        timestamp: clock.unix_timestamp,
    });
    Ok(())
}
