//! `record_usage`: registered meter authorities only, safe to retry, limits, expiry, receipt
//! batches in events.

mod common;

use common::*;
use skill_marketplace::{errors::MarketplaceError, events::UsageRecorded, instructions::RecordUsageArgs, state::*};
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
    let e: UsageRecorded = one_event(&meta);
    assert_eq!((e.units, e.usage_used, e.usage_limit, e.receipts_root, e.receipt_count), (40, 40, 100, [9; 32], 40));
    assert_eq!(e.meter_authority, env.meter.pubkey());
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
    // The buyer cannot reset or inflate their own meter: they have no meter registration.
    let ix = record_usage_ix(&buyer.pubkey(), &skill, &license_pda(&skill, &buyer.pubkey()), usage_batch(1, 0, [1; 32]));
    env.expect_failure(&[ix], &[&buyer], anchor_error(anchor_lang::error::ErrorCode::AccountNotInitialized));
}

#[test]
fn a_retried_batch_is_counted_once() {
    let mut env = Env::new();
    let seller = env.funded(10 * SOL);
    let skill = env.register_skill(&seller, "ocr", Pricing::Usage { units_per_purchase: 100 }, SOL, None);
    let buyer = env.funded(10 * SOL);
    env.buy_sol(&buyer, &skill).expect("buy");
    let license = license_pda(&skill, &buyer.pubkey());
    let meter = env.meter.insecure_clone();
    let batch = || record_usage_ix(&meter.pubkey(), &skill, &license, usage_batch(10, 0, [5; 32]));
    env.send(&[batch()], &[&meter]).expect("first send");
    // The executor did not see the answer and sends the same batch again: refused, not counted.
    env.expect_failure(&[batch()], &[&meter], program_error(MarketplaceError::StaleUsage));
    assert_eq!(env.account::<License>(&license).usage_used, 10);
    // Expecting less or more than the license holds is refused the same way.
    for expected in [9, 11] {
        let ix = record_usage_ix(&meter.pubkey(), &skill, &license, usage_batch(1, expected, [6; 32]));
        env.expect_failure(&[ix], &[&meter], program_error(MarketplaceError::StaleUsage));
    }
    env.send(&[record_usage_ix(&meter.pubkey(), &skill, &license, usage_batch(1, 10, [6; 32]))], &[&meter]).expect("next batch");
    assert_eq!(env.account::<License>(&license).usage_used, 11);
}

#[test]
fn a_batch_settles_between_one_receipt_and_one_per_unit() {
    let mut env = Env::new();
    let seller = env.funded(10 * SOL);
    let skill = env.register_skill(&seller, "ocr", Pricing::Usage { units_per_purchase: 100 }, SOL, None);
    let buyer = env.funded(10 * SOL);
    env.buy_sol(&buyer, &skill).expect("buy");
    let license = license_pda(&skill, &buyer.pubkey());
    let meter = env.meter.insecure_clone();
    for receipt_count in [0, 4] {
        let args = RecordUsageArgs { receipt_count, ..usage_batch(3, 0, [1; 32]) };
        env.expect_failure(&[record_usage_ix(&meter.pubkey(), &skill, &license, args)], &[&meter], program_error(MarketplaceError::InvalidReceiptBatch));
    }
    let args = RecordUsageArgs { receipt_count: 1, ..usage_batch(3, 0, [1; 32]) };
    env.send(&[record_usage_ix(&meter.pubkey(), &skill, &license, args)], &[&meter]).expect("one receipt for three units");
}

#[test]
fn metering_leaves_the_skill_account_untouched() {
    let mut env = Env::new();
    let seller = env.funded(10 * SOL);
    let skill = env.register_skill(&seller, "ocr", Pricing::Usage { units_per_purchase: 100 }, SOL, None);
    let buyer = env.funded(10 * SOL);
    env.buy_sol(&buyer, &skill).expect("buy");
    let ix = env.record_usage_ix(&skill, &buyer.pubkey(), 1, [1; 32]);
    assert!(ix.accounts.iter().all(|m| m.pubkey != skill || !m.is_writable), "the skill is read-only");
    let before = env.raw(&skill);
    env.record_usage(&skill, &buyer.pubkey(), 7).expect("record");
    assert_eq!(env.raw(&skill), before);
}
