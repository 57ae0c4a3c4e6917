//! HTTP transport: JSON-RPC 2.0 requests (single or batch) on POST /, a slot clock, and a clean
//! shutdown on SIGINT / SIGTERM.

use std::{net::SocketAddr, sync::Arc, time::Duration};

use axum::{body::Bytes, extract::State, http::header, response::IntoResponse, routing::post, Router};
use serde_json::{json, Value};
use tokio::sync::Mutex;

use crate::{node::Node, rpc};

pub type SharedNode = Arc<Mutex<Node>>;

#[derive(Clone, Debug)]
pub struct ServerConfig {
    pub rpc_addr: SocketAddr,
    pub slot_duration: Duration,
}

/// Binds the configured address and serves until `shutdown` resolves.
pub async fn serve(
    node: SharedNode,
    config: ServerConfig,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(config.rpc_addr).await?;
    serve_on(listener, node, config.slot_duration, shutdown).await
}

pub fn router(node: SharedNode) -> Router {
    Router::new().route("/", post(handle_http)).with_state(node)
}

async fn handle_http(State(node): State<SharedNode>, body: Bytes) -> impl IntoResponse {
    let response = match serde_json::from_slice::<Value>(&body) {
        Err(e) => json!({ "jsonrpc": "2.0", "error": { "code": -32700, "message": format!("Parse error: {e}") }, "id": null }),
        Ok(Value::Array(requests)) if requests.is_empty() => {
            json!({ "jsonrpc": "2.0", "error": { "code": -32600, "message": "Invalid request: empty batch" }, "id": null })
        }
        Ok(Value::Array(requests)) => {
            let mut node = node.lock().await;
            Value::Array(requests.iter().map(|r| rpc::handle(&mut node, r)).collect())
        }
        Ok(request) => rpc::handle(&mut *node.lock().await, &request),
    };
    ([(header::CONTENT_TYPE, "application/json")], response.to_string())
}

/// Advances the node one slot every `slot_duration`, until the task is dropped.
pub fn spawn_slot_clock(node: SharedNode, slot_duration: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(slot_duration);
        ticker.tick().await;
        loop {
            ticker.tick().await;
            node.lock().await.advance_slot();
        }
    })
}

/// Serves on an already bound listener until `shutdown` resolves.
pub async fn serve_on(
    listener: tokio::net::TcpListener,
    node: SharedNode,
    slot_duration: Duration,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let clock = spawn_slot_clock(node.clone(), slot_duration);
    eprintln!("localnet: JSON-RPC on http://{}", listener.local_addr()?);
    let result = axum::serve(listener, router(node)).with_graceful_shutdown(shutdown).await;
    clock.abort();
    result
}
