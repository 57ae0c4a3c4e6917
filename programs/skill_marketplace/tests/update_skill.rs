//! `update_skill`: strictly increasing versions, provenance replaced as a whole, author only.

mod common;

use common::*;
use skill_marketplace::{
    errors::MarketplaceError, events::SkillUpdated, instructions::UpdateSkillArgs,
    state::*,
};
use solana_signer::Signer;

fn update(version: Semver, seed: u8) -> UpdateSkillArgs {
    UpdateSkillArgs { version, provenance: provenance(seed), price: None, category: None }
}

#[test]
fn new_version_replaces_provenance_price_and_category() {
    let mut env = Env::new();
    let author = env.funded(10 * SOL);
    let skill = env.register_skill(&author, "summarize", Pricing::OneTime, SOL, None);
    env.advance(60);
    let args = UpdateSkillArgs { price: Some(3 * SOL), category: Some("text".into()), ..update(v(1, 1, 0), 9) };
    let meta = env.send(&[update_skill_ix(&author.pubkey(), &skill, args)], &[&author]).expect("update");
    let s: Skill = env.account(&skill);
    assert_eq!(s.version, v(1, 1, 0));
    assert_eq!(s.provenance, provenance(9));
    assert_eq!((s.price, s.category.as_str()), (3 * SOL, "text"));
    assert_eq!((s.created_at, s.updated_at), (START_TIME, START_TIME + 60));
    assert_eq!(s.pricing, Pricing::OneTime);
    let e: SkillUpdated = one_event(&meta);
    assert_eq!((e.previous_version, e.version, e.price), (v(1, 0, 0), v(1, 1, 0), 3 * SOL));
    assert_eq!(e.provenance, provenance(9));
}

#[test]
fn version_must_strictly_increase() {
    let mut env = Env::new();
    let author = env.funded(10 * SOL);
    let skill = env.register_skill(&author, "summarize", Pricing::OneTime, SOL, None);
    env.send(&[update_skill_ix(&author.pubkey(), &skill, update(v(1, 2, 3), 2))], &[&author]).expect("1.2.3");
    for lower in [v(1, 2, 3), v(1, 2, 2), v(1, 1, 9), v(0, 9, 9)] {
        let ix = update_skill_ix(&author.pubkey(), &skill, update(lower, 3));
        env.expect_failure(&[ix], &[&author], program_error(MarketplaceError::VersionNotIncreased));
    }
    for higher in [v(1, 2, 4), v(1, 3, 0), v(2, 0, 0)] {
        env.send(&[update_skill_ix(&author.pubkey(), &skill, update(higher, 4))], &[&author]).expect("higher version");
    }
    assert_eq!(env.account::<Skill>(&skill).version, v(2, 0, 0));
}

#[test]
fn invalid_update_changes_nothing() {
    let mut env = Env::new();
    let author = env.funded(10 * SOL);
    let skill = env.register_skill(&author, "summarize", Pricing::OneTime, SOL, None);
    let cases = [
        (UpdateSkillArgs { provenance: Provenance { commit_sha: [0; 20], ..provenance(5) }, ..update(v(2, 0, 0), 5) }, MarketplaceError::InvalidProvenance),
        (UpdateSkillArgs { provenance: Provenance { docs_cid: "x".repeat(65), ..provenance(5) }, ..update(v(2, 0, 0), 5) }, MarketplaceError::InvalidCid),
        (UpdateSkillArgs { price: Some(0), ..update(v(2, 0, 0), 5) }, MarketplaceError::InvalidPrice),
        (UpdateSkillArgs { category: Some("Bad Category".into()), ..update(v(2, 0, 0), 5) }, MarketplaceError::InvalidCategory),
    ];
    for (args, err) in cases {
        env.expect_failure(&[update_skill_ix(&author.pubkey(), &skill, args)], &[&author], program_error(err));
    }
}

#[test]
fn only_the_author_updates() {
    let mut env = Env::new();
    let author = env.funded(10 * SOL);
    let skill = env.register_skill(&author, "summarize", Pricing::OneTime, SOL, None);
    let stranger = env.funded(SOL);
    env.expect_failure(
        &[update_skill_ix(&stranger.pubkey(), &skill, update(v(9, 0, 0), 2))],
        &[&stranger],
        anchor_error(anchor_lang::error::ErrorCode::ConstraintSeeds),
    );
}
