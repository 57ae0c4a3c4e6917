//! `update_marketplace`: admin only, treasury and pauser, notice period that only grows, fee
//! changes that wait for the notice and are bounded.

mod common;

use common::*;
use skill_marketplace::{
    constants::*,
    errors::MarketplaceError,
    events::MarketplaceUpdated,
    instructions::UpdateMarketplaceArgs,
    state::{Marketplace, PendingFee, Pricing},
};
use solana_keypair::Keypair;
use solana_signer::Signer;

fn marketplace(env: &Env) -> Marketplace {
    env.account(&marketplace_pda())
}

#[test]
fn admin_changes_treasury_and_pauser_at_once() {
    let mut env = Env::new();
    let admin = env.admin.insecure_clone();
    let (new_treasury, new_pauser) = (Keypair::new(), Keypair::new());
    let args = UpdateMarketplaceArgs { treasury: Some(new_treasury.pubkey()), pauser: Some(new_pauser.pubkey()), ..Default::default() };
    let meta = env.send(&[update_marketplace_ix(&admin.pubkey(), args)], &[&admin]).expect("update");
    let m = marketplace(&env);
    assert_eq!((m.admin, m.treasury, m.pauser), (admin.pubkey(), new_treasury.pubkey(), new_pauser.pubkey()));
    let e: MarketplaceUpdated = one_event(&meta);
    assert_eq!((e.admin, e.treasury, e.pauser, e.fee_bps, e.pending_fee, e.paused), (admin.pubkey(), new_treasury.pubkey(), new_pauser.pubkey(), 250, None, false));
}

#[test]
fn fee_change_waits_for_the_notice_period() {
    let mut env = Env::new();
    let admin = env.admin.insecure_clone();
    let seller = env.funded(10 * SOL);
    let skill = env.register_skill(&seller, "summarize", Pricing::Usage { units_per_purchase: 1 }, SOL, None);
    let buyer = env.funded(100 * SOL);

    let args = UpdateMarketplaceArgs { fee_bps: Some(500), ..Default::default() };
    let meta = env.send(&[update_marketplace_ix(&admin.pubkey(), args)], &[&admin]).expect("schedule fee");
    let effective_at = START_TIME + DEFAULT_NOTICE_SECS;
    let m = marketplace(&env);
    assert_eq!((m.fee_bps, m.pending_fee), (250, Some(PendingFee { fee_bps: 500, effective_at })));
    assert_eq!(one_event::<MarketplaceUpdated>(&meta).pending_fee, Some(PendingFee { fee_bps: 500, effective_at }));

    // One second before: the old fee.
    env.set_time(effective_at - 1);
    let before = env.vault_fees();
    env.buy_sol(&buyer, &skill).expect("buy before");
    assert_eq!(env.vault_fees() - before, SOL / 40);
    // From the effective time on: the new fee, without anyone touching the marketplace.
    env.set_time(effective_at);
    let before = env.vault_fees();
    env.buy_sol(&buyer, &skill).expect("buy after");
    assert_eq!(env.vault_fees() - before, SOL / 20);
    // The next update folds the pending fee in.
    let ix = update_marketplace_ix(&admin.pubkey(), UpdateMarketplaceArgs::default());
    env.send(&[ix], &[&admin]).expect("settle");
    let m = marketplace(&env);
    assert_eq!((m.fee_bps, m.pending_fee), (500, None));
}

#[test]
fn a_second_fee_change_replaces_the_first_with_a_fresh_notice() {
    let mut env = Env::new();
    let admin = env.admin.insecure_clone();
    let ix = update_marketplace_ix(&admin.pubkey(), UpdateMarketplaceArgs { fee_bps: Some(500), ..Default::default() });
    env.send(&[ix], &[&admin]).expect("first");
    env.advance(3600);
    let ix = update_marketplace_ix(&admin.pubkey(), UpdateMarketplaceArgs { fee_bps: Some(100), ..Default::default() });
    env.send(&[ix], &[&admin]).expect("second");
    let m = marketplace(&env);
    assert_eq!(m.pending_fee, Some(PendingFee { fee_bps: 100, effective_at: START_TIME + 3600 + DEFAULT_NOTICE_SECS }));
    assert_eq!(m.fee_bps, 250);
}

