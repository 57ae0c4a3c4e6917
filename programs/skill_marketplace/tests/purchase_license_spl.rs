//! `purchase_license_spl`: the split to the base unit for a 6-decimals USDC-like mint under both
//! the SPL Token program and Token-2022, renewal and top-up, the Solana Pay reference, and every
//! account substitution that must be refused with its exact error.
//!
//! Every scenario is a function taking the token program; `for_both_token_programs!` turns it
//! into one `#[test]` per program.

#[macro_use]
mod common;

use anchor_lang::{prelude::Pubkey, Space};
use anchor_spl::{token::spl_token, token_2022::spl_token_2022};
use common::*;
use skill_marketplace::{errors::MarketplaceError, events::LicensePurchased, state::*};
use solana_instruction::error::InstructionError;
use solana_keypair::Keypair;
use solana_signer::Signer;

/// 12.345679 USDC: with the default 2.5 % fee, 308 641.975 base units of fee round up.
const PRICE: u64 = 12_345_679;
const FEE: u64 = 308_642;
const SELLER_SHARE: u64 = PRICE - FEE;
/// What the buyer's token account starts with.
const BUYER_FUNDS: u64 = 1_000 * USDC;
/// The Memo program (v3): executable, loaded in LiteSVM, but not a token program.
const MEMO_PROGRAM: Pubkey = anchor_lang::pubkey!("MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr");
const THIRTY_DAYS: i64 = 30 * 24 * 3_600;

for_both_token_programs!(
    first_purchase_splits_price_to_the_base_unit,
    subscription_renewal_extends_from_expiry_then_from_now,
    usage_top_up_adds_units_and_keeps_usage,
    wrong_mint_is_currency_mismatch,
    sol_priced_skill_is_currency_mismatch,
    seller_token_account_of_someone_else_is_seller_mismatch,
    treasury_token_account_not_owned_by_treasury_is_treasury_mismatch,
    buyer_token_account_of_someone_else_is_constraint_token_owner,
    insufficient_buyer_balance_is_token_insufficient_funds,
    max_price_below_price_is_price_above_maximum,
    max_price_equal_to_price_is_accepted,
    token_accounts_of_the_other_token_program_are_refused,
    buyer_token_account_of_the_other_token_program_is_refused,
    fake_token_program_is_invalid_program_id,
);

/// A marketplace at the default 2.5 % fee, a skill priced in a fresh 6-decimals mint, and
/// token accounts for buyer, seller and treasury.
struct Market {
    env: Env,
    token_program: Pubkey,
    mint: Pubkey,
    seller: Keypair,
    buyer: Keypair,
    skill: Pubkey,
    buyer_token: Pubkey,
    seller_token: Pubkey,
    treasury_token: Pubkey,
}

impl Market {
    fn new(token_program: Pubkey, pricing: Pricing, price: u64) -> Self {
        let mut env = Env::new();
        let mint = create_mint(&mut env, &token_program).pubkey();
        let seller = env.funded(10 * SOL);
        let buyer = env.funded(10 * SOL);
        let skill = env.register_skill(&seller, "usdc-skill", pricing, price, Some(mint));
        let buyer_token = token_account(&mut env, &token_program, &mint, &buyer.pubkey(), BUYER_FUNDS);
        let seller_token = token_account(&mut env, &token_program, &mint, &seller.pubkey(), 0);
        let treasury = env.treasury.pubkey();
        let treasury_token = token_account(&mut env, &token_program, &mint, &treasury, 0);
        Market { env, token_program, mint, seller, buyer, skill, buyer_token, seller_token, treasury_token }
    }

    fn one_time(token_program: Pubkey) -> Self {
        Self::new(token_program, Pricing::OneTime, PRICE)
    }

    fn purchase(&self) -> SplPurchase {
        SplPurchase {
            buyer: self.buyer.pubkey(),
            skill: self.skill,
            mint: self.mint,
            buyer_token: self.buyer_token,
            seller_token: self.seller_token,
            treasury_token: self.treasury_token,
            token_program: self.token_program,
            max_price: PRICE,
            reference: None,
        }
    }

