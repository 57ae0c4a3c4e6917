use anchor_lang::prelude::*;

use crate::{
    constants::*,
    errors::MarketplaceError,
};

/// Semantic version; ordering is (major, minor, patch).
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug, InitSpace)]
pub struct Semver {
    pub major: u16,
    pub minor: u16,
    pub patch: u16,
}

/// How a skill is sold. The kind and the currency are fixed at registration; the price may change.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, PartialEq, Eq, Debug, InitSpace)]
pub enum Pricing {
    /// Pay once, use forever.
    OneTime,
    /// Each purchase adds `interval_secs` of access.
    Subscription { interval_secs: i64 },
    /// Each purchase adds `units_per_purchase` metered units.
    Usage { units_per_purchase: u64 },
}

/// Where the code and docs of a version come from; always replaced together.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, PartialEq, Eq, Debug, InitSpace)]
pub struct Provenance {
    /// IPFS CID of the skill's documentation (SKILL.md, OpenAPI).
    #[max_len(MAX_CID_LEN)]
    pub docs_cid: String,
    /// Git commit the version was built from.
    pub commit_sha: [u8; 20],
    /// sha256 digest of the container image the executor runs.
    pub image_digest: [u8; 32],
}

/// A published version waiting for the marketplace's notice period: until `effective_at`,
/// buyers and the executor keep the current one.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, PartialEq, Eq, Debug, InitSpace)]
pub struct PendingVersion {
    pub version: Semver,
    pub provenance: Provenance,
    pub effective_at: i64,
}

/// A price increase waiting for the notice period (decreases apply at once).
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, PartialEq, Eq, Debug, InitSpace)]
pub struct PendingPrice {
    pub price: u64,
    pub effective_at: i64,
}

#[account]
#[derive(InitSpace)]
pub struct Skill {
    pub layout: u8,
    pub author: Pubkey,
    #[max_len(MAX_SLUG_LEN)]
    pub slug: String,
    pub version: Semver,
    #[max_len(MAX_CATEGORY_LEN)]
    pub category: String,
    pub pricing: Pricing,
    /// Price per purchase in base units of the currency (lamports, or token base units).
    pub price: u64,
    /// `None` = SOL; otherwise the SPL mint (Token or Token-2022) the skill is priced in.
    pub currency: Option<Pubkey>,
    pub provenance: Provenance,
    pub pending_version: Option<PendingVersion>,
    pub pending_price: Option<PendingPrice>,
    /// Listed by its author (`set_skill_active`).
    pub active: bool,
    /// Suspended by the marketplace admin: no purchases and no metered use until lifted.
    pub suspended: bool,
    /// IPFS CID of the suspension's reason; empty when not suspended.
    #[max_len(MAX_CID_LEN)]
    pub suspension_cid: String,
    /// Purchases so far (saturates: a counter never blocks a sale). Units used are totalled by
    /// the indexer from `UsageRecorded` events, so metering never writes the skill account.
    pub sales: u64,
    /// Gross revenue in base units of `currency` (saturates).
    pub revenue: u64,
    /// Plain sum and count of the ratings of current reviews.
    pub rating_sum: u64,
    pub rating_count: u32,
    /// Σ rating × weight and Σ weight over current reviews: the weighted average is their ratio.
    pub weighted_rating_sum: u128,
    pub rating_weight: u128,
    pub created_at: i64,
    pub updated_at: i64,
    pub bump: u8,
    pub reserved: [u8; 64],
}

pub fn validate_slug(slug: &str) -> Result<()> {
    require!(
        (MIN_SLUG_LEN as usize..=MAX_SLUG_LEN as usize).contains(&slug.len()) && is_kebab(slug),
        MarketplaceError::InvalidSlug
    );
    Ok(())
}

pub fn validate_category(category: &str) -> Result<()> {
    require!(
        !category.is_empty() && category.len() <= MAX_CATEGORY_LEN as usize && is_kebab(category),
        MarketplaceError::InvalidCategory
    );
    Ok(())
}

pub fn validate_cid(cid: &str) -> Result<()> {
    require!(
        !cid.is_empty() && cid.len() <= MAX_CID_LEN as usize && cid.bytes().all(|b| b.is_ascii_alphanumeric()),
        MarketplaceError::InvalidCid
    );
    Ok(())
}

