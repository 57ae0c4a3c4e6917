//! The purchase rules shared by `purchase_license` (SOL) and `purchase_license_spl` (SPL): the
//! checks both make, the split, the license created or extended, the Solana Pay reference and
//! the `LicensePurchased` event. Each instruction only brings its accounts and its transfer.

use anchor_lang::prelude::*;

use crate::{
    errors::MarketplaceError,
    events::{emit_via_cpi, LicensePurchased},
    state::*,
};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct PurchaseLicenseArgs {
    /// The most the buyer agrees to pay; protects against a price change between the moment
    /// the transaction was built and the moment it lands.
    pub max_price: u64,
}

/// Who receives a part of the price.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Payee {
    /// The skill's author: price − fee.
    Seller,
    /// The marketplace treasury: the platform fee.
    Treasury,
}

/// The accounts every purchase reads or writes, whatever the currency.
pub(crate) struct Purchase<'a, 'info> {
    pub marketplace: &'a Marketplace,
    pub skill: &'a mut Account<'info, Skill>,
    pub license: &'a mut Account<'info, License>,
    pub buyer: Pubkey,
    pub license_bump: u8,
    /// The instruction's remaining accounts: at most the Solana Pay reference.
    pub remaining: &'a [AccountInfo<'info>],
    /// The program's event authority and its bump, to emit `LicensePurchased`.
    pub event_authority: &'a AccountInfo<'info>,
    pub event_bump: u8,
}

/// Balances, in base units of the skill's currency, of the buyer, the seller and the fee's
/// recipient: read before and after the transfers, so the event tells what each side actually
/// received.
pub(crate) type Balances = [u64; 3];

/// What a purchase settled, as measured.
struct Settlement {
    price: u64,
    fee_bps: u16,
    paid: u64,
    seller_amount: u64,
    fee_amount: u64,
    renewal: bool,
    reference: Option<Pubkey>,
}

/// Runs one purchase. The rules shared by SOL and SPL purchases: marketplace open, skill on sale
/// (listed, not suspended) and not the buyer's own, price within the buyer's maximum, license
/// created or extended. Then `pay` moves each non-zero part of the price from the buyer (seller
/// first, then the fee), `balances` measures what moved, and `LicensePurchased` is emitted.
pub(crate) fn execute(
    purchase: Purchase,
    args: PurchaseLicenseArgs,
    mut pay: impl FnMut(Payee, u64) -> Result<()>,
    balances: impl Fn() -> Result<Balances>,
) -> Result<()> {
    let Purchase { marketplace, skill, license, buyer, license_bump, remaining, event_authority, event_bump } = purchase;
    let clock = Clock::get()?;

    marketplace.require_open()?;
    skill.require_on_sale()?;
    require_keys_neq!(buyer, skill.author, MarketplaceError::CannotBuyOwnSkill);
    let price = skill.price_at(clock.unix_timestamp);
    require!(price <= args.max_price, MarketplaceError::PriceAboveMaximum);
    let reference = solana_pay_reference(remaining)?;
    let fee_bps = marketplace.fee_at(clock.unix_timestamp);
    let (seller_share, fee_share) = split_price(price, fee_bps)?;
    let renewal =
        license.apply_purchase(buyer, skill.key(), skill.pricing, clock.unix_timestamp, license_bump)?;

    let before = balances()?;
    for (payee, amount) in [(Payee::Seller, seller_share), (Payee::Treasury, fee_share)] {
        if amount > 0 {
            pay(payee, amount)?;
        }
    }
    let after = balances()?;
    let moved = |from: u64, to: u64| to.checked_sub(from).ok_or(error!(MarketplaceError::MathOverflow));
    let settlement = Settlement {
        price,
        fee_bps,
        paid: moved(after[0], before[0])?,
        seller_amount: moved(before[1], after[1])?,
        fee_amount: moved(before[2], after[2])?,
        renewal,
        reference,
    };
    license.paid = license.paid.saturating_add(settlement.paid);
    skill.record_sale(settlement.paid);

    emit_purchase(event_authority, event_bump, &settlement, skill, license, &clock)
}

/// The optional Solana Pay reference: at most one extra account, read-only and not a signer,
/// so it can only ever identify the transaction, never move value.
fn solana_pay_reference(remaining: &[AccountInfo]) -> Result<Option<Pubkey>> {
    match remaining {
        [] => Ok(None),
        [reference] if !reference.is_writable && !reference.is_signer => Ok(Some(reference.key())),
        _ => err!(MarketplaceError::InvalidReference),
    }
}

fn emit_purchase(
    authority: &AccountInfo,
    bump: u8,
    settlement: &Settlement,
    skill: &Account<Skill>,
    license: &Account<License>,
    clock: &Clock,
) -> Result<()> {
    emit_via_cpi(authority, bump, &LicensePurchased {
        license: license.key(),
        skill: skill.key(),
        buyer: license.buyer,
        seller: skill.author,
        kind: license.kind,
        currency: skill.currency,
        price: settlement.price,
        fee_bps: settlement.fee_bps,
        paid: settlement.paid,
        seller_amount: settlement.seller_amount,
        fee_amount: settlement.fee_amount,
        renewal: settlement.renewal,
        expires_at: license.expires_at,
        usage_limit: license.usage_limit,
        usage_used: license.usage_used,
        purchases: license.purchases,
        license_paid: license.paid,
        reference: settlement.reference,
        slot: clock.slot,
        timestamp: clock.unix_timestamp,
    })
}
