//! `set_skill_active`: author only; delisting blocks purchases but not existing licenses.

mod common;

use common::*;
use skill_marketplace::{errors::MarketplaceError, events::SkillActiveChanged, state::*};
use solana_signer::Signer;

#[test]
fn only_the_author_delists() {
    let mut env = Env::new();
    let author = env.funded(10 * SOL);
    let skill = env.register_skill(&author, "summarize", Pricing::OneTime, SOL, None);
    let stranger = env.funded(SOL);
    env.expect_failure(
        &[set_skill_active_ix(&stranger.pubkey(), &skill, false)],
        &[&stranger],
        anchor_error(anchor_lang::error::ErrorCode::ConstraintSeeds),
    );
    assert!(env.account::<Skill>(&skill).active);
}

#[test]
fn delisting_blocks_new_purchases_and_relisting_restores_them() {
    let mut env = Env::new();
    let author = env.funded(10 * SOL);
    let skill = env.register_skill(&author, "summarize", Pricing::Usage { units_per_purchase: 10 }, SOL, None);
    let holder = env.funded(10 * SOL);
    env.buy_sol(&holder, &skill).expect("purchase while listed");

    let meta = env.send(&[set_skill_active_ix(&author.pubkey(), &skill, false)], &[&author]).expect("delist");
    let e: SkillActiveChanged = one_event(&meta);
    assert!(!e.active);
    assert!(!env.account::<Skill>(&skill).active);

    let buyer = env.funded(10 * SOL);
    let ix = env.purchase_sol_ix(&buyer.pubkey(), &skill, SOL, None);
    env.expect_failure(&[ix], &[&buyer], program_error(MarketplaceError::SkillInactive));
    // Existing licenses keep working.
    env.record_usage(&skill, &holder.pubkey(), 1).expect("usage on a delisted skill");

    env.send(&[set_skill_active_ix(&author.pubkey(), &skill, true)], &[&author]).expect("relist");
    env.buy_sol(&buyer, &skill).expect("purchase after relisting");
}
