//! Roles and moderation: two-step admin handover, the pauser, meter authorities, the fee vault's
//! withdrawal, skill suspension.

mod common;

use anchor_lang::error::ErrorCode;
use common::*;
use skill_marketplace::{
    errors::MarketplaceError,
    events::{FeesWithdrawn, MeterAuthorityAdded, MeterAuthorityRevoked, SkillSuspensionChanged},
    instructions::UpdateMarketplaceArgs,
    state::{License, Marketplace, MeterAuthority, Pricing, Skill},
};
use solana_keypair::Keypair;
use solana_signer::Signer;

fn marketplace(env: &Env) -> Marketplace {
    env.account(&marketplace_pda())
}

#[test]
fn admin_hands_over_in_two_steps() {
    let mut env = Env::new();
    let admin = env.admin.insecure_clone();
    let next = env.funded(SOL);
    env.send(&[propose_admin_ix(&admin.pubkey(), Some(next.pubkey()))], &[&admin]).expect("propose");
    let m = marketplace(&env);
    assert_eq!((m.admin, m.pending_admin), (admin.pubkey(), Some(next.pubkey())), "nothing changes hands before acceptance");

    // Someone else cannot accept in its place.
    let stranger = env.funded(SOL);
    env.expect_failure(&[accept_admin_ix(&stranger.pubkey())], &[&stranger], program_error(MarketplaceError::NotPendingAdmin));
    // Only the admin proposes.
    env.expect_failure(&[propose_admin_ix(&stranger.pubkey(), Some(stranger.pubkey()))], &[&stranger], program_error(MarketplaceError::Unauthorized));

    env.send(&[accept_admin_ix(&next.pubkey())], &[&next]).expect("accept");
    let m = marketplace(&env);
    assert_eq!((m.admin, m.pending_admin), (next.pubkey(), None));
    // The old admin has lost its rights; a second acceptance finds no proposal.
    let ix = update_marketplace_ix(&admin.pubkey(), UpdateMarketplaceArgs { treasury: Some(admin.pubkey()), ..Default::default() });
    env.expect_failure(&[ix], &[&admin], program_error(MarketplaceError::Unauthorized));
    env.expect_failure(&[accept_admin_ix(&next.pubkey())], &[&next], program_error(MarketplaceError::NotPendingAdmin));
}

#[test]
fn a_proposal_can_be_withdrawn() {
    let mut env = Env::new();
    let admin = env.admin.insecure_clone();
    let next = env.funded(SOL);
    env.send(&[propose_admin_ix(&admin.pubkey(), Some(next.pubkey()))], &[&admin]).expect("propose");
    env.send(&[propose_admin_ix(&admin.pubkey(), None)], &[&admin]).expect("withdraw");
    env.expect_failure(&[accept_admin_ix(&next.pubkey())], &[&next], program_error(MarketplaceError::NotPendingAdmin));
    assert_eq!(marketplace(&env).admin, admin.pubkey());
}

#[test]
fn pauser_pauses_and_unpauses_and_nobody_else_does() {
    let mut env = Env::new();
    let admin = env.admin.insecure_clone();
    let pauser = env.funded(SOL);
    let ix = update_marketplace_ix(&admin.pubkey(), UpdateMarketplaceArgs { pauser: Some(pauser.pubkey()), ..Default::default() });
    env.send(&[ix], &[&admin]).expect("set pauser");
    let stranger = env.funded(SOL);
    env.expect_failure(&[set_paused_ix(&stranger.pubkey(), true)], &[&stranger], program_error(MarketplaceError::Unauthorized));
    env.send(&[set_paused_ix(&pauser.pubkey(), true)], &[&pauser]).expect("pauser pauses");
    assert!(marketplace(&env).paused);
    env.send(&[set_paused_ix(&pauser.pubkey(), false)], &[&pauser]).expect("pauser unpauses");
    env.send(&[set_paused_ix(&admin.pubkey(), true)], &[&admin]).expect("admin pauses");
    assert!(marketplace(&env).paused);
}

