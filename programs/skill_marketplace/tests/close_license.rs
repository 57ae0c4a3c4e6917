//! `close_license`: buyer only, only spent licenses, rent back to the buyer; a closed license
//! can be bought again from scratch.

mod common;

use common::*;
use skill_marketplace::{errors::MarketplaceError, events::LicenseClosed, state::*};
use solana_signer::Signer;

#[test]
fn expired_subscription_is_closed_and_rent_returned() {
    let mut env = Env::new();
    let seller = env.funded(10 * SOL);
    let skill = env.register_skill(&seller, "monitor", Pricing::Subscription { interval_secs: 3_600 }, SOL, None);
    let buyer = env.funded(10 * SOL);
    env.buy_sol(&buyer, &skill).expect("subscribe");
    let license = license_pda(&skill, &buyer.pubkey());
    let rent = env.lamports(&license);

    env.expect_failure(&[close_license_ix(&buyer.pubkey(), &license)], &[&buyer], program_error(MarketplaceError::LicenseStillActive));
    env.advance(3_600);
    let before = env.lamports(&buyer.pubkey());
    let meta = env.send(&[close_license_ix(&buyer.pubkey(), &license)], &[&buyer]).expect("close");
    assert_eq!(env.lamports(&buyer.pubkey()), before + rent - FEE_PER_SIGNATURE);
    assert!(!env.exists(&license));
    let e: LicenseClosed = one_event(&meta);
    assert_eq!((e.license, e.buyer, e.skill, e.refunded_lamports), (license, buyer.pubkey(), skill, rent));

    // Buying again starts a new license.
    env.buy_sol(&buyer, &skill).expect("buy again");
    let l: License = env.account(&license);
    assert_eq!((l.purchases, l.expires_at), (1, env.now() + 3_600));
}

#[test]
fn used_up_usage_license_is_closable_and_partly_used_is_not() {
    let mut env = Env::new();
    let seller = env.funded(10 * SOL);
    let skill = env.register_skill(&seller, "ocr", Pricing::Usage { units_per_purchase: 3 }, SOL, None);
    let buyer = env.funded(10 * SOL);
    env.buy_sol(&buyer, &skill).expect("buy");
    let license = license_pda(&skill, &buyer.pubkey());
    env.record_usage(&skill, &buyer.pubkey(), 2).expect("use 2");
    env.expect_failure(&[close_license_ix(&buyer.pubkey(), &license)], &[&buyer], program_error(MarketplaceError::LicenseStillActive));
    env.record_usage(&skill, &buyer.pubkey(), 1).expect("use the last unit");
    env.send(&[close_license_ix(&buyer.pubkey(), &license)], &[&buyer]).expect("close");
    assert!(!env.exists(&license));
}

#[test]
fn one_time_license_never_closes() {
    let mut env = Env::new();
    let seller = env.funded(10 * SOL);
    let skill = env.register_skill(&seller, "ocr", Pricing::OneTime, SOL, None);
    let buyer = env.funded(10 * SOL);
    env.buy_sol(&buyer, &skill).expect("buy");
    env.advance(10 * 365 * 86_400);
    let license = license_pda(&skill, &buyer.pubkey());
    env.expect_failure(&[close_license_ix(&buyer.pubkey(), &license)], &[&buyer], program_error(MarketplaceError::LicenseStillActive));
}

#[test]
fn only_the_buyer_closes() {
    let mut env = Env::new();
    let seller = env.funded(10 * SOL);
    let skill = env.register_skill(&seller, "monitor", Pricing::Subscription { interval_secs: 3_600 }, SOL, None);
    let buyer = env.funded(10 * SOL);
    env.buy_sol(&buyer, &skill).expect("subscribe");
    env.advance(7_200);
    let license = license_pda(&skill, &buyer.pubkey());
    let thief = env.funded(SOL);
    env.expect_failure(
        &[close_license_ix(&thief.pubkey(), &license)],
        &[&thief],
        anchor_error(anchor_lang::error::ErrorCode::ConstraintSeeds),
    );
}
