use anchor_lang::{prelude::*, system_program};

use crate::{
    constants::{SEED_LICENSE, SEED_MARKETPLACE, SEED_SKILL},
    errors::MarketplaceError,
    instructions::purchase::{self, Payee, Purchase, PurchaseLicenseArgs},
    state::*,
};

#[derive(Accounts)]
pub struct PurchaseLicense<'info> {
    #[account(mut)]
    pub buyer: Signer<'info>,
    #[account(
        seeds = [SEED_MARKETPLACE],
        bump = marketplace.bump,
        has_one = treasury @ MarketplaceError::TreasuryMismatch
    )]
    pub marketplace: Account<'info, Marketplace>,
    #[account(
        mut,
        seeds = [SEED_SKILL, skill.author.as_ref(), skill.slug.as_bytes()],
        bump = skill.bump
    )]
    pub skill: Account<'info, Skill>,
    #[account(mut, address = skill.author @ MarketplaceError::SellerMismatch)]
    pub seller: SystemAccount<'info>,
    #[account(mut)]
    pub treasury: SystemAccount<'info>,
    #[account(
        init_if_needed,
        payer = buyer,
        space = 8 + License::INIT_SPACE,
        seeds = [SEED_LICENSE, skill.key().as_ref(), buyer.key().as_ref()],
        bump
    )]
    pub license: Account<'info, License>,
    pub system_program: Program<'info, System>,
}

/// Specification:
/// - Skill priced in SOL, active, not the buyer's own; marketplace not paused; price ≤ max_price.
/// - Exactly `price` lamports leave the buyer (plus license rent on first purchase): the seller
///   receives price − fee and the treasury fee = floor(price × fee_bps / 10 000).
/// - First purchase creates the license; buying again extends a subscription from
///   max(now, expires_at), adds units to a usage license, and fails for a one-time license.
/// - An optional extra read-only account is the Solana Pay reference, echoed in the event.
pub fn handler<'info>(
    ctx: Context<'_, '_, 'info, 'info, PurchaseLicense<'info>>,
    args: PurchaseLicenseArgs,
) -> Result<()> {
    let accounts = ctx.accounts;
    require!(accounts.skill.currency.is_none(), MarketplaceError::CurrencyMismatch);
    let purchase = Purchase {
        marketplace: &accounts.marketplace,
        skill: &mut accounts.skill,
        license: &mut accounts.license,
        buyer: accounts.buyer.key(),
        license_bump: ctx.bumps.license,
        remaining: ctx.remaining_accounts,
    };
    purchase::execute(purchase, args, |payee, amount| {
        let recipient = match payee {
            Payee::Seller => &accounts.seller,
            Payee::Treasury => &accounts.treasury,
        };
        system_program::transfer(
            CpiContext::new(
                accounts.system_program.to_account_info(),
                system_program::Transfer {
                    from: accounts.buyer.to_account_info(),
                    to: recipient.to_account_info(),
                },
            ),
            amount,
        )
    })
}
