use anchor_lang::prelude::*;
use anchor_spl::token_interface::{self, Mint, TokenAccount, TokenInterface, TransferChecked};

use crate::{
    constants::{SEED_MARKETPLACE, SEED_SKILL, SEED_SKILL_VAULT},
    emit_event,
    errors::MarketplaceError,
    events::VaultSplit,
    state::*,
};

#[event_cpi]
#[derive(Accounts)]
pub struct SplitVault<'info> {
    #[account(seeds = [SEED_MARKETPLACE], bump = marketplace.bump)]
    pub marketplace: Account<'info, Marketplace>,
    #[account(seeds = [SEED_SKILL, skill.author.as_ref(), skill.slug.as_bytes()], bump = skill.bump)]
    pub skill: Account<'info, Skill>,
    /// CHECK: the skill's vault authority, a PDA of this program with no data: only this
    /// instruction signs for it.
    #[account(seeds = [SEED_SKILL_VAULT, skill.key().as_ref()], bump)]
    pub vault_authority: UncheckedAccount<'info>,
    #[account(mint::token_program = token_program)]
    pub mint: InterfaceAccount<'info, Mint>,
    #[account(
        mut,
        token::mint = mint,
        token::authority = vault_authority,
        token::token_program = token_program
    )]
    pub vault: InterfaceAccount<'info, TokenAccount>,
    #[account(
        mut,
        token::mint = mint,
        token::token_program = token_program,
        constraint = seller_token.owner == skill.author @ MarketplaceError::SellerMismatch
    )]
    pub seller_token: InterfaceAccount<'info, TokenAccount>,
    #[account(
        mut,
        token::mint = mint,
        token::token_program = token_program,
        constraint = treasury_token.owner == marketplace.treasury @ MarketplaceError::TreasuryMismatch
    )]
    pub treasury_token: InterfaceAccount<'info, TokenAccount>,
    pub token_program: Interface<'info, TokenInterface>,
}

/// Specification:
/// - Anyone may call it. Moves the whole balance of a token account owned by the skill's vault
///   authority (PDA `["skill_vault", skill]`, where pay-per-call payments land) to the skill's
///   author and the marketplace treasury with the purchase rule: the fee in force now
///   (`fee_at`), rounded up (`split_price`); seller token account owned by the author, treasury
///   token account owned by `marketplace.treasury`, same mint and token program as the vault.
/// - Nothing else can move that balance: the vault authority is a PDA no key holds, and this is
///   the only instruction that signs for it.
/// - Refused while the marketplace is paused, for an empty vault (`NothingToSplit`), and when the
///   seller's and the treasury's token accounts are one account (`SharedTokenAccount`).
/// - Emits `VaultSplit` with the amounts each side received, measured.
pub fn handler(ctx: Context<SplitVault>) -> Result<()> {
    let accounts = &ctx.accounts;
    accounts.marketplace.require_open()?;
    // One account on both sides would make the measured amounts of the event wrong (an author who is the treasury).
    require_keys_neq!(accounts.seller_token.key(), accounts.treasury_token.key(), MarketplaceError::SharedTokenAccount);
    let amount = accounts.vault.amount;
    require!(amount > 0, MarketplaceError::NothingToSplit);
    let fee_bps = accounts.marketplace.fee_at(Clock::get()?.unix_timestamp);
    let (seller_share, fee_share) = split_price(amount, fee_bps)?;
    let skill_key = accounts.skill.key();
    let seeds: &[&[u8]] = &[SEED_SKILL_VAULT, skill_key.as_ref(), &[ctx.bumps.vault_authority]];
    let balance = |account: &AccountInfo| anchor_spl::token::accessor::amount(account);
    let (seller_info, treasury_info) = (accounts.seller_token.to_account_info(), accounts.treasury_token.to_account_info());
    let before = (balance(&seller_info)?, balance(&treasury_info)?);
    for (to, share) in [(&seller_info, seller_share), (&treasury_info, fee_share)] {
        if share == 0 {
            continue;
        }
        token_interface::transfer_checked(
            CpiContext::new_with_signer(
                accounts.token_program.to_account_info(),
                TransferChecked {
                    from: accounts.vault.to_account_info(),
                    mint: accounts.mint.to_account_info(),
                    to: to.clone(),
                    authority: accounts.vault_authority.to_account_info(),
                },
                &[seeds],
            ),
            share,
            accounts.mint.decimals,
        )?;
    }
    let after = (balance(&seller_info)?, balance(&treasury_info)?);
    emit_event!(ctx, VaultSplit {
        skill: skill_key,
        seller: accounts.skill.author,
        mint: accounts.mint.key(),
        vault: accounts.vault.key(),
        amount,
        fee_bps,
        seller_amount: after.0.saturating_sub(before.0),
        fee_amount: after.1.saturating_sub(before.1),
    });
    Ok(())
}
