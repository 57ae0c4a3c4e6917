//! The classes of coral-xyz/sealevel-attacks, tried against every instruction they apply to.
//!
//! Each attack is a transaction that must fail with one exact error (the check it is meant to
//! hit, confirmed against the program logs) and leave every account it names untouched, except
//! the fee payer's transaction fee (`Env::expect_failure`). Where a check can only be reached by
//! an account the program itself could never have written (planted with `set_account`), the test
//! says so: those show defence in depth, not a reachable path.
//!
//!  0 signer authorization      5 arbitrary CPI
//!  1 owner checks              6 duplicate mutable accounts
//!  2 account data matching     7 bump seed canonicalization
//!  3 type cosplay              8 PDA sharing
//!  4 re-initialization         9 closing accounts
//!                             10 sysvar address checking
//! plus the pause switch, which must stop purchases, registrations and metering.

mod common;

use anchor_lang::{
    error::ErrorCode as AnchorError, prelude::Pubkey, system_program, AccountSerialize,
    Discriminator, Space,
};
use common::*;
use skill_marketplace::{
    accounts as acc, constants::*, errors::MarketplaceError, instruction as ixn, instructions::*,
    state::*,
};
use solana_account::Account;
use solana_instruction::{error::InstructionError, AccountMeta, Instruction};
use solana_keypair::Keypair;
use solana_message::Message;
use solana_signer::Signer;
use solana_transaction::Transaction;
use solana_transaction_error::TransactionError;

const MEMO_PROGRAM: Pubkey =
    anchor_lang::solana_program::pubkey!("MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr");
/// "Already in use" from the system program (`SystemError::AccountAlreadyInUse`).
const ACCOUNT_ALREADY_IN_USE: InstructionError = InstructionError::Custom(0);
const HOUR: i64 = 3_600;
const USAGE: Pricing = Pricing::Usage {
    units_per_purchase: 10,
};
const MONTHLY: Pricing = Pricing::Subscription {
    interval_secs: 30 * 24 * HOUR,
};

// ----- fixtures -----

/// `Env::expect_failure` (exact error, no account changed but the payer's fee), preceded by a
/// simulation of the same transaction (which commits nothing) to check that the refusal comes
/// from the intended check: the last instruction is the one that fails, and `cause` (the
/// account Anchor blames, the source file of a handler check, or the system program's message)
/// appears in the program logs.
fn attack(
    env: &mut Env,
    ixs: &[Instruction],
    signers: &[&Keypair],
    expected: InstructionError,
    cause: &str,
) {
    env.svm.expire_blockhash();
    let tx = Transaction::new(
        signers,
        Message::new(ixs, Some(&signers[0].pubkey())),
        env.svm.latest_blockhash(),
    );
    let failure = env
        .svm
        .simulate_transaction(tx)
        .expect_err("the attack must fail");
    let logs = &failure.meta.logs;
    assert_eq!(
        failure.err,
        TransactionError::InstructionError((ixs.len() - 1) as u8, expected.clone()),
        "{logs:#?}"
    );
    assert!(
        logs.iter().any(|line| line.contains(cause)),
        "`{cause}` not in logs: {logs:#?}"
    );
    env.expect_failure(ixs, signers, expected);
}

/// The system program's log line when `init` finds its account already created.
fn already_in_use(key: &Pubkey) -> String {
    format!("Allocate: account Address {{ address: {key}, base: None }} already in use")
}

/// A marketplace with one seller, one skill priced as given (0.1 SOL) and one buyer holding a
/// license for it.
struct Market {
    env: Env,
    seller: Keypair,
    skill: Pubkey,
    buyer: Keypair,
    license: Pubkey,
}

fn market(pricing: Pricing) -> Market {
    let mut env = Env::new();
    let seller = env.funded(10 * SOL);
    let skill = env.register_skill(&seller, "pdf-extract", pricing, SOL / 10, None);
    let buyer = env.funded(10 * SOL);
    env.buy_sol(&buyer, &skill).expect("purchase");
    let license = license_pda(&skill, &buyer.pubkey());
    Market {
        env,
        seller,
        skill,
        buyer,
        license,
    }
}

/// Writes `value` (discriminator + Borsh) into a `len`-byte account at `key` owned by `owner`,
/// funded rent-exempt: an account only `set_account` can produce.
fn plant<T: AccountSerialize>(env: &mut Env, key: &Pubkey, value: &T, len: usize, owner: &Pubkey) {
    let mut data = Vec::with_capacity(len);
    value.try_serialize(&mut data).expect("serialize");
    assert!(data.len() <= len, "value does not fit");
    data.resize(len, 0);
    plant_raw(env, key, data, owner);
}

fn plant_raw(env: &mut Env, key: &Pubkey, data: Vec<u8>, owner: &Pubkey) {
    let lamports = env.svm.minimum_balance_for_rent_exemption(data.len());
    env.svm
        .set_account(
            *key,
            Account {
                lamports,
                data,
                owner: *owner,
                executable: false,
                rent_epoch: 0,
            },
        )
        .expect("set_account");
}

fn license_len() -> usize {
    8 + License::INIT_SPACE
}

/// The highest bump below the canonical one that still gives an off-curve license address.
fn non_canonical_license(skill: &Pubkey, buyer: &Pubkey) -> (Pubkey, u8) {
    let seeds: [&[u8]; 3] = [SEED_LICENSE, skill.as_ref(), buyer.as_ref()];
    let (canonical, canonical_bump) = Pubkey::find_program_address(&seeds, &program_id());
    (0..canonical_bump)
        .rev()
        .find_map(|bump| {
            Pubkey::create_program_address(
                &[SEED_LICENSE, skill.as_ref(), buyer.as_ref(), &[bump]],
                &program_id(),
            )
            .ok()
            .map(|address| (address, bump))
        })
        .filter(|(address, _)| *address != canonical)
        .expect("a non-canonical bump")
}

