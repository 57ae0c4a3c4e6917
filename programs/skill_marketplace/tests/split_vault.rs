//! `split_vault`: pay-per-call payments that landed in a skill's vault (a token account owned by
//! the PDA `["skill_vault", skill]`) leave it only by this instruction, which anyone may call, and
//! only to the author and the treasury, split by the purchase rule; every substitution is refused
//! with its exact error and moves nothing. Each scenario runs under the SPL Token program and
//! Token-2022.

#[macro_use]
mod common;

use anchor_lang::prelude::Pubkey;
use anchor_spl::token::spl_token;
use common::*;
use skill_marketplace::{errors::MarketplaceError, events::VaultSplit, state::*};
use solana_instruction::error::InstructionError;
use solana_keypair::Keypair;
use solana_signer::Signer;

/// What pay-per-call payments left in the vault: 1,234.567891 tokens.
const PAID: u64 = 1_234_567_891;
/// 2.5 % of PAID, rounded up (30 864 197.275).
const FEE: u64 = 30_864_198;

for_both_token_programs!(
    anyone_splits_the_vault_to_seller_and_treasury_by_the_purchase_rule,
    the_fee_in_force_applies_and_a_pending_fee_once_effective,
    an_empty_vault_is_nothing_to_split,
    a_paused_marketplace_splits_nothing,
    a_seller_token_account_of_someone_else_is_seller_mismatch,
    a_treasury_token_account_of_someone_else_is_treasury_mismatch,
    a_vault_of_another_authority_is_constraint_token_owner,
    another_skills_vault_authority_is_constraint_seeds,
    no_key_can_move_the_vault_directly,
    one_account_as_seller_and_treasury_is_shared_token_account,
);

struct Vault {
    env: Env,
    token_program: Pubkey,
    mint: Pubkey,
    seller: Keypair,
    caller: Keypair,
    skill: Pubkey,
    vault: Pubkey,
    seller_token: Pubkey,
    treasury_token: Pubkey,
}

impl Vault {
    fn new(token_program: Pubkey) -> Self {
        Self::with_env(Env::new(), token_program)
    }

    fn with_env(mut env: Env, token_program: Pubkey) -> Self {
        let mint = create_mint(&mut env, &token_program).pubkey();
        let seller = env.funded(10 * SOL);
        let caller = env.funded(SOL);
        let skill = env.register_skill(&seller, "pay-per-call", Pricing::Usage { units_per_purchase: 100 }, 10_000, Some(mint));
        let vault = token_account(&mut env, &token_program, &mint, &vault_authority(&skill), PAID);
        let seller_token = token_account(&mut env, &token_program, &mint, &seller.pubkey(), 0);
        let treasury = env.treasury.pubkey();
        let treasury_token = token_account(&mut env, &token_program, &mint, &treasury, 0);
        Vault { env, token_program, mint, seller, caller, skill, vault, seller_token, treasury_token }
    }

    fn split(&self) -> Split {
        Split {
            skill: self.skill,
            vault_authority: vault_authority(&self.skill),
            mint: self.mint,
            vault: self.vault,
            seller_token: self.seller_token,
            treasury_token: self.treasury_token,
            token_program: self.token_program,
        }
    }

    fn ix(&self, s: &Split) -> solana_instruction::Instruction {
        split_vault_ix(s)
    }

    fn send(&mut self, s: &Split) -> TxResult {
        let ix = self.ix(s);
        let caller = self.caller.insecure_clone();
        self.env.send(&[ix], &[&caller])
    }

    fn expect_failure(&mut self, s: &Split, expected: InstructionError) {
        let ix = self.ix(s);
        let caller = self.caller.insecure_clone();
        self.env.expect_failure(&[ix], &[&caller], expected);
    }

    fn balances(&self) -> (u64, u64, u64) {
        (token_balance(&self.env, &self.vault), token_balance(&self.env, &self.seller_token), token_balance(&self.env, &self.treasury_token))
    }
}

fn anyone_splits_the_vault_to_seller_and_treasury_by_the_purchase_rule(token_program: Pubkey) {
    let mut v = Vault::new(token_program);
    // The caller is neither the seller nor the admin: anyone may split.
    let meta = v.send(&v.split()).expect("split");
    assert_eq!(v.balances(), (0, PAID - FEE, FEE));
    let event: VaultSplit = one_event(&meta);
    assert_eq!(
        (event.skill, event.seller, event.mint, event.vault, event.amount, event.fee_bps, event.seller_amount, event.fee_amount),
        (v.skill, v.seller.pubkey(), v.mint, v.vault, PAID, 250, PAID - FEE, FEE)
    );
    // The same split as a purchase of that price.
    assert_eq!(split_price(PAID, 250).unwrap(), (PAID - FEE, FEE));
    // Emptied: a second split has nothing to move.
    v.expect_failure(&v.split(), program_error(MarketplaceError::NothingToSplit));
}

fn the_fee_in_force_applies_and_a_pending_fee_once_effective(token_program: Pubkey) {
    let mut v = Vault::with_env(Env::with_fee(100), token_program);
    v.send(&v.split()).expect("split");
    let fee = PAID.div_ceil(100);
    assert_eq!(v.balances(), (0, PAID - fee, fee));
}

