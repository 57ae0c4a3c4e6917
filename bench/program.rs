//! Program figures: serialized size of real, successfully executed purchase transactions
//! (SOL, USDC on SPL Token, USDC on Token-2022, each carrying a Solana Pay reference key) and of a
//! vault split (pay-per-call money to seller and treasury), and the data size of every account type. Prints them and writes bench/results/program.json.

#[path = "../programs/skill_marketplace/tests/common/mod.rs"]
mod common;

use std::collections::BTreeMap;

use anchor_lang::Space;
use anchor_spl::{token::spl_token, token_2022::spl_token_2022};
use common::*;
use skill_marketplace::state::*;
use solana_keypair::Keypair;
use solana_message::Message;
use solana_signer::Signer;
use solana_transaction::Transaction;

/// Signs `ix` for `buyer`, checks it executes, and returns its wire size in bytes.
fn executed_size(env: &mut Env, ix: solana_instruction::Instruction, buyer: &Keypair) -> u64 {
    env.svm.expire_blockhash();
    let tx = Transaction::new(&[buyer], Message::new(&[ix], Some(&buyer.pubkey())), env.svm.latest_blockhash());
    let size = bincode::serialize(&tx).expect("serialize transaction").len() as u64;
    assert!(size <= 1232, "transaction exceeds the packet size");
    env.svm.send_transaction(tx).unwrap_or_else(|e| panic!("purchase failed: {:?}", e.meta.logs));
    size
}

fn spl_purchase_size(env: &mut Env, token_program: &anchor_lang::prelude::Pubkey) -> u64 {
    let mint = create_mint(env, token_program);
    let seller = env.funded(10 * SOL);
    let skill = env.register_skill(&seller, "usdc-skill", Pricing::Subscription { interval_secs: 86_400 }, 10 * USDC, Some(mint.pubkey()));
    let buyer = env.funded(SOL);
    let treasury = env.treasury.pubkey();
    let purchase = SplPurchase {
        buyer: buyer.pubkey(),
        skill,
        mint: mint.pubkey(),
        buyer_token: token_account(env, token_program, &mint.pubkey(), &buyer.pubkey(), 100 * USDC),
        seller_token: token_account(env, token_program, &mint.pubkey(), &seller.pubkey(), 0),
        treasury_token: token_account(env, token_program, &mint.pubkey(), &treasury, 0),
        token_program: *token_program,
        max_price: 10 * USDC,
        reference: Some(Keypair::new().pubkey()),
    };
    executed_size(env, purchase_spl_ix(&purchase), &buyer)
}

/// A split of a skill's vault after pay-per-call payments: its wire size (anyone may send it).
fn split_vault_size(env: &mut Env) -> u64 {
    let token_program = spl_token::ID;
    let mint = create_mint(env, &token_program).pubkey();
    let seller = env.funded(10 * SOL);
    let skill = env.register_skill(&seller, "pay-per-call", Pricing::Usage { units_per_purchase: 100 }, 10 * USDC, Some(mint));
    let treasury = env.treasury.pubkey();
    let split = Split {
        skill,
        vault_authority: vault_authority(&skill),
        mint,
        vault: token_account(env, &token_program, &mint, &vault_authority(&skill), 50 * USDC),
        seller_token: token_account(env, &token_program, &mint, &seller.pubkey(), 0),
        treasury_token: token_account(env, &token_program, &mint, &treasury, 0),
        token_program,
    };
    let caller = env.funded(SOL);
    executed_size(env, split_vault_ix(&split), &caller)
}

fn main() {
    let mut figures = BTreeMap::new();

    let mut env = Env::new();
    let seller = env.funded(10 * SOL);
    let skill = env.register_skill(&seller, "sol-skill", Pricing::OneTime, SOL, None);
    let buyer = env.funded(10 * SOL);
    let ix = env.purchase_sol_ix(&buyer.pubkey(), &skill, SOL, Some(Keypair::new().pubkey()));
    figures.insert("purchase_sol_tx_bytes", executed_size(&mut env, ix, &buyer));
    figures.insert("purchase_usdc_tx_bytes", spl_purchase_size(&mut env, &spl_token::ID));
    figures.insert("purchase_usdc_token2022_tx_bytes", spl_purchase_size(&mut env, &spl_token_2022::ID));
    figures.insert("split_vault_tx_bytes", split_vault_size(&mut env));

    let discriminator = 8;
    figures.insert("marketplace_account_bytes", (discriminator + Marketplace::INIT_SPACE) as u64);
    figures.insert("agent_account_bytes", (discriminator + Agent::INIT_SPACE) as u64);
    figures.insert("skill_account_bytes", (discriminator + Skill::INIT_SPACE) as u64);
    figures.insert("license_account_bytes", (discriminator + License::INIT_SPACE) as u64);
    figures.insert("review_account_bytes", (discriminator + Review::INIT_SPACE) as u64);

    for (name, value) in &figures {
        println!("{name:>36} {value}");
    }
    let json = serde_json::to_string_pretty(&figures).expect("figures serialize") + "\n";
    let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../bench/results/program.json");
    std::fs::write(&out, json).expect("write bench/results/program.json");
    println!("wrote {}", out.display());
}
