//! Seeds and limits shared by every instruction; `sdk/` mirrors the seeds in its PDA helpers.

pub const SEED_MARKETPLACE: &[u8] = b"marketplace";
pub const SEED_AGENT: &[u8] = b"agent";
pub const SEED_SKILL: &[u8] = b"skill";
pub const SEED_LICENSE: &[u8] = b"license";
pub const SEED_REVIEW: &[u8] = b"review";

/// Basis points in 100 %.
pub const BPS_DENOMINATOR: u64 = 10_000;
/// The platform fee (2.5 %) a new marketplace starts with when none is given.
pub const DEFAULT_FEE_BPS: u16 = 250;
/// The platform fee can never exceed 10 %.
pub const MAX_FEE_BPS: u16 = 1_000;

pub const MIN_SLUG_LEN: usize = 3;
pub const MAX_SLUG_LEN: usize = 32;
pub const MAX_CATEGORY_LEN: usize = 32;
pub const MAX_AGENT_NAME_LEN: usize = 32;
pub const MAX_URI_LEN: usize = 128;
/// Long enough for a CIDv1 in base32 (59 chars) or a CIDv0 (46 chars).
pub const MAX_CID_LEN: usize = 64;

/// Shortest subscription period a skill may sell.
pub const MIN_SUBSCRIPTION_INTERVAL_SECS: i64 = 3_600;

pub const MIN_RATING: u8 = 1;
pub const MAX_RATING: u8 = 5;
