//! Shared fixtures for the node's tests: a node served on ephemeral ports whose clock the test
//! drives, JSON-RPC and PubSub clients, and marketplace instructions.
#![allow(dead_code)]

use std::{path::Path, sync::Arc, time::Duration};

use anchor_lang::{InstructionData, ToAccountMetas};
use base64::{engine::general_purpose::STANDARD as B64, Engine};
use futures_util::{SinkExt, StreamExt};
use localnet::{
    node::{Node, NodeConfig, SharedNode},
    server::serve_on,
};
use serde_json::{json, Value};
use solana_pubkey::Pubkey;
use solana_transaction::Transaction;
use tokio::sync::{oneshot, Mutex};
use tokio_tungstenite::tungstenite::Message as WsMessage;

pub struct TestNode {
    pub node: SharedNode,
    pub url: String,
    pub ws_url: String,
    http: reqwest::Client,
    stop: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl TestNode {
    /// A node whose clock is driven by the test (the slot timer is set far in the future).
    pub async fn start() -> Self {
        Self::serve(Node::new(config())).await
    }

    /// A node keeping its journal in `dir` (restored from it if present).
    pub async fn with_ledger(dir: &Path) -> Self {
        Self::serve(Node::with_ledger(config(), dir).expect("open ledger")).await
    }

    async fn serve(node: Node) -> Self {
        let node = Arc::new(Mutex::new(node));
        let rpc = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let ws = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}", rpc.local_addr().expect("addr"));
        let ws_url = format!("ws://{}", ws.local_addr().expect("addr"));
        let (stop, stopped) = oneshot::channel::<()>();
        let shutdown = async move {
            let _ = stopped.await;
        };
        let server = tokio::spawn(serve_on(rpc, ws, node.clone(), Duration::from_secs(3600), shutdown));
        TestNode { node, url, ws_url, http: reqwest::Client::new(), stop: Some(stop), server: Some(server) }
    }

    /// Shuts the servers down the way SIGTERM does and waits for them to finish.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            server.await.expect("server task").expect("server");
        }
    }

    pub async fn pubsub(&self) -> PubSub {
        let (socket, _) = tokio_tungstenite::connect_async(self.ws_url.as_str()).await.expect("ws connect");
        PubSub { socket, next_id: 1 }
    }

    pub async fn raw(&self, body: String) -> Value {
        self.http.post(&self.url).header("content-type", "application/json").body(body).send().await.expect("post").json().await.expect("json")
    }

    pub async fn call(&self, method: &str, params: Value) -> Value {
        self.raw(json!({ "jsonrpc": "2.0", "id": 1, "method": method, "params": params }).to_string()).await
    }

    pub async fn ok(&self, method: &str, params: Value) -> Value {
        let response = self.call(method, params).await;
        assert!(response.get("error").is_none(), "{method} failed: {response}");
        response["result"].clone()
    }

    pub async fn advance(&self, slots: u64) {
        let mut node = self.node.lock().await;
        for _ in 0..slots {
            node.advance_slot();
        }
    }

    pub async fn blockhash(&self) -> solana_hash::Hash {
        let value = self.ok("getLatestBlockhash", json!([{ "commitment": "processed" }])).await;
        value["value"]["blockhash"].as_str().unwrap().parse().unwrap()
    }

    pub async fn send(&self, tx: &Transaction) -> Value {
        let wire = B64.encode(bincode::serialize(tx).unwrap());
        self.call("sendTransaction", json!([wire, { "encoding": "base64" }])).await
    }
}

/// The key the tests' nodes name as the program's upgrade authority: the only one that may
/// initialize the marketplace.
pub fn admin() -> solana_keypair::Keypair {
    solana_keypair::Keypair::new_from_array([0x41; 32])
}

/// The node configuration of the tests: default lags, `admin()` as upgrade authority.
pub fn config() -> NodeConfig {
    use solana_signer::Signer;
    NodeConfig { upgrade_authority: Some(admin().pubkey()), ..NodeConfig::default() }
}

pub fn marketplace_pda() -> Pubkey {
    Pubkey::find_program_address(&[b"marketplace"], &skill_marketplace::ID).0
}

fn program_pda(seed: &[u8]) -> Pubkey {
    Pubkey::find_program_address(&[seed], &skill_marketplace::ID).0
}

/// The event self-CPI accounts every instruction names.
pub fn event_authority() -> Pubkey {
    program_pda(skill_marketplace::events::EVENT_AUTHORITY_SEED)
}

/// `initialize_marketplace` with `admin` as admin, treasury and pauser, and no notice period.
pub fn initialize_ix(admin: &Pubkey, fee_bps: u16) -> anchor_lang::solana_program::instruction::Instruction {
    anchor_lang::solana_program::instruction::Instruction {
        program_id: skill_marketplace::ID,
        accounts: skill_marketplace::accounts::InitializeMarketplace {
            admin: *admin,
            marketplace: marketplace_pda(),
            fee_vault: program_pda(skill_marketplace::constants::SEED_FEE_VAULT),
            program_data: svm_harness::program_data_address(&skill_marketplace::ID),
            system_program: anchor_lang::system_program::ID,
            event_authority: event_authority(),
            program: skill_marketplace::ID,
        }
        .to_account_metas(None),
        data: skill_marketplace::instruction::InitializeMarketplace {
            args: skill_marketplace::instructions::InitializeMarketplaceArgs {
                treasury: *admin,
                fee_bps,
                pauser: *admin,
                notice_secs: 0,
            },
        }
        .data(),
    }
}


type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A raw PubSub client: subscribe, then read notifications in order.
pub struct PubSub {
    socket: Socket,
    next_id: u64,
}

impl PubSub {
    /// Sends a request and returns its response (a notification arriving first is an error).
    pub async fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send_raw(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }).to_string()).await;
        let response = self.next().await.expect("a response");
        assert_eq!(response["id"], json!(id), "expected the response to {method}, got {response}");
        response
    }

    pub async fn subscribe(&mut self, method: &str, params: Value) -> u64 {
        let response = self.request(method, params).await;
        response["result"].as_u64().unwrap_or_else(|| panic!("{method} failed: {response}"))
    }

    /// The next text message, or `None` if the socket closes or nothing arrives within half a second.
    pub async fn next(&mut self) -> Option<Value> {
        loop {
            match tokio::time::timeout(Duration::from_millis(500), self.socket.next()).await {
                Err(_) => return None,
                Ok(Some(Ok(WsMessage::Text(text)))) => return Some(serde_json::from_str(text.as_str()).expect("json")),
                Ok(Some(Ok(WsMessage::Close(_)))) | Ok(None) => return None,
                Ok(Some(Ok(_))) => continue,
                Ok(Some(Err(e))) => panic!("ws error: {e}"),
            }
        }
    }

    /// The next notification, which must be for `subscription`; returns its `result`.
    pub async fn notification(&mut self, subscription: u64) -> Value {
        let message = self.next().await.expect("a notification");
        assert_eq!(message["params"]["subscription"], json!(subscription), "{message}");
        message["params"]["result"].clone()
    }

    /// Asserts that nothing arrives for half a second.
    pub async fn silent(&mut self) {
        if let Some(message) = self.next().await {
            panic!("expected silence, got {message}");
        }
    }

    pub async fn send_raw(&mut self, text: &str) {
        self.socket.send(WsMessage::Text(text.to_string().into())).await.expect("ws send");
    }
}
