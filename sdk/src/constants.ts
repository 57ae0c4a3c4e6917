// Seeds and limits of programs/skill_marketplace/src/constants.rs, which the IDL does not carry.
// Keep in step with that file; tests/sdk checks the seeds against the IDL's PDA definitions.

export const SEED_MARKETPLACE = "marketplace";
export const SEED_AGENT = "agent";
export const SEED_SKILL = "skill";
export const SEED_LICENSE = "license";
export const SEED_REVIEW = "review";

/** Basis points in 100 %. */
export const BPS_DENOMINATOR = 10_000;
/** The platform fee (2.5 %) a marketplace starts with unless told otherwise. */
export const DEFAULT_FEE_BPS = 250;
/** The platform fee can never exceed 10 %. */
export const MAX_FEE_BPS = 1_000;

export const MIN_SLUG_LEN = 3;
export const MAX_SLUG_LEN = 32;
export const MAX_CATEGORY_LEN = 32;
export const MAX_AGENT_NAME_LEN = 32;
export const MAX_URI_LEN = 128;
export const MAX_CID_LEN = 64;
/** Shortest subscription period a skill may sell, in seconds. */
export const MIN_SUBSCRIPTION_INTERVAL_SECS = 3_600;
export const MIN_RATING = 1;
export const MAX_RATING = 5;
