//! Seeds and limits shared by every instruction. Each is a `#[constant]`, so the IDL carries it
//! and `sdk/` reads seeds and limits from there.

use anchor_lang::prelude::*;

#[constant]
pub const SEED_MARKETPLACE: &[u8] = b"marketplace";
#[constant]
pub const SEED_AGENT: &[u8] = b"agent";
#[constant]
pub const SEED_SKILL: &[u8] = b"skill";
#[constant]
pub const SEED_LICENSE: &[u8] = b"license";
#[constant]
pub const SEED_REVIEW: &[u8] = b"review";
/// The program-owned account that holds the platform's SOL fees until the admin withdraws them.
#[constant]
pub const SEED_FEE_VAULT: &[u8] = b"fee_vault";
/// A skill's vault authority: owns the token accounts pay-per-call (x402) payments land in; only
/// `split_vault` signs for it.
#[constant]
pub const SEED_SKILL_VAULT: &[u8] = b"skill_vault";
/// One account per SPL mint the admin accepts as a currency.
#[constant]
pub const SEED_CURRENCY: &[u8] = b"currency";
/// One account per key allowed to record usage (one per executor operator).
#[constant]
pub const SEED_METER: &[u8] = b"meter";

/// Layout version written in the first byte of every account this program creates. Accounts
/// also keep reserved bytes, so a later field can be added without changing an account's size
/// (renewals re-check the size of an existing license).
#[constant]
pub const LAYOUT_VERSION: u8 = 2;

/// Basis points in 100 %.
#[constant]
pub const BPS_DENOMINATOR: u64 = 10_000;
/// The platform fee (2.5 %) a new marketplace starts with when none is given.
#[constant]
pub const DEFAULT_FEE_BPS: u16 = 250;
/// The platform fee can never exceed 10 %.
#[constant]
pub const MAX_FEE_BPS: u16 = 1_000;
/// Longest notice period the marketplace may set: fee changes (and, for skills, price increases
/// and new versions) wait this long at most before they take effect.
#[constant]
pub const MAX_NOTICE_SECS: i64 = 90 * 86_400;
/// The notice period a new marketplace starts with when none is given: seven days.
#[constant]
pub const DEFAULT_NOTICE_SECS: i64 = 7 * 86_400;

#[constant]
pub const MIN_SLUG_LEN: u32 = 3;
#[constant]
pub const MAX_SLUG_LEN: u32 = 32;
#[constant]
pub const MAX_CATEGORY_LEN: u32 = 32;
#[constant]
pub const MAX_AGENT_NAME_LEN: u32 = 32;
#[constant]
pub const MAX_URI_LEN: u32 = 128;
/// Long enough for a CIDv1 in base32 (59 chars) or a CIDv0 (46 chars).
#[constant]
pub const MAX_CID_LEN: u32 = 64;

/// Shortest subscription period a skill may sell.
#[constant]
pub const MIN_SUBSCRIPTION_INTERVAL_SECS: i64 = 3_600;

#[constant]
pub const MIN_RATING: u8 = 1;
#[constant]
pub const MAX_RATING: u8 = 5;