    fn buy(&mut self) -> TxResult {
        let ix = purchase_spl_ix(&self.purchase());
        let buyer = self.buyer.insecure_clone();
        self.env.send(&[ix], &[&buyer])
    }

    fn balances(&self) -> (u64, u64, u64) {
        (
            token_balance(&self.env, &self.buyer_token),
            token_balance(&self.env, &self.seller_token),
            token_balance(&self.env, &self.treasury_token),
        )
    }

    fn expect_failure(&mut self, p: &SplPurchase, expected: InstructionError) {
        let ix = purchase_spl_ix(p);
        let buyer = self.buyer.insecure_clone();
        self.env.expect_failure(&[ix], &[&buyer], expected);
        assert!(!self.env.exists(&license_pda(&self.skill, &self.buyer.pubkey())), "license created");
        let s: Skill = self.env.account(&self.skill);
        assert_eq!((s.sales, s.revenue), (0, 0), "sale recorded by a failed purchase");
    }
}

/// The other token program: Token-2022 for Token and Token for Token-2022.
fn other_program(token_program: Pubkey) -> Pubkey {
    if token_program == spl_token::ID {
        spl_token_2022::ID
    } else {
        spl_token::ID
    }
}

// ----- happy paths -----

fn first_purchase_splits_price_to_the_base_unit(token_program: Pubkey) {
    let mut m = Market::one_time(token_program);
    assert_eq!(m.balances(), (BUYER_FUNDS, 0, 0));
    let reference = Keypair::new().pubkey();
    let buyer_lamports = m.env.lamports(&m.buyer.pubkey());

    let ix = purchase_spl_ix(&SplPurchase { reference: Some(reference), ..m.purchase() });
    let buyer = m.buyer.insecure_clone();
    let meta = m.env.send(&[ix], &[&buyer]).expect("purchase");

    assert_eq!(FEE, (PRICE as u128 * 250).div_ceil(10_000) as u64);
    assert_eq!(m.balances(), (BUYER_FUNDS - PRICE, SELLER_SHARE, FEE));
    // Token accounts stay with their token program and mint.
    for account in [m.buyer_token, m.seller_token, m.treasury_token] {
        assert_eq!(m.env.svm.get_account(&account).unwrap().owner, token_program);
    }

    // In lamports the buyer pays only the license rent and the signature fee.
    let license_key = license_pda(&m.skill, &m.buyer.pubkey());
    let rent = m.env.lamports(&license_key);
    assert_eq!(rent, m.env.svm.minimum_balance_for_rent_exemption(8 + License::INIT_SPACE));
    assert_eq!(buyer_lamports - m.env.lamports(&m.buyer.pubkey()), rent + FEE_PER_SIGNATURE);

    let license: License = m.env.account(&license_key);
    assert_eq!(license.buyer, m.buyer.pubkey());
    assert_eq!(license.skill, m.skill);
    assert_eq!(license.kind, LicenseKind::OneTime);
    assert_eq!(license.purchased_at, START_TIME);
    assert_eq!(license.expires_at, 0);
    assert_eq!((license.usage_limit, license.usage_used, license.purchases), (0, 0, 1));
    let bump = Pubkey::find_program_address(
        &[b"license", m.skill.as_ref(), m.buyer.pubkey().as_ref()],
        &program_id(),
    )
    .1;
    assert_eq!(license.bump, bump);

    let s: Skill = m.env.account(&m.skill);
    assert_eq!((s.sales, s.revenue), (1, PRICE));
    assert_eq!(s.currency, Some(m.mint));

    let event: LicensePurchased = one_event(&meta);
    assert_eq!(event.license, license_key);
    assert_eq!(event.skill, m.skill);
    assert_eq!(event.buyer, m.buyer.pubkey());
    assert_eq!(event.seller, m.seller.pubkey());
    assert_eq!(event.kind, LicenseKind::OneTime);
    assert_eq!(event.currency, Some(m.mint));
    assert_eq!((event.price, event.seller_amount, event.fee_amount), (PRICE, SELLER_SHARE, FEE));
    assert!(!event.renewal);
    assert_eq!((event.expires_at, event.usage_limit, event.usage_used, event.purchases), (0, 0, 0, 1));
    assert_eq!(event.reference, Some(reference));
    assert_eq!(event.timestamp, START_TIME);
    assert_eq!(event.slot, m.env.svm.get_sysvar::<solana_clock::Clock>().slot);
    assert!(
        meta.logs.iter().any(|l| l == "Program log: Instruction: PurchaseLicenseSpl"),
        "{:#?}",
        meta.logs
    );
    assert!(
        meta.logs.iter().filter(|l| **l == format!("Program {token_program} invoke [2]")).count() == 2,
        "expected two transfer_checked CPIs into {token_program}; logs: {:#?}",
        meta.logs
    );

    // Without a reference the event carries none.
    let other_buyer = m.env.funded(10 * SOL);
    let other_token = token_account(&mut m.env, &token_program, &m.mint, &other_buyer.pubkey(), PRICE);
    let ix = purchase_spl_ix(&SplPurchase { buyer: other_buyer.pubkey(), buyer_token: other_token, ..m.purchase() });
    let meta = m.env.send(&[ix], &[&other_buyer]).expect("second buyer");
    let event: LicensePurchased = one_event(&meta);
    assert_eq!(event.reference, None);
    assert_eq!(event.buyer, other_buyer.pubkey());
    assert_eq!(token_balance(&m.env, &other_token), 0);
    assert_eq!(m.balances(), (BUYER_FUNDS - PRICE, 2 * SELLER_SHARE, 2 * FEE));
    let s: Skill = m.env.account(&m.skill);
    assert_eq!((s.sales, s.revenue), (2, 2 * PRICE));
}

