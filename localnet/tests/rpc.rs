//! The node over real HTTP: protocol errors, faucet, commitment levels, blockhash expiry,
//! transaction history and program errors as a validator reports them.

mod common;

use anchor_lang::solana_program::system_instruction;
use base64::{engine::general_purpose::STANDARD as B64, Engine};
use common::*;
use serde_json::{json, Value};
use solana_keypair::Keypair;
use solana_message::Message;
use solana_pubkey::Pubkey;
use solana_signer::Signer;
use solana_transaction::Transaction;

#[tokio::test]
async fn protocol_errors_are_json_rpc_errors() {
    let t = TestNode::start().await;
    assert_eq!(t.ok("getHealth", json!([])).await, json!("ok"));
    assert_eq!(t.ok("getVersion", json!([])).await["solana-core"], json!("2.3.13"));
    assert_eq!(t.call("noSuchMethod", json!([])).await["error"]["code"], json!(-32601));
    assert_eq!(t.raw("{not json".into()).await["error"]["code"], json!(-32700));
    assert_eq!(t.raw(json!({ "id": 1, "method": "getSlot" }).to_string()).await["error"]["code"], json!(-32600));
    assert_eq!(t.call("getBalance", json!(["not-a-key"])).await["error"]["code"], json!(-32602));
    assert_eq!(t.call("getBalance", json!([Pubkey::new_unique().to_string(), { "commitment": "sometime" }])).await["error"]["code"], json!(-32602));
    let batch = t.raw(json!([{ "jsonrpc": "2.0", "id": 1, "method": "getHealth" }, { "jsonrpc": "2.0", "id": 2, "method": "nope" }]).to_string()).await;
    assert_eq!(batch[0]["result"], json!("ok"));
    assert_eq!(batch[1]["error"]["code"], json!(-32601));
}

#[tokio::test]
async fn airdrop_is_visible_per_commitment() {
    let t = TestNode::start().await;
    let who = Pubkey::new_unique().to_string();
    let sig = t.ok("requestAirdrop", json!([who, 2_000_000_000u64])).await;
    let balance = |c: &'static str| {
        let who = who.clone();
        let t = &t;
        async move { t.ok("getBalance", json!([who, { "commitment": c }])).await["value"].as_u64().unwrap() }
    };
    assert_eq!(balance("processed").await, 2_000_000_000);
    assert_eq!(balance("confirmed").await, 0);
    assert_eq!(balance("finalized").await, 0);
    let status = t.ok("getSignatureStatuses", json!([[sig]])).await;
    assert_eq!(status["value"][0]["confirmationStatus"], json!("processed"));
    t.advance(1).await;
    assert_eq!(balance("confirmed").await, 2_000_000_000);
    assert_eq!(balance("finalized").await, 0);
    t.advance(31).await;
    assert_eq!(balance("finalized").await, 2_000_000_000);
    let status = t.ok("getSignatureStatuses", json!([[sig]])).await;
    assert_eq!(status["value"][0]["confirmationStatus"], json!("finalized"));
    assert_eq!(status["value"][0]["confirmations"], Value::Null);
}

#[tokio::test]
async fn transfer_lands_with_history_and_expired_blockhash_is_refused() {
    let t = TestNode::start().await;
    let payer = Keypair::new();
    let to = Pubkey::new_unique();
    t.ok("requestAirdrop", json!([payer.pubkey().to_string(), 10_000_000_000u64])).await;
    let old_hash = t.blockhash().await;
    t.advance(2).await;

    let ix = system_instruction::transfer(&payer.pubkey(), &to, 1_000_000_000);
    let tx = Transaction::new(&[&payer], Message::new(&[ix.clone()], Some(&payer.pubkey())), t.blockhash().await);
    let sig = t.send(&tx).await["result"].as_str().expect("signature").to_string();
    t.advance(1).await;

    let got = t.ok("getTransaction", json!([sig, { "commitment": "confirmed" }])).await;
    assert_eq!(got["meta"]["err"], Value::Null);
    assert_eq!(got["meta"]["fee"], json!(5000));
    assert_eq!(got["meta"]["preBalances"][0], json!(10_000_000_000u64));
    assert_eq!(got["meta"]["postBalances"][0], json!(10_000_000_000u64 - 1_000_000_000 - 5000));
    assert_eq!(got["meta"]["postBalances"][1], json!(1_000_000_000u64));
    assert_eq!(got["meta"]["logMessages"][0], json!("Program 11111111111111111111111111111111 invoke [1]"));
    assert_eq!(got["transaction"]["message"]["accountKeys"][1], json!(to.to_string()));
    let b64 = t.ok("getTransaction", json!([sig, { "commitment": "confirmed", "encoding": "base64" }])).await;
    assert_eq!(b64["transaction"][1], json!("base64"));

    let history = t.ok("getSignaturesForAddress", json!([payer.pubkey().to_string(), { "commitment": "confirmed" }])).await;
    assert_eq!(history.as_array().unwrap().len(), 2);
    assert_eq!(history[0]["signature"], json!(sig), "newest first");
    let older = t.ok("getSignaturesForAddress", json!([payer.pubkey().to_string(), { "commitment": "confirmed", "before": sig }])).await;
    assert_eq!(older.as_array().unwrap().len(), 1);
    let limited = t.ok("getSignaturesForAddress", json!([payer.pubkey().to_string(), { "commitment": "confirmed", "limit": 1 }])).await;
    assert_eq!(limited.as_array().unwrap().len(), 1);

    // A blockhash older than 150 slots is no longer accepted.
    t.advance(150).await;
    assert_eq!(t.ok("isBlockhashValid", json!([old_hash.to_string()])).await["value"], json!(false));
    let stale = Transaction::new(&[&payer], Message::new(&[ix], Some(&payer.pubkey())), old_hash);
    let refused = t.send(&stale).await;
    assert_eq!(refused["error"]["code"], json!(-32002));
    assert_eq!(refused["error"]["data"]["err"], json!("BlockhashNotFound"));
}