fn canonical_bump(seeds: &[&[u8]]) -> u8 {
    Pubkey::find_program_address(seeds, &program_id()).1
}

fn marketplace(env: &Env) -> Marketplace {
    env.account(&marketplace_pda())
}

fn purchase_ix_with(
    env: &Env,
    buyer: &Pubkey,
    skill: &Pubkey,
    patch: impl FnOnce(&mut acc::PurchaseLicense),
) -> Instruction {
    let s: Skill = env.account(skill);
    let mut accounts = acc::PurchaseLicense {
        buyer: *buyer,
        marketplace: marketplace_pda(),
        skill: *skill,
        seller: s.author,
        fee_vault: fee_vault_pda(),
        license: license_pda(skill, buyer),
        system_program: system_program::ID,
        event_authority: event_authority(),
        program: program_id(),
    };
    patch(&mut accounts);
    ix(
        accounts,
        ixn::PurchaseLicense {
            args: PurchaseLicenseArgs {
                max_price: u64::MAX,
            },
        },
    )
}

fn new_version() -> UpdateSkillArgs {
    UpdateSkillArgs {
        version: v(2, 0, 0),
        provenance: provenance(9),
        price: Some(1),
        category: None,
    }
}

fn assert_usage(env: &Env, skill: &Pubkey, license: &Pubkey, used: u64, limit: u64) {
    let l: License = env.account(license);
    assert_eq!((l.usage_used, l.usage_limit), (used, limit));
}

// ===== 0. signer authorization =====

#[test]
fn meter_authority_named_but_not_signing_is_refused() {
    let Market {
        mut env,
        skill,
        buyer,
        license,
        ..
    } = market(USAGE);
    let payer = env.funded(SOL);
    let mut ix = env.record_usage_ix(&skill, &buyer.pubkey(), 3, [1; 32]);
    assert_eq!(ix.accounts[0].pubkey, env.meter.pubkey());
    ix.accounts[0].is_signer = false;
    attack(
        &mut env,
        &[ix],
        &[&payer],
        anchor_error(AnchorError::AccountNotSigner),
        "caused by account: meter_authority.",
    );
    assert_usage(&env, &skill, &license, 0, 10);
}

#[test]
fn buyer_named_but_not_signing_cannot_be_charged() {
    let mut env = Env::new();
    let seller = env.funded(10 * SOL);
    let skill = env.register_skill(&seller, "pdf-extract", Pricing::OneTime, SOL, None);
    let victim = env.funded(10 * SOL);
    let attacker = env.funded(SOL);
    let mut ix = env.purchase_sol_ix(&victim.pubkey(), &skill, u64::MAX, None);
    assert_eq!(ix.accounts[0].pubkey, victim.pubkey());
    ix.accounts[0].is_signer = false;
    attack(
        &mut env,
        &[ix],
        &[&attacker],
        anchor_error(AnchorError::AccountNotSigner),
        "caused by account: buyer.",
    );
    assert_eq!(env.lamports(&victim.pubkey()), 10 * SOL);
    assert!(!env.exists(&license_pda(&skill, &victim.pubkey())));
}

#[test]
fn non_admin_cannot_update_marketplace() {
    let mut env = Env::new();
    let attacker = env.funded(SOL);
    let ix = update_marketplace_ix(
        &attacker.pubkey(),
        UpdateMarketplaceArgs {
            treasury: Some(attacker.pubkey()),
            fee_bps: Some(MAX_FEE_BPS),
            pauser: Some(attacker.pubkey()),
            notice_secs: Some(MAX_NOTICE_SECS),
        },
    );
    attack(
        &mut env,
        &[ix],
        &[&attacker],
        program_error(MarketplaceError::Unauthorized),
        "caused by account: marketplace.",
    );
    let m = marketplace(&env);
    assert_eq!(m.admin, env.admin.pubkey());
    assert_eq!((m.treasury, m.pauser), (env.treasury.pubkey(), env.admin.pubkey()));
    assert_eq!((m.fee_bps, m.pending_fee, m.notice_secs, m.paused), (DEFAULT_FEE_BPS, None, DEFAULT_NOTICE_SECS, false));
}

#[test]
fn non_meter_signer_cannot_record_usage() {
    let Market {
        mut env,
        skill,
        buyer,
        license,
        ..
    } = market(USAGE);
    // The buyer meters their own license (e.g. to burn it, or to forge receipts): with no
    // registration of their own, and with the real meter's.
    let ix = record_usage_ix(&buyer.pubkey(), &skill, &license, usage_batch(1, 0, [2; 32]));
    attack(
        &mut env,
        &[ix],
        &[&buyer],
        anchor_error(AnchorError::AccountNotInitialized),
        "caused by account: meter.",
    );
    let mut ix = record_usage_ix(&buyer.pubkey(), &skill, &license, usage_batch(1, 0, [2; 32]));
    ix.accounts[1].pubkey = meter_pda(&env.meter.pubkey());
    attack(
        &mut env,
        &[ix],
        &[&buyer],
        program_error(MarketplaceError::UnauthorizedMeter),
        "caused by account: meter.",
    );
    assert_usage(&env, &skill, &license, 0, 10);
}

// ===== 1. owner checks =====

