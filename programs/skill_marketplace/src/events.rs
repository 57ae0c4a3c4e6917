//! One event per state change, carrying everything the indexer needs to rebuild its tables
//! without reading accounts. Every event has the slot and unix time it happened at.

use anchor_lang::prelude::*;

use crate::state::{LicenseKind, PendingFee, Pricing, Provenance, Semver};

#[event]
pub struct MarketplaceInitialized {
    pub marketplace: Pubkey,
    pub admin: Pubkey,
    pub pauser: Pubkey,
    pub treasury: Pubkey,
    pub fee_vault: Pubkey,
    pub fee_bps: u16,
    pub notice_secs: i64,
    pub slot: u64,
    pub timestamp: i64,
}

/// The whole configuration after any change to it (settings, admin handover, pause).
#[event]
pub struct MarketplaceUpdated {
    pub marketplace: Pubkey,
    pub admin: Pubkey,
    pub pending_admin: Option<Pubkey>,
    pub pauser: Pubkey,
    pub treasury: Pubkey,
    pub fee_bps: u16,
    pub pending_fee: Option<PendingFee>,
    pub notice_secs: i64,
    pub paused: bool,
    pub slot: u64,
    pub timestamp: i64,
}

#[event]
pub struct MeterAuthorityAdded {
    pub marketplace: Pubkey,
    pub meter: Pubkey,
    pub authority: Pubkey,
    pub meter_count: u32,
    pub slot: u64,
    pub timestamp: i64,
}

#[event]
pub struct MeterAuthorityRevoked {
    pub marketplace: Pubkey,
    pub meter: Pubkey,
    pub authority: Pubkey,
    pub meter_count: u32,
    pub slot: u64,
    pub timestamp: i64,
}

#[event]
pub struct FeesWithdrawn {
    pub marketplace: Pubkey,
    pub treasury: Pubkey,
    pub amount: u64,
    /// Lamports left in the fee vault (its rent-exempt minimum included).
    pub vault_balance: u64,
    pub slot: u64,
    pub timestamp: i64,
}

#[event]
pub struct AgentRegistered {
    pub agent: Pubkey,
    pub wallet: Pubkey,
    pub name: String,
    pub metadata_uri: String,
    pub slot: u64,
    pub timestamp: i64,
}

#[event]
pub struct AgentUpdated {
    pub agent: Pubkey,
    pub wallet: Pubkey,
    pub name: String,
    pub metadata_uri: String,
    pub slot: u64,
    pub timestamp: i64,
}

#[event]
pub struct SkillRegistered {
    pub skill: Pubkey,
    pub author: Pubkey,
    pub slug: String,
    pub version: Semver,
    pub category: String,
    pub pricing: Pricing,
    pub price: u64,
    pub currency: Option<Pubkey>,
    pub provenance: Provenance,
    pub slot: u64,
    pub timestamp: i64,
}

#[event]
pub struct SkillUpdated {
    pub skill: Pubkey,
    pub author: Pubkey,
    pub previous_version: Semver,
    pub version: Semver,
    pub category: String,
    pub price: u64,
    pub provenance: Provenance,
    pub slot: u64,
    pub timestamp: i64,
}

#[event]
pub struct SkillSuspensionChanged {
    pub skill: Pubkey,
    pub author: Pubkey,
    pub suspended: bool,
    /// IPFS CID of the reason; empty when the suspension is lifted.
    pub reason_cid: String,
    pub slot: u64,
    pub timestamp: i64,
}

#[event]
pub struct SkillActiveChanged {
    pub skill: Pubkey,
    pub author: Pubkey,
    pub active: bool,
    pub slot: u64,
    pub timestamp: i64,
}

#[event]
pub struct LicensePurchased {
    pub license: Pubkey,
    pub skill: Pubkey,
    pub buyer: Pubkey,
    pub seller: Pubkey,
    pub kind: LicenseKind,
    /// `None` = SOL, otherwise the SPL mint paid in.
    pub currency: Option<Pubkey>,
    /// The skill's price at the time of purchase.
    pub price: u64,
    /// The fee rate this purchase paid.
    pub fee_bps: u16,
    /// What left the buyer, measured on the buyer's account (license rent excluded).
    pub paid: u64,
    /// What the seller's account received, measured.
    pub seller_amount: u64,
    /// What the fee vault (SOL) or the treasury's token account (SPL) received, measured.
    pub fee_amount: u64,
    /// True when this purchase extended an existing license (renewal or top-up).
    pub renewal: bool,
    pub expires_at: i64,
    pub usage_limit: u64,
    pub usage_used: u64,
    pub purchases: u32,
    /// Total paid for this license so far.
    pub license_paid: u64,
    /// Solana Pay reference key, when the transaction carried one.
    pub reference: Option<Pubkey>,
    pub slot: u64,
    pub timestamp: i64,
}

#[event]
pub struct UsageRecorded {
    pub license: Pubkey,
    pub skill: Pubkey,
    pub buyer: Pubkey,
    pub units: u64,
    pub usage_used: u64,
    pub usage_limit: u64,
    /// The meter authority that recorded the batch.
    pub meter_authority: Pubkey,
    /// Root of the batch of signed receipts this call settles.
    pub receipts_root: [u8; 32],
    pub receipt_count: u32,
    pub slot: u64,
    pub timestamp: i64,
}

#[event]
pub struct ReviewPosted {
    pub review: Pubkey,
    pub skill: Pubkey,
    pub reviewer: Pubkey,
    pub rating: u8,
    pub text_cid: String,
    pub skill_rating_sum: u64,
    pub skill_rating_count: u32,
    pub slot: u64,
    pub timestamp: i64,
}

#[event]
pub struct ReviewUpdated {
    pub review: Pubkey,
    pub skill: Pubkey,
    pub reviewer: Pubkey,
    pub previous_rating: u8,
    pub rating: u8,
    pub text_cid: String,
    pub skill_rating_sum: u64,
    pub skill_rating_count: u32,
    pub slot: u64,
    pub timestamp: i64,
}

#[event]
pub struct LicenseClosed {
    pub license: Pubkey,
    pub skill: Pubkey,
    pub buyer: Pubkey,
    /// Lamports of rent returned to the buyer.
    pub refunded_lamports: u64,
    pub slot: u64,
    pub timestamp: i64,
}

/// Emits `MarketplaceUpdated` with the configuration as `marketplace` now holds it.
pub fn emit_marketplace_updated(key: Pubkey, marketplace: &crate::state::Marketplace, clock: &Clock) {
    emit!(MarketplaceUpdated {
        marketplace: key,
        admin: marketplace.admin,
        pending_admin: marketplace.pending_admin,
        pauser: marketplace.pauser,
        treasury: marketplace.treasury,
        fee_bps: marketplace.fee_bps,
        pending_fee: marketplace.pending_fee,
        notice_secs: marketplace.notice_secs,
        paused: marketplace.paused,
        slot: clock.slot,
        timestamp: clock.unix_timestamp,
    });
}