#[tokio::test]
async fn program_errors_come_back_as_a_validator_reports_them() {
    let t = TestNode::start().await;
    let admin = Keypair::new();
    t.ok("requestAirdrop", json!([admin.pubkey().to_string(), 10_000_000_000u64])).await;
    let ix = initialize_ix(&admin.pubkey(), 5_000);
    let tx = Transaction::new(&[&admin], Message::new(&[ix], Some(&admin.pubkey())), t.blockhash().await);
    let refused = t.send(&tx).await;
    assert_eq!(refused["error"]["code"], json!(-32002));
    assert_eq!(refused["error"]["data"]["err"], json!({ "InstructionError": [0, { "Custom": 6000 }] }));
    assert!(refused["error"]["message"].as_str().unwrap().contains("custom program error: 0x1770"), "{refused}");
    let logs = refused["error"]["data"]["logs"].as_array().unwrap();
    assert!(logs.iter().any(|l| l.as_str().unwrap().contains("Error Code: FeeTooHigh")), "{logs:?}");

    // With preflight skipped the failed transaction is recorded, fee charged.
    let wire = B64.encode(bincode::serialize(&tx).unwrap());
    let sig = t.ok("sendTransaction", json!([wire, { "encoding": "base64", "skipPreflight": true }])).await;
    let status = t.ok("getSignatureStatuses", json!([[sig]])).await;
    assert_eq!(status["value"][0]["err"], json!({ "InstructionError": [0, { "Custom": 6000 }] }));
    let balance = t.ok("getBalance", json!([admin.pubkey().to_string(), { "commitment": "processed" }])).await;
    assert_eq!(balance["value"], json!(10_000_000_000u64 - 5000));
}

#[tokio::test]
async fn program_accounts_are_filtered_by_size_and_bytes() {
    let t = TestNode::start().await;
    let admin = Keypair::new();
    t.ok("requestAirdrop", json!([admin.pubkey().to_string(), 10_000_000_000u64])).await;
    let marketplace = marketplace_pda();
    let ix = initialize_ix(&admin.pubkey(), 250);
    let tx = Transaction::new(&[&admin], Message::new(&[ix], Some(&admin.pubkey())), t.blockhash().await);
    assert!(t.send(&tx).await.get("result").is_some());
    let program = skill_marketplace::ID.to_string();
    let all = t.ok("getProgramAccounts", json!([program, { "commitment": "processed", "encoding": "base64" }])).await;
    assert_eq!(all.as_array().unwrap().len(), 1);
    assert_eq!(all[0]["pubkey"], json!(marketplace.to_string()));
    let sized = t.ok("getProgramAccounts", json!([program, { "commitment": "processed", "filters": [{ "dataSize": 116 }] }])).await;
    assert_eq!(sized.as_array().unwrap().len(), 1);
    let admin_b58 = admin.pubkey().to_string();
    let by_admin = t.ok("getProgramAccounts", json!([program, { "commitment": "processed", "filters": [{ "memcmp": { "offset": 8, "bytes": admin_b58 } }] }])).await;
    assert_eq!(by_admin.as_array().unwrap().len(), 1);
    let none = t.ok("getProgramAccounts", json!([program, { "commitment": "processed", "filters": [{ "memcmp": { "offset": 8, "bytes": Pubkey::new_unique().to_string() } }] }])).await;
    assert_eq!(none.as_array().unwrap().len(), 0);
    // Not yet finalized: invisible at the default (finalized) commitment.
    let finalized = t.ok("getProgramAccounts", json!([program])).await;
    assert_eq!(finalized.as_array().unwrap().len(), 0);
}
