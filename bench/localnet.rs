//! localnet figures, measured over real HTTP against the release binary in its own process:
//! sendTransaction→confirmed throughput with 8 concurrent senders, and single-client latency of
//! getAccountInfo and getTransaction. Writes bench/results/localnet.json.

use std::{
    net::TcpListener,
    process::{Child, Command, Stdio},
    sync::Arc,
    time::{Duration, Instant},
};

use anchor_lang::solana_program::system_instruction;
use base64::{engine::general_purpose::STANDARD as B64, Engine};
use serde_json::{json, Value};
use solana_hash::Hash;
use solana_keypair::Keypair;
use solana_message::Message;
use solana_pubkey::Pubkey;
use solana_signer::Signer;
use solana_transaction::Transaction;

const SENDERS: usize = 8;
const TX_PER_SENDER: usize = 2_500;
const LATENCY_SAMPLES: usize = 5_000;

#[derive(Clone)]
struct Rpc {
    url: String,
    http: reqwest::Client,
}

impl Rpc {
    async fn call(&self, method: &str, params: Value) -> Value {
        let body = json!({ "jsonrpc": "2.0", "id": 1, "method": method, "params": params });
        let response: Value = self.http.post(&self.url).json(&body).send().await.expect("post").json().await.expect("json");
        match response.get("error") {
            Some(e) => panic!("{method}: {e}"),
            None => response["result"].clone(),
        }
    }

    async fn blockhash(&self) -> Hash {
        let v = self.call("getLatestBlockhash", json!([{ "commitment": "processed" }])).await;
        v["value"]["blockhash"].as_str().unwrap().parse().unwrap()
    }
}

struct Node(Child);

impl Drop for Node {
    fn drop(&mut self) {
        let _ = Command::new("kill").arg(self.0.id().to_string()).status();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let target = std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".into());
    let binary = std::env::var("LOCALNET_BIN").unwrap_or_else(|_| format!("{target}/release/localnet"));
    let (rpc_port, ws_port) = (free_port(), free_port());
    let child = Command::new(&binary)
        .args(["--rpc-port", &rpc_port.to_string(), "--ws-port", &ws_port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {binary}: {e} (build it with `cargo build --release -p localnet`)"));
    let _node = Node(child);
    let rpc = Rpc { url: format!("http://127.0.0.1:{rpc_port}"), http: reqwest::Client::new() };
    for _ in 0..200 {
        let up = rpc.http.post(&rpc.url).json(&json!({ "jsonrpc": "2.0", "id": 1, "method": "getHealth" })).send().await;
        if up.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let payers: Vec<Arc<Keypair>> = (0..SENDERS).map(|_| Arc::new(Keypair::new())).collect();
    for p in &payers {
        rpc.call("requestAirdrop", json!([p.pubkey().to_string(), 1_000_000_000_000u64])).await;
    }
    let recipient = Pubkey::new_unique();

    // Throughput: every sender sends its transfers back to back; the clock stops when the last
    // one is confirmed (getSignatureStatuses, as a client waiting for `confirmed` would poll).
    let started = Instant::now();
    let senders = payers.iter().cloned().map(|payer| {
        let rpc = rpc.clone();
        tokio::spawn(async move {
            let mut sigs = Vec::with_capacity(TX_PER_SENDER);
            let mut blockhash = rpc.blockhash().await;
            for i in 0..TX_PER_SENDER {
                if i % 500 == 499 {
                    blockhash = rpc.blockhash().await;
                }
                let ix = system_instruction::transfer(&payer.pubkey(), &recipient, 1 + i as u64);
                let tx = Transaction::new(&[payer.as_ref()], Message::new(&[ix], Some(&payer.pubkey())), blockhash);
                let wire = B64.encode(bincode::serialize(&tx).unwrap());
                let sig = rpc.call("sendTransaction", json!([wire, { "encoding": "base64" }])).await;
                sigs.push(sig.as_str().unwrap().to_string());
            }
            sigs
        })
    });
    let mut signatures = Vec::new();
    for sender in senders.collect::<Vec<_>>() {
        signatures.extend(sender.await.unwrap());
    }
    let sent = started.elapsed();
    let mut unconfirmed: Vec<String> = signatures.clone();
    while !unconfirmed.is_empty() {
        let mut still = Vec::new();
        for chunk in unconfirmed.chunks(256) {
            let statuses = rpc.call("getSignatureStatuses", json!([chunk])).await;
            for (sig, status) in chunk.iter().zip(statuses["value"].as_array().unwrap()) {
                let done = matches!(status["confirmationStatus"].as_str(), Some("confirmed" | "finalized"));
                assert!(status["err"].is_null(), "{sig} failed: {status}");
                if !done {
                    still.push(sig.clone());
                }
            }
        }
        unconfirmed = still;
        if !unconfirmed.is_empty() {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    let confirmed = started.elapsed();
    let total = signatures.len() as f64;

    // Latency: one client, sequential calls, the way a cache-miss path reads.
    let latency = |samples: Vec<f64>| {
        let mut s = samples;
        s.sort_by(|a, b| a.partial_cmp(b).unwrap());
        (round3(percentile(&s, 0.50)), round3(percentile(&s, 0.99)))
    };
    let mut account_ms = Vec::with_capacity(LATENCY_SAMPLES);
    for i in 0..LATENCY_SAMPLES {
        let key = payers[i % SENDERS].pubkey().to_string();
        let t = Instant::now();
        let v = rpc.call("getAccountInfo", json!([key, { "commitment": "confirmed", "encoding": "base64" }])).await;
        account_ms.push(t.elapsed().as_secs_f64() * 1e3);
        assert!(v["value"]["lamports"].as_u64().is_some());
    }
    let mut tx_ms = Vec::with_capacity(LATENCY_SAMPLES);
    for i in 0..LATENCY_SAMPLES {
        let sig = &signatures[(i * 7919) % signatures.len()];
        let t = Instant::now();
        let v = rpc.call("getTransaction", json!([sig, { "commitment": "confirmed", "encoding": "json" }])).await;
        tx_ms.push(t.elapsed().as_secs_f64() * 1e3);
        assert_eq!(v["transaction"]["signatures"][0].as_str(), Some(sig.as_str()));
    }
    let (account_p50, account_p99) = latency(account_ms);
    let (tx_p50, tx_p99) = latency(tx_ms);

    let results = json!({
        "send_to_confirmed_tx_per_s": (total / confirmed.as_secs_f64()).round(),
        "send_accepted_tx_per_s": (total / sent.as_secs_f64()).round(),
        "throughput_transactions": total,
        "throughput_concurrent_senders": SENDERS,
        "get_account_info_p50_ms": account_p50,
        "get_account_info_p99_ms": account_p99,
        "get_transaction_p50_ms": tx_p50,
        "get_transaction_p99_ms": tx_p99,
    });
    let text = serde_json::to_string_pretty(&results).unwrap();
    println!("{text}");
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../bench/results/localnet.json");
    std::fs::write(path, text + "\n").expect("write bench/results/localnet.json");
    println!("wrote {path}");
}