#[test]
fn several_meter_authorities_each_revocable() {
    let mut env = Env::new();
    let admin = env.admin.insecure_clone();
    let second = env.funded(SOL);
    let meta = env.send(&[add_meter_ix(&admin.pubkey(), &second.pubkey())], &[&admin]).expect("add");
    let e: MeterAuthorityAdded = one_event(&meta);
    assert_eq!((e.meter, e.authority, e.meter_count), (meter_pda(&second.pubkey()), second.pubkey(), 2));
    assert_eq!(env.account::<MeterAuthority>(&meter_pda(&second.pubkey())).authority, second.pubkey());
    // Adding a key twice fails (account already in use).
    env.expect_failure(&[add_meter_ix(&admin.pubkey(), &second.pubkey())], &[&admin], solana_instruction::error::InstructionError::Custom(0));
    // Only the admin adds.
    let stranger = env.funded(SOL);
    env.expect_failure(&[add_meter_ix(&stranger.pubkey(), &stranger.pubkey())], &[&stranger], program_error(MarketplaceError::Unauthorized));
    assert!(!env.exists(&meter_pda(&stranger.pubkey())));

    let seller = env.funded(10 * SOL);
    let skill = env.register_skill(&seller, "ocr", Pricing::Usage { units_per_purchase: 10 }, SOL, None);
    let buyer = env.funded(10 * SOL);
    env.buy_sol(&buyer, &skill).expect("buy");
    let license = license_pda(&skill, &buyer.pubkey());
    // Both operators meter.
    env.record_usage(&skill, &buyer.pubkey(), 2).expect("first meter");
    let ix = record_usage_ix(&second.pubkey(), &skill, &license, usage_batch(3, 2, [2; 32]));
    env.send(&[ix], &[&second]).expect("second meter");
    assert_eq!(env.account::<License>(&license).usage_used, 5);

    // Revoked: its meter account is gone, its calls fail, the other still meters.
    env.expect_failure(&[revoke_meter_ix(&stranger.pubkey(), &second.pubkey())], &[&stranger], program_error(MarketplaceError::Unauthorized));
    let rent = env.lamports(&meter_pda(&second.pubkey()));
    let admin_before = env.lamports(&admin.pubkey());
    let meta = env.send(&[revoke_meter_ix(&admin.pubkey(), &second.pubkey())], &[&admin]).expect("revoke");
    let e: MeterAuthorityRevoked = one_event(&meta);
    assert_eq!((e.authority, e.meter_count), (second.pubkey(), 1));
    assert!(!env.exists(&meter_pda(&second.pubkey())));
    assert_eq!(env.lamports(&admin.pubkey()), admin_before + rent - FEE_PER_SIGNATURE);
    let ix = record_usage_ix(&second.pubkey(), &skill, &license, usage_batch(1, 5, [3; 32]));
    env.expect_failure(&[ix], &[&second], anchor_error(ErrorCode::AccountNotInitialized));
    env.record_usage(&skill, &buyer.pubkey(), 1).expect("the first meter still works");
    assert_eq!(env.account::<License>(&license).usage_used, 6);
}

#[test]
fn a_meter_cannot_sign_with_another_meters_registration() {
    let mut env = Env::new();
    let seller = env.funded(10 * SOL);
    let skill = env.register_skill(&seller, "ocr", Pricing::Usage { units_per_purchase: 10 }, SOL, None);
    let buyer = env.funded(10 * SOL);
    env.buy_sol(&buyer, &skill).expect("buy");
    let mut ix = record_usage_ix(&buyer.pubkey(), &skill, &license_pda(&skill, &buyer.pubkey()), usage_batch(1, 0, [1; 32]));
    ix.accounts[1].pubkey = meter_pda(&env.meter.pubkey());
    env.expect_failure(&[ix], &[&buyer], program_error(MarketplaceError::UnauthorizedMeter));
}

#[test]
fn one_lamport_fees_land_and_the_admin_withdraws_them_to_the_treasury() {
    let mut env = Env::new();
    let seller = env.funded(10 * SOL);
    // A 1-lamport price: 2.5 % rounds up to a 1-lamport fee, far below any account's rent.
    let skill = env.register_skill(&seller, "tiny", Pricing::Usage { units_per_purchase: 1 }, 1, None);
    let buyer = env.funded(10 * SOL);
    for _ in 0..3 {
        env.buy_sol(&buyer, &skill).expect("tiny purchase");
    }
    assert_eq!(env.vault_fees(), 3);
    // The treasury wallet has never existed: withdrawing to it needs enough to make it rent-exempt.
    let admin = env.admin.insecure_clone();
    let treasury = env.treasury.pubkey();
    env.svm.airdrop(&treasury, SOL).expect("fund treasury");
    let before = env.lamports(&treasury);

    let stranger = env.funded(SOL);
    env.expect_failure(&[withdraw_fees_ix(&stranger.pubkey(), &treasury, 1)], &[&stranger], program_error(MarketplaceError::Unauthorized));
    // Only to the treasury.
    env.expect_failure(&[withdraw_fees_ix(&admin.pubkey(), &stranger.pubkey(), 1)], &[&admin], program_error(MarketplaceError::TreasuryMismatch));
    // Never below the vault's rent-exempt minimum, never zero.
    env.expect_failure(&[withdraw_fees_ix(&admin.pubkey(), &treasury, 4)], &[&admin], program_error(MarketplaceError::InsufficientFees));
    env.expect_failure(&[withdraw_fees_ix(&admin.pubkey(), &treasury, 0)], &[&admin], program_error(MarketplaceError::InsufficientFees));

    let meta = env.send(&[withdraw_fees_ix(&admin.pubkey(), &treasury, 3)], &[&admin]).expect("withdraw");
    assert_eq!(env.lamports(&treasury), before + 3);
    assert_eq!(env.vault_fees(), 0);
    let e: FeesWithdrawn = one_event(&meta);
    assert_eq!((e.treasury, e.amount, e.vault_balance), (treasury, 3, env.lamports(&fee_vault_pda())));
    // Still open: the next tiny fee lands.
    env.buy_sol(&buyer, &skill).expect("tiny purchase after withdrawal");
    assert_eq!(env.vault_fees(), 1);
}

