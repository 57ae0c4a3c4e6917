//! The seller / platform split as a property: for every price and every allowed fee,
//! seller + fee == price, fee == ceil(price × fee_bps / 10 000) computed in u128 (so no purchase
//! of a priced skill pays a zero fee while the fee rate is not zero), and the buyer is debited
//! exactly the price. Checked on `split_price` itself over the whole u64 range, then
//! end to end on the VM in SOL and in a USDC-like SPL Token mint.

mod common;

use anchor_lang::Space;
use anchor_spl::token::spl_token;
use common::*;
use proptest::prelude::*;
use skill_marketplace::{
    constants::{BPS_DENOMINATOR, MAX_FEE_BPS},
    errors::MarketplaceError,
    events::LicensePurchased,
    state::*,
};
use solana_signer::Signer;

/// The split as the specification states it, computed independently of the program.
fn expected_fee(price: u64, fee_bps: u16) -> u64 {
    let exact = price as u128 * fee_bps as u128;
    let fee = exact / 10_000 + u128::from(exact % 10_000 != 0);
    u64::try_from(fee).expect("fee fits u64 when fee_bps <= 10 000")
}

/// The definition of the ceiling, without division: (fee − 1) × 10 000 < price × bps ≤ fee × 10 000.
fn is_ceiling(price: u64, fee_bps: u16, fee: u64) -> bool {
    let exact = price as u128 * fee_bps as u128;
    exact <= fee as u128 * 10_000 && (fee == 0 || (fee as u128 - 1) * 10_000 < exact)
}

/// Small prices (where rounding dominates) and large ones up to u64::MAX / 10 000.
fn price() -> impl Strategy<Value = u64> {
    prop_oneof![1u64..100, 1u64..=u64::MAX / 10_000]
}

/// Any fee the marketplace accepts, with both ends weighted in.
fn fee_bps() -> impl Strategy<Value = u16> {
    prop_oneof![Just(0u16), Just(MAX_FEE_BPS), 0u16..=MAX_FEE_BPS]
}

// ----- (a) the pure function -----

#[test]
fn constants_match_the_specification() {
    assert_eq!(BPS_DENOMINATOR, 10_000);
    assert_eq!(MAX_FEE_BPS, 1_000);
    // Hand-checked values, rounding up.
    assert_eq!(split_price(1_000_000_000, 250).unwrap(), (975_000_000, 25_000_000));
    assert_eq!(split_price(1, 250).unwrap(), (0, 1)); // 0.025 -> 1
    assert_eq!(split_price(39, 250).unwrap(), (38, 1)); // 0.975 -> 1
    assert_eq!(split_price(40, 250).unwrap(), (39, 1));
    assert_eq!(split_price(41, 250).unwrap(), (39, 2)); // 1.025 -> 2
    assert_eq!(split_price(9, 1_000).unwrap(), (8, 1));
    assert_eq!(split_price(10, 1_000).unwrap(), (9, 1));
    assert_eq!(split_price(5, 0).unwrap(), (5, 0));
    assert_eq!(split_price(u64::MAX, 1_000).unwrap(), (u64::MAX - u64::MAX / 10 - 1, u64::MAX / 10 + 1));
    assert_eq!(split_price(u64::MAX, 10_000).unwrap(), (0, u64::MAX));
    // A fee above 100 % cannot be paid out of the price.
    assert_eq!(
        split_price(10_000, 10_001).unwrap_err(),
        anchor_lang::error::Error::from(MarketplaceError::MathOverflow)
    );
}

