use anchor_lang::prelude::*;

use crate::{
    constants::{MAX_AGENT_NAME_LEN, MAX_URI_LEN},
    errors::MarketplaceError,
};

/// Profile of an agent (seller or buyer), keyed by its wallet.
#[account]
#[derive(InitSpace)]
pub struct Agent {
    pub layout: u8,
    pub wallet: Pubkey,
    #[max_len(MAX_AGENT_NAME_LEN)]
    pub name: String,
    #[max_len(MAX_URI_LEN)]
    pub metadata_uri: String,
    pub skills_published: u32,
    pub registered_at: i64,
    pub bump: u8,
    pub reserved: [u8; 32],
}

impl Agent {
    pub fn validate_profile(name: &str, metadata_uri: &str) -> Result<()> {
        require!(
            !name.is_empty() && name.len() <= MAX_AGENT_NAME_LEN as usize,
            MarketplaceError::InvalidName
        );
        require!(metadata_uri.len() <= MAX_URI_LEN as usize, MarketplaceError::InvalidUri);
        Ok(())
    }
}