#[test]
fn changing_the_treasury_does_not_break_small_sol_sales() {
    let mut env = Env::new();
    let admin = env.admin.insecure_clone();
    let seller = env.funded(10 * SOL);
    let skill = env.register_skill(&seller, "tiny", Pricing::Usage { units_per_purchase: 1 }, 10, None);
    let ix = update_marketplace_ix(&admin.pubkey(), UpdateMarketplaceArgs { treasury: Some(Keypair::new().pubkey()), ..Default::default() });
    env.send(&[ix], &[&admin]).expect("new, empty treasury");
    let buyer = env.funded(10 * SOL);
    env.buy_sol(&buyer, &skill).expect("purchase with an empty treasury wallet");
    assert_eq!(env.vault_fees(), 1);
}

#[test]
fn suspended_skill_sells_nothing_and_meters_nothing_until_lifted() {
    let mut env = Env::new();
    let admin = env.admin.insecure_clone();
    let seller = env.funded(10 * SOL);
    let skill = env.register_skill(&seller, "ocr", Pricing::Usage { units_per_purchase: 10 }, SOL, None);
    let buyer = env.funded(10 * SOL);
    env.buy_sol(&buyer, &skill).expect("buy");

    // Only the admin suspends, and the reason must be a CID.
    let stranger = env.funded(SOL);
    let ix = set_skill_suspension_ix(&stranger.pubkey(), &skill, Some("bafyreason"));
    env.expect_failure(&[ix], &[&stranger], program_error(MarketplaceError::Unauthorized));
    let ix = set_skill_suspension_ix(&seller.pubkey(), &skill, None);
    env.expect_failure(&[ix], &[&seller], program_error(MarketplaceError::Unauthorized));
    let ix = set_skill_suspension_ix(&admin.pubkey(), &skill, Some("not a cid!"));
    env.expect_failure(&[ix], &[&admin], program_error(MarketplaceError::InvalidCid));

    let meta = env.send(&[set_skill_suspension_ix(&admin.pubkey(), &skill, Some("bafyreason"))], &[&admin]).expect("suspend");
    let e: SkillSuspensionChanged = one_event(&meta);
    assert_eq!((e.skill, e.suspended, e.reason_cid.as_str()), (skill, true, "bafyreason"));
    let s: Skill = env.account(&skill);
    assert_eq!((s.suspended, s.suspension_cid.as_str(), s.active), (true, "bafyreason", true));

    let other = env.funded(10 * SOL);
    let ix = env.purchase_sol_ix(&other.pubkey(), &skill, u64::MAX, None);
    env.expect_failure(&[ix], &[&other], program_error(MarketplaceError::SkillSuspended));
    let ix = env.purchase_sol_ix(&buyer.pubkey(), &skill, u64::MAX, None);
    env.expect_failure(&[ix], &[&buyer], program_error(MarketplaceError::SkillSuspended));
    let ix = env.record_usage_ix(&skill, &buyer.pubkey(), 1, [1; 32]);
    let meter = env.meter.insecure_clone();
    env.expect_failure(&[ix], &[&meter], program_error(MarketplaceError::SkillSuspended));

    // Suspension is moderation: it works while paused.
    env.set_paused(true);
    let meta = env.send(&[set_skill_suspension_ix(&admin.pubkey(), &skill, None)], &[&admin]).expect("lift");
    env.set_paused(false);
    assert_eq!(one_event::<SkillSuspensionChanged>(&meta).reason_cid, "");
    assert!(!env.account::<Skill>(&skill).suspended);
    env.record_usage(&skill, &buyer.pubkey(), 1).expect("metered again");
    env.buy_sol(&other, &skill).expect("sold again");
}
