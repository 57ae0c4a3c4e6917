//! `purchase_license` (SOL): split to the lamport, license creation, renewal, top-up,
//! Solana Pay reference, and every rule that can refuse a purchase.

mod common;

use common::*;
use skill_marketplace::{errors::MarketplaceError, events::LicensePurchased, state::*};
use solana_signer::Signer;

#[test]
fn first_purchase_splits_price_and_creates_license() {
    let mut env = Env::new();
    let seller = env.funded(10 * SOL);
    let skill = env.register_skill(&seller, "pdf-extract", Pricing::OneTime, SOL, None);
    let buyer = env.funded(10 * SOL);
    let reference = solana_keypair::Keypair::new().pubkey();

    let seller_before = env.lamports(&seller.pubkey());
    let treasury_before = env.lamports(&env.treasury.pubkey());
    let buyer_before = env.lamports(&buyer.pubkey());
    let ix = env.purchase_sol_ix(&buyer.pubkey(), &skill, SOL, Some(reference));
    let meta = env.send(&[ix], &[&buyer]).expect("purchase");

    let license_key = license_pda(&skill, &buyer.pubkey());
    let rent = env.lamports(&license_key);
    assert_eq!(env.lamports(&seller.pubkey()) - seller_before, 975_000_000);
    assert_eq!(env.lamports(&env.treasury.pubkey()) - treasury_before, 25_000_000);
    assert_eq!(buyer_before - env.lamports(&buyer.pubkey()), SOL + rent + FEE_PER_SIGNATURE);

    let license: License = env.account(&license_key);
    assert_eq!(license.buyer, buyer.pubkey());
    assert_eq!(license.skill, skill);
    assert_eq!(license.kind, LicenseKind::OneTime);
    assert_eq!(license.purchased_at, START_TIME);
    assert_eq!(license.expires_at, 0);
    assert_eq!((license.usage_limit, license.usage_used, license.purchases), (0, 0, 1));

    let s: Skill = env.account(&skill);
    assert_eq!((s.sales, s.revenue), (1, SOL));

    let event: LicensePurchased = one_event(&meta);
    assert_eq!(event.license, license_key);
    assert_eq!(event.buyer, buyer.pubkey());
    assert_eq!(event.seller, seller.pubkey());
    assert_eq!((event.price, event.seller_amount, event.fee_amount), (SOL, 975_000_000, 25_000_000));
    assert_eq!(event.reference, Some(reference));
    assert_eq!(event.currency, None);
    assert!(!event.renewal);
    assert!(meta.logs.iter().any(|l| l == "Program log: Instruction: PurchaseLicense"), "{:#?}", meta.logs);
}

#[test]
fn buying_a_one_time_license_twice_fails() {
    let mut env = Env::new();
    let seller = env.funded(10 * SOL);
    let skill = env.register_skill(&seller, "pdf-extract", Pricing::OneTime, SOL, None);
    let buyer = env.funded(10 * SOL);
    env.buy_sol(&buyer, &skill).expect("first purchase");
    let ix = env.purchase_sol_ix(&buyer.pubkey(), &skill, SOL, None);
    env.expect_failure(&[ix], &[&buyer], program_error(MarketplaceError::LicenseAlreadyOwned));
}
