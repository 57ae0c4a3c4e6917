//! PubSub over a real websocket: every subscription kind, each honouring its commitment, the
//! one-shot signature subscription, unsubscribing, protocol errors, and shutdown.

mod common;

use base64::{engine::general_purpose::STANDARD as B64, Engine};
use common::*;
use serde_json::{json, Value};
use solana_keypair::Keypair;
use solana_message::Message;
use solana_pubkey::Pubkey;
use solana_signer::Signer;
use solana_transaction::Transaction;

/// Funds an admin and initializes the marketplace; returns the admin and the signature.
async fn initialize(t: &TestNode, fee_bps: u16, skip_preflight: bool) -> (Keypair, String) {
    let admin = admin();
    t.ok("requestAirdrop", json!([admin.pubkey().to_string(), 10_000_000_000u64])).await;
    let ix = initialize_ix(&admin.pubkey(), fee_bps);
    let tx = Transaction::new(&[&admin], Message::new(&[ix], Some(&admin.pubkey())), t.blockhash().await);
    let wire = B64.encode(bincode::serialize(&tx).unwrap());
    let sig = t.ok("sendTransaction", json!([wire, { "encoding": "base64", "skipPreflight": skip_preflight }])).await;
    (admin, sig.as_str().unwrap().to_string())
}

#[tokio::test]
async fn slot_notifications_follow_the_clock() {
    let t = TestNode::start().await;
    let mut ws = t.pubsub().await;
    let sub = ws.subscribe("slotSubscribe", json!([])).await;
    let start = t.ok("getSlot", json!([{ "commitment": "processed" }])).await.as_u64().unwrap();
    t.advance(1).await;
    let n = ws.notification(sub).await;
    assert_eq!(n, json!({ "parent": start, "root": (start + 1).saturating_sub(32), "slot": start + 1 }));
    assert_eq!(ws.request("slotUnsubscribe", json!([sub])).await["result"], json!(true));
    t.advance(1).await;
    ws.silent().await;
}

#[tokio::test]
async fn signature_subscription_waits_for_its_commitment_and_fires_once() {
    let t = TestNode::start().await;
    let mut ws = t.pubsub().await;
    let who = Pubkey::new_unique().to_string();
    let sig = t.ok("requestAirdrop", json!([who, 1_000_000_000u64])).await;
    let confirmed = ws.subscribe("signatureSubscribe", json!([sig, { "commitment": "confirmed" }])).await;
    let finalized = ws.subscribe("signatureSubscribe", json!([sig, { "commitment": "finalized" }])).await;
    ws.silent().await; // processed only
    t.advance(1).await;
    let n = ws.notification(confirmed).await;
    assert_eq!(n["value"], json!({ "err": null }));
    ws.silent().await; // not finalized yet
    t.advance(31).await;
    assert_eq!(ws.notification(finalized).await["value"], json!({ "err": null }));
    // One-shot: both subscriptions are gone.
    let gone = ws.request("signatureUnsubscribe", json!([confirmed])).await;
    assert_eq!(gone["error"]["code"], json!(-32602));
    // A signature that already reached the commitment is reported right after the response.
    let late = ws.subscribe("signatureSubscribe", json!([sig, { "commitment": "finalized" }])).await;
    assert_eq!(ws.notification(late).await["value"], json!({ "err": null }));
}

#[tokio::test]
async fn signature_subscription_reports_received_and_failed_transactions() {
    let t = TestNode::start().await;
    let mut ws = t.pubsub().await;
    let admin = admin();
    t.ok("requestAirdrop", json!([admin.pubkey().to_string(), 10_000_000_000u64])).await;
    // fee_bps 5000 is over the cap: the program fails with FeeTooHigh (6000).
    let ix = initialize_ix(&admin.pubkey(), 5_000);
    let tx = Transaction::new(&[&admin], Message::new(&[ix], Some(&admin.pubkey())), t.blockhash().await);
    let sig = tx.signatures[0].to_string();
    let sub = ws.subscribe("signatureSubscribe", json!([sig, { "commitment": "processed", "enableReceivedNotification": true }])).await;
    let wire = B64.encode(bincode::serialize(&tx).unwrap());
    t.ok("sendTransaction", json!([wire, { "encoding": "base64", "skipPreflight": true }])).await;
    assert_eq!(ws.notification(sub).await["value"], json!("receivedSignature"));
    let n = ws.notification(sub).await;
    assert_eq!(n["value"]["err"], json!({ "InstructionError": [0, { "Custom": 6000 }] }));
}

