//! `update_review`: only the reviewer, while holding a license; the skill's rating sum swaps the
//! old rating for the new one.

mod common;

use common::*;
use skill_marketplace::{errors::MarketplaceError, events::ReviewUpdated, state::*};
use solana_signer::Signer;

const CID: &str = "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku";

fn reviewed(env: &mut Env, rating: u8) -> (solana_keypair::Keypair, anchor_lang::prelude::Pubkey) {
    let seller = env.funded(10 * SOL);
    let skill = env.register_skill(&seller, "ocr", Pricing::Subscription { interval_secs: 3_600 }, SOL, None);
    let buyer = env.funded(10 * SOL);
    env.buy_sol(&buyer, &skill).expect("buy");
    env.send(&[post_review_ix(&buyer.pubkey(), &skill, rating, CID)], &[&buyer]).expect("post");
    (buyer, skill)
}

#[test]
fn reviewer_changes_rating_and_text() {
    let mut env = Env::new();
    let (buyer, skill) = reviewed(&mut env, 4);
    let key = review_pda(&skill, &buyer.pubkey());
    env.advance(10);
    let meta = env.send(&[update_review_ix(&buyer.pubkey(), &skill, 2, "bafyupdated")], &[&buyer]).expect("update");
    let r: Review = env.account(&key);
    assert_eq!((r.rating, r.text_cid.as_str(), r.updated_at), (2, "bafyupdated", START_TIME + 10));
    let s: Skill = env.account(&skill);
    assert_eq!((s.rating_sum, s.rating_count), (2, 1));
    let e: ReviewUpdated = one_event(&meta);
    assert_eq!((e.previous_rating, e.rating, e.skill_rating_sum, e.skill_rating_count), (4, 2, 2, 1));
}

#[test]
fn invalid_update_changes_nothing() {
    let mut env = Env::new();
    let (buyer, skill) = reviewed(&mut env, 3);
    for (rating, cid, err) in [(0, CID, MarketplaceError::InvalidRating), (6, CID, MarketplaceError::InvalidRating), (2, "", MarketplaceError::InvalidCid)] {
        env.expect_failure(&[update_review_ix(&buyer.pubkey(), &skill, rating, cid)], &[&buyer], program_error(err));
    }
    let s: Skill = env.account(&skill);
    assert_eq!((s.rating_sum, s.rating_count), (3, 1));
}

#[test]
fn someone_without_a_review_cannot_update() {
    let mut env = Env::new();
    let (_buyer, skill) = reviewed(&mut env, 3);
    let other = env.funded(10 * SOL);
    env.buy_sol(&other, &skill).expect("buy");
    env.expect_failure(
        &[update_review_ix(&other.pubkey(), &skill, 1, CID)],
        &[&other],
        anchor_error(anchor_lang::error::ErrorCode::AccountNotInitialized),
    );
}

#[test]
fn a_reviewer_whose_license_is_closed_cannot_update() {
    let mut env = Env::new();
    let (buyer, skill) = reviewed(&mut env, 5);
    env.advance(3_600);
    let license = license_pda(&skill, &buyer.pubkey());
    env.send(&[close_license_ix(&buyer.pubkey(), &license)], &[&buyer]).expect("close");
    env.expect_failure(
        &[update_review_ix(&buyer.pubkey(), &skill, 1, CID)],
        &[&buyer],
        anchor_error(anchor_lang::error::ErrorCode::AccountNotInitialized),
    );
    assert_eq!(env.account::<Skill>(&skill).rating_sum, 5);
}
