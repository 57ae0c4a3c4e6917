//! `update_marketplace`: admin only, fee cap, pause, rotation of admin / treasury / meter.

mod common;

use common::*;
use skill_marketplace::{
    errors::MarketplaceError, events::MarketplaceUpdated, instructions::UpdateMarketplaceArgs,
    state::Marketplace,
};
use solana_keypair::Keypair;
use solana_signer::Signer;

#[test]
fn admin_updates_every_field() {
    let mut env = Env::new();
    let admin = env.admin.insecure_clone();
    let (new_admin, new_treasury, new_meter) = (Keypair::new(), Keypair::new(), Keypair::new());
    let ix = update_marketplace_ix(
        &admin.pubkey(),
        UpdateMarketplaceArgs {
            admin: Some(new_admin.pubkey()),
            treasury: Some(new_treasury.pubkey()),
            fee_bps: Some(500),
            meter_authority: Some(new_meter.pubkey()),
            paused: Some(true),
        },
    );
    let meta = env.send(&[ix], &[&admin]).expect("update");
    let m: Marketplace = env.account(&marketplace_pda());
    assert_eq!((m.admin, m.treasury, m.meter_authority), (new_admin.pubkey(), new_treasury.pubkey(), new_meter.pubkey()));
    assert_eq!((m.fee_bps, m.paused), (500, true));
    let e: MarketplaceUpdated = one_event(&meta);
    assert_eq!((e.admin, e.treasury, e.fee_bps, e.paused), (new_admin.pubkey(), new_treasury.pubkey(), 500, true));

    // The old admin has lost its rights.
    let ix = update_marketplace_ix(&admin.pubkey(), UpdateMarketplaceArgs { paused: Some(false), ..Default::default() });
    env.expect_failure(&[ix], &[&admin], program_error(MarketplaceError::Unauthorized));
}

#[test]
fn omitted_fields_keep_their_values() {
    let mut env = Env::new();
    let admin = env.admin.insecure_clone();
    let before: Marketplace = env.account(&marketplace_pda());
    let ix = update_marketplace_ix(&admin.pubkey(), UpdateMarketplaceArgs { fee_bps: Some(100), ..Default::default() });
    env.send(&[ix], &[&admin]).expect("update fee");
    let after: Marketplace = env.account(&marketplace_pda());
    assert_eq!(after.fee_bps, 100);
    assert_eq!((after.admin, after.treasury, after.meter_authority, after.paused), (before.admin, before.treasury, before.meter_authority, before.paused));
}

#[test]
fn fee_above_cap_is_rejected() {
    let mut env = Env::new();
    let admin = env.admin.insecure_clone();
    let ix = update_marketplace_ix(&admin.pubkey(), UpdateMarketplaceArgs { fee_bps: Some(1001), ..Default::default() });
    env.expect_failure(&[ix], &[&admin], program_error(MarketplaceError::FeeTooHigh));
}

#[test]
fn non_admin_cannot_update() {
    let mut env = Env::new();
    let stranger = env.funded(SOL);
    let ix = update_marketplace_ix(&stranger.pubkey(), UpdateMarketplaceArgs { fee_bps: Some(0), ..Default::default() });
    env.expect_failure(&[ix], &[&stranger], program_error(MarketplaceError::Unauthorized));
}

#[test]
fn unpausing_restores_purchases() {
    let mut env = Env::new();
    let seller = env.funded(10 * SOL);
    let skill = env.register_skill(&seller, "summarize", skill_marketplace::state::Pricing::OneTime, SOL, None);
    env.set_paused(true);
    let buyer = env.funded(10 * SOL);
    let ix = env.purchase_sol_ix(&buyer.pubkey(), &skill, SOL, None);
    env.expect_failure(&[ix], &[&buyer], program_error(MarketplaceError::MarketplacePaused));
    env.set_paused(false);
    env.buy_sol(&buyer, &skill).expect("purchase after unpause");
}
