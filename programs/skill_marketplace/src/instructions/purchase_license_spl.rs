use anchor_lang::prelude::*;
use anchor_spl::token_interface::{self, Mint, TokenAccount, TokenInterface, TransferChecked};

use crate::{
    constants::{SEED_LICENSE, SEED_MARKETPLACE, SEED_SKILL},
    errors::MarketplaceError,
    instructions::purchase::{self, Payee, Purchase, PurchaseLicenseArgs},
    state::*,
};

#[event_cpi]
#[derive(Accounts)]
pub struct PurchaseLicenseSpl<'info> {
    #[account(mut)]
    pub buyer: Signer<'info>,
    #[account(seeds = [SEED_MARKETPLACE], bump = marketplace.bump)]
    pub marketplace: Account<'info, Marketplace>,
    #[account(
        mut,
        seeds = [SEED_SKILL, skill.author.as_ref(), skill.slug.as_bytes()],
        bump = skill.bump,
        constraint = skill.currency == Some(mint.key()) @ MarketplaceError::CurrencyMismatch
    )]
    pub skill: Account<'info, Skill>,
    #[account(mint::token_program = token_program)]
    pub mint: InterfaceAccount<'info, Mint>,
    #[account(
        mut,
        token::mint = mint,
        token::authority = buyer,
        token::token_program = token_program
    )]
    pub buyer_token: InterfaceAccount<'info, TokenAccount>,
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
    #[account(
        init_if_needed,
        payer = buyer,
        space = 8 + License::INIT_SPACE,
        seeds = [SEED_LICENSE, skill.key().as_ref(), buyer.key().as_ref()],
        bump
    )]
    pub license: Account<'info, License>,
    pub token_program: Interface<'info, TokenInterface>,
    pub system_program: Program<'info, System>,
}

/// Specification:
/// - As `purchase_license`, for a skill priced in an SPL mint (Token or Token-2022), paid with
///   `transfer_checked` from the buyer's token account: seller token account (owned by the
///   author) receives price − fee, treasury token account (owned by the marketplace treasury)
///   receives the fee; exactly `price` base units leave the buyer. The three token accounts
///   must be different accounts (the event's measured amounts would be wrong otherwise).
/// - The token program must be the mint's owner (no substitute programs).
pub fn handler<'info>(
    ctx: Context<'_, '_, 'info, 'info, PurchaseLicenseSpl<'info>>,
    args: PurchaseLicenseArgs,
) -> Result<()> {
    let accounts = ctx.accounts;
    let (buyer_token, seller_token, treasury_token) = (
        accounts.buyer_token.to_account_info(),
        accounts.seller_token.to_account_info(),
        accounts.treasury_token.to_account_info(),
    );
    require!(
        buyer_token.key != seller_token.key && buyer_token.key != treasury_token.key && seller_token.key != treasury_token.key,
        MarketplaceError::SharedTokenAccount
    );
    let balances = || {
        Ok([
            anchor_spl::token::accessor::amount(&buyer_token)?,
            anchor_spl::token::accessor::amount(&seller_token)?,
            anchor_spl::token::accessor::amount(&treasury_token)?,
        ])
    };
    let purchase = Purchase {
        marketplace: &accounts.marketplace,
        skill: &mut accounts.skill,
        license: &mut accounts.license,
        buyer: accounts.buyer.key(),
        license_bump: ctx.bumps.license,
        remaining: ctx.remaining_accounts,
        event_authority: &accounts.event_authority,
        event_bump: ctx.bumps.event_authority,
    };
    purchase::execute(purchase, args, |payee, amount| {
        let recipient = match payee {
            Payee::Seller => seller_token.clone(),
            Payee::Treasury => treasury_token.clone(),
        };
        token_interface::transfer_checked(
            CpiContext::new(
                accounts.token_program.to_account_info(),
                TransferChecked {
                    from: buyer_token.clone(),
                    mint: accounts.mint.to_account_info(),
                    to: recipient,
                    authority: accounts.buyer.to_account_info(),
                },
            ),
            amount,
            accounts.mint.decimals,
        )
    }, balances)
}