fn subscription_renewal_extends_from_expiry_then_from_now(token_program: Pubkey) {
    let price = 9_990_000; // 9.99 USDC: fee 249 750, seller 9 740 250
    let (seller_share, fee) = (9_740_250, 249_750);
    let mut m = Market::new(token_program, Pricing::Subscription { interval_secs: THIRTY_DAYS }, price);
    let license_key = license_pda(&m.skill, &m.buyer.pubkey());
    let buy = |m: &mut Market| {
        let ix = purchase_spl_ix(&SplPurchase { max_price: price, ..m.purchase() });
        let buyer = m.buyer.insecure_clone();
        let meta = m.env.send(&[ix], &[&buyer]).expect("purchase");
        one_event::<LicensePurchased>(&meta)
    };

    let first = buy(&mut m);
    assert!(!first.renewal);
    assert_eq!(first.kind, LicenseKind::Subscription);
    assert_eq!(first.expires_at, START_TIME + THIRTY_DAYS);
    assert_eq!(m.balances(), (BUYER_FUNDS - price, seller_share, fee));

    // Renewing before expiry stacks onto the current expiry, not onto now.
    m.env.advance(10 * 24 * 3_600);
    let rent_before = m.env.lamports(&license_key);
    let buyer_lamports = m.env.lamports(&m.buyer.pubkey());
    let second = buy(&mut m);
    assert!(second.renewal);
    assert_eq!(second.expires_at, START_TIME + 2 * THIRTY_DAYS);
    assert_eq!(second.purchases, 2);
    assert_eq!((second.price, second.seller_amount, second.fee_amount), (price, seller_share, fee));
    assert_eq!(second.currency, Some(m.mint));
    assert_eq!(second.timestamp, START_TIME + 10 * 24 * 3_600);
    assert_eq!(m.balances(), (BUYER_FUNDS - 2 * price, 2 * seller_share, 2 * fee));
    // A renewal pays no new rent.
    assert_eq!(m.env.lamports(&license_key), rent_before);
    assert_eq!(buyer_lamports - m.env.lamports(&m.buyer.pubkey()), FEE_PER_SIGNATURE);

    let license: License = m.env.account(&license_key);
    assert_eq!(license.expires_at, START_TIME + 2 * THIRTY_DAYS);
    assert_eq!(license.purchased_at, START_TIME + 10 * 24 * 3_600);
    assert_eq!(license.purchases, 2);

    // After the subscription lapsed, a renewal starts from now.
    let later = START_TIME + 2 * THIRTY_DAYS + 5_000;
    m.env.set_time(later);
    let third = buy(&mut m);
    assert!(third.renewal);
    assert_eq!(third.expires_at, later + THIRTY_DAYS);
    assert_eq!(third.purchases, 3);
    assert_eq!(m.balances(), (BUYER_FUNDS - 3 * price, 3 * seller_share, 3 * fee));
    let s: Skill = m.env.account(&m.skill);
    assert_eq!((s.sales, s.revenue), (3, 3 * price));
}