/// The cases `tests/fixtures/fee-split.json` shares with the TypeScript side: `split_price`
/// gives exactly each one.
#[test]
fn split_matches_the_shared_fixture() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/fee-split.json");
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {path}: {e}"));
    let cases: Vec<serde_json::Value> = serde_json::from_str(&text).expect("fixture is a JSON array");
    assert!(cases.len() >= 10, "only {} fixture cases", cases.len());
    let amount = |case: &serde_json::Value, key: &str| -> u64 {
        let text = case[key].as_str().unwrap_or_else(|| panic!("{key} is not a string in {case}"));
        text.parse().unwrap_or_else(|e| panic!("{key} = {text:?} is not a u64: {e}"))
    };
    let mut seen_max_fee = false;
    for case in &cases {
        let price = amount(case, "price");
        let fee_bps = case["feeBps"].as_u64().and_then(|b| u16::try_from(b).ok());
        let fee_bps = fee_bps.unwrap_or_else(|| panic!("feeBps is not a u16 in {case}"));
        let expected = (amount(case, "sellerAmount"), amount(case, "feeAmount"));
        assert_eq!(split_price(price, fee_bps).unwrap(), expected, "case {case}");
        // The fixture itself follows the specification.
        assert_eq!(expected.1, expected_fee(price, fee_bps), "case {case}");
        seen_max_fee |= fee_bps == MAX_FEE_BPS;
    }
    assert!(seen_max_fee, "the fixture has no case at MAX_FEE_BPS");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4_096))]

    #[test]
    fn split_adds_up_and_fee_is_the_ceiling(price in price(), fee_bps in fee_bps()) {
        let (seller, fee) = split_price(price, fee_bps).expect("split");
        prop_assert_eq!(seller.checked_add(fee), Some(price));
        prop_assert_eq!(fee, expected_fee(price, fee_bps));
        prop_assert!(is_ceiling(price, fee_bps, fee));
        prop_assert!(fee <= price / 10 + 1, "fee {} above 10 % of {} plus the rounding unit", fee, price);
        if fee_bps == 0 {
            prop_assert_eq!(fee, 0);
        } else {
            // No purchase of a priced skill pays a zero fee.
            prop_assert!(fee >= 1, "price {} at {} bps paid no fee", price, fee_bps);
        }
    }

    #[test]
    fn split_holds_over_the_whole_u64_range(price in any::<u64>(), fee_bps in 0u16..=10_000) {
        let (seller, fee) = split_price(price, fee_bps).expect("split");
        prop_assert_eq!(seller as u128 + fee as u128, price as u128);
        prop_assert!(is_ceiling(price, fee_bps, fee));
    }

    #[test]
    fn split_is_monotonic(a in price(), b in price(), bps_a in fee_bps(), bps_b in fee_bps()) {
        let (lo, hi) = (a.min(b), a.max(b));
        let (bps_lo, bps_hi) = (bps_a.min(bps_b), bps_a.max(bps_b));
        // More price or a higher fee never lowers the fee, nor the seller's share of more price.
        prop_assert!(split_price(lo, bps_a).unwrap().1 <= split_price(hi, bps_a).unwrap().1);
        prop_assert!(split_price(lo, bps_a).unwrap().0 <= split_price(hi, bps_a).unwrap().0);
        prop_assert!(split_price(lo, bps_lo).unwrap().1 <= split_price(lo, bps_hi).unwrap().1);
    }

    #[test]
    fn marketplace_split_is_split_price_at_the_fee_in_force(
        price in any::<u64>(),
        fee_bps in fee_bps(),
        next_bps in fee_bps(),
        now in 0i64..2_000,
    ) {
        let marketplace = Marketplace {
            layout: 2,
            admin: Default::default(),
            pending_admin: None,
            pauser: Default::default(),
            treasury: Default::default(),
            fee_bps,
            pending_fee: Some(PendingFee { fee_bps: next_bps, effective_at: 1_000 }),
            notice_secs: 1_000,
            paused: false,
            skill_count: 0,
            meter_count: 0,
            bump: 255,
            fee_vault_bump: 255,
            reserved: [0; 64],
        };
        let in_force = if now >= 1_000 { next_bps } else { fee_bps };
        prop_assert_eq!(marketplace.fee_at(now), in_force);
        prop_assert_eq!(marketplace.split(price, now).unwrap(), split_price(price, in_force).unwrap());
    }

    #[test]
    fn fee_above_the_price_is_refused(price in 1u64..=u64::MAX, fee_bps in 10_001u16..=u16::MAX) {
        // fee_bps > 100 % is never accepted by the marketplace, but the function must still
        // refuse rather than wrap when the fee would exceed the price.
        let exact = price as u128 * fee_bps as u128;
        let fee = exact.div_ceil(10_000);
        match split_price(price, fee_bps) {
            Ok((seller, got)) => {
                prop_assert!(fee <= price as u128);
                prop_assert_eq!(got as u128, fee);
                prop_assert_eq!(seller as u128 + got as u128, price as u128);
            }
            Err(err) => {
                prop_assert!(fee > price as u128);
                prop_assert_eq!(err, anchor_lang::error::Error::from(MarketplaceError::MathOverflow));
            }
        }
    }
}

// ----- (b) end to end on the VM -----

/// LiteSVM's faucet holds 1 000 000 SOL; a buyer gets a tenth of it.
const BUYER_FUNDING: u64 = 100_000 * SOL;
const MAX_SOL_PRICE: u64 = 90_000 * SOL;

fn sol_price() -> impl Strategy<Value = u64> {
    prop_oneof![1u64..100, 1u64..=MAX_SOL_PRICE]
}

