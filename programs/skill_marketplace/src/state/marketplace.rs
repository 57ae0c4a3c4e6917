use anchor_lang::prelude::*;

use crate::{
    constants::{BPS_DENOMINATOR, MAX_FEE_BPS, MAX_NOTICE_SECS},
    errors::MarketplaceError,
};

/// A fee change waiting for its notice period to pass.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, PartialEq, Eq, Debug, InitSpace)]
pub struct PendingFee {
    pub fee_bps: u16,
    /// Unix time from which purchases pay `fee_bps`.
    pub effective_at: i64,
}

/// Global configuration: roles, where fees go and how much they are.
#[account]
#[derive(InitSpace)]
pub struct Marketplace {
    pub layout: u8,
    /// Changes the configuration, registers meter authorities, withdraws fees, suspends skills.
    pub admin: Pubkey,
    /// Proposed by the admin; becomes admin when it accepts (two-step handover).
    pub pending_admin: Option<Pubkey>,
    /// May pause and unpause (as may the admin), nothing else.
    pub pauser: Pubkey,
    /// Receives SOL fees when the admin withdraws them from the fee vault, and owns the token
    /// accounts SPL fees are paid into.
    pub treasury: Pubkey,
    /// The fee in force until `pending_fee` (if any) takes effect.
    pub fee_bps: u16,
    pub pending_fee: Option<PendingFee>,
    /// How long a fee change waits before it applies; may only grow.
    pub notice_secs: i64,
    pub paused: bool,
    pub skill_count: u64,
    /// Meter authorities currently registered.
    pub meter_count: u32,
    pub bump: u8,
    pub fee_vault_bump: u8,
    pub reserved: [u8; 64],
}

/// Holds the SOL fees of purchases. Owned by the program and always rent-exempt, so a fee of any
/// size lands, whatever the treasury wallet is.
#[account]
#[derive(InitSpace)]
pub struct FeeVault {
    pub layout: u8,
    pub bump: u8,
    pub reserved: [u8; 16],
}

/// A key allowed to call `record_usage`. Created and closed (revoked) by the admin.
#[account]
#[derive(InitSpace)]
pub struct MeterAuthority {
    pub layout: u8,
    pub authority: Pubkey,
    pub added_at: i64,
    pub bump: u8,
    pub reserved: [u8; 32],
}

impl Marketplace {
    pub fn validate_fee(fee_bps: u16) -> Result<()> {
        require!(fee_bps <= MAX_FEE_BPS, MarketplaceError::FeeTooHigh);
        Ok(())
    }

    pub fn validate_notice(notice_secs: i64) -> Result<()> {
        require!((0..=MAX_NOTICE_SECS).contains(&notice_secs), MarketplaceError::NoticeOutOfRange);
        Ok(())
    }

    pub fn require_open(&self) -> Result<()> {
        require!(!self.paused, MarketplaceError::MarketplacePaused);
        Ok(())
    }

    /// The fee purchases pay at unix time `now`.
    pub fn fee_at(&self, now: i64) -> u16 {
        match self.pending_fee {
            Some(pending) if now >= pending.effective_at => pending.fee_bps,
            _ => self.fee_bps,
        }
    }

    /// Folds a pending fee whose time has come into `fee_bps`.
    pub fn settle_fee(&mut self, now: i64) {
        self.fee_bps = self.fee_at(now);
        if self.pending_fee.is_some_and(|pending| now >= pending.effective_at) {
            self.pending_fee = None;
        }
    }

    /// Schedules `fee_bps` to apply once the notice period has passed (at once with no notice).
    /// A second change before the first applied replaces it, with a fresh notice period.
    pub fn schedule_fee(&mut self, fee_bps: u16, now: i64) -> Result<()> {
        Self::validate_fee(fee_bps)?;
        self.settle_fee(now);
        if self.notice_secs == 0 {
            self.fee_bps = fee_bps;
            self.pending_fee = None;
        } else {
            let effective_at = now.checked_add(self.notice_secs).ok_or(MarketplaceError::MathOverflow)?;
            self.pending_fee = Some(PendingFee { fee_bps, effective_at });
        }
        Ok(())
    }

    /// Splits `price` at time `now` into (seller amount, platform fee); see `split_price`.
    pub fn split(&self, price: u64, now: i64) -> Result<(u64, u64)> {
        split_price(price, self.fee_at(now))
    }
}

/// Splits `price` into (seller amount, platform fee) with fee = ceil(price × fee_bps / 10 000):
/// rounding up means every purchase of a skill pays a fee when the fee rate is not zero, however
/// small its price. The two parts always add up to `price` exactly.
pub fn split_price(price: u64, fee_bps: u16) -> Result<(u64, u64)> {
    let denominator = BPS_DENOMINATOR as u128;
    let fee = (price as u128)
        .checked_mul(fee_bps as u128)
        .and_then(|v| v.checked_add(denominator - 1))
        .and_then(|v| v.checked_div(denominator))
        .and_then(|v| u64::try_from(v).ok())
        .ok_or(MarketplaceError::MathOverflow)?;
    let seller = price.checked_sub(fee).ok_or(MarketplaceError::MathOverflow)?;
    Ok((seller, fee))
}
