//! `cargo run -p localnet -- [--rpc-port 8899] [--ws-port RPC+1] [--ledger DIR] [--slot-ms 400] [--finality-lag 32]
//! [--upgrade-authority PUBKEY] [--test-methods]`
//!
//! `--test-methods` serves `setAccount` (write any account outside a transaction), for test suites
//! that need an account no program would make; never for a node services rely on.

use std::{net::SocketAddr, sync::Arc, time::Duration};

use localnet::{
    node::{Node, NodeConfig},
    server::{serve, ServerConfig},
};
use tokio::sync::Mutex;

fn usage() -> ! {
    eprintln!("usage: localnet [--rpc-port PORT] [--ws-port PORT] [--ledger DIR] [--slot-ms MS] [--finality-lag SLOTS] [--upgrade-authority PUBKEY] [--test-methods]");
    std::process::exit(2)
}

fn main() {
    let mut rpc_port = 8899u16;
    let mut ws_port: Option<u16> = None;
    let mut ledger: Option<std::path::PathBuf> = None;
    let mut slot_ms = 400u64;
    let mut node_config = NodeConfig::default();
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        if flag == "--test-methods" {
            node_config.test_methods = true;
            continue;
        }
        let value = args.next().unwrap_or_else(|| usage());
        let bad = |what: &str| -> ! {
            eprintln!("localnet: {flag} expects {what}, got '{value}'");
            std::process::exit(2)
        };
        match flag.as_str() {
            "--rpc-port" => rpc_port = value.parse().unwrap_or_else(|_| bad("a port number")),
            "--ws-port" => ws_port = Some(value.parse().unwrap_or_else(|_| bad("a port number"))),
            "--ledger" => ledger = Some(value.into()),
            "--slot-ms" => slot_ms = value.parse().ok().filter(|v| *v > 0).unwrap_or_else(|| bad("milliseconds > 0")),
            "--finality-lag" => node_config.finality_lag = value.parse().unwrap_or_else(|_| bad("a slot count")),
            "--upgrade-authority" => {
                node_config.upgrade_authority = Some(value.parse().unwrap_or_else(|_| bad("a base58 public key")))
            }
            _ => usage(),
        }
    }
    // Anchor logs the keys of a failed constraint with `Pubkey::log()`, which prints to stdout
    // off-chain; the harness turns the node's stdout into program logs, as on a validator.
    if let Err(e) = svm_harness::capture_stdout() {
        eprintln!("localnet: cannot capture stdout for program logs: {e}");
        std::process::exit(1);
    }
    if node_config.upgrade_authority.is_none() {
        eprintln!("localnet: no --upgrade-authority: the marketplace program is immutable and nobody can initialize it");
    }
    let runtime = tokio::runtime::Runtime::new().unwrap_or_else(|e| {
        eprintln!("localnet: cannot start the runtime: {e}");
        std::process::exit(1)
    });
    let node = match &ledger {
        None => Node::new(node_config),
        Some(dir) => Node::with_ledger(node_config, dir).unwrap_or_else(|e| {
            eprintln!("localnet: cannot open the ledger in {}: {e}", dir.display());
            std::process::exit(1)
        }),
    };
    if let Some(dir) = &ledger {
        eprintln!("localnet: ledger {} ({} transactions restored)", dir.display(), node.transaction_count());
    }
    let node = Arc::new(Mutex::new(node));
    // web3.js's Connection derives the websocket port as the HTTP port + 1.
    let ws_port = ws_port.unwrap_or_else(|| rpc_port.checked_add(1).unwrap_or_else(|| usage()));
    let config = ServerConfig {
        rpc_addr: SocketAddr::from(([127, 0, 0, 1], rpc_port)),
        ws_addr: SocketAddr::from(([127, 0, 0, 1], ws_port)),
        slot_duration: Duration::from_millis(slot_ms),
    };
    let result = runtime.block_on(serve(node, config, shutdown_signal()));
    if let Err(e) = result {
        eprintln!("localnet: {e}");
        std::process::exit(1);
    }
    eprintln!("localnet: stopped");
}

async fn shutdown_signal() {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .unwrap_or_else(|e| panic!("cannot listen for SIGTERM: {e}"));
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
}