#[test]
fn marketplace_at_its_pda_but_owned_by_another_program_is_refused() {
    let mut env = Env::new();
    let fake_program = Keypair::new().pubkey();
    let mut forged = env.raw(&marketplace_pda()).expect("marketplace");
    let genuine = forged.clone();
    forged.owner = fake_program;
    env.svm
        .set_account(marketplace_pda(), forged)
        .expect("set_account");

    let ix = update_marketplace_ix(
        &env.admin.pubkey(),
        UpdateMarketplaceArgs {
            fee_bps: Some(0),
            ..Default::default()
        },
    );
    let admin = env.admin.insecure_clone();
    attack(
        &mut env,
        &[ix],
        &[&admin],
        anchor_error(AnchorError::AccountOwnedByWrongProgram),
        "caused by account: marketplace.",
    );
    let after = env.raw(&marketplace_pda()).expect("marketplace");
    assert_eq!((after.owner, &after.data), (fake_program, &genuine.data));
}

#[test]
fn forged_marketplace_copy_owned_by_another_program_cannot_redirect_fees() {
    let mut env = Env::new();
    let seller = env.funded(10 * SOL);
    let skill = env.register_skill(&seller, "pdf-extract", Pricing::OneTime, SOL, None);
    let buyer = env.funded(10 * SOL);
    let seller_before = env.lamports(&seller.pubkey());
    let attacker = Keypair::new().pubkey();
    // Same layout and bump as the real one, but the attacker takes the whole price as "fee".
    let mut m = marketplace(&env);
    m.treasury = attacker;
    m.fee_bps = 10_000;
    let forged = Keypair::new().pubkey();
    for owner in [system_program::ID, MEMO_PROGRAM] {
        plant(&mut env, &forged, &m, 8 + Marketplace::INIT_SPACE, &owner);
        let ix = purchase_ix_with(&env, &buyer.pubkey(), &skill, |a| {
            a.marketplace = forged;
        });
        attack(
            &mut env,
            &[ix],
            &[&buyer],
            anchor_error(AnchorError::AccountOwnedByWrongProgram),
            "caused by account: marketplace.",
        );
    }
    assert_eq!(env.lamports(&attacker), 0);
    assert_eq!(env.lamports(&seller.pubkey()), seller_before);
    assert!(!env.exists(&license_pda(&skill, &buyer.pubkey())));
    let s: Skill = env.account(&skill);
    assert_eq!((s.sales, s.revenue), (0, 0));
}

#[test]
fn forged_marketplace_owned_by_the_program_elsewhere_fails_the_seeds_check() {
    // Had the owner check been missing, the seeds check would still stop a copy at another
    // address (only `set_account` can put one there: the program never writes such an account).
    let mut env = Env::new();
    let seller = env.funded(10 * SOL);
    let skill = env.register_skill(&seller, "pdf-extract", Pricing::OneTime, SOL, None);
    let buyer = env.funded(10 * SOL);
    let attacker = Keypair::new().pubkey();
    let mut m = marketplace(&env);
    m.treasury = attacker;
    m.fee_bps = 10_000;
    let forged = Keypair::new().pubkey();
    plant(
        &mut env,
        &forged,
        &m,
        8 + Marketplace::INIT_SPACE,
        &program_id(),
    );
    let ix = purchase_ix_with(&env, &buyer.pubkey(), &skill, |a| {
        a.marketplace = forged;
    });
    attack(
        &mut env,
        &[ix],
        &[&buyer],
        anchor_error(AnchorError::ConstraintSeeds),
        "caused by account: marketplace.",
    );
    assert_eq!(env.lamports(&attacker), 0);
    assert!(!env.exists(&license_pda(&skill, &buyer.pubkey())));
}

// ===== 2. account data matching =====

#[test]
fn usage_cannot_be_recorded_against_another_skills_license() {
    let Market {
        mut env,
        seller,
        skill,
        license,
        ..
    } = market(USAGE);
    let other = env.register_skill(&seller, "ocr", USAGE, SOL / 10, None);
    let ix = record_usage_ix(&env.meter.pubkey(), &other, &license, usage_batch(1, 0, [3; 32]));
    let meter = env.meter.insecure_clone();
    attack(
        &mut env,
        &[ix],
        &[&meter],
        anchor_error(AnchorError::ConstraintSeeds),
        "caused by account: license.",
    );
    assert_usage(&env, &skill, &license, 0, 10);
}

#[test]
fn license_whose_skill_field_disagrees_with_its_address_is_refused() {
    // Defence in depth: a license at the (skill B, buyer) address but recording skill A. The
    // program never writes such an account; `has_one = skill` refuses it anyway.
    let Market {
        mut env,
        seller,
        skill,
        buyer,
        license,
    } = market(USAGE);
    let other = env.register_skill(&seller, "ocr", USAGE, SOL / 10, None);
    let address = license_pda(&other, &buyer.pubkey());
    let mut l: License = env.account(&license);
    l.bump = canonical_bump(&[SEED_LICENSE, other.as_ref(), buyer.pubkey().as_ref()]);
    plant(&mut env, &address, &l, license_len(), &program_id());
    let ix = record_usage_ix(&env.meter.pubkey(), &other, &address, usage_batch(1, 0, [3; 32]));
    let meter = env.meter.insecure_clone();
    attack(
        &mut env,
        &[ix],
        &[&meter],
        program_error(MarketplaceError::LicenseSkillMismatch),
        "caused by account: license.",
    );
    assert_usage(&env, &skill, &license, 0, 10);
}

#[test]
fn only_the_author_can_update_or_delist_a_skill() {
    let mut env = Env::new();
    let seller = env.funded(10 * SOL);
    let skill = env.register_skill(&seller, "pdf-extract", Pricing::OneTime, SOL, None);
    let attacker = env.funded(SOL);
    let ix = update_skill_ix(&attacker.pubkey(), &skill, new_version());
    attack(
        &mut env,
        &[ix],
        &[&attacker],
        anchor_error(AnchorError::ConstraintSeeds),
        "caused by account: skill.",
    );
    let ix = set_skill_active_ix(&attacker.pubkey(), &skill, false);
    attack(
        &mut env,
        &[ix],
        &[&attacker],
        anchor_error(AnchorError::ConstraintSeeds),
        "caused by account: skill.",
    );
    let s: Skill = env.account(&skill);
    assert_eq!((s.version, s.price, s.active), (v(1, 0, 0), SOL, true));
    assert_eq!(s.provenance, provenance(1));
}