fn usage_top_up_adds_units_and_keeps_usage(token_program: Pubkey) {
    let price = 500_000; // 0.50 USDC: fee 12 500, seller 487 500
    let mut m = Market::new(token_program, Pricing::Usage { units_per_purchase: 100 }, price);
    let license_key = license_pda(&m.skill, &m.buyer.pubkey());
    let ix = purchase_spl_ix(&SplPurchase { max_price: price, ..m.purchase() });
    let buyer = m.buyer.insecure_clone();
    let meta = m.env.send(&[ix], &[&buyer]).expect("first purchase");
    let first: LicensePurchased = one_event(&meta);
    assert!(!first.renewal);
    assert_eq!((first.kind, first.usage_limit, first.usage_used), (LicenseKind::Usage, 100, 0));

    let buyer_key = m.buyer.pubkey();
    m.env.record_usage(&m.skill, &buyer_key, 30).expect("usage");

    let ix = purchase_spl_ix(&SplPurchase { max_price: price, ..m.purchase() });
    let meta = m.env.send(&[ix], &[&buyer]).expect("top-up");
    let second: LicensePurchased = one_event(&meta);
    assert!(second.renewal);
    assert_eq!((second.usage_limit, second.usage_used, second.purchases), (200, 30, 2));
    assert_eq!((second.price, second.seller_amount, second.fee_amount), (price, 487_500, 12_500));
    assert_eq!(second.expires_at, 0);

    let license: License = m.env.account(&license_key);
    assert_eq!((license.usage_limit, license.usage_used, license.purchases), (200, 30, 2));
    assert_eq!(m.balances(), (BUYER_FUNDS - 2 * price, 2 * 487_500, 2 * 12_500));
    let s: Skill = m.env.account(&m.skill);
    assert_eq!((s.sales, s.revenue), (2, 2 * price));
}

fn max_price_equal_to_price_is_accepted(token_program: Pubkey) {
    let mut m = Market::one_time(token_program);
    let meta = m.buy().expect("max_price == price");
    let event: LicensePurchased = one_event(&meta);
    assert_eq!(event.price, PRICE);
    assert_eq!(m.balances(), (BUYER_FUNDS - PRICE, SELLER_SHARE, FEE));
}

// ----- refusals -----

fn wrong_mint_is_currency_mismatch(token_program: Pubkey) {
    let mut m = Market::one_time(token_program);
    // A second mint under the same token program, with a full set of valid accounts for it.
    let other = create_mint(&mut m.env, &token_program).pubkey();
    let (buyer, seller, treasury) = (m.buyer.pubkey(), m.seller.pubkey(), m.env.treasury.pubkey());
    let buyer_token = token_account(&mut m.env, &token_program, &other, &buyer, BUYER_FUNDS);
    let seller_token = token_account(&mut m.env, &token_program, &other, &seller, 0);
    let treasury_token = token_account(&mut m.env, &token_program, &other, &treasury, 0);
    let p = SplPurchase { mint: other, buyer_token, seller_token, treasury_token, ..m.purchase() };
    m.expect_failure(&p, program_error(MarketplaceError::CurrencyMismatch));
    assert_eq!(token_balance(&m.env, &buyer_token), BUYER_FUNDS);
}

