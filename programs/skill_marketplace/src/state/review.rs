use anchor_lang::prelude::*;

use crate::{
    constants::{MAX_CID_LEN, MAX_RATING, MIN_RATING},
    errors::MarketplaceError,
    state::skill::validate_cid,
};

/// One review per (skill, reviewer); the text lives on IPFS.
#[account]
#[derive(InitSpace)]
pub struct Review {
    pub layout: u8,
    pub skill: Pubkey,
    pub reviewer: Pubkey,
    pub rating: u8,
    /// What the reviewer had paid for their license when they last wrote the review: the
    /// rating's weight in the skill's weighted average.
    pub weight: u64,
    #[max_len(MAX_CID_LEN)]
    pub text_cid: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub bump: u8,
    pub reserved: [u8; 32],
}

impl Review {
    pub fn validate(rating: u8, text_cid: &str) -> Result<()> {
        require!(
            (MIN_RATING..=MAX_RATING).contains(&rating),
            MarketplaceError::InvalidRating
        );
        validate_cid(text_cid)
    }
}