#[test]
fn skill_at_attackers_address_but_authored_by_victim_fails_has_one() {
    // Defence in depth: a copy of the victim's skill at the attacker's (author, slug) address,
    // so the seeds check passes; `has_one = author` still refuses it.
    let mut env = Env::new();
    let seller = env.funded(10 * SOL);
    let skill = env.register_skill(&seller, "pdf-extract", Pricing::OneTime, SOL, None);
    let attacker = env.funded(SOL);
    let address = skill_pda(&attacker.pubkey(), "pdf-extract");
    let mut s: Skill = env.account(&skill);
    s.bump = canonical_bump(&[SEED_SKILL, attacker.pubkey().as_ref(), b"pdf-extract"]);
    let len = env.raw(&skill).expect("skill").data.len();
    plant(&mut env, &address, &s, len, &program_id());
    let ix = update_skill_ix(&attacker.pubkey(), &address, new_version());
    attack(
        &mut env,
        &[ix],
        &[&attacker],
        program_error(MarketplaceError::Unauthorized),
        "caused by account: skill.",
    );
    let ix = set_skill_active_ix(&attacker.pubkey(), &address, false);
    attack(
        &mut env,
        &[ix],
        &[&attacker],
        program_error(MarketplaceError::Unauthorized),
        "caused by account: skill.",
    );
    let planted: Skill = env.account(&address);
    assert_eq!(
        (planted.author, planted.version, planted.active),
        (seller.pubkey(), v(1, 0, 0), true)
    );
}

#[test]
fn purchase_pays_only_the_author_and_the_fee_vault() {
    let mut env = Env::new();
    let seller = env.funded(10 * SOL);
    let skill = env.register_skill(&seller, "pdf-extract", Pricing::OneTime, SOL, None);
    let buyer = env.funded(10 * SOL);
    let attacker = env.funded(SOL);

    let ix = purchase_ix_with(&env, &buyer.pubkey(), &skill, |a| {
        a.seller = attacker.pubkey()
    });
    attack(
        &mut env,
        &[ix],
        &[&buyer],
        program_error(MarketplaceError::SellerMismatch),
        "caused by account: seller.",
    );
    let ix = purchase_ix_with(&env, &buyer.pubkey(), &skill, |a| {
        a.fee_vault = attacker.pubkey()
    });
    attack(
        &mut env,
        &[ix],
        &[&buyer],
        anchor_error(AnchorError::AccountOwnedByWrongProgram),
        "caused by account: fee_vault.",
    );

    assert_eq!(env.lamports(&attacker.pubkey()), SOL);
    assert!(!env.exists(&license_pda(&skill, &buyer.pubkey())));
    let s: Skill = env.account(&skill);
    assert_eq!((s.sales, s.revenue), (0, 0));
}

// ===== 3. type cosplay =====

#[test]
fn skill_account_passed_as_license_is_refused() {
    let Market {
        mut env,
        skill,
        license,
        ..
    } = market(USAGE);
    let ix = record_usage_ix(&env.meter.pubkey(), &skill, &skill, usage_batch(1, 0, [4; 32]));
    let meter = env.meter.insecure_clone();
    attack(
        &mut env,
        &[ix],
        &[&meter],
        anchor_error(AnchorError::AccountDiscriminatorMismatch),
        "caused by account: license.",
    );
    assert_usage(&env, &skill, &license, 0, 10);
}

#[test]
fn skill_bytes_at_the_license_address_are_refused_by_the_discriminator() {
    // A program-owned account at the exact license PDA, holding a Skill: owner and address
    // checks pass, only the discriminator tells it apart.
    let Market {
        mut env,
        skill,
        buyer,
        license,
        ..
    } = market(USAGE);
    let skill_bytes = env.raw(&skill).expect("skill").data;
    assert!(skill_bytes.starts_with(Skill::DISCRIMINATOR));
    plant_raw(&mut env, &license, skill_bytes.clone(), &program_id());

    let ix = env.record_usage_ix(&skill, &buyer.pubkey(), 1, [4; 32]);
    let meter = env.meter.insecure_clone();
    attack(
        &mut env,
        &[ix],
        &[&meter],
        anchor_error(AnchorError::AccountDiscriminatorMismatch),
        "caused by account: license.",
    );
    // A renewal (init_if_needed on an existing account) checks the discriminator too.
    let ix = env.purchase_sol_ix(&buyer.pubkey(), &skill, u64::MAX, None);
    attack(
        &mut env,
        &[ix],
        &[&buyer],
        anchor_error(AnchorError::AccountDiscriminatorMismatch),
        "caused by account: license.",
    );
    assert_eq!(env.raw(&license).expect("planted").data, skill_bytes);
    let s: Skill = env.account(&skill);
    assert_eq!(s.sales, 1);
}

#[test]
fn agent_account_passed_as_marketplace_is_refused() {
    let mut env = Env::new();
    let attacker = env.funded(SOL);
    // The attacker's agent profile is a program-owned account whose first field is their key,
    // just where Marketplace keeps its admin.
    let agent = env.register_agent(&attacker, "attacker");
    let mut ix = set_paused_ix(&attacker.pubkey(), true);
    ix.accounts[1].pubkey = agent;
    attack(
        &mut env,
        &[ix],
        &[&attacker],
        anchor_error(AnchorError::AccountDiscriminatorMismatch),
        "caused by account: marketplace.",
    );
    let a: Agent = env.account(&agent);
    assert_eq!((a.wallet, a.name.as_str()), (attacker.pubkey(), "attacker"));
    assert!(!marketplace(&env).paused);
}