#[test]
fn notice_period_only_grows_and_applies_to_a_fee_in_the_same_call() {
    let mut env = Env::new();
    let admin = env.admin.insecure_clone();
    let before = marketplace(&env);
    let ix = update_marketplace_ix(&admin.pubkey(), UpdateMarketplaceArgs { notice_secs: Some(DEFAULT_NOTICE_SECS - 1), fee_bps: Some(0), ..Default::default() });
    env.expect_failure(&[ix], &[&admin], program_error(MarketplaceError::NoticeShortened));
    let ix = update_marketplace_ix(&admin.pubkey(), UpdateMarketplaceArgs { notice_secs: Some(MAX_NOTICE_SECS + 1), ..Default::default() });
    env.expect_failure(&[ix], &[&admin], program_error(MarketplaceError::NoticeOutOfRange));
    assert_eq!((marketplace(&env).notice_secs, marketplace(&env).pending_fee), (before.notice_secs, None));

    let ix = update_marketplace_ix(&admin.pubkey(), UpdateMarketplaceArgs { notice_secs: Some(MAX_NOTICE_SECS), fee_bps: Some(0), ..Default::default() });
    env.send(&[ix], &[&admin]).expect("longer notice");
    let m = marketplace(&env);
    assert_eq!(m.notice_secs, MAX_NOTICE_SECS);
    assert_eq!(m.pending_fee, Some(PendingFee { fee_bps: 0, effective_at: START_TIME + MAX_NOTICE_SECS }));
}

#[test]
fn fee_above_cap_is_rejected_and_nothing_is_scheduled() {
    let mut env = Env::new();
    let admin = env.admin.insecure_clone();
    let ix = update_marketplace_ix(&admin.pubkey(), UpdateMarketplaceArgs { fee_bps: Some(MAX_FEE_BPS + 1), ..Default::default() });
    env.expect_failure(&[ix], &[&admin], program_error(MarketplaceError::FeeTooHigh));
    assert_eq!(marketplace(&env).pending_fee, None);
}

#[test]
fn non_admin_cannot_update() {
    let mut env = Env::new();
    let stranger = env.funded(SOL);
    let ix = update_marketplace_ix(&stranger.pubkey(), UpdateMarketplaceArgs { fee_bps: Some(0), ..Default::default() });
    env.expect_failure(&[ix], &[&stranger], program_error(MarketplaceError::Unauthorized));
    // The pauser is not an admin either.
    let pauser = Keypair::new();
    let admin = env.admin.insecure_clone();
    let ix = update_marketplace_ix(&admin.pubkey(), UpdateMarketplaceArgs { pauser: Some(pauser.pubkey()), ..Default::default() });
    env.send(&[ix], &[&admin]).expect("set pauser");
    env.svm.airdrop(&pauser.pubkey(), SOL).expect("airdrop");
    let ix = update_marketplace_ix(&pauser.pubkey(), UpdateMarketplaceArgs { treasury: Some(pauser.pubkey()), ..Default::default() });
    env.expect_failure(&[ix], &[&pauser], program_error(MarketplaceError::Unauthorized));
}

#[test]
fn unpausing_restores_purchases() {
    let mut env = Env::new();
    let seller = env.funded(10 * SOL);
    let skill = env.register_skill(&seller, "summarize", Pricing::OneTime, SOL, None);
    env.set_paused(true);
    let buyer = env.funded(10 * SOL);
    let ix = env.purchase_sol_ix(&buyer.pubkey(), &skill, SOL, None);
    env.expect_failure(&[ix], &[&buyer], program_error(MarketplaceError::MarketplacePaused));
    env.set_paused(false);
    env.buy_sol(&buyer, &skill).expect("purchase after unpause");
}
