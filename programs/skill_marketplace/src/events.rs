//! One event per state change, carrying everything the indexer needs to rebuild its tables
//! without reading accounts. Every event has the slot and unix time it happened at.

use anchor_lang::prelude::*;

use crate::state::{LicenseKind, Pricing, Provenance, Semver};

#[event]
pub struct MarketplaceInitialized {
    pub marketplace: Pubkey,
    pub admin: Pubkey,
    pub treasury: Pubkey,
    pub fee_bps: u16,
    pub meter_authority: Pubkey,
    pub slot: u64,
    pub timestamp: i64,
}

#[event]
pub struct MarketplaceUpdated {
    pub marketplace: Pubkey,
    pub admin: Pubkey,
    pub treasury: Pubkey,
    pub fee_bps: u16,
    pub meter_authority: Pubkey,
    pub paused: bool,
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
    /// Amount that left the buyer: seller_amount + fee_amount.
    pub price: u64,
    pub seller_amount: u64,
    pub fee_amount: u64,
    /// True when this purchase extended an existing license (renewal or top-up).
    pub renewal: bool,
    pub expires_at: i64,
    pub usage_limit: u64,
    pub usage_used: u64,
    pub purchases: u32,
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
    /// Hash of the executor's signed usage receipt.
    pub receipt_hash: [u8; 32],
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
