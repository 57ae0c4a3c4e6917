use anchor_lang::prelude::*;

use crate::{
    constants::{BPS_DENOMINATOR, MAX_FEE_BPS},
    errors::MarketplaceError,
};

/// Global configuration: who is paid the platform fee, how much, and who may meter usage.
#[account]
#[derive(InitSpace)]
pub struct Marketplace {
    pub admin: Pubkey,
    /// Wallet (for SOL) and token-account authority (for SPL) that receives platform fees.
    pub treasury: Pubkey,
    pub fee_bps: u16,
    /// The only key allowed to call `record_usage` (the executor's signer).
    pub meter_authority: Pubkey,
    pub paused: bool,
    pub skill_count: u64,
    pub bump: u8,
}

impl Marketplace {
    pub fn validate_fee(fee_bps: u16) -> Result<()> {
        require!(fee_bps <= MAX_FEE_BPS, MarketplaceError::FeeTooHigh);
        Ok(())
    }

    pub fn require_open(&self) -> Result<()> {
        require!(!self.paused, MarketplaceError::MarketplacePaused);
        Ok(())
    }

    /// Splits `price` into (seller amount, platform fee) with fee = floor(price × fee_bps / 10 000);
    /// the two always add up to `price` exactly.
    pub fn split(&self, price: u64) -> Result<(u64, u64)> {
        split_price(price, self.fee_bps)
    }
}

pub fn split_price(price: u64, fee_bps: u16) -> Result<(u64, u64)> {
    let fee = (price as u128)
        .checked_mul(fee_bps as u128)
        .and_then(|v| v.checked_div(BPS_DENOMINATOR as u128))
        .and_then(|v| u64::try_from(v).ok())
        .ok_or(MarketplaceError::MathOverflow)?;
    let seller = price.checked_sub(fee).ok_or(MarketplaceError::MathOverflow)?;
    Ok((seller, fee))
}
