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
    let treasury_before = env.vault_fees();
    let buyer_before = env.lamports(&buyer.pubkey());
    let ix = env.purchase_sol_ix(&buyer.pubkey(), &skill, SOL, Some(reference));
    let meta = env.send(&[ix], &[&buyer]).expect("purchase");

    let license_key = license_pda(&skill, &buyer.pubkey());
    let rent = env.lamports(&license_key);
    assert_eq!(env.lamports(&seller.pubkey()) - seller_before, 975_000_000);
    assert_eq!(env.vault_fees() - treasury_before, 25_000_000);
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
    assert_eq!((event.price, event.paid, event.seller_amount, event.fee_amount, event.fee_bps), (SOL, SOL, 975_000_000, 25_000_000, 250));
    assert_eq!((license.paid, event.license_paid), (SOL, SOL));
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

const DAY: i64 = 86_400;

#[test]
fn subscription_renewal_extends_from_max_of_now_and_expiry() {
    let mut env = Env::new();
    let seller = env.funded(10 * SOL);
    let skill = env.register_skill(&seller, "monitor", Pricing::Subscription { interval_secs: 30 * DAY }, SOL / 10, None);
    let buyer = env.funded(10 * SOL);
    let license = license_pda(&skill, &buyer.pubkey());

    env.buy_sol(&buyer, &skill).expect("subscribe");
    assert_eq!(env.account::<License>(&license).expires_at, START_TIME + 30 * DAY);

    // Renewing early stacks on the current expiry.
    env.advance(10 * DAY);
    let meta = env.buy_sol(&buyer, &skill).expect("renew early");
    let l: License = env.account(&license);
    assert_eq!(l.expires_at, START_TIME + 60 * DAY);
    assert_eq!(l.purchases, 2);
    let e: LicensePurchased = one_event(&meta);
    assert!(e.renewal);
    assert_eq!(e.expires_at, START_TIME + 60 * DAY);

    // Renewing after expiry starts from now, not from the old expiry.
    env.set_time(START_TIME + 100 * DAY);
    env.buy_sol(&buyer, &skill).expect("renew late");
    let l: License = env.account(&license);
    assert_eq!(l.expires_at, START_TIME + 130 * DAY);
    assert_eq!(l.purchased_at, START_TIME + 100 * DAY);
    assert_eq!(env.account::<Skill>(&skill).sales, 3);
}

#[test]
fn usage_top_up_adds_units() {
    let mut env = Env::new();
    let seller = env.funded(10 * SOL);
    let skill = env.register_skill(&seller, "ocr", Pricing::Usage { units_per_purchase: 250 }, SOL / 100, None);
    let buyer = env.funded(10 * SOL);
    let license = license_pda(&skill, &buyer.pubkey());
    env.buy_sol(&buyer, &skill).expect("buy units");
    env.record_usage(&skill, &buyer.pubkey(), 200).expect("use");
    let meta = env.buy_sol(&buyer, &skill).expect("top up");
    let l: License = env.account(&license);
    assert_eq!((l.kind, l.usage_limit, l.usage_used, l.purchases), (LicenseKind::Usage, 500, 200, 2));
    let e: LicensePurchased = one_event(&meta);
    assert_eq!((e.usage_limit, e.usage_used, e.renewal), (500, 200, true));
}

#[test]
fn price_above_buyers_maximum_is_refused() {
    let mut env = Env::new();
    let seller = env.funded(10 * SOL);
    let skill = env.register_skill(&seller, "pdf-extract", Pricing::OneTime, SOL, None);
    let buyer = env.funded(10 * SOL);
    let ix = env.purchase_sol_ix(&buyer.pubkey(), &skill, SOL - 1, None);
    env.expect_failure(&[ix], &[&buyer], program_error(MarketplaceError::PriceAboveMaximum));
    assert!(!env.exists(&license_pda(&skill, &buyer.pubkey())));
}

#[test]
fn writable_or_signing_reference_is_refused() {
    let mut env = Env::new();
    let seller = env.funded(10 * SOL);
    let skill = env.register_skill(&seller, "pdf-extract", Pricing::OneTime, SOL, None);
    let buyer = env.funded(10 * SOL);
    let reference = solana_keypair::Keypair::new().pubkey();

    let mut ix = env.purchase_sol_ix(&buyer.pubkey(), &skill, SOL, None);
    ix.accounts.push(solana_instruction::AccountMeta::new(reference, false));
    env.expect_failure(&[ix], &[&buyer], program_error(MarketplaceError::InvalidReference));

    let mut ix = env.purchase_sol_ix(&buyer.pubkey(), &skill, SOL, Some(reference));
    ix.accounts.push(solana_instruction::AccountMeta::new_readonly(solana_keypair::Keypair::new().pubkey(), false));
    env.expect_failure(&[ix], &[&buyer], program_error(MarketplaceError::InvalidReference));
}

#[test]
fn token_priced_skill_cannot_be_bought_with_sol() {
    let mut env = Env::new();
    let mint = create_mint(&mut env, &anchor_spl::token::spl_token::ID);
    let seller = env.funded(10 * SOL);
    let skill = env.register_skill(&seller, "pdf-extract", Pricing::OneTime, USDC, Some(mint.pubkey()));
    let buyer = env.funded(10 * SOL);
    let ix = env.purchase_sol_ix(&buyer.pubkey(), &skill, u64::MAX, None);
    env.expect_failure(&[ix], &[&buyer], program_error(MarketplaceError::CurrencyMismatch));
}

#[test]
fn buyer_without_enough_sol_is_refused_by_the_system_program() {
    let mut env = Env::new();
    let seller = env.funded(10 * SOL);
    let skill = env.register_skill(&seller, "pdf-extract", Pricing::OneTime, 5 * SOL, None);
    let buyer = env.funded(SOL);
    let ix = env.purchase_sol_ix(&buyer.pubkey(), &skill, 5 * SOL, None);
    // SystemError::ResultWithNegativeLamports = 1
    env.expect_failure(&[ix], &[&buyer], solana_instruction::error::InstructionError::Custom(1));
}

#[test]
fn events_survive_a_transaction_padded_with_log_spam() {
    // A buyer puts 45 empty memos before the purchase: their logs pass the runtime's 10 000-byte
    // limit, so the purchase's own log lines are cut. Its event is a self-CPI, in the inner
    // instructions, and comes through whole.
    let memo = anchor_lang::prelude::Pubkey::from_str_const("MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr");
    let mut env = Env::new();
    let seller = env.funded(10 * SOL);
    let skill = env.register_skill(&seller, "pdf-extract", Pricing::OneTime, SOL, None);
    let buyer = env.funded(10 * SOL);
    let mut ixs: Vec<_> = (0..45).map(|_| solana_instruction::Instruction { program_id: memo, accounts: vec![], data: vec![] }).collect();
    ixs.push(env.purchase_sol_ix(&buyer.pubkey(), &skill, SOL, None));
    let meta = env.send(&ixs, &[&buyer]).expect("padded purchase");
    assert!(meta.logs.iter().any(|l| l == "Log truncated"), "the logs were cut: {:#?}", meta.logs.last());
    assert!(!meta.logs.iter().any(|l| l.starts_with("Program data: ")), "no event line survived in the logs");
    let event: LicensePurchased = one_event(&meta);
    assert_eq!((event.license, event.paid, event.fee_amount), (license_pda(&skill, &buyer.pubkey()), SOL, SOL / 40));
}