fn sol_priced_skill_is_currency_mismatch(token_program: Pubkey) {
    let mut m = Market::one_time(token_program);
    let seller = m.seller.insecure_clone();
    let sol_skill = m.env.register_skill(&seller, "sol-skill", Pricing::OneTime, PRICE, None);
    let p = SplPurchase { skill: sol_skill, ..m.purchase() };
    let ix = purchase_spl_ix(&p);
    let buyer = m.buyer.insecure_clone();
    m.env.expect_failure(&[ix], &[&buyer], program_error(MarketplaceError::CurrencyMismatch));
    assert!(!m.env.exists(&license_pda(&sol_skill, &m.buyer.pubkey())));
    assert_eq!(m.balances(), (BUYER_FUNDS, 0, 0));
}

fn seller_token_account_of_someone_else_is_seller_mismatch(token_program: Pubkey) {
    let mut m = Market::one_time(token_program);
    let stranger = Keypair::new().pubkey();
    let stranger_token = token_account(&mut m.env, &token_program, &m.mint, &stranger, 0);
    let p = SplPurchase { seller_token: stranger_token, ..m.purchase() };
    m.expect_failure(&p, program_error(MarketplaceError::SellerMismatch));
    // Also refused: the treasury's own account in the seller's slot.
    let p = SplPurchase { seller_token: m.treasury_token, ..m.purchase() };
    m.expect_failure(&p, program_error(MarketplaceError::SellerMismatch));
    assert_eq!(m.balances(), (BUYER_FUNDS, 0, 0));
}

fn treasury_token_account_not_owned_by_treasury_is_treasury_mismatch(token_program: Pubkey) {
    let mut m = Market::one_time(token_program);
    let stranger = Keypair::new().pubkey();
    let stranger_token = token_account(&mut m.env, &token_program, &m.mint, &stranger, 0);
    let p = SplPurchase { treasury_token: stranger_token, ..m.purchase() };
    m.expect_failure(&p, program_error(MarketplaceError::TreasuryMismatch));
    // The seller routing the fee to themselves is refused too.
    let seller = m.seller.pubkey();
    let seller_second = token_account(&mut m.env, &token_program, &m.mint, &seller, 0);
    let p = SplPurchase { treasury_token: seller_second, ..m.purchase() };
    m.expect_failure(&p, program_error(MarketplaceError::TreasuryMismatch));
    assert_eq!(m.balances(), (BUYER_FUNDS, 0, 0));
}

fn buyer_token_account_of_someone_else_is_constraint_token_owner(token_program: Pubkey) {
    let mut m = Market::one_time(token_program);
    let victim = Keypair::new().pubkey();
    let victim_token = token_account(&mut m.env, &token_program, &m.mint, &victim, BUYER_FUNDS);
    let p = SplPurchase { buyer_token: victim_token, ..m.purchase() };
    m.expect_failure(&p, anchor_error(anchor_lang::error::ErrorCode::ConstraintTokenOwner));
    assert_eq!(token_balance(&m.env, &victim_token), BUYER_FUNDS);
}

fn insufficient_buyer_balance_is_token_insufficient_funds(token_program: Pubkey) {
    let mut m = Market::one_time(token_program);
    // One base unit short: the seller's share alone is covered, the fee is not, and the first
    // transfer must be rolled back with the second.
    let buyer = m.buyer.pubkey();
    let poor = token_account(&mut m.env, &token_program, &m.mint, &buyer, PRICE - 1);
    let p = SplPurchase { buyer_token: poor, ..m.purchase() };
    m.expect_failure(&p, InstructionError::Custom(spl_token::error::TokenError::InsufficientFunds as u32));
    assert_eq!(spl_token::error::TokenError::InsufficientFunds as u32, 1);
    assert_eq!(token_balance(&m.env, &poor), PRICE - 1);
    assert_eq!(m.balances(), (BUYER_FUNDS, 0, 0));

    // An empty account fails on the first transfer already.
    let empty = token_account(&mut m.env, &token_program, &m.mint, &buyer, 0);
    let p = SplPurchase { buyer_token: empty, ..m.purchase() };
    m.expect_failure(&p, InstructionError::Custom(1));
}

