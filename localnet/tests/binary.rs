//! The `localnet` executable itself: its logs carry the keys Anchor prints for a failed
//! constraint (`Pubkey::log()`, stdout off-chain), and SIGTERM stops it cleanly.

mod common;

use std::{
    process::{Command, Stdio},
    time::Duration,
};

use anchor_lang::{InstructionData, ToAccountMetas};
use base64::{engine::general_purpose::STANDARD as B64, Engine};
use common::*;
use serde_json::{json, Value};
use solana_keypair::Keypair;
use solana_message::Message;
use solana_signer::Signer;
use solana_transaction::Transaction;

/// Kills the node if the test fails before stopping it.
struct Reaper(std::process::Child);

impl Drop for Reaper {
    fn drop(&mut self) {
        if self.0.try_wait().ok().flatten().is_none() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

async fn rpc(url: &str, method: &str, params: Value) -> Value {
    let body = json!({ "jsonrpc": "2.0", "id": 1, "method": method, "params": params });
    reqwest::Client::new().post(url).json(&body).send().await.expect("post").json().await.expect("json")
}

#[tokio::test]
async fn constraint_keys_reach_the_logs_and_sigterm_exits_cleanly() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let ws_port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let child = Command::new(env!("CARGO_BIN_EXE_localnet"))
        .args(["--rpc-port", &port.to_string(), "--ws-port", &ws_port.to_string(), "--slot-ms", "100"])
        .args(["--upgrade-authority", &admin().pubkey().to_string()])
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn localnet");
    let mut node = Reaper(child);
    let url = format!("http://127.0.0.1:{port}");
    let mut up = false;
    for _ in 0..100 {
        if reqwest::Client::new().post(&url).json(&json!({ "jsonrpc": "2.0", "id": 1, "method": "getHealth" })).send().await.is_ok() {
            up = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(up, "localnet answered");
    let blockhash = |url: String| async move {
        let v = rpc(&url, "getLatestBlockhash", json!([{ "commitment": "processed" }])).await;
        v["result"]["value"]["blockhash"].as_str().unwrap().parse::<solana_hash::Hash>().unwrap()
    };

    let (admin, intruder) = (admin(), Keypair::new());
    for who in [&admin, &intruder] {
        rpc(&url, "requestAirdrop", json!([who.pubkey().to_string(), 10_000_000_000u64])).await;
    }
    let init = Transaction::new(&[&admin], Message::new(&[initialize_ix(&admin.pubkey(), 250)], Some(&admin.pubkey())), blockhash(url.clone()).await);
    let sent = rpc(&url, "sendTransaction", json!([B64.encode(bincode::serialize(&init).unwrap()), { "encoding": "base64" }])).await;
    assert!(sent["result"].is_string(), "{sent}");

    // update_marketplace signed by someone other than the admin: `has_one = admin` fails.
    let update = anchor_lang::solana_program::instruction::Instruction {
        program_id: skill_marketplace::ID,
        accounts: skill_marketplace::accounts::AdminOnly {
            admin: intruder.pubkey(),
            marketplace: marketplace_pda(),
            event_authority: event_authority(),
            program: skill_marketplace::ID,
        }
        .to_account_metas(None),
        data: skill_marketplace::instruction::UpdateMarketplace { args: Default::default() }.data(),
    };
    let tx = Transaction::new(&[&intruder], Message::new(&[update], Some(&intruder.pubkey())), blockhash(url.clone()).await);
    let refused = rpc(&url, "sendTransaction", json!([B64.encode(bincode::serialize(&tx).unwrap()), { "encoding": "base64" }])).await;
    let logs: Vec<String> = refused["error"]["data"]["logs"].as_array().expect("logs").iter().map(|l| l.as_str().unwrap().to_string()).collect();
    let left = logs.iter().position(|l| l == "Program log: Left:").expect("Left: line");
    // As on a validator: the key stored in the account, then the one supplied.
    assert_eq!(logs[left + 1], format!("Program log: {}", admin.pubkey()), "{logs:#?}");
    assert_eq!(logs[left + 2], "Program log: Right:");
    assert_eq!(logs[left + 3], format!("Program log: {}", intruder.pubkey()));
    assert!(logs[left + 4].ends_with("failed: custom program error: 0x1772"), "Unauthorized (6002): {logs:#?}");

    // SIGTERM: the node stops on its own and reports success.
    let pid = node.0.id().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let mut status = None;
    for _ in 0..100 {
        if let Some(s) = node.0.try_wait().unwrap() {
            status = Some(s);
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let status = status.expect("localnet stops within 5 s of SIGTERM");
    assert!(status.success(), "exit status {status}");
}
