use anchor_lang::prelude::*;
use anchor_spl::token_2022::spl_token_2022::{
    self,
    extension::{BaseStateWithExtensions, ExtensionType, StateWithExtensions},
};

use crate::errors::MarketplaceError;

/// An SPL mint the admin accepts as a currency; skills can only be priced in SOL or in one of these.
#[account]
#[derive(InitSpace)]
pub struct Currency {
    pub layout: u8,
    pub mint: Pubkey,
    /// Token or Token-2022: the mint's owner.
    pub token_program: Pubkey,
    pub decimals: u8,
    pub added_at: i64,
    pub bump: u8,
    pub reserved: [u8; 32],
}

/// Token-2022 mint extensions that change nothing about who holds what: names and metadata, group
/// membership, an interest rate shown in interfaces, and the right to close a mint with no supply.
/// Every other extension is refused, among them those that let an issuer or seller take money
/// back or block a sale: transfer fees, a permanent delegate, a transfer hook, accounts frozen by
/// default, non-transferable tokens, and confidential transfers (amounts the program cannot see).
const HARMLESS_MINT_EXTENSIONS: &[ExtensionType] = &[
    ExtensionType::MintCloseAuthority,
    ExtensionType::InterestBearingConfig,
    ExtensionType::MetadataPointer,
    ExtensionType::TokenMetadata,
    ExtensionType::GroupPointer,
    ExtensionType::TokenGroup,
    ExtensionType::GroupMemberPointer,
    ExtensionType::TokenGroupMember,
];

/// Refuses a mint whose extensions are not all harmless. Legacy Token mints have none.
pub fn require_plain_mint(mint: &AccountInfo) -> Result<()> {
    if *mint.owner != spl_token_2022::ID {
        return Ok(());
    }
    let data = mint.try_borrow_data()?;
    let state = StateWithExtensions::<spl_token_2022::state::Mint>::unpack(&data)?;
    for extension in state.get_extension_types()? {
        if !HARMLESS_MINT_EXTENSIONS.contains(&extension) {
            msg!("mint {} carries the {:?} extension", mint.key, extension);
            return err!(MarketplaceError::MintExtensionNotAllowed);
        }
    }
    Ok(())
}
