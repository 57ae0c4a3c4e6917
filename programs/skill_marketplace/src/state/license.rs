use anchor_lang::prelude::*;

use crate::{constants::LAYOUT_VERSION, errors::MarketplaceError, state::skill::Pricing};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, PartialEq, Eq, Debug, InitSpace)]
pub enum LicenseKind {
    OneTime,
    Subscription,
    Usage,
}

impl From<Pricing> for LicenseKind {
    fn from(pricing: Pricing) -> Self {
        match pricing {
            Pricing::OneTime => LicenseKind::OneTime,
            Pricing::Subscription { .. } => LicenseKind::Subscription,
            Pricing::Usage { .. } => LicenseKind::Usage,
        }
    }
}

/// A buyer's right to use a skill. Non-transferable: `buyer` is written once, when the account
/// is created, and no instruction changes it.
#[account]
#[derive(InitSpace)]
pub struct License {
    pub layout: u8,
    pub buyer: Pubkey,
    pub skill: Pubkey,
    pub kind: LicenseKind,
    pub purchased_at: i64,
    /// Subscription end (unix seconds); 0 for other kinds.
    pub expires_at: i64,
    /// Units bought (usage licenses only; 0 otherwise, which means unmetered).
    pub usage_limit: u64,
    pub usage_used: u64,
    /// Number of purchases (first buy, renewals, top-ups).
    pub purchases: u32,
    /// Total that left the buyer for this license, in base units of the skill's currency.
    pub paid: u64,
    pub bump: u8,
    pub reserved: [u8; 32],
}

impl License {
    /// Applies one purchase under `pricing` at time `now`. Returns true when it extended an
    /// existing license (renewal or top-up) rather than creating one.
    pub fn apply_purchase(
        &mut self,
        buyer: Pubkey,
        skill: Pubkey,
        pricing: Pricing,
        now: i64,
        bump: u8,
    ) -> Result<bool> {
        let renewal = self.purchases > 0;
        if renewal {
            require!(self.kind == LicenseKind::from(pricing), MarketplaceError::LicenseKindMismatch);
        } else {
            self.layout = LAYOUT_VERSION;
            self.buyer = buyer;
            self.skill = skill;
            self.kind = pricing.into();
            self.bump = bump;
        }
        match pricing {
            Pricing::OneTime => {
                require!(!renewal, MarketplaceError::LicenseAlreadyOwned);
            }
            Pricing::Subscription { interval_secs } => {
                self.expires_at = self
                    .expires_at
                    .max(now)
                    .checked_add(interval_secs)
                    .ok_or(MarketplaceError::MathOverflow)?;
            }
            Pricing::Usage { units_per_purchase } => {
                self.usage_limit = self
                    .usage_limit
                    .checked_add(units_per_purchase)
                    .ok_or(MarketplaceError::MathOverflow)?;
            }
        }
        self.purchased_at = now;
        self.purchases = self.purchases.checked_add(1).ok_or(MarketplaceError::MathOverflow)?;
        Ok(renewal)
    }

    /// Meters `units` of use at time `now`.
    pub fn consume(&mut self, units: u64, now: i64) -> Result<()> {
        require!(units > 0, MarketplaceError::ZeroUsage);
        let used = self.usage_used.checked_add(units).ok_or(MarketplaceError::MathOverflow)?;
        match self.kind {
            LicenseKind::OneTime => {}
            LicenseKind::Subscription => {
                require!(now < self.expires_at, MarketplaceError::SubscriptionExpired);
            }
            LicenseKind::Usage => {
                require!(used <= self.usage_limit, MarketplaceError::UsageLimitExceeded);
            }
        }
        self.usage_used = used;
        Ok(())
    }

    /// A review needs a license that was really used: a usage license with at least one unit
    /// recorded, or a subscription or one-time license its holder paid for.
    pub fn can_review(&self) -> Result<()> {
        let used = match self.kind {
            LicenseKind::Usage => self.usage_used > 0,
            LicenseKind::OneTime | LicenseKind::Subscription => true,
        };
        require!(self.paid > 0 && used, MarketplaceError::LicenseNotUsed);
        Ok(())
    }

    /// True once the license can no longer be used: an expired subscription or used-up units.
    pub fn is_spent(&self, now: i64) -> bool {
        match self.kind {
            LicenseKind::OneTime => false,
            LicenseKind::Subscription => now >= self.expires_at,
            LicenseKind::Usage => self.usage_used >= self.usage_limit,
        }
    }
}