// ===== 4. re-initialization =====

#[test]
fn marketplace_cannot_be_initialized_twice() {
    let mut env = Env::new();
    let attacker = env.funded(SOL);
    let ix = env.initialize_ix(&attacker.pubkey(), 0);
    attack(
        &mut env,
        &[ix],
        &[&attacker],
        ACCOUNT_ALREADY_IN_USE,
        &already_in_use(&marketplace_pda()),
    );
    let admin = env.admin.insecure_clone();
    let ix = env.initialize_ix(&admin.pubkey(), 0);
    attack(
        &mut env,
        &[ix],
        &[&admin],
        ACCOUNT_ALREADY_IN_USE,
        &already_in_use(&marketplace_pda()),
    );
    let m = marketplace(&env);
    assert_eq!(
        (m.admin, m.fee_bps, m.skill_count),
        (env.admin.pubkey(), DEFAULT_FEE_BPS, 0)
    );
}

#[test]
fn agent_cannot_be_registered_twice() {
    let mut env = Env::new();
    let wallet = env.funded(SOL);
    let agent = env.register_agent(&wallet, "first");
    let registered_at = env.account::<Agent>(&agent).registered_at;
    env.advance(HOUR);
    let ix = register_agent_ix(&wallet.pubkey(), "second", "https://evil.example/meta.json");
    attack(
        &mut env,
        &[ix],
        &[&wallet],
        ACCOUNT_ALREADY_IN_USE,
        &already_in_use(&agent),
    );
    let a: Agent = env.account(&agent);
    assert_eq!(
        (a.name.as_str(), a.registered_at, a.skills_published),
        ("first", registered_at, 0)
    );
}

#[test]
fn review_cannot_be_posted_twice() {
    let Market {
        mut env,
        skill,
        buyer,
        ..
    } = market(USAGE);
    env.record_usage(&skill, &buyer.pubkey(), 1).expect("use the license");
    env.send(
        &[post_review_ix(&buyer.pubkey(), &skill, 5, "QmFirst")],
        &[&buyer],
    )
    .expect("review");
    let ix = post_review_ix(&buyer.pubkey(), &skill, 1, "QmSecond");
    attack(
        &mut env,
        &[ix],
        &[&buyer],
        ACCOUNT_ALREADY_IN_USE,
        &already_in_use(&review_pda(&skill, &buyer.pubkey())),
    );
    let s: Skill = env.account(&skill);
    assert_eq!((s.rating_sum, s.rating_count), (5, 1));
    let r: Review = env.account(&review_pda(&skill, &buyer.pubkey()));
    assert_eq!((r.rating, r.text_cid.as_str()), (5, "QmFirst"));
}

// ===== 5. arbitrary CPI =====

#[test]
fn purchase_refuses_a_substitute_system_program() {
    let mut env = Env::new();
    let seller = env.funded(10 * SOL);
    let skill = env.register_skill(&seller, "pdf-extract", Pricing::OneTime, SOL, None);
    let buyer = env.funded(10 * SOL);
    let seller_before = env.lamports(&seller.pubkey());
    assert!(
        env.svm
            .get_account(&MEMO_PROGRAM)
            .expect("memo program")
            .executable
    );
    for fake in [MEMO_PROGRAM, program_id(), Keypair::new().pubkey()] {
        let ix = purchase_ix_with(&env, &buyer.pubkey(), &skill, |a| a.system_program = fake);
        attack(
            &mut env,
            &[ix],
            &[&buyer],
            anchor_error(AnchorError::InvalidProgramId),
            "caused by account: system_program.",
        );
    }
    assert_eq!(env.lamports(&seller.pubkey()), seller_before);
    assert!(!env.exists(&license_pda(&skill, &buyer.pubkey())));
}

#[test]
fn spl_purchase_refuses_a_substitute_token_program() {
    let mut env = Env::new();
    let token_program = anchor_spl::token::spl_token::ID;
    let mint = create_mint(&mut env, &token_program).pubkey();
    let seller = env.funded(10 * SOL);
    let skill = env.register_skill(
        &seller,
        "pdf-extract",
        Pricing::OneTime,
        10 * USDC,
        Some(mint),
    );
    let buyer = env.funded(10 * SOL);
    let buyer_token = token_account(&mut env, &token_program, &mint, &buyer.pubkey(), 100 * USDC);
    let seller_token = token_account(&mut env, &token_program, &mint, &seller.pubkey(), 0);
    let treasury = env.treasury.pubkey();
    let treasury_token = token_account(&mut env, &token_program, &mint, &treasury, 0);
    let ix = purchase_spl_ix(&SplPurchase {
        buyer: buyer.pubkey(),
        skill,
        mint,
        buyer_token,
        seller_token,
        treasury_token,
        token_program: MEMO_PROGRAM,
        max_price: u64::MAX,
        reference: None,
    });
    attack(
        &mut env,
        &[ix],
        &[&buyer],
        anchor_error(AnchorError::InvalidProgramId),
        "caused by account: token_program.",
    );
    assert_eq!(token_balance(&env, &buyer_token), 100 * USDC);
    assert_eq!(token_balance(&env, &seller_token), 0);
}

// ===== 6. duplicate mutable accounts =====

#[test]
fn author_cannot_buy_own_skill_as_buyer_and_seller() {
    let mut env = Env::new();
    let seller = env.funded(10 * SOL);
    let skill = env.register_skill(&seller, "pdf-extract", USAGE, SOL, None);
    // buyer == seller: the same writable account twice (wash trading to inflate sales).
    let ix = env.purchase_sol_ix(&seller.pubkey(), &skill, u64::MAX, None);
    assert_eq!(ix.accounts[0].pubkey, ix.accounts[3].pubkey);
    attack(
        &mut env,
        &[ix],
        &[&seller],
        program_error(MarketplaceError::CannotBuyOwnSkill),
        "thrown in programs/skill_marketplace/src/instructions/purchase.rs",
    );
    let s: Skill = env.account(&skill);
    assert_eq!((s.sales, s.revenue), (0, 0));
    assert!(!env.exists(&license_pda(&skill, &seller.pubkey())));
}

