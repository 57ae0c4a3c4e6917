//! Every error the program returns; tests assert the exact variant.

use anchor_lang::prelude::*;

#[error_code]
pub enum MarketplaceError {
    #[msg("Platform fee exceeds the 10% cap (1000 basis points)")]
    FeeTooHigh,
    #[msg("The marketplace is paused")]
    MarketplacePaused,
    #[msg("Signer is not allowed to perform this action")]
    Unauthorized,
    #[msg("Slug must be 3-32 characters of a-z, 0-9 and '-'")]
    InvalidSlug,
    #[msg("Category must be 1-32 characters of a-z, 0-9 and '-'")]
    InvalidCategory,
    #[msg("Agent name must be 1-32 bytes")]
    InvalidName,
    #[msg("Metadata URI must be at most 128 bytes")]
    InvalidUri,
    #[msg("CID must be 1-64 alphanumeric characters")]
    InvalidCid,
    #[msg("Commit SHA and image digest must not be zero")]
    InvalidProvenance,
    #[msg("Price must be greater than zero")]
    InvalidPrice,
    #[msg("Subscription interval must be at least one hour")]
    SubscriptionIntervalTooShort,
    #[msg("Usage pricing must sell at least one unit per purchase")]
    ZeroUnitsPerPurchase,
    #[msg("New version must be strictly greater than the current one")]
    VersionNotIncreased,
    #[msg("Skill is not active")]
    SkillInactive,
    #[msg("Payment currency does not match the skill's currency")]
    CurrencyMismatch,
    #[msg("Sellers cannot buy their own skills")]
    CannotBuyOwnSkill,
    #[msg("Skill price is above the buyer's maximum")]
    PriceAboveMaximum,
    #[msg("A one-time license for this skill is already owned")]
    LicenseAlreadyOwned,
    #[msg("License kind does not match the skill's pricing")]
    LicenseKindMismatch,
    #[msg("Seller account does not belong to the skill's author")]
    SellerMismatch,
    #[msg("Treasury account does not belong to the marketplace treasury")]
    TreasuryMismatch,
    #[msg("Reference must be a single read-only, non-signer account")]
    InvalidReference,
    #[msg("Only the marketplace meter authority may record usage")]
    UnauthorizedMeter,
    #[msg("Usage must be at least one unit")]
    ZeroUsage,
    #[msg("Usage would exceed the license's limit")]
    UsageLimitExceeded,
    #[msg("Subscription has expired")]
    SubscriptionExpired,
    #[msg("Rating must be between 1 and 5")]
    InvalidRating,
    #[msg("Only a holder of a license for this skill may do this")]
    NotLicenseHolder,
    #[msg("License is still active: only expired or fully used licenses can be closed")]
    LicenseStillActive,
    #[msg("License does not belong to this skill")]
    LicenseSkillMismatch,
    #[msg("Arithmetic overflow")]
    MathOverflow,
    #[msg("Only the program's upgrade authority may initialize the marketplace")]
    NotUpgradeAuthority,
    #[msg("Account is not this program's ProgramData")]
    InvalidProgramData,
    #[msg("Signer is not the proposed admin")]
    NotPendingAdmin,
    #[msg("Notice period must be between 0 and 90 days")]
    NoticeOutOfRange,
    #[msg("Notice period can only be lengthened")]
    NoticeShortened,
    #[msg("Skill is suspended by the marketplace")]
    SkillSuspended,
    #[msg("License usage differs from the caller's expected usage: the batch was already recorded or another one landed first")]
    StaleUsage,
    #[msg("A usage batch settles 1 to `units` receipts")]
    InvalidReceiptBatch,
    #[msg("Withdrawal must be more than zero and leave the fee vault rent-exempt")]
    InsufficientFees,
    #[msg("Buyer, seller and treasury token accounts must be three different accounts")]
    SharedTokenAccount,
    #[msg("The mint is not an accepted currency of the marketplace")]
    CurrencyNotAllowed,
    #[msg("The mint has a Token-2022 extension that could take money back or block sales")]
    MintExtensionNotAllowed,
    #[msg("Only a license that was paid for and, for usage licenses, used can review")]
    LicenseNotUsed,
    #[msg("The license has lapsed: the review can be deleted but no longer changed")]
    ReviewLocked,
    #[msg("The skill's vault holds nothing to split")]
    NothingToSplit,
}
