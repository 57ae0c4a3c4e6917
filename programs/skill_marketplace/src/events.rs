//! One event per state change, carrying everything the indexer needs to rebuild its tables
//! without reading accounts. Every event has the slot and unix time it happened at.
//!
//! Events are emitted through a self-CPI signed by the program's event authority (Anchor's
//! `event_cpi` layout): they live in the transaction's inner instructions, which a sender cannot
//! truncate the way padding a transaction with log spam truncates `Program data:` log lines.

use anchor_lang::{
    prelude::*,
    solana_program::{
        instruction::{AccountMeta, Instruction},
        program::invoke_signed,
    },
};

use crate::state::{LicenseKind, PendingFee, PendingPrice, PendingVersion, Pricing, Provenance, Semver};

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
pub struct CurrencyAdded {
    pub currency: Pubkey,
    pub mint: Pubkey,
    pub token_program: Pubkey,
    pub decimals: u8,
    pub slot: u64,
    pub timestamp: i64,
}

#[event]
pub struct CurrencyRemoved {
    pub currency: Pubkey,
    pub mint: Pubkey,
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
    /// The version in force before this update (pending versions that came due are folded in).
    pub previous_version: Semver,
    /// Version, price and provenance in force now.
    pub version: Semver,
    pub category: String,
    pub price: u64,
    pub provenance: Provenance,
    /// What this update scheduled, if it waits for the notice period.
    pub pending_version: Option<PendingVersion>,
    pub pending_price: Option<PendingPrice>,
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

/// A skill's vault was split: pay-per-call payments moved to the seller and the treasury.
#[event]
pub struct VaultSplit {
    pub skill: Pubkey,
    pub seller: Pubkey,
    pub mint: Pubkey,
    pub vault: Pubkey,
    /// The vault's balance before the split.
    pub amount: u64,
    /// The fee rate applied (the one in force, as for purchases).
    pub fee_bps: u16,
    /// What the seller's token account received, measured.
    pub seller_amount: u64,
    /// What the treasury's token account received, measured.
    pub fee_amount: u64,
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
    pub weight: u64,
    pub text_cid: String,
    pub skill_rating_sum: u64,
    pub skill_rating_count: u32,
    pub skill_weighted_rating_sum: u128,
    pub skill_rating_weight: u128,
    pub slot: u64,
    pub timestamp: i64,
}

#[event]
pub struct ReviewUpdated {
    pub review: Pubkey,
    pub skill: Pubkey,
    pub reviewer: Pubkey,
    pub previous_rating: u8,
    pub previous_weight: u64,
    pub rating: u8,
    pub weight: u64,
    pub text_cid: String,
    pub skill_rating_sum: u64,
    pub skill_rating_count: u32,
    pub skill_weighted_rating_sum: u128,
    pub skill_rating_weight: u128,
    pub slot: u64,
    pub timestamp: i64,
}

#[event]
pub struct ReviewDeleted {
    pub review: Pubkey,
    pub skill: Pubkey,
    pub reviewer: Pubkey,
    pub rating: u8,
    pub weight: u64,
    pub skill_rating_sum: u64,
    pub skill_rating_count: u32,
    pub skill_weighted_rating_sum: u128,
    pub skill_rating_weight: u128,
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

/// Seed of the PDA that signs the program's event self-CPIs (the `event_cpi` convention).
pub const EVENT_AUTHORITY_SEED: &[u8] = b"__event_authority";

/// Emits `event` as an instruction from the program to itself, signed by the event authority
/// (`authority`, with its `bump`): its data is Anchor's event tag, the event's discriminator and
/// its fields, as `emit_cpi!` writes them.
pub fn emit_via_cpi<E: anchor_lang::Event>(authority: &AccountInfo, bump: u8, event: &E) -> Result<()> {
    let data: Vec<u8> = anchor_lang::event::EVENT_IX_TAG_LE.iter().copied().chain(event.data()).collect();
    let ix = Instruction::new_with_bytes(crate::ID, &data, vec![AccountMeta::new_readonly(*authority.key, true)]);
    invoke_signed(&ix, &[authority.clone()], &[&[EVENT_AUTHORITY_SEED, &[bump]]])?;
    Ok(())
}

/// `emit_event!(ctx, Event { .. })`: emits through the instruction's event authority.
#[macro_export]
macro_rules! emit_event {
    ($ctx:ident, $event:expr) => {
        $crate::events::emit_via_cpi(&$ctx.accounts.event_authority, $ctx.bumps.event_authority, &$event)?
    };
}

/// Emits `MarketplaceUpdated` with the configuration as `marketplace` now holds it.
pub fn emit_marketplace_updated(
    authority: &AccountInfo,
    bump: u8,
    key: Pubkey,
    marketplace: &crate::state::Marketplace,
    clock: &Clock,
) -> Result<()> {
    emit_via_cpi(authority, bump, &MarketplaceUpdated {
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
    })
}
