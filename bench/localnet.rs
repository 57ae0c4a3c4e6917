//! localnet figures, measured over real HTTP against the release binary in its own process:
//! sendTransaction→confirmed throughput with 8 concurrent senders, for legacy transfers and for v0
//! transfers whose recipient comes from an address lookup table, and single-client latency of
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
use solana_message::{v0, AddressLookupTableAccount, Message, VersionedMessage};
use solana_pubkey::Pubkey;
use solana_signer::Signer;
use solana_transaction::{versioned::VersionedTransaction, Transaction};

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

type Build = Arc<dyn Fn(&Keypair, usize, Hash) -> Vec<u8> + Send + Sync>;

/// Every payer sends TX_PER_SENDER transactions made by `build`, back to back; returns the
/// signatures, the time until all were accepted and the time until all were confirmed.
async fn throughput(rpc: &Rpc, payers: &[Arc<Keypair>], build: Build) -> (Vec<String>, Duration, Duration) {
    let started = Instant::now();
    let senders = payers.iter().cloned().map(|payer| {
        let rpc = rpc.clone();
        let build = build.clone();
        tokio::spawn(async move {
            let mut sigs = Vec::with_capacity(TX_PER_SENDER);
            let mut blockhash = rpc.blockhash().await;
            for i in 0..TX_PER_SENDER {
                if i % 500 == 499 {
                    blockhash = rpc.blockhash().await;
                }
                let wire = B64.encode(build(&payer, i, blockhash));
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
    (signatures, sent, started.elapsed())
}

/// A lookup table holding `address`, made with `recentSlot` from getSlot and usable once returned.
/// The two instructions are encoded here (the program's bincode layout: a u32 variant, then its
/// fields), so the bench needs no extra features of the interface crate.
async fn create_table(rpc: &Rpc, authority: &Keypair, address: Pubkey) -> AddressLookupTableAccount {
    use anchor_lang::solana_program::instruction::{AccountMeta, Instruction};
    let program = localnet::node::ADDRESS_LOOKUP_TABLE_PROGRAM;
    let system = Pubkey::default();
    let slot = rpc.call("getSlot", json!([{ "commitment": "processed" }])).await.as_u64().unwrap();
    let (key, bump) = Pubkey::find_program_address(&[authority.pubkey().as_ref(), &slot.to_le_bytes()], &program);
    let mut create_data = 0u32.to_le_bytes().to_vec(); // CreateLookupTable { recent_slot, bump_seed }
    create_data.extend_from_slice(&slot.to_le_bytes());
    create_data.push(bump);
    let create = Instruction {
        program_id: program,
        accounts: vec![AccountMeta::new(key, false), AccountMeta::new_readonly(authority.pubkey(), false), AccountMeta::new(authority.pubkey(), true), AccountMeta::new_readonly(system, false)],
        data: create_data,
    };
    let mut extend_data = 2u32.to_le_bytes().to_vec(); // ExtendLookupTable { new_addresses }
    extend_data.extend_from_slice(&1u64.to_le_bytes());
    extend_data.extend_from_slice(address.as_ref());
    let extend = Instruction {
        program_id: program,
        accounts: vec![AccountMeta::new(key, false), AccountMeta::new_readonly(authority.pubkey(), true), AccountMeta::new(authority.pubkey(), true), AccountMeta::new_readonly(system, false)],
        data: extend_data,
    };
    let tx = Transaction::new(&[authority], Message::new(&[create, extend], Some(&authority.pubkey())), rpc.blockhash().await);
    let sig = rpc.call("sendTransaction", json!([B64.encode(bincode::serialize(&tx).unwrap()), { "encoding": "base64" }])).await;
    loop {
        let status = rpc.call("getSignatureStatuses", json!([[sig]])).await;
        assert!(status["value"][0]["err"].is_null(), "lookup table creation failed: {status}");
        if matches!(status["value"][0]["confirmationStatus"].as_str(), Some("confirmed" | "finalized")) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Addresses added in a slot are usable from the next one.
    tokio::time::sleep(Duration::from_millis(900)).await;
    AddressLookupTableAccount { key, addresses: vec![address] }
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
    let legacy = move |payer: &Keypair, i: usize, blockhash: Hash| {
        let ix = system_instruction::transfer(&payer.pubkey(), &recipient, 1 + i as u64);
        bincode::serialize(&Transaction::new(&[payer], Message::new(&[ix], Some(&payer.pubkey())), blockhash)).unwrap()
    };
    let (signatures, sent, confirmed) = throughput(&rpc, &payers, Arc::new(legacy)).await;
    let total = signatures.len() as f64;

    // The same through a lookup table that holds the recipient, created as a wallet would.
    let table = create_table(&rpc, &payers[0], recipient).await;
    let v0_transfer = move |payer: &Keypair, i: usize, blockhash: Hash| {
        let ix = system_instruction::transfer(&payer.pubkey(), &recipient, 1 + i as u64);
        let message = v0::Message::try_compile(&payer.pubkey(), &[ix], &[table.clone()], blockhash).unwrap();
        assert_eq!(message.address_table_lookups.len(), 1, "the recipient comes from the table");
        bincode::serialize(&VersionedTransaction::try_new(VersionedMessage::V0(message), &[payer]).unwrap()).unwrap()
    };
    let (v0_signatures, _, v0_confirmed) = throughput(&rpc, &payers, Arc::new(v0_transfer)).await;
    let loaded = rpc.call("getTransaction", json!([v0_signatures[0], { "commitment": "confirmed", "maxSupportedTransactionVersion": 0 }])).await;
    assert_eq!(loaded["meta"]["loadedAddresses"]["writable"][0].as_str(), Some(recipient.to_string().as_str()));

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
        "v0_lookup_table_send_to_confirmed_tx_per_s": (v0_signatures.len() as f64 / v0_confirmed.as_secs_f64()).round(),
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
