use anchor_lang::{prelude::*, system_program};

use crate::{
    constants::{SEED_LICENSE, SEED_MARKETPLACE, SEED_SKILL},
    errors::MarketplaceError,
    events::LicensePurchased,
    instructions::solana_pay_reference,
    state::*,
};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct PurchaseLicenseArgs {
    /// The most the buyer agrees to pay; protects against a price change between the moment
    /// the transaction was built and the moment it lands.
    pub max_price: u64,
}

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

/// What a purchase settles: computed before any money moves.
pub(crate) struct Settlement {
    pub price: u64,
    pub seller_amount: u64,
    pub fee_amount: u64,
    pub renewal: bool,
    pub reference: Option<Pubkey>,
}

/// The rules shared by SOL and SPL purchases: marketplace open, skill active and not the
/// buyer's own, price within the buyer's maximum, license created or extended.
pub(crate) fn settle(
    marketplace: &Marketplace,
    skill: &mut Account<Skill>,
    license: &mut Account<License>,
    buyer: Pubkey,
    license_bump: u8,
    max_price: u64,
    remaining: &[AccountInfo],
    now: i64,
) -> Result<Settlement> {
    marketplace.require_open()?;
    require!(skill.active, MarketplaceError::SkillInactive);
    require_keys_neq!(buyer, skill.author, MarketplaceError::CannotBuyOwnSkill);
    require!(skill.price <= max_price, MarketplaceError::PriceAboveMaximum);
    let reference = solana_pay_reference(remaining)?;
    let price = skill.price;
    let (seller_amount, fee_amount) = marketplace.split(price)?;
    let renewal = license.apply_purchase(buyer, skill.key(), skill.pricing, now, license_bump)?;
    skill.record_sale(price)?;
    Ok(Settlement { price, seller_amount, fee_amount, renewal, reference })
}

pub(crate) fn emit_purchase(
    settlement: &Settlement,
    skill: &Skill,
    skill_key: Pubkey,
    license: &Account<License>,
    clock: &Clock,
) {
    emit!(LicensePurchased {
        license: license.key(),
        skill: skill_key,
        buyer: license.buyer,
        seller: skill.author,
        kind: license.kind,
        currency: skill.currency,
        price: settlement.price,
        seller_amount: settlement.seller_amount,
        fee_amount: settlement.fee_amount,
        renewal: settlement.renewal,
        expires_at: license.expires_at,
        usage_limit: license.usage_limit,
        usage_used: license.usage_used,
        purchases: license.purchases,
        reference: settlement.reference,
        slot: clock.slot,
        timestamp: clock.unix_timestamp,
    });
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
    let clock = Clock::get()?;
    let settlement = settle(
        &accounts.marketplace,
        &mut accounts.skill,
        &mut accounts.license,
        accounts.buyer.key(),
        ctx.bumps.license,
        args.max_price,
        ctx.remaining_accounts,
        clock.unix_timestamp,
    )?;

    for (recipient, amount) in [
        (&accounts.seller, settlement.seller_amount),
        (&accounts.treasury, settlement.fee_amount),
    ] {
        if amount > 0 {
            system_program::transfer(
                CpiContext::new(
                    accounts.system_program.to_account_info(),
                    system_program::Transfer {
                        from: accounts.buyer.to_account_info(),
                        to: recipient.to_account_info(),
                    },
                ),
                amount,
            )?;
        }
    }

    emit_purchase(&settlement, &accounts.skill, accounts.skill.key(), &accounts.license, &clock);
    Ok(())
}