fn max_price_below_price_is_price_above_maximum(token_program: Pubkey) {
    let mut m = Market::one_time(token_program);
    let p = SplPurchase { max_price: PRICE - 1, ..m.purchase() };
    m.expect_failure(&p, program_error(MarketplaceError::PriceAboveMaximum));
    let p = SplPurchase { max_price: 0, ..m.purchase() };
    m.expect_failure(&p, program_error(MarketplaceError::PriceAboveMaximum));
    assert_eq!(m.balances(), (BUYER_FUNDS, 0, 0));
}

fn token_accounts_of_the_other_token_program_are_refused(token_program: Pubkey) {
    let mut m = Market::one_time(token_program);
    // Mint and token accounts all belong to `token_program`; the other one is passed.
    let p = SplPurchase { token_program: other_program(token_program), ..m.purchase() };
    m.expect_failure(&p, anchor_error(anchor_lang::error::ErrorCode::ConstraintMintTokenProgram));
    assert_eq!(m.balances(), (BUYER_FUNDS, 0, 0));
}

fn fake_token_program_is_invalid_program_id(token_program: Pubkey) {
    let mut m = Market::one_time(token_program);
    assert!(m.env.svm.get_account(&MEMO_PROGRAM).is_some_and(|a| a.executable), "memo program loaded");
    let p = SplPurchase { token_program: MEMO_PROGRAM, ..m.purchase() };
    m.expect_failure(&p, anchor_error(anchor_lang::error::ErrorCode::InvalidProgramId));
    // Our own program in the token program's slot is no better.
    let p = SplPurchase { token_program: program_id(), ..m.purchase() };
    m.expect_failure(&p, anchor_error(anchor_lang::error::ErrorCode::InvalidProgramId));
    assert_eq!(m.balances(), (BUYER_FUNDS, 0, 0));
}

fn buyer_token_account_of_the_other_token_program_is_refused(token_program: Pubkey) {
    let mut m = Market::one_time(token_program);
    let other = other_program(token_program);
    let buyer = m.buyer.pubkey();

    // A genuine account of the other program can only hold a mint of that program.
    let other_mint = create_mint(&mut m.env, &other).pubkey();
    let foreign = token_account(&mut m.env, &other, &other_mint, &buyer, BUYER_FUNDS);
    let p = SplPurchase { buyer_token: foreign, ..m.purchase() };
    m.expect_failure(&p, anchor_error(anchor_lang::error::ErrorCode::ConstraintTokenMint));

    // A forged account: the buyer's real token data (right mint, right authority) under the
    // other program. Only the token-program check can catch it.
    let forged = Keypair::new().pubkey();
    let mut account = m.env.svm.get_account(&m.buyer_token).expect("buyer token");
    account.owner = other;
    m.env.svm.set_account(forged, account).expect("set forged account");
    let p = SplPurchase { buyer_token: forged, ..m.purchase() };
    m.expect_failure(&p, anchor_error(anchor_lang::error::ErrorCode::ConstraintTokenTokenProgram));

    // The same forgery in the seller's and the treasury's slots.
    let forged_seller = Keypair::new().pubkey();
    let mut account = m.env.svm.get_account(&m.seller_token).expect("seller token");
    account.owner = other;
    m.env.svm.set_account(forged_seller, account).expect("set forged account");
    let p = SplPurchase { seller_token: forged_seller, ..m.purchase() };
    m.expect_failure(&p, anchor_error(anchor_lang::error::ErrorCode::ConstraintTokenTokenProgram));

    let forged_treasury = Keypair::new().pubkey();
    let mut account = m.env.svm.get_account(&m.treasury_token).expect("treasury token");
    account.owner = other;
    m.env.svm.set_account(forged_treasury, account).expect("set forged account");
    let p = SplPurchase { treasury_token: forged_treasury, ..m.purchase() };
    m.expect_failure(&p, anchor_error(anchor_lang::error::ErrorCode::ConstraintTokenTokenProgram));
    assert_eq!(m.balances(), (BUYER_FUNDS, 0, 0));
}