#[tokio::test]
async fn logs_account_and_program_subscriptions_at_their_commitment() {
    let t = TestNode::start().await;
    let mut ws = t.pubsub().await;
    let program = skill_marketplace::ID.to_string();
    let marketplace = marketplace_pda().to_string();
    let logs = ws.subscribe("logsSubscribe", json!([{ "mentions": [program] }, { "commitment": "processed" }])).await;
    let all_logs = ws.subscribe("logsSubscribe", json!(["all", { "commitment": "confirmed" }])).await;
    let account = ws.subscribe("accountSubscribe", json!([marketplace, { "commitment": "confirmed", "encoding": "base64" }])).await;
    let by_size = ws.subscribe("programSubscribe", json!([program, { "commitment": "confirmed", "encoding": "base64", "filters": [{ "dataSize": 238 }] }])).await;
    let wrong_size = ws.subscribe("programSubscribe", json!([program, { "commitment": "confirmed", "filters": [{ "dataSize": 239 }] }])).await;

    let (admin, sig) = initialize(&t, 250, false).await;
    let n = ws.notification(logs).await;
    assert_eq!(n["value"]["signature"], json!(sig));
    assert_eq!(n["value"]["err"], Value::Null);
    let lines: Vec<&str> = n["value"]["logs"].as_array().unwrap().iter().map(|l| l.as_str().unwrap()).collect();
    // The event is a self-CPI: the program invoked at depth 2 by itself.
    let self_cpi = format!("Program {program} invoke [2]");
    assert!(lines.iter().any(|l| *l == self_cpi), "the event's self-CPI is in the logs: {lines:?}");
    ws.silent().await; // the rest wait for confirmation

    t.advance(1).await;
    // "all" sees the faucet transfer first, then the initialization.
    let first = ws.notification(all_logs).await;
    assert_ne!(first["value"]["signature"], json!(sig));
    assert_eq!(ws.notification(all_logs).await["value"]["signature"], json!(sig));
    let n = ws.notification(account).await;
    assert_eq!(n["value"]["owner"], json!(program));
    let data = B64.decode(n["value"]["data"][0].as_str().unwrap()).unwrap();
    assert_eq!(data.len(), 238);
    assert_eq!(&data[9..41], admin.pubkey().as_ref(), "admin follows the layout byte");
    let n = ws.notification(by_size).await;
    assert_eq!(n["value"]["pubkey"], json!(marketplace));
    assert_eq!(n["value"]["account"]["space"], json!(238));
    ws.silent().await; // nothing for wrong_size
    assert_eq!(ws.request("programUnsubscribe", json!([wrong_size])).await["result"], json!(true));
    // Unsubscribing with the wrong method's name is refused.
    assert_eq!(ws.request("logsUnsubscribe", json!([account])).await["error"]["code"], json!(-32602));
}

#[tokio::test]
async fn failed_transactions_reach_log_subscribers_with_their_error() {
    let t = TestNode::start().await;
    let mut ws = t.pubsub().await;
    let logs = ws.subscribe("logsSubscribe", json!([{ "mentions": [skill_marketplace::ID.to_string()] }, { "commitment": "processed" }])).await;
    let (_, sig) = initialize(&t, 5_000, true).await;
    let n = ws.notification(logs).await;
    assert_eq!(n["value"]["signature"], json!(sig));
    assert_eq!(n["value"]["err"], json!({ "InstructionError": [0, { "Custom": 6000 }] }));
    let lines = n["value"]["logs"].to_string();
    assert!(lines.contains("Error Code: FeeTooHigh"), "{lines}");
}

#[tokio::test]
async fn protocol_errors_on_the_socket() {
    let t = TestNode::start().await;
    let mut ws = t.pubsub().await;
    assert_eq!(ws.request("fooSubscribe", json!([])).await["error"]["code"], json!(-32601));
    assert_eq!(ws.request("getSlot", json!([])).await["error"]["code"], json!(-32601));
    assert_eq!(ws.request("accountSubscribe", json!(["not-a-key"])).await["error"]["code"], json!(-32602));
    let two = json!([{ "mentions": [Pubkey::new_unique().to_string(), Pubkey::new_unique().to_string()] }]);
    assert_eq!(ws.request("logsSubscribe", two).await["error"]["code"], json!(-32602));
    let bad_filter = json!([skill_marketplace::ID.to_string(), { "filters": [{ "memcmp": { "offset": 0 } }] }]);
    assert_eq!(ws.request("programSubscribe", bad_filter).await["error"]["code"], json!(-32602));
    let bad_commitment = json!([Pubkey::new_unique().to_string(), { "commitment": "soon" }]);
    assert_eq!(ws.request("accountSubscribe", bad_commitment).await["error"]["code"], json!(-32602));
    assert_eq!(ws.request("slotUnsubscribe", json!([987654321])).await["error"]["code"], json!(-32602));
    // A keep-alive notification (no id), as web3.js sends, gets no answer; garbage gets -32700.
    ws.send_raw(r#"{"jsonrpc":"2.0","method":"ping"}"#).await;
    ws.silent().await;
    ws.send_raw("{nope").await;
    assert_eq!(ws.next().await.expect("parse error")["error"]["code"], json!(-32700));
}

#[tokio::test]
async fn shutdown_closes_open_sockets() {
    let t = TestNode::start().await;
    let mut ws = t.pubsub().await;
    ws.subscribe("slotSubscribe", json!([])).await;
    tokio::time::timeout(std::time::Duration::from_secs(5), t.stop()).await.expect("stops promptly");
    assert!(ws.next().await.is_none(), "the socket was closed");
}

#[tokio::test]
async fn a_socket_opened_after_processing_still_hears_the_confirmation() {
    let t = TestNode::start().await;
    let (_, sig) = initialize(&t, 250, false).await;
    // The transaction is processed; the socket opens only now.
    let mut ws = t.pubsub().await;
    let logs = ws.subscribe("logsSubscribe", json!([{ "mentions": [skill_marketplace::ID.to_string()] }, { "commitment": "confirmed" }])).await;
    let account = ws.subscribe("accountSubscribe", json!([marketplace_pda().to_string(), { "commitment": "finalized", "encoding": "base64" }])).await;
    ws.silent().await;
    t.advance(1).await;
    assert_eq!(ws.notification(logs).await["value"]["signature"], json!(sig));
    t.advance(31).await;
    assert_eq!(ws.notification(account).await["value"]["owner"], json!(skill_marketplace::ID.to_string()));
    ws.silent().await;
}