fn is_kebab(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

impl Pricing {
    pub fn validate(&self) -> Result<()> {
        match *self {
            Pricing::OneTime => Ok(()),
            Pricing::Subscription { interval_secs } => {
                require!(
                    interval_secs >= MIN_SUBSCRIPTION_INTERVAL_SECS,
                    MarketplaceError::SubscriptionIntervalTooShort
                );
                Ok(())
            }
            Pricing::Usage { units_per_purchase } => {
                require!(units_per_purchase >= 1, MarketplaceError::ZeroUnitsPerPurchase);
                Ok(())
            }
        }
    }
}

impl Provenance {
    pub fn validate(&self) -> Result<()> {
        validate_cid(&self.docs_cid)?;
        require!(
            self.commit_sha != [0; 20] && self.image_digest != [0; 32],
            MarketplaceError::InvalidProvenance
        );
        Ok(())
    }
}

pub fn validate_price(price: u64) -> Result<()> {
    require!(price > 0, MarketplaceError::InvalidPrice);
    Ok(())
}

impl Skill {
    /// The price a purchase pays at unix time `now`.
    pub fn price_at(&self, now: i64) -> u64 {
        match self.pending_price {
            Some(pending) if now >= pending.effective_at => pending.price,
            _ => self.price,
        }
    }

    /// The version (and its provenance) in force at unix time `now`.
    pub fn version_at(&self, now: i64) -> (Semver, &Provenance) {
        match &self.pending_version {
            Some(pending) if now >= pending.effective_at => (pending.version, &pending.provenance),
            _ => (self.version, &self.provenance),
        }
    }

    /// Folds a pending version or price whose time has come into the current fields.
    pub fn settle(&mut self, now: i64) {
        if let Some(pending) = self.pending_version.take_if(|p| now >= p.effective_at) {
            self.version = pending.version;
            self.provenance = pending.provenance;
        }
        if let Some(pending) = self.pending_price.take_if(|p| now >= p.effective_at) {
            self.price = pending.price;
        }
    }

    /// Counts a sale; the totals saturate rather than fail, so they can never block a purchase.
    pub fn record_sale(&mut self, paid: u64) {
        self.sales = self.sales.saturating_add(1);
        self.revenue = self.revenue.saturating_add(paid);
    }

    /// Purchases need the skill listed and not suspended.
    pub fn require_on_sale(&self) -> Result<()> {
        require!(!self.suspended, MarketplaceError::SkillSuspended);
        require!(self.active, MarketplaceError::SkillInactive);
        Ok(())
    }

    /// Metered use needs the skill not suspended (a delisted skill still serves its licenses).
    pub fn require_usable(&self) -> Result<()> {
        require!(!self.suspended, MarketplaceError::SkillSuspended);
        Ok(())
    }

    /// Replaces the review `previous` (rating, weight) with `next`: `None` before is a new
    /// review, `None` after a deleted one.
    pub fn apply_rating(&mut self, previous: Option<(u8, u64)>, next: Option<(u8, u64)>) -> Result<()> {
        let overflow = || error!(MarketplaceError::MathOverflow);
        if let Some((rating, weight)) = previous {
            self.rating_sum = self.rating_sum.checked_sub(rating as u64).ok_or_else(overflow)?;
            self.rating_count = self.rating_count.checked_sub(1).ok_or_else(overflow)?;
            let weighted = (rating as u128).checked_mul(weight as u128).ok_or_else(overflow)?;
            self.weighted_rating_sum = self.weighted_rating_sum.checked_sub(weighted).ok_or_else(overflow)?;
            self.rating_weight = self.rating_weight.checked_sub(weight as u128).ok_or_else(overflow)?;
        }
        if let Some((rating, weight)) = next {
            self.rating_sum = self.rating_sum.checked_add(rating as u64).ok_or_else(overflow)?;
            self.rating_count = self.rating_count.checked_add(1).ok_or_else(overflow)?;
            let weighted = (rating as u128).checked_mul(weight as u128).ok_or_else(overflow)?;
            self.weighted_rating_sum = self.weighted_rating_sum.checked_add(weighted).ok_or_else(overflow)?;
            self.rating_weight = self.rating_weight.checked_add(weight as u128).ok_or_else(overflow)?;
        }
        Ok(())
    }
}
