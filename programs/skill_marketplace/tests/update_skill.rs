//! `update_skill`: strictly increasing versions, provenance replaced as a whole, author only;
//! new versions and price increases wait for the marketplace's notice period.

mod common;

use common::*;
use skill_marketplace::{
    constants::DEFAULT_NOTICE_SECS,
    errors::MarketplaceError, events::SkillUpdated, instructions::UpdateSkillArgs,
    state::*,
};
use solana_signer::Signer;

fn update(version: Semver, seed: u8) -> UpdateSkillArgs {
    UpdateSkillArgs { version, provenance: provenance(seed), price: None, category: None }
}

#[test]
fn new_version_and_price_increase_wait_for_the_notice_period() {
    let mut env = Env::new();
    let author = env.funded(10 * SOL);
    let skill = env.register_skill(&author, "summarize", Pricing::Usage { units_per_purchase: 1 }, SOL, None);
    env.advance(60);
    let args = UpdateSkillArgs { price: Some(3 * SOL), category: Some("text".into()), ..update(v(1, 1, 0), 9) };
    let meta = env.send(&[update_skill_ix(&author.pubkey(), &skill, args)], &[&author]).expect("update");
    let effective_at = START_TIME + 60 + DEFAULT_NOTICE_SECS;
    let s: Skill = env.account(&skill);
    // What buyers bought stays in force; the category changes at once.
    assert_eq!((s.version, &s.provenance, s.price, s.category.as_str()), (v(1, 0, 0), &provenance(1), SOL, "text"));
    assert_eq!(s.pending_version, Some(PendingVersion { version: v(1, 1, 0), provenance: provenance(9), effective_at }));
    assert_eq!(s.pending_price, Some(PendingPrice { price: 3 * SOL, effective_at }));
    assert_eq!((s.created_at, s.updated_at, s.pricing), (START_TIME, START_TIME + 60, Pricing::Usage { units_per_purchase: 1 }));
    let e: SkillUpdated = one_event(&meta);
    assert_eq!((e.previous_version, e.version, e.price), (v(1, 0, 0), v(1, 0, 0), SOL));
    assert_eq!((e.pending_version, e.pending_price), (s.pending_version.clone(), s.pending_price));

    // A purchase one second before pays the old price; from the effective time, the new one.
    let buyer = env.funded(100 * SOL);
    env.set_time(effective_at - 1);
    assert_eq!(env.account::<Skill>(&skill).version_at(env.now()), (v(1, 0, 0), &provenance(1)));
    env.buy_sol(&buyer, &skill).expect("old price");
    assert_eq!(env.account::<skill_marketplace::state::License>(&license_pda(&skill, &buyer.pubkey())).paid, SOL);
    env.set_time(effective_at);
    let s: Skill = env.account(&skill);
    assert_eq!((s.version_at(env.now()), s.price_at(env.now())), ((v(1, 1, 0), &provenance(9)), 3 * SOL));
    // A buyer who agreed to the old price only is protected.
    let ix = env.purchase_sol_ix(&buyer.pubkey(), &skill, SOL, None);
    env.expect_failure(&[ix], &[&buyer], program_error(MarketplaceError::PriceAboveMaximum));
    env.buy_sol(&buyer, &skill).expect("new price");
    assert_eq!(env.account::<skill_marketplace::state::License>(&license_pda(&skill, &buyer.pubkey())).paid, 4 * SOL);

    // The next update folds what came due into the current fields.
    let meta = env.send(&[update_skill_ix(&author.pubkey(), &skill, update(v(1, 2, 0), 10))], &[&author]).expect("next");
    let e: SkillUpdated = one_event(&meta);
    assert_eq!((e.previous_version, e.version, e.price, e.provenance), (v(1, 1, 0), v(1, 1, 0), 3 * SOL, provenance(9)));
    assert_eq!(e.pending_price, None);
}

#[test]
fn a_price_decrease_applies_at_once_and_cancels_a_pending_increase() {
    let mut env = Env::new();
    let author = env.funded(10 * SOL);
    let skill = env.register_skill(&author, "summarize", Pricing::OneTime, SOL, None);
    let up = UpdateSkillArgs { price: Some(2 * SOL), ..update(v(1, 1, 0), 2) };
    env.send(&[update_skill_ix(&author.pubkey(), &skill, up)], &[&author]).expect("increase");
    let down = UpdateSkillArgs { price: Some(SOL / 2), ..update(v(1, 2, 0), 3) };
    env.send(&[update_skill_ix(&author.pubkey(), &skill, down)], &[&author]).expect("decrease");
    let s: Skill = env.account(&skill);
    assert_eq!((s.price, s.pending_price), (SOL / 2, None));
    // The newer version replaced the pending one, with a fresh notice period.
    assert_eq!(s.pending_version.map(|p| p.version), Some(v(1, 2, 0)));
}

#[test]
fn with_no_notice_period_a_version_applies_at_once() {
    let mut env = Env::bare();
    let admin = env.admin.insecure_clone();
    let args = skill_marketplace::instructions::InitializeMarketplaceArgs { treasury: env.treasury.pubkey(), fee_bps: 250, pauser: admin.pubkey(), notice_secs: 0 };
    env.send(&[initialize_ix(&admin.pubkey(), args)], &[&admin]).expect("initialize");
    let author = env.funded(10 * SOL);
    let skill = env.register_skill(&author, "summarize", Pricing::OneTime, SOL, None);
    let args = UpdateSkillArgs { price: Some(3 * SOL), ..update(v(2, 0, 0), 7) };
    env.send(&[update_skill_ix(&author.pubkey(), &skill, args)], &[&author]).expect("update");
    let s: Skill = env.account(&skill);
    assert_eq!((s.version, s.provenance, s.price, s.pending_version, s.pending_price), (v(2, 0, 0), provenance(7), 3 * SOL, None, None));
}

#[test]
fn version_must_exceed_the_current_and_the_pending_one() {
    let mut env = Env::new();
    let author = env.funded(10 * SOL);
    let skill = env.register_skill(&author, "summarize", Pricing::OneTime, SOL, None);
    env.send(&[update_skill_ix(&author.pubkey(), &skill, update(v(1, 2, 3), 2))], &[&author]).expect("1.2.3");
    for lower in [v(1, 2, 3), v(1, 2, 2), v(1, 1, 9), v(1, 0, 0), v(0, 9, 9)] {
        let ix = update_skill_ix(&author.pubkey(), &skill, update(lower, 3));
        env.expect_failure(&[ix], &[&author], program_error(MarketplaceError::VersionNotIncreased));
    }
    for higher in [v(1, 2, 4), v(1, 3, 0), v(2, 0, 0)] {
        env.send(&[update_skill_ix(&author.pubkey(), &skill, update(higher, 4))], &[&author]).expect("higher version");
    }
    let s: Skill = env.account(&skill);
    assert_eq!((s.version, s.pending_version.map(|p| p.version)), (v(1, 0, 0), Some(v(2, 0, 0))));
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