#[test]
fn buyer_cannot_name_own_wallet_as_seller_or_fee_vault() {
    let mut env = Env::new();
    let seller = env.funded(10 * SOL);
    let skill = env.register_skill(&seller, "pdf-extract", Pricing::OneTime, SOL, None);
    let buyer = env.funded(10 * SOL);
    let ix = purchase_ix_with(&env, &buyer.pubkey(), &skill, |a| a.seller = buyer.pubkey());
    attack(
        &mut env,
        &[ix],
        &[&buyer],
        program_error(MarketplaceError::SellerMismatch),
        "caused by account: seller.",
    );
    let ix = purchase_ix_with(&env, &buyer.pubkey(), &skill, |a| {
        a.fee_vault = buyer.pubkey()
    });
    attack(
        &mut env,
        &[ix],
        &[&buyer],
        anchor_error(AnchorError::AccountOwnedByWrongProgram),
        "caused by account: fee_vault.",
    );
    assert!(!env.exists(&license_pda(&skill, &buyer.pubkey())));
    let s: Skill = env.account(&skill);
    assert_eq!((s.sales, s.revenue), (0, 0));
}

// ===== 7. bump seed canonicalization =====
//
// Every account the program creates is created by `init` / `init_if_needed` with a bare `bump`,
// i.e. at the canonical address (`find_program_address`), and stores that canonical bump; the
// first test shows a non-canonical license address is refused at creation. Later instructions
// re-derive addresses with `bump = <account>.bump`, the bump stored in the account itself. So an
// account at a non-canonical address that also stores its non-canonical bump WOULD pass the
// seeds check (checked by planting one: record_usage meters it, close_license closes it, and a
// non-canonical Marketplace copy routes a purchase's whole price to its treasury). That is not
// reachable: only the program can write accounts it owns, and it never writes one at a
// non-canonical address. The second test shows that a copy keeping the canonical bump is refused.

#[test]
fn purchase_refuses_a_license_address_with_a_non_canonical_bump() {
    let mut env = Env::new();
    let seller = env.funded(10 * SOL);
    let skill = env.register_skill(&seller, "pdf-extract", USAGE, SOL, None);
    let buyer = env.funded(10 * SOL);
    let (address, bump) = non_canonical_license(&skill, &buyer.pubkey());
    assert!(bump < canonical_bump(&[SEED_LICENSE, skill.as_ref(), buyer.pubkey().as_ref()]));
    let ix = purchase_ix_with(&env, &buyer.pubkey(), &skill, |a| a.license = address);
    attack(
        &mut env,
        &[ix],
        &[&buyer],
        anchor_error(AnchorError::ConstraintSeeds),
        "caused by account: license.",
    );
    assert!(!env.exists(&address));
    assert!(!env.exists(&license_pda(&skill, &buyer.pubkey())));
}

#[test]
fn license_at_a_non_canonical_address_with_the_canonical_bump_stored_is_refused() {
    let Market {
        mut env,
        skill,
        buyer,
        license,
        ..
    } = market(USAGE);
    let (address, _) = non_canonical_license(&skill, &buyer.pubkey());
    let copy: License = env.account(&license);
    plant(&mut env, &address, &copy, license_len(), &program_id());
    let ix = record_usage_ix(&env.meter.pubkey(), &skill, &address, usage_batch(1, 0, [5; 32]));
    let meter = env.meter.insecure_clone();
    attack(
        &mut env,
        &[ix],
        &[&meter],
        anchor_error(AnchorError::ConstraintSeeds),
        "caused by account: license.",
    );
    let ix = close_license_ix(&buyer.pubkey(), &address);
    attack(
        &mut env,
        &[ix],
        &[&buyer],
        anchor_error(AnchorError::ConstraintSeeds),
        "caused by account: license.",
    );
    assert_usage(&env, &skill, &license, 0, 10);
}

// ===== 8. PDA sharing =====

#[test]
fn another_buyers_license_cannot_be_used_to_review_or_be_closed() {
    let Market {
        mut env,
        skill,
        license,
        ..
    } = market(USAGE);
    let intruder = env.funded(10 * SOL);
    let mut review = post_review_ix(&intruder.pubkey(), &skill, 1, "QmSpam");
    review.accounts[2].pubkey = license;
    attack(
        &mut env,
        &[review],
        &[&intruder],
        anchor_error(AnchorError::ConstraintSeeds),
        "caused by account: license.",
    );
    let close = close_license_ix(&intruder.pubkey(), &license);
    attack(
        &mut env,
        &[close],
        &[&intruder],
        anchor_error(AnchorError::ConstraintSeeds),
        "caused by account: license.",
    );
    assert_usage(&env, &skill, &license, 0, 10);
    let s: Skill = env.account(&skill);
    assert_eq!((s.rating_sum, s.rating_count), (0, 0));
    assert!(!env.exists(&review_pda(&skill, &intruder.pubkey())));
}

