//! `record_usage`: meter authority only, limits, expiry, receipts in events.

mod common;

use common::*;
use skill_marketplace::{errors::MarketplaceError, events::UsageRecorded, state::*};
use solana_signer::Signer;

#[test]
fn records_units_and_emits_the_receipt() {
    let mut env = Env::new();
    let seller = env.funded(10 * SOL);
    let skill = env.register_skill(&seller, "ocr", Pricing::Usage { units_per_purchase: 100 }, SOL, None);
    let buyer = env.funded(10 * SOL);
    env.buy_sol(&buyer, &skill).expect("buy");
    let ix = env.record_usage_ix(&skill, &buyer.pubkey(), 40, [9; 32]);
    let meter = env.meter.insecure_clone();
    let meta = env.send(&[ix], &[&meter]).expect("record");
    let l: License = env.account(&license_pda(&skill, &buyer.pubkey()));
    assert_eq!((l.usage_used, l.usage_limit), (40, 100));
    assert_eq!(env.account::<Skill>(&skill).usage_units, 40);
    let e: UsageRecorded = one_event(&meta);
    assert_eq!((e.units, e.usage_used, e.usage_limit, e.receipt_hash), (40, 40, 100, [9; 32]));
    assert_eq!((e.buyer, e.skill, e.license), (buyer.pubkey(), skill, license_pda(&skill, &buyer.pubkey())));
}

#[test]
fn usage_never_exceeds_the_limit() {
    let mut env = Env::new();
    let seller = env.funded(10 * SOL);
    let skill = env.register_skill(&seller, "ocr", Pricing::Usage { units_per_purchase: 100 }, SOL, None);
    let buyer = env.funded(10 * SOL);
    env.buy_sol(&buyer, &skill).expect("buy");
    env.record_usage(&skill, &buyer.pubkey(), 99).expect("99 units");
    let ix = env.record_usage_ix(&skill, &buyer.pubkey(), 2, [1; 32]);
    let meter = env.meter.insecure_clone();
    env.expect_failure(&[ix], &[&meter], program_error(MarketplaceError::UsageLimitExceeded));
    env.record_usage(&skill, &buyer.pubkey(), 1).expect("exactly up to the limit");
    let ix = env.record_usage_ix(&skill, &buyer.pubkey(), 1, [1; 32]);
    env.expect_failure(&[ix], &[&meter], program_error(MarketplaceError::UsageLimitExceeded));
    assert_eq!(env.account::<License>(&license_pda(&skill, &buyer.pubkey())).usage_used, 100);
}

#[test]
fn zero_units_and_overflowing_units_are_refused() {
    let mut env = Env::new();
    let seller = env.funded(10 * SOL);
    let skill = env.register_skill(&seller, "ocr", Pricing::OneTime, SOL, None);
    let buyer = env.funded(10 * SOL);
    env.buy_sol(&buyer, &skill).expect("buy");
    let meter = env.meter.insecure_clone();
    let ix = env.record_usage_ix(&skill, &buyer.pubkey(), 0, [1; 32]);
    env.expect_failure(&[ix], &[&meter], program_error(MarketplaceError::ZeroUsage));
    env.record_usage(&skill, &buyer.pubkey(), 5).expect("one-time licenses are unmetered");
    let ix = env.record_usage_ix(&skill, &buyer.pubkey(), u64::MAX, [1; 32]);
    env.expect_failure(&[ix], &[&meter], program_error(MarketplaceError::MathOverflow));
}

#[test]
fn expired_subscription_cannot_be_metered() {
    let mut env = Env::new();
    let seller = env.funded(10 * SOL);
    let skill = env.register_skill(&seller, "monitor", Pricing::Subscription { interval_secs: 3_600 }, SOL, None);
    let buyer = env.funded(10 * SOL);
    env.buy_sol(&buyer, &skill).expect("subscribe");
    env.advance(3_599);
    env.record_usage(&skill, &buyer.pubkey(), 1).expect("one second before expiry");
    env.advance(1);
    let ix = env.record_usage_ix(&skill, &buyer.pubkey(), 1, [1; 32]);
    let meter = env.meter.insecure_clone();
    env.expect_failure(&[ix], &[&meter], program_error(MarketplaceError::SubscriptionExpired));
    env.buy_sol(&buyer, &skill).expect("renew");
    env.record_usage(&skill, &buyer.pubkey(), 1).expect("usage after renewal");
}

#[test]
fn only_the_meter_authority_records_usage() {
    let mut env = Env::new();
    let seller = env.funded(10 * SOL);
    let skill = env.register_skill(&seller, "ocr", Pricing::Usage { units_per_purchase: 10 }, SOL, None);
    let buyer = env.funded(10 * SOL);
    env.buy_sol(&buyer, &skill).expect("buy");
    // The buyer cannot reset or inflate their own meter.
    let ix = record_usage_ix(&buyer.pubkey(), &skill, &license_pda(&skill, &buyer.pubkey()), 1, [1; 32]);
    env.expect_failure(&[ix], &[&buyer], program_error(MarketplaceError::UnauthorizedMeter));
}
