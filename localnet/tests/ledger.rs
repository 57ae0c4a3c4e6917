//! `--ledger DIR`: state and history survive a restart, including after a kill mid-write.

mod common;

use std::io::Write;

use base64::{engine::general_purpose::STANDARD as B64, Engine};
use common::*;
use serde_json::{json, Value};
use solana_keypair::Keypair;
use solana_message::Message;
use solana_signer::Signer;
use solana_transaction::Transaction;

#[tokio::test]
async fn accounts_and_history_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let t = TestNode::with_ledger(dir.path()).await;
    let admin = admin();
    let airdrop = t.ok("requestAirdrop", json!([admin.pubkey().to_string(), 10_000_000_000u64])).await;
    let ix = initialize_ix(&admin.pubkey(), 250);
    let tx = Transaction::new(&[&admin], Message::new(&[ix], Some(&admin.pubkey())), t.blockhash().await);
    let init = t.send(&tx).await["result"].clone();
    assert!(init.is_string(), "initialize landed");
    t.advance(3).await;
    let slot_before = t.ok("getSlot", json!([{ "commitment": "processed" }])).await.as_u64().unwrap();
    let marketplace = marketplace_pda().to_string();
    let account_before = t.ok("getAccountInfo", json!([marketplace, { "commitment": "processed", "encoding": "base64" }])).await["value"].clone();
    t.stop().await;

    let t = TestNode::with_ledger(dir.path()).await;
    // Everything restored is finalized: visible at the default commitment right away.
    let account_after = t.ok("getAccountInfo", json!([marketplace, { "encoding": "base64" }])).await["value"].clone();
    assert_eq!(account_after, account_before);
    let balance = t.ok("getBalance", json!([admin.pubkey().to_string()])).await["value"].as_u64().unwrap();
    // The marketplace account (238 bytes) and its fee vault (26 bytes) were paid by the admin.
    let rent = |len: u64| t.ok("getMinimumBalanceForRentExemption", json!([len]));
    let rents = rent(238).await.as_u64().unwrap() + rent(26).await.as_u64().unwrap();
    assert_eq!(balance, 10_000_000_000 - 5_000 - rents);
    let slot_after = t.ok("getSlot", json!([])).await.as_u64().unwrap();
    assert!(slot_after > slot_before, "slots never go back: {slot_after} after {slot_before}");
    for sig in [&airdrop, &init] {
        let got = t.ok("getTransaction", json!([sig])).await;
        assert_eq!(got["transaction"]["signatures"][0], *sig);
        assert_eq!(got["meta"]["err"], Value::Null);
    }
    let history = t.ok("getSignaturesForAddress", json!([admin.pubkey().to_string()])).await;
    let sigs: Vec<&Value> = history.as_array().unwrap().iter().map(|h| &h["signature"]).collect();
    assert_eq!(sigs, vec![&init, &airdrop], "newest first");
    let status = t.ok("getSignatureStatuses", json!([[init]])).await;
    assert_eq!(status["value"][0]["confirmationStatus"], json!("finalized"));
    // The restored node keeps working and keeps journaling.
    let again = Keypair::new();
    let third = t.ok("requestAirdrop", json!([again.pubkey().to_string(), 1_000_000u64])).await;
    t.stop().await;
    let t = TestNode::with_ledger(dir.path()).await;
    assert_eq!(t.ok("getTransaction", json!([third])).await["meta"]["postBalances"][1], json!(1_000_000));
    assert_eq!(t.ok("getTransactionCount", json!([])).await, json!(3));
    t.stop().await;
}

#[tokio::test]
async fn a_torn_last_entry_is_dropped_and_a_corrupt_journal_refused() {
    let dir = tempfile::tempdir().unwrap();
    let t = TestNode::with_ledger(dir.path()).await;
    let who = Keypair::new().pubkey().to_string();
    t.ok("requestAirdrop", json!([who, 7u64 * 1_000_000_000])).await;
    t.stop().await;
    // A kill in the middle of an append leaves a length prefix with too few bytes after it.
    let journal = dir.path().join("journal.bin");
    std::fs::OpenOptions::new().append(true).open(&journal).unwrap().write_all(&[200, 0, 0, 0, 1, 2, 3]).unwrap();
    let t = TestNode::with_ledger(dir.path()).await;
    assert_eq!(t.ok("getBalance", json!([who])).await["value"], json!(7u64 * 1_000_000_000));
    let sig = t.ok("requestAirdrop", json!([who, 1u64])).await;
    t.stop().await;
    let t = TestNode::with_ledger(dir.path()).await;
    assert!(t.ok("getTransaction", json!([sig])).await.is_object(), "entries after the torn tail are readable");
    t.stop().await;
    // A complete entry that does not decode is an error, not silently lost history.
    std::fs::OpenOptions::new().append(true).open(&journal).unwrap().write_all(&[3, 0, 0, 0, 9, 9, 9]).unwrap();
    let err = localnet::node::Node::with_ledger(Default::default(), dir.path()).err().expect("refused");
    assert!(err.to_string().contains("does not decode"), "{err}");
    let _ = B64.encode([0u8]);
}