#[test]
fn license_at_the_intruders_address_but_held_by_another_buyer_is_refused() {
    // Defence in depth: the holder's license copied to the intruder's license address (bump
    // adjusted so the seeds check passes). The `buyer` field still refuses it.
    let Market {
        mut env,
        skill,
        buyer,
        license,
        ..
    } = market(USAGE);
    env.record_usage(&skill, &buyer.pubkey(), 10)
        .expect("use up the license");
    let intruder = env.funded(10 * SOL);
    let address = license_pda(&skill, &intruder.pubkey());
    let mut l: License = env.account(&license);
    l.bump = canonical_bump(&[SEED_LICENSE, skill.as_ref(), intruder.pubkey().as_ref()]);
    plant(&mut env, &address, &l, license_len(), &program_id());

    let ix = post_review_ix(&intruder.pubkey(), &skill, 1, "QmSpam");
    attack(
        &mut env,
        &[ix],
        &[&intruder],
        program_error(MarketplaceError::NotLicenseHolder),
        "caused by account: license.",
    );
    let ix = close_license_ix(&intruder.pubkey(), &address);
    attack(
        &mut env,
        &[ix],
        &[&intruder],
        program_error(MarketplaceError::NotLicenseHolder),
        "caused by account: license.",
    );
    let planted: License = env.account(&address);
    assert_eq!(planted.buyer, buyer.pubkey());
    let s: Skill = env.account(&skill);
    assert_eq!(s.rating_count, 0);
}

// ===== 9. closing accounts =====

/// A subscription license that has expired, ready to be closed by its buyer.
fn expired_subscription() -> Market {
    let mut m = market(MONTHLY);
    m.env.advance(30 * 24 * HOUR);
    m
}

#[test]
fn closed_license_cannot_be_metered() {
    let Market {
        mut env,
        skill,
        buyer,
        license,
        ..
    } = expired_subscription();
    let rent = env.lamports(&license);
    let before = env.lamports(&buyer.pubkey());
    env.send(&[close_license_ix(&buyer.pubkey(), &license)], &[&buyer])
        .expect("close");
    assert_eq!(
        env.lamports(&buyer.pubkey()),
        before + rent - FEE_PER_SIGNATURE
    );
    let closed = env.svm.get_account(&license);
    assert!(
        closed
            .as_ref()
            .is_none_or(|a| a.lamports == 0 && a.data.is_empty()),
        "{closed:?}"
    );

    let ix = env.record_usage_ix(&skill, &buyer.pubkey(), 1, [8; 32]);
    let meter = env.meter.insecure_clone();
    attack(
        &mut env,
        &[ix],
        &[&meter],
        anchor_error(AnchorError::AccountNotInitialized),
        "caused by account: license.",
    );
    let ix = close_license_ix(&buyer.pubkey(), &license);
    attack(
        &mut env,
        &[ix],
        &[&buyer],
        anchor_error(AnchorError::AccountNotInitialized),
        "caused by account: license.",
    );
    let ix = post_review_ix(&buyer.pubkey(), &skill, 5, "QmLate");
    attack(
        &mut env,
        &[ix],
        &[&buyer],
        anchor_error(AnchorError::AccountNotInitialized),
        "caused by account: license.",
    );
    let s: Skill = env.account(&skill);
    assert_eq!(s.rating_count, 0);
}

#[test]
fn license_cannot_be_closed_twice_in_one_transaction() {
    let Market {
        mut env,
        buyer,
        license,
        ..
    } = expired_subscription();
    let close = close_license_ix(&buyer.pubkey(), &license);
    attack(
        &mut env,
        &[close.clone(), close],
        &[&buyer],
        anchor_error(AnchorError::AccountNotInitialized),
        "caused by account: license.",
    );
    let l: License = env.account(&license);
    assert_eq!((l.buyer, l.purchases), (buyer.pubkey(), 1));
}

#[test]
fn closed_license_cannot_be_revived_by_refunding_it_in_the_same_transaction() {
    let Market {
        mut env,
        skill,
        buyer,
        license,
        ..
    } = expired_subscription();
    let rent = env.lamports(&license);
    let ixs = [
        close_license_ix(&buyer.pubkey(), &license),
        anchor_lang::solana_program::system_instruction::transfer(&buyer.pubkey(), &license, rent),
        env.record_usage_ix(&skill, &buyer.pubkey(), 1, [9; 32]),
    ];
    let meter = env.meter.insecure_clone();
    attack(
        &mut env,
        &ixs,
        &[&buyer, &meter],
        anchor_error(AnchorError::AccountOwnedByWrongProgram),
        "caused by account: license.",
    );
    let l: License = env.account(&license);
    assert_eq!((l.usage_used, l.purchases), (0, 1));
}

#[test]
fn active_license_cannot_be_closed() {
    let Market {
        mut env,
        buyer,
        license,
        ..
    } = market(MONTHLY);
    env.advance(30 * 24 * HOUR - 1);
    let ix = close_license_ix(&buyer.pubkey(), &license);
    attack(
        &mut env,
        &[ix],
        &[&buyer],
        program_error(MarketplaceError::LicenseStillActive),
        "thrown in programs/skill_marketplace/src/instructions/close_license.rs",
    );
    assert!(env.exists(&license));
}

// ===== 10. sysvar address checking =====
//
// No instruction takes a sysvar account: Clock comes from `Clock::get()` and Rent from
// `Rent::get()`, both syscalls served by the runtime, so there is no sysvar address to spoof
// and the class does not otherwise apply. These tests show that time follows the VM clock and
// that a forged "clock" account handed to the program changes nothing.

/// A system-sysvar-owned account laid out like `Clock`, claiming `unix_timestamp`.
fn forged_clock(env: &mut Env, unix_timestamp: i64) -> Pubkey {
    let mut data = Vec::new();
    for field in [1u64, 0, 0, 0] {
        data.extend_from_slice(&field.to_le_bytes()); // slot, epoch start, epoch, leader epoch
    }
    data.extend_from_slice(&unix_timestamp.to_le_bytes());
    let key = Keypair::new().pubkey();
    plant_raw(env, &key, data, &anchor_lang::solana_program::sysvar::ID);
    key
}