fn an_empty_vault_is_nothing_to_split(token_program: Pubkey) {
    let mut v = Vault::new(token_program);
    let empty = token_account(&mut v.env, &token_program, &v.mint, &vault_authority(&v.skill), 0);
    v.expect_failure(&Split { vault: empty, ..v.split() }, program_error(MarketplaceError::NothingToSplit));
    assert_eq!(v.balances(), (PAID, 0, 0));
}

fn a_paused_marketplace_splits_nothing(token_program: Pubkey) {
    let mut v = Vault::new(token_program);
    v.env.set_paused(true);
    v.expect_failure(&v.split(), program_error(MarketplaceError::MarketplacePaused));
    assert_eq!(v.balances(), (PAID, 0, 0));
}

fn a_seller_token_account_of_someone_else_is_seller_mismatch(token_program: Pubkey) {
    let mut v = Vault::new(token_program);
    let thief = v.caller.pubkey();
    let theirs = token_account(&mut v.env, &token_program, &v.mint, &thief, 0);
    v.expect_failure(&Split { seller_token: theirs, ..v.split() }, program_error(MarketplaceError::SellerMismatch));
    assert_eq!(v.balances(), (PAID, 0, 0));
}

fn a_treasury_token_account_of_someone_else_is_treasury_mismatch(token_program: Pubkey) {
    let mut v = Vault::new(token_program);
    let thief = v.caller.pubkey();
    let theirs = token_account(&mut v.env, &token_program, &v.mint, &thief, 0);
    v.expect_failure(&Split { treasury_token: theirs, ..v.split() }, program_error(MarketplaceError::TreasuryMismatch));
    // The seller's own account in the treasury's place is no better.
    v.expect_failure(&Split { treasury_token: v.seller_token, ..v.split() }, program_error(MarketplaceError::TreasuryMismatch));
    assert_eq!(v.balances(), (PAID, 0, 0));
}

fn a_vault_of_another_authority_is_constraint_token_owner(token_program: Pubkey) {
    let mut v = Vault::new(token_program);
    // Someone's own tokens cannot be pulled in as if they were the vault.
    let victim = v.env.funded(SOL).pubkey();
    let theirs = token_account(&mut v.env, &token_program, &v.mint, &victim, PAID);
    v.expect_failure(&Split { vault: theirs, ..v.split() }, anchor_error(anchor_lang::error::ErrorCode::ConstraintTokenOwner));
    assert_eq!(token_balance(&v.env, &theirs), PAID);
}

fn another_skills_vault_authority_is_constraint_seeds(token_program: Pubkey) {
    let mut v = Vault::new(token_program);
    // A second skill of another seller: its vault cannot be split to the first skill's seller.
    let other_seller = v.env.funded(10 * SOL);
    let other = v.env.register_skill(&other_seller, "other", Pricing::Usage { units_per_purchase: 100 }, 10_000, Some(v.mint));
    let other_vault = token_account(&mut v.env, &token_program, &v.mint, &vault_authority(&other), PAID);
    v.expect_failure(&Split { vault_authority: vault_authority(&other), vault: other_vault, ..v.split() }, anchor_error(anchor_lang::error::ErrorCode::ConstraintSeeds));
    // Naming the other skill, the first seller's account is not its author's.
    v.expect_failure(&Split { skill: other, vault_authority: vault_authority(&other), vault: other_vault, ..v.split() }, program_error(MarketplaceError::SellerMismatch));
    assert_eq!(token_balance(&v.env, &other_vault), PAID);
}

fn no_key_can_move_the_vault_directly(token_program: Pubkey) {
    let mut v = Vault::new(token_program);
    // The admin (who holds the mint authority and every marketplace key) signs a transfer out of the vault:
    // the token program refuses it, since the vault's owner is a PDA only the program signs for.
    let admin = v.env.admin.insecure_clone();
    let theirs = token_account(&mut v.env, &token_program, &v.mint, &admin.pubkey(), 0);
    let transfer = anchor_spl::token_2022::spl_token_2022::instruction::transfer_checked(&token_program, &v.vault, &v.mint, &theirs, &admin.pubkey(), &[], PAID, 6).unwrap();
    let failed = v.env.send(&[transfer], &[&admin]).expect_err("a transfer the vault's owner did not sign");
    assert_eq!(failed.err, solana_transaction_error::TransactionError::InstructionError(0, InstructionError::Custom(spl_token::error::TokenError::OwnerMismatch as u32)));
    assert_eq!(v.balances(), (PAID, 0, 0));
}

fn one_account_as_seller_and_treasury_is_shared_token_account(token_program: Pubkey) {
    // The treasury's own skill: its token account would stand on both sides.
    let mut env = Env::new();
    let mint = create_mint(&mut env, &token_program).pubkey();
    let treasury = env.treasury.insecure_clone();
    env.svm.airdrop(&treasury.pubkey(), 10 * SOL).expect("airdrop");
    let skill = env.register_skill(&treasury, "treasury-skill", Pricing::Usage { units_per_purchase: 100 }, 10_000, Some(mint));
    let vault = token_account(&mut env, &token_program, &mint, &vault_authority(&skill), PAID);
    let both = token_account(&mut env, &token_program, &mint, &treasury.pubkey(), 0);
    let caller = env.funded(SOL);
    let split = Split { skill, vault_authority: vault_authority(&skill), mint, vault, seller_token: both, treasury_token: both, token_program };
    env.expect_failure(&[split_vault_ix(&split)], &[&caller], program_error(MarketplaceError::SharedTokenAccount));
    assert_eq!(token_balance(&env, &vault), PAID);
}
