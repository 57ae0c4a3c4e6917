use anchor_lang::{prelude::*, system_program};

use crate::{
    constants::{SEED_FEE_VAULT, SEED_LICENSE, SEED_MARKETPLACE, SEED_SKILL},
    errors::MarketplaceError,
    instructions::purchase::{self, Payee, Purchase, PurchaseLicenseArgs},
    state::*,
};

#[event_cpi]
#[derive(Accounts)]
pub struct PurchaseLicense<'info> {
    #[account(mut)]
    pub buyer: Signer<'info>,
    #[account(seeds = [SEED_MARKETPLACE], bump = marketplace.bump)]
    pub marketplace: Account<'info, Marketplace>,
    #[account(
        mut,
        seeds = [SEED_SKILL, skill.author.as_ref(), skill.slug.as_bytes()],
        bump = skill.bump
    )]
    pub skill: Account<'info, Skill>,
    #[account(mut, address = skill.author @ MarketplaceError::SellerMismatch)]
    pub seller: SystemAccount<'info>,
    #[account(mut, seeds = [SEED_FEE_VAULT], bump = marketplace.fee_vault_bump)]
    pub fee_vault: Account<'info, FeeVault>,
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
/// - Skill priced in SOL, listed, not suspended, not the buyer's own; marketplace not paused;
///   price ≤ max_price.
/// - Exactly `price` lamports leave the buyer (plus license rent on first purchase): the seller
///   receives price − fee and the fee vault fee = ceil(price × fee_bps / 10 000), at the fee in
///   force now. The vault is program-owned and rent-exempt, so a fee of one lamport lands.
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
        event_authority: &accounts.event_authority,
        event_bump: ctx.bumps.event_authority,
    };
    let buyer = accounts.buyer.to_account_info();
    let seller = accounts.seller.to_account_info();
    let vault = accounts.fee_vault.to_account_info();
    let balances = || Ok([buyer.lamports(), seller.lamports(), vault.lamports()]);
    purchase::execute(purchase, args, |payee, amount| {
        let recipient = match payee {
            Payee::Seller => seller.clone(),
            Payee::Treasury => vault.clone(),
        };
        system_program::transfer(
            CpiContext::new(
                accounts.system_program.to_account_info(),
                system_program::Transfer { from: buyer.clone(), to: recipient },
            ),
            amount,
        )
    }, balances)
}