#[test]
fn purchase_time_follows_the_vm_clock_not_a_forged_clock_account() {
    let mut env = Env::new();
    let seller = env.funded(10 * SOL);
    let skill = env.register_skill(&seller, "pdf-extract", MONTHLY, SOL, None);
    let buyer = env.funded(10 * SOL);
    let when = START_TIME + 12_345;
    env.set_time(when);
    let forged = forged_clock(&mut env, i64::MAX / 2);
    // The only extra account a purchase accepts is the Solana Pay reference; a fake clock passed
    // there is just echoed as the reference.
    let ix = env.purchase_sol_ix(&buyer.pubkey(), &skill, u64::MAX, Some(forged));
    env.send(&[ix], &[&buyer]).expect("purchase");
    let l: License = env.account(&license_pda(&skill, &buyer.pubkey()));
    assert_eq!(l.purchased_at, when);
    assert_eq!(l.expires_at, when + 30 * 24 * HOUR);
}

#[test]
fn expired_subscription_stays_expired_whatever_clock_account_is_passed() {
    let Market {
        mut env,
        skill,
        buyer,
        license,
        ..
    } = expired_subscription();
    let forged = forged_clock(&mut env, START_TIME);
    let mut ix = env.record_usage_ix(&skill, &buyer.pubkey(), 1, [10; 32]);
    ix.accounts.push(AccountMeta::new_readonly(forged, false));
    ix.accounts.push(AccountMeta::new_readonly(
        anchor_lang::solana_program::sysvar::clock::ID,
        false,
    ));
    let meter = env.meter.insecure_clone();
    attack(
        &mut env,
        &[ix],
        &[&meter],
        program_error(MarketplaceError::SubscriptionExpired),
        "thrown in programs/skill_marketplace/src/state/license.rs",
    );
    let l: License = env.account(&license);
    assert_eq!(
        (l.usage_used, l.expires_at),
        (0, START_TIME + 30 * 24 * HOUR)
    );
}

// ===== pause switch =====

#[test]
fn paused_marketplace_blocks_purchases() {
    let mut env = Env::new();
    let seller = env.funded(10 * SOL);
    let skill = env.register_skill(&seller, "pdf-extract", Pricing::OneTime, SOL, None);
    let buyer = env.funded(10 * SOL);
    env.set_paused(true);
    let ix = env.purchase_sol_ix(&buyer.pubkey(), &skill, u64::MAX, None);
    attack(
        &mut env,
        &[ix],
        &[&buyer],
        program_error(MarketplaceError::MarketplacePaused),
        "thrown in programs/skill_marketplace/src/state/marketplace.rs",
    );
    assert!(!env.exists(&license_pda(&skill, &buyer.pubkey())));
    assert_eq!(env.lamports(&buyer.pubkey()), 10 * SOL - FEE_PER_SIGNATURE);
}

#[test]
fn paused_marketplace_blocks_agent_registration() {
    let mut env = Env::new();
    env.set_paused(true);
    let wallet = env.funded(SOL);
    let ix = register_agent_ix(&wallet.pubkey(), "late", "https://agents.example/meta.json");
    attack(
        &mut env,
        &[ix],
        &[&wallet],
        program_error(MarketplaceError::MarketplacePaused),
        "thrown in programs/skill_marketplace/src/state/marketplace.rs",
    );
    assert!(!env.exists(&agent_pda(&wallet.pubkey())));
}

#[test]
fn paused_marketplace_blocks_skill_registration() {
    let mut env = Env::new();
    let seller = env.funded(10 * SOL);
    let agent = env.register_agent(&seller, "seller");
    env.set_paused(true);
    let ix = register_skill_ix(&seller.pubkey(), "pdf-extract", Pricing::OneTime, SOL, None);
    attack(
        &mut env,
        &[ix],
        &[&seller],
        program_error(MarketplaceError::MarketplacePaused),
        "thrown in programs/skill_marketplace/src/state/marketplace.rs",
    );
    assert!(!env.exists(&skill_pda(&seller.pubkey(), "pdf-extract")));
    assert_eq!(env.account::<Agent>(&agent).skills_published, 0);
    assert_eq!(marketplace(&env).skill_count, 0);
}

#[test]
fn paused_marketplace_blocks_usage_metering() {
    let Market {
        mut env,
        skill,
        buyer,
        license,
        ..
    } = market(USAGE);
    env.set_paused(true);
    let ix = env.record_usage_ix(&skill, &buyer.pubkey(), 1, [11; 32]);
    let meter = env.meter.insecure_clone();
    attack(
        &mut env,
        &[ix],
        &[&meter],
        program_error(MarketplaceError::MarketplacePaused),
        "thrown in programs/skill_marketplace/src/state/marketplace.rs",
    );
    assert_usage(&env, &skill, &license, 0, 10);
}

#[test]
fn paused_marketplace_blocks_skill_updates_and_listing_changes() {
    let mut env = Env::new();
    let seller = env.funded(10 * SOL);
    let skill = env.register_skill(&seller, "pdf-extract", Pricing::OneTime, SOL, None);
    let before = env.raw(&skill);
    env.set_paused(true);
    // Swapping the image buyers run, or delisting, waits for the marketplace to reopen.
    for ix in [update_skill_ix(&seller.pubkey(), &skill, new_version()), set_skill_active_ix(&seller.pubkey(), &skill, false)] {
        attack(
            &mut env,
            &[ix],
            &[&seller],
            program_error(MarketplaceError::MarketplacePaused),
            "thrown in programs/skill_marketplace/src/state/marketplace.rs",
        );
    }
    assert_eq!(env.raw(&skill), before);
    env.set_paused(false);
    env.send(&[update_skill_ix(&seller.pubkey(), &skill, new_version())], &[&seller]).expect("update after unpause");
}
