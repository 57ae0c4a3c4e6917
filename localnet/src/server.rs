//! Transports: JSON-RPC 2.0 requests (single or batch) on POST / over HTTP, PubSub on a websocket
//! port, a slot clock, and a clean shutdown (websockets closed, journal checkpointed).

use std::{future::IntoFuture, net::SocketAddr, time::Duration};

use axum::{
    body::Bytes,
    extract::{State, WebSocketUpgrade},
    http::header,
    response::IntoResponse,
    routing::{any, post},
    Router,
};
use serde_json::{json, Value};
use tokio::sync::watch;

use crate::{node::SharedNode, pubsub, rpc};

#[derive(Clone, Debug)]
pub struct ServerConfig {
    pub rpc_addr: SocketAddr,
    pub ws_addr: SocketAddr,
    pub slot_duration: Duration,
}

/// Binds the configured address and serves until `shutdown` resolves.
pub async fn serve(
    node: SharedNode,
    config: ServerConfig,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let rpc = tokio::net::TcpListener::bind(config.rpc_addr).await?;
    let ws = tokio::net::TcpListener::bind(config.ws_addr).await?;
    serve_on(rpc, ws, node, config.slot_duration, shutdown).await
}

pub fn router(node: SharedNode) -> Router {
    Router::new().route("/", post(handle_http).options(preflight)).with_state(node)
}

/// Browser wallets and pages call the node from their own origin, as they call public RPC nodes: every origin
/// may (the node holds nothing a page could steal; signing happens in the wallet).
const CORS: [(header::HeaderName, &str); 3] = [
    (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
    (header::ACCESS_CONTROL_ALLOW_METHODS, "POST, OPTIONS"),
    (header::ACCESS_CONTROL_ALLOW_HEADERS, "content-type, solana-client"),
];

async fn preflight() -> impl IntoResponse {
    (axum::http::StatusCode::NO_CONTENT, [CORS[0].clone(), CORS[1].clone(), CORS[2].clone(), (header::ACCESS_CONTROL_MAX_AGE, "86400")])
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
    ([(header::CONTENT_TYPE, "application/json"), CORS[0].clone()], response.to_string())
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

async fn handle_ws(
    State((node, shutdown)): State<(SharedNode, watch::Receiver<bool>)>,
    upgrade: WebSocketUpgrade,
) -> impl IntoResponse {
    upgrade.on_upgrade(move |socket| pubsub::serve_socket(socket, node, shutdown))
}

/// Serves JSON-RPC and PubSub on already bound listeners until `shutdown` resolves.
pub async fn serve_on(
    rpc_listener: tokio::net::TcpListener,
    ws_listener: tokio::net::TcpListener,
    node: SharedNode,
    slot_duration: Duration,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let clock = spawn_slot_clock(node.clone(), slot_duration);
    let (stop, stopped) = watch::channel(false);
    eprintln!("localnet: JSON-RPC on http://{}", rpc_listener.local_addr()?);
    eprintln!("localnet: PubSub on ws://{}", ws_listener.local_addr()?);
    let ws_app = Router::new().route("/", any(handle_ws)).with_state((node.clone(), stopped.clone()));
    let until = |mut rx: watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|s| *s).await;
    };
    let http = axum::serve(rpc_listener, router(node.clone())).with_graceful_shutdown(until(stopped.clone()));
    let ws = axum::serve(ws_listener, ws_app).with_graceful_shutdown(until(stopped));
    let signal = async move {
        shutdown.await;
        let _ = stop.send(true);
    };
    let (http, ws, ()) = tokio::join!(http.into_future(), ws.into_future(), signal);
    clock.abort();
    node.lock().await.checkpoint();
    http.and(ws)
}
