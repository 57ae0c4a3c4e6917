//! `initialize_marketplace`: upgrade authority only, once only, fee cap, notice bound, every
//! field written, fee vault created, event.

mod common;

use common::*;
use skill_marketplace::{
    constants::*,
    errors::MarketplaceError,
    events::MarketplaceInitialized,
    instructions::InitializeMarketplaceArgs,
    state::{FeeVault, Marketplace},
};
use solana_instruction::error::InstructionError;
use solana_signer::Signer;

#[test]
fn initializes_with_every_field_and_event() {
    let mut env = Env::bare();
    let admin = env.admin.insecure_clone();
    let ix = env.initialize_ix(&admin.pubkey(), DEFAULT_FEE_BPS);
    let meta = env.send(&[ix], &[&admin]).expect("initialize");

    let m: Marketplace = env.account(&marketplace_pda());
    assert_eq!(m.layout, LAYOUT_VERSION);
    assert_eq!((m.admin, m.pending_admin, m.pauser), (admin.pubkey(), None, admin.pubkey()));
    assert_eq!(m.treasury, env.treasury.pubkey());
    assert_eq!((m.fee_bps, m.pending_fee, m.notice_secs), (250, None, DEFAULT_NOTICE_SECS));
    assert!(!m.paused);
    assert_eq!((m.skill_count, m.meter_count), (0, 0));
    assert_eq!(m.bump, solana_program_pda_bump(&[SEED_MARKETPLACE]));
    assert_eq!(m.fee_vault_bump, solana_program_pda_bump(&[SEED_FEE_VAULT]));
    let vault: FeeVault = env.account(&fee_vault_pda());
    assert_eq!(vault.layout, LAYOUT_VERSION);
    assert_eq!(env.vault_fees(), 0, "the vault starts with exactly its rent-exempt minimum");

    let e: MarketplaceInitialized = one_event(&meta);
    assert_eq!((e.marketplace, e.admin, e.pauser, e.treasury, e.fee_vault), (marketplace_pda(), admin.pubkey(), admin.pubkey(), env.treasury.pubkey(), fee_vault_pda()));
    assert_eq!((e.fee_bps, e.notice_secs, e.timestamp), (250, DEFAULT_NOTICE_SECS, START_TIME));
}

#[test]
fn only_the_upgrade_authority_may_initialize() {
    let mut env = Env::bare();
    // A stranger racing the deploy script cannot take the marketplace.
    let stranger = env.funded(SOL);
    let ix = env.initialize_ix(&stranger.pubkey(), DEFAULT_FEE_BPS);
    env.expect_failure(&[ix], &[&stranger], program_error(MarketplaceError::NotUpgradeAuthority));
    assert!(!env.exists(&marketplace_pda()) && !env.exists(&fee_vault_pda()));

    // Nor with a ProgramData-shaped account of their own, at any other address.
    let forged = solana_keypair::Keypair::new().pubkey();
    let mut real = env.svm.get_account(&svm_harness::program_data_address(&program_id())).expect("program data");
    real.data[13..45].copy_from_slice(stranger.pubkey().as_ref());
    env.svm.set_account(forged, real).expect("plant forged program data");
    let mut ix = env.initialize_ix(&stranger.pubkey(), DEFAULT_FEE_BPS);
    ix.accounts[3].pubkey = forged;
    env.expect_failure(&[ix], &[&stranger], program_error(MarketplaceError::InvalidProgramData));

    // An immutable program (no upgrade authority) cannot be initialized by anyone.
    svm_harness::set_program_data(&mut env.svm, &program_id(), None, 0);
    let admin = env.admin.insecure_clone();
    let ix = env.initialize_ix(&admin.pubkey(), DEFAULT_FEE_BPS);
    env.expect_failure(&[ix], &[&admin], program_error(MarketplaceError::NotUpgradeAuthority));
    assert!(!env.exists(&marketplace_pda()));
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
fn notice_period_must_be_within_ninety_days() {
    let mut env = Env::bare();
    let admin = env.admin.insecure_clone();
    let treasury = env.treasury.pubkey();
    let args = |notice_secs| InitializeMarketplaceArgs { treasury, fee_bps: 250, pauser: admin.pubkey(), notice_secs };
    for notice in [-1, MAX_NOTICE_SECS + 1] {
        let ix = initialize_ix(&admin.pubkey(), args(notice));
        env.expect_failure(&[ix], &[&admin], program_error(MarketplaceError::NoticeOutOfRange));
    }
    let ix = initialize_ix(&admin.pubkey(), args(MAX_NOTICE_SECS));
    env.send(&[ix], &[&admin]).expect("notice at the bound");
}

#[test]
fn second_initialization_fails_and_changes_nothing() {
    let mut env = Env::new();
    let admin = env.admin.insecure_clone();
    let ix = env.initialize_ix(&admin.pubkey(), 0);
    // The system program refuses to create an account that already exists (AccountAlreadyInUse = 0).
    env.expect_failure(&[ix], &[&admin], InstructionError::Custom(0));
    assert_eq!(env.account::<Marketplace>(&marketplace_pda()).fee_bps, DEFAULT_FEE_BPS);
}

fn solana_program_pda_bump(seeds: &[&[u8]]) -> u8 {
    anchor_lang::prelude::Pubkey::find_program_address(seeds, &program_id()).1
}
