//! `post_review`: license holders only, one review each, ratings 1–5, rating totals kept exact.

mod common;

use common::*;
use skill_marketplace::{
    errors::MarketplaceError, events::ReviewPosted, state::*,
};
use solana_signer::Signer;

const CID: &str = "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku";

#[test]
fn holder_posts_a_review() {
    let mut env = Env::new();
    let seller = env.funded(10 * SOL);
    let skill = env.register_skill(&seller, "ocr", Pricing::OneTime, SOL, None);
    let buyer = env.funded(10 * SOL);
    env.buy_sol(&buyer, &skill).expect("buy");

    let meta = env.send(&[post_review_ix(&buyer.pubkey(), &skill, 4, CID)], &[&buyer]).expect("post");
    let key = review_pda(&skill, &buyer.pubkey());
    let r: Review = env.account(&key);
    assert_eq!((r.skill, r.reviewer, r.rating, r.text_cid.as_str()), (skill, buyer.pubkey(), 4, CID));
    assert_eq!((r.created_at, r.updated_at), (START_TIME, START_TIME));
    let s: Skill = env.account(&skill);
    assert_eq!((s.rating_sum, s.rating_count), (4, 1));
    let e: ReviewPosted = one_event(&meta);
    assert_eq!((e.review, e.rating, e.skill_rating_sum, e.skill_rating_count), (key, 4, 4, 1));

}

#[test]
fn ratings_from_several_holders_add_up() {
    let mut env = Env::new();
    let seller = env.funded(10 * SOL);
    let skill = env.register_skill(&seller, "ocr", Pricing::OneTime, SOL / 10, None);
    for rating in [5, 3, 1] {
        let buyer = env.funded(SOL);
        env.buy_sol(&buyer, &skill).expect("buy");
        env.send(&[post_review_ix(&buyer.pubkey(), &skill, rating, CID)], &[&buyer]).expect("post");
    }
    let s: Skill = env.account(&skill);
    assert_eq!((s.rating_sum, s.rating_count), (9, 3));
}

#[test]
fn non_holder_cannot_review() {
    let mut env = Env::new();
    let seller = env.funded(10 * SOL);
    let skill = env.register_skill(&seller, "ocr", Pricing::OneTime, SOL, None);
    let stranger = env.funded(10 * SOL);
    env.expect_failure(
        &[post_review_ix(&stranger.pubkey(), &skill, 5, CID)],
        &[&stranger],
        anchor_error(anchor_lang::error::ErrorCode::AccountNotInitialized),
    );
    // The author cannot review their own skill either: they can hold no license for it.
    env.expect_failure(
        &[post_review_ix(&seller.pubkey(), &skill, 5, CID)],
        &[&seller],
        anchor_error(anchor_lang::error::ErrorCode::AccountNotInitialized),
    );
}

#[test]
fn invalid_ratings_and_cids_are_refused() {
    let mut env = Env::new();
    let seller = env.funded(10 * SOL);
    let skill = env.register_skill(&seller, "ocr", Pricing::OneTime, SOL, None);
    let buyer = env.funded(10 * SOL);
    env.buy_sol(&buyer, &skill).expect("buy");
    for (rating, cid, err) in [
        (0, CID, MarketplaceError::InvalidRating),
        (6, CID, MarketplaceError::InvalidRating),
        (3, "", MarketplaceError::InvalidCid),
        (3, "not a cid!", MarketplaceError::InvalidCid),
    ] {
        env.expect_failure(&[post_review_ix(&buyer.pubkey(), &skill, rating, cid)], &[&buyer], program_error(err));
    }
    env.send(&[post_review_ix(&buyer.pubkey(), &skill, 1, CID)], &[&buyer]).expect("rating 1 is valid");
    assert_eq!(env.account::<Skill>(&skill).rating_sum, 1);
}

#[test]
fn one_review_per_holder() {
    let mut env = Env::new();
    let seller = env.funded(10 * SOL);
    let skill = env.register_skill(&seller, "ocr", Pricing::OneTime, SOL, None);
    let buyer = env.funded(10 * SOL);
    env.buy_sol(&buyer, &skill).expect("buy");
    env.send(&[post_review_ix(&buyer.pubkey(), &skill, 5, CID)], &[&buyer]).expect("post");
    env.expect_failure(&[post_review_ix(&buyer.pubkey(), &skill, 1, CID)], &[&buyer], solana_instruction::error::InstructionError::Custom(0));
    assert_eq!(env.account::<Skill>(&skill).rating_count, 1);
}