/// Token prices: small, up to u64::MAX / 10 000, and anything up to u64::MAX.
fn token_price() -> impl Strategy<Value = u64> {
    prop_oneof![3 => 1u64..100, 3 => 1u64..=u64::MAX / 10_000, 1 => 1u64..=u64::MAX]
}

fn check_event(meta: &litesvm::types::TransactionMetadata, price: u64, seller: u64, fee: u64, currency: Option<anchor_lang::prelude::Pubkey>) -> Result<(), TestCaseError> {
    let event: LicensePurchased = one_event(meta);
    prop_assert_eq!((event.price, event.paid, event.seller_amount, event.fee_amount), (price, price, seller, fee));
    prop_assert_eq!(event.currency, currency);
    prop_assert!(!event.renewal);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn sol_purchase_moves_exactly_the_split(price in sol_price(), fee_bps in fee_bps()) {
        let mut env = Env::with_fee(fee_bps);
        let seller = env.funded(10 * SOL);
        let skill = env.register_skill(&seller, "sol-prop", Pricing::OneTime, price, None);
        let buyer = env.funded(BUYER_FUNDING);

        let seller_before = env.lamports(&seller.pubkey());
        let treasury_before = env.vault_fees();
        let buyer_before = env.lamports(&buyer.pubkey());
        let ix = env.purchase_sol_ix(&buyer.pubkey(), &skill, price, None);
        let meta = env.send(&[ix], &[&buyer])
            .map_err(|e| TestCaseError::fail(format!("purchase failed: {:?}; logs: {:#?}", e.err, e.meta.logs)))?;

        let fee = expected_fee(price, fee_bps);
        let license = license_pda(&skill, &buyer.pubkey());
        let rent = env.lamports(&license);
        prop_assert_eq!(rent, env.svm.minimum_balance_for_rent_exemption(8 + License::INIT_SPACE));
        prop_assert_eq!(env.lamports(&seller.pubkey()) - seller_before, price - fee);
        prop_assert_eq!(env.vault_fees() - treasury_before, fee);
        prop_assert_eq!(buyer_before - env.lamports(&buyer.pubkey()), price + rent + FEE_PER_SIGNATURE);
        check_event(&meta, price, price - fee, fee, None)?;
        let s: Skill = env.account(&skill);
        prop_assert_eq!((s.sales, s.revenue), (1, price));
    }

    #[test]
    fn usdc_purchase_moves_exactly_the_split(
        price in token_price(),
        fee_bps in fee_bps(),
        spare in prop_oneof![Just(0u64), 1u64..1_000_000],
    ) {
        let token_program = spl_token::ID;
        let mut env = Env::with_fee(fee_bps);
        let mint = create_mint(&mut env, &token_program).pubkey();
        let seller = env.funded(10 * SOL);
        let skill = env.register_skill(&seller, "usdc-prop", Pricing::OneTime, price, Some(mint));
        let buyer = env.funded(10 * SOL);
        let funds = price.saturating_add(spare);
        let treasury = env.treasury.pubkey();
        let buyer_token = token_account(&mut env, &token_program, &mint, &buyer.pubkey(), funds);
        let seller_token = token_account(&mut env, &token_program, &mint, &seller.pubkey(), 0);
        let treasury_token = token_account(&mut env, &token_program, &mint, &treasury, 0);
        let buyer_lamports = env.lamports(&buyer.pubkey());

        let ix = purchase_spl_ix(&SplPurchase {
            buyer: buyer.pubkey(),
            skill,
            mint,
            buyer_token,
            seller_token,
            treasury_token,
            token_program,
            max_price: price,
            reference: None,
        });
        let meta = env.send(&[ix], &[&buyer])
            .map_err(|e| TestCaseError::fail(format!("purchase failed: {:?}; logs: {:#?}", e.err, e.meta.logs)))?;

        let fee = expected_fee(price, fee_bps);
        prop_assert_eq!(token_balance(&env, &buyer_token), funds - price);
        prop_assert_eq!(token_balance(&env, &seller_token), price - fee);
        prop_assert_eq!(token_balance(&env, &treasury_token), fee);
        // In lamports the buyer pays only the license rent and the signature.
        let rent = env.lamports(&license_pda(&skill, &buyer.pubkey()));
        prop_assert_eq!(buyer_lamports - env.lamports(&buyer.pubkey()), rent + FEE_PER_SIGNATURE);
        check_event(&meta, price, price - fee, fee, Some(mint))?;
        let s: Skill = env.account(&skill);
        prop_assert_eq!((s.sales, s.revenue), (1, price));
    }
}
