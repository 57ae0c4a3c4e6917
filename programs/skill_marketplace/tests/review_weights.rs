//! Reviews count only from real buyers and weigh what they paid: a usage license must have been
//! used, each rating carries its author's payment as weight, the weighted average is on-chain, a
//! lapsed license's review is frozen (but can be deleted), and deletion takes the rating out.

mod common;

use anchor_lang::error::ErrorCode;
use common::*;
use skill_marketplace::{
    errors::MarketplaceError,
    events::{ReviewDeleted, ReviewPosted, ReviewUpdated},
    state::*,
};
use solana_signer::Signer;

const CID: &str = "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku";

#[test]
fn an_unused_usage_license_cannot_review_until_a_unit_is_recorded() {
    let mut env = Env::new();
    let seller = env.funded(10 * SOL);
    let skill = env.register_skill(&seller, "ocr", Pricing::Usage { units_per_purchase: 10 }, SOL, None);
    let buyer = env.funded(10 * SOL);
    env.buy_sol(&buyer, &skill).expect("buy");
    let ix = post_review_ix(&buyer.pubkey(), &skill, 1, CID);
    env.expect_failure(&[ix], &[&buyer], program_error(MarketplaceError::LicenseNotUsed));
    assert_eq!(env.account::<Skill>(&skill).rating_count, 0);
    env.record_usage(&skill, &buyer.pubkey(), 1).expect("one unit");
    env.send(&[post_review_ix(&buyer.pubkey(), &skill, 1, CID)], &[&buyer]).expect("post after use");
}

#[test]
fn ratings_weigh_what_their_authors_paid() {
    let mut env = Env::new();
    let seller = env.funded(10 * SOL);
    let skill = env.register_skill(&seller, "ocr", Pricing::Usage { units_per_purchase: 1 }, SOL, None);
    // One buyer pays for 3 purchases and rates 5; another pays for 1 and rates 1.
    let (big, small) = (env.funded(10 * SOL), env.funded(10 * SOL));
    for _ in 0..3 {
        env.buy_sol(&big, &skill).expect("buy");
    }
    env.buy_sol(&small, &skill).expect("buy");
    env.record_usage(&skill, &big.pubkey(), 1).expect("use");
    env.record_usage(&skill, &small.pubkey(), 1).expect("use");
    let meta = env.send(&[post_review_ix(&big.pubkey(), &skill, 5, CID)], &[&big]).expect("post");
    let e: ReviewPosted = one_event(&meta);
    assert_eq!((e.weight, e.skill_weighted_rating_sum, e.skill_rating_weight), (3 * SOL, 15 * SOL as u128, 3 * SOL as u128));
    env.send(&[post_review_ix(&small.pubkey(), &skill, 1, CID)], &[&small]).expect("post");
    let s: Skill = env.account(&skill);
    assert_eq!((s.rating_sum, s.rating_count), (6, 2));
    assert_eq!((s.weighted_rating_sum, s.rating_weight), (16 * SOL as u128, 4 * SOL as u128));
    // Weighted average 4.0; the plain one is 3.0.
    assert_eq!(s.weighted_rating_sum / s.rating_weight, 4);
    assert_eq!(env.account::<Review>(&review_pda(&skill, &small.pubkey())).weight, SOL);

    // Buying more and editing the review brings the weight up to what was paid.
    env.buy_sol(&small, &skill).expect("buy again");
    let meta = env.send(&[update_review_ix(&small.pubkey(), &skill, 2, CID)], &[&small]).expect("update");
    let e: ReviewUpdated = one_event(&meta);
    assert_eq!((e.previous_rating, e.previous_weight, e.rating, e.weight), (1, SOL, 2, 2 * SOL));
    let s: Skill = env.account(&skill);
    assert_eq!((s.weighted_rating_sum, s.rating_weight), ((15 + 4) * SOL as u128, 5 * SOL as u128));
}

#[test]
fn a_lapsed_licenses_review_keeps_its_weight_cannot_change_and_can_be_deleted() {
    let mut env = Env::new();
    let seller = env.funded(10 * SOL);
    let skill = env.register_skill(&seller, "ocr", Pricing::Subscription { interval_secs: 3_600 }, SOL, None);
    let buyer = env.funded(10 * SOL);
    env.buy_sol(&buyer, &skill).expect("buy");
    env.send(&[post_review_ix(&buyer.pubkey(), &skill, 4, CID)], &[&buyer]).expect("post");
    env.advance(3_600);
    let before = env.raw(&skill);
    let ix = update_review_ix(&buyer.pubkey(), &skill, 1, CID);
    env.expect_failure(&[ix], &[&buyer], program_error(MarketplaceError::ReviewLocked));
    assert_eq!(env.raw(&skill), before, "the lapsed review keeps its weight");

    // Only its author deletes it.
    let stranger = env.funded(SOL);
    let mut ix = delete_review_ix(&stranger.pubkey(), &skill);
    ix.accounts[2].pubkey = review_pda(&skill, &buyer.pubkey());
    env.expect_failure(&[ix], &[&stranger], anchor_error(ErrorCode::ConstraintSeeds));

    let key = review_pda(&skill, &buyer.pubkey());
    let rent = env.lamports(&key);
    let lamports = env.lamports(&buyer.pubkey());
    let meta = env.send(&[delete_review_ix(&buyer.pubkey(), &skill)], &[&buyer]).expect("delete");
    let e: ReviewDeleted = one_event(&meta);
    assert_eq!((e.review, e.rating, e.weight, e.skill_rating_count, e.skill_rating_weight), (key, 4, SOL, 0, 0));
    assert!(!env.exists(&key));
    assert_eq!(env.lamports(&buyer.pubkey()), lamports + rent - FEE_PER_SIGNATURE);
    let s: Skill = env.account(&skill);
    assert_eq!((s.rating_sum, s.rating_count, s.weighted_rating_sum, s.rating_weight), (0, 0, 0, 0));
    // A deleted review cannot be deleted again.
    env.expect_failure(&[delete_review_ix(&buyer.pubkey(), &skill)], &[&buyer], anchor_error(ErrorCode::AccountNotInitialized));
}
