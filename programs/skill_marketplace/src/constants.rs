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

/// Basis points in 100 %.
#[constant]
pub const BPS_DENOMINATOR: u64 = 10_000;
/// The platform fee (2.5 %) a new marketplace starts with when none is given.
#[constant]
pub const DEFAULT_FEE_BPS: u16 = 250;
/// The platform fee can never exceed 10 %.
#[constant]
pub const MAX_FEE_BPS: u16 = 1_000;

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
