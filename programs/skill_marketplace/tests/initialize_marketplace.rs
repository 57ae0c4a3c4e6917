//! `initialize_marketplace`: once only, fee cap, every field written, event.

mod common;

use common::*;
use skill_marketplace::{constants::*, errors::MarketplaceError, events::MarketplaceInitialized, state::Marketplace};
use solana_instruction::error::InstructionError;
use solana_signer::Signer;

#[test]
fn initializes_with_every_field_and_event() {
    let mut env = Env::bare();
    let admin = env.admin.insecure_clone();
    let ix = env.initialize_ix(&admin.pubkey(), DEFAULT_FEE_BPS);
    let meta = env.send(&[ix], &[&admin]).expect("initialize");

    let m: Marketplace = env.account(&marketplace_pda());
    assert_eq!(m.admin, admin.pubkey());
    assert_eq!(m.treasury, env.treasury.pubkey());
    assert_eq!(m.fee_bps, 250);
    assert_eq!(m.meter_authority, env.meter.pubkey());
    assert!(!m.paused);
    assert_eq!(m.skill_count, 0);
    assert_eq!(m.bump, solana_program_pda_bump(&[SEED_MARKETPLACE]));

    let e: MarketplaceInitialized = one_event(&meta);
    assert_eq!((e.marketplace, e.admin, e.treasury, e.fee_bps), (marketplace_pda(), admin.pubkey(), env.treasury.pubkey(), 250));
    assert_eq!(e.meter_authority, env.meter.pubkey());
    assert_eq!(e.timestamp, START_TIME);
}

#[test]
fn accepts_the_fee_cap_and_rejects_above_it() {
    let mut env = Env::bare();
    let admin = env.admin.insecure_clone();
    let ix = env.initialize_ix(&admin.pubkey(), MAX_FEE_BPS + 1);
    env.expect_failure(&[ix], &[&admin], program_error(MarketplaceError::FeeTooHigh));
    let ix = env.initialize_ix(&admin.pubkey(), MAX_FEE_BPS);
    env.send(&[ix], &[&admin]).expect("fee at the cap");
    assert_eq!(env.account::<Marketplace>(&marketplace_pda()).fee_bps, 1000);
}

#[test]
fn second_initialization_fails_and_changes_nothing() {
    let mut env = Env::new();
    let intruder = env.funded(SOL);
    let ix = env.initialize_ix(&intruder.pubkey(), 0);
    // The system program refuses to create an account that already exists (AccountAlreadyInUse = 0).
    env.expect_failure(&[ix], &[&intruder], InstructionError::Custom(0));
    assert_eq!(env.account::<Marketplace>(&marketplace_pda()).admin, env.admin.pubkey());
}

fn solana_program_pda_bump(seeds: &[&[u8]]) -> u8 {
    anchor_lang::prelude::Pubkey::find_program_address(seeds, &program_id()).1
}
