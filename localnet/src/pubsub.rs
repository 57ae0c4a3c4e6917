//! PubSub over websocket, with the methods and notification shapes of Solana's RPC specification.
//! Each connection listens to the node's notices and keeps the transactions not yet finalized, so
//! a subscription at `confirmed` or `finalized` hears of a change only once that commitment reaches it.

use std::{
    collections::{BTreeMap, HashSet, VecDeque},
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    },
};

use axum::extract::ws::{CloseFrame, Message, WebSocket};
use serde_json::{json, Value};
use solana_account::Account;
use solana_pubkey::Pubkey;
use solana_signature::Signature;
use tokio::sync::{broadcast::error::RecvError, watch};

use crate::{
    node::{Commitment, Notice, SharedNode, TxRecord},
    rpc::{self, encode_account, error_json, matches_filters, Encoding, RpcError},
};

/// Subscription ids are unique across connections, as on a validator.
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

enum Kind {
    Signature { signature: Signature, received: bool },
    Logs { mentions: Option<Pubkey> },
    Account { key: Pubkey, encoding: Encoding },
    Program { program: Pubkey, encoding: Encoding, filters: Vec<Value> },
    Slot,
}

impl Kind {
    /// The method name stem: `signature` → `signatureSubscribe`, `signatureNotification`, ...
    fn stem(&self) -> &'static str {
        match self {
            Kind::Signature { .. } => "signature",
            Kind::Logs { .. } => "logs",
            Kind::Account { .. } => "account",
            Kind::Program { .. } => "program",
            Kind::Slot => "slot",
        }
    }
}

struct Subscription {
    kind: Kind,
    commitment: Commitment,
}

/// One websocket connection's subscriptions and the chain position it has delivered up to.
struct Connection {
    node: SharedNode,
    subs: BTreeMap<u64, Subscription>,
    /// Transactions seen but not yet finalized, oldest first.
    pending: VecDeque<Arc<TxRecord>>,
    confirmed: u64,
    finalized: u64,
    outbox: Vec<String>,
}

/// Serves one websocket until the client leaves, the node shuts down, or the client falls so far
/// behind that notices were lost (then the socket is closed so the client reconnects and catches up).
pub async fn serve_socket(mut socket: WebSocket, node: SharedNode, mut shutdown: watch::Receiver<bool>) {
    // Transactions processed before this socket opened but not yet final are still to be
    // confirmed / finalized: a subscription at those commitments must hear of them, as on a validator.
    let (mut notices, confirmed, finalized, pending) = {
        let n = node.lock().await;
        let pending: VecDeque<Arc<TxRecord>> = n.unfinalized().cloned().collect();
        (n.subscribe(), n.slot(Commitment::Confirmed), n.slot(Commitment::Finalized), pending)
    };
    let mut conn = Connection { node, subs: BTreeMap::new(), pending, confirmed, finalized, outbox: Vec::new() };
    loop {
        tokio::select! {
            message = socket.recv() => match message {
                Some(Ok(Message::Text(text))) => conn.request(text.as_str()).await,
                Some(Ok(Message::Binary(bytes))) => match std::str::from_utf8(&bytes) {
                    Ok(text) => conn.request(text).await,
                    Err(_) => conn.outbox.push(error_response(Value::Null, RpcError::invalid_request("Invalid request: not UTF-8"))),
                },
                Some(Ok(_)) => {}
                Some(Err(_)) | None => return,
            },
            notice = notices.recv() => match notice {
                Ok(notice) => conn.notice(notice).await,
                Err(RecvError::Lagged(missed)) => {
                    let reason = format!("subscriber fell {missed} notices behind; reconnect");
                    let _ = socket.send(Message::Close(Some(CloseFrame { code: 1013, reason: reason.into() }))).await;
                    return;
                }
                Err(RecvError::Closed) => return,
            },
            _ = shutdown.changed() => {
                let _ = socket.send(Message::Close(Some(CloseFrame { code: 1001, reason: "node shutting down".into() }))).await;
                return;
            }
        }
        for text in conn.outbox.drain(..) {
            if socket.send(Message::Text(text.into())).await.is_err() {
                return;
            }
        }
    }
}

fn error_response(id: Value, e: RpcError) -> String {
    json!({ "jsonrpc": "2.0", "error": { "code": e.code, "message": e.message }, "id": id }).to_string()
}

impl Connection {
    async fn request(&mut self, text: &str) {
        let request: Value = match serde_json::from_str(text) {
            Ok(v) => v,
            Err(e) => {
                let e = RpcError { code: -32700, message: format!("Parse error: {e}"), data: None };
                return self.outbox.push(error_response(Value::Null, e));
            }
        };
        // Notifications (no id), such as web3.js's keep-alive `ping`, get no answer.
        let Some(id) = request.get("id").cloned() else { return };
        let method = request.get("method").and_then(Value::as_str).unwrap_or_default().to_string();
        let params = match request.get("params") {
            None => Vec::new(),
            Some(Value::Array(p)) => p.clone(),
            Some(_) => return self.outbox.push(error_response(id, RpcError::invalid_params("params must be an array"))),
        };
        if request.get("jsonrpc").and_then(Value::as_str) != Some("2.0") || method.is_empty() {
            let e = RpcError::invalid_request("Invalid request: expected jsonrpc \"2.0\" and a method");
            return self.outbox.push(error_response(id, e));
        }
        let result = if let Some(stem) = method.strip_suffix("Unsubscribe") {
            self.unsubscribe(stem, &params)
        } else if let Some(stem) = method.strip_suffix("Subscribe") {
            self.subscribe(stem, &params).await
        } else {
            Err(RpcError::method_not_found(&method))
        };
        match result {
            Ok(value) => {
                self.outbox.push(json!({ "jsonrpc": "2.0", "result": value, "id": id }).to_string());
                // A signature that already reached the asked commitment is reported at once.
                if let Some(sub_id) = value.as_u64() {
                    self.check_signatures(Some(sub_id)).await;
                }
            }
            Err(e) => self.outbox.push(error_response(id, e)),
        }
    }

    async fn subscribe(&mut self, stem: &str, params: &[Value]) -> Result<Value, RpcError> {
        let config = params.get(1);
        let commitment = rpc::commitment(config)?;
        let kind = match stem {
            "signature" => Kind::Signature {
                signature: rpc::parse_signature(params.first().unwrap_or(&Value::Null))?,
                received: config.and_then(|c| c.get("enableReceivedNotification")).and_then(Value::as_bool).unwrap_or(false),
            },
            "logs" => Kind::Logs { mentions: logs_filter(params.first())? },
            "account" => Kind::Account {
                key: rpc::parse_pubkey(params.first().unwrap_or(&Value::Null))?,
                encoding: rpc::encoding(config)?,
            },
            "program" => {
                let filters = config.and_then(|c| c.get("filters")).and_then(Value::as_array).cloned().unwrap_or_default();
                // Reject malformed filters now rather than at the first notification.
                matches_filters(&Account::default(), &filters)?;
                Kind::Program {
                    program: rpc::parse_pubkey(params.first().unwrap_or(&Value::Null))?,
                    encoding: rpc::encoding(config)?,
                    filters,
                }
            }
            "slot" => Kind::Slot,
            _ => return Err(RpcError::method_not_found(&format!("{stem}Subscribe"))),
        };
        let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        self.subs.insert(id, Subscription { kind, commitment });
        Ok(json!(id))
    }

    fn unsubscribe(&mut self, stem: &str, params: &[Value]) -> Result<Value, RpcError> {
        let id = params
            .first()
            .and_then(Value::as_u64)
            .ok_or_else(|| RpcError::invalid_params("Invalid param: expected a subscription id"))?;
        match self.subs.get(&id) {
            Some(sub) if sub.kind.stem() == stem => {
                self.subs.remove(&id);
                Ok(json!(true))
            }
            _ => Err(RpcError::invalid_params("Invalid subscription id.")),
        }
    }

    fn notify(&mut self, id: u64, stem: &str, result: Value) {
        self.outbox.push(
            json!({
                "jsonrpc": "2.0",
                "method": format!("{stem}Notification"),
                "params": { "result": result, "subscription": id },
            })
            .to_string(),
        );
    }

    async fn notice(&mut self, notice: Notice) {
        match notice {
            Notice::Transaction(record) => {
                let received: Vec<u64> = self
                    .subs
                    .iter()
                    .filter(|(_, s)| matches!(s.kind, Kind::Signature { signature, received: true } if signature == record.signature))
                    .map(|(id, _)| *id)
                    .collect();
                for id in received {
                    self.notify(id, "signature", json!({ "context": { "slot": record.slot }, "value": "receivedSignature" }));
                    if let Some(Subscription { kind: Kind::Signature { received, .. }, .. }) = self.subs.get_mut(&id) {
                        *received = false;
                    }
                }
                self.pending.push_back(record.clone());
                self.deliver(&[record], Commitment::Processed).await;
            }
            Notice::Slot { slot, confirmed, finalized } => {
                let slot_subs: Vec<u64> = self.subs.iter().filter(|(_, s)| matches!(s.kind, Kind::Slot)).map(|(id, _)| *id).collect();
                for id in slot_subs {
                    self.notify(id, "slot", json!({ "parent": slot.saturating_sub(1), "root": finalized, "slot": slot }));
                }
                let reached = |from: u64, to: u64| -> Vec<Arc<TxRecord>> {
                    self.pending.iter().filter(|r| r.slot > from && r.slot <= to).cloned().collect()
                };
                let newly_confirmed = reached(self.confirmed, confirmed);
                let newly_finalized = reached(self.finalized, finalized);
                (self.confirmed, self.finalized) = (confirmed.max(self.confirmed), finalized.max(self.finalized));
                self.deliver(&newly_confirmed, Commitment::Confirmed).await;
                self.deliver(&newly_finalized, Commitment::Finalized).await;
                let done = self.finalized;
                self.pending.retain(|r| r.slot > done);
            }
        }
        self.check_signatures(None).await;
    }

    /// Reports signature subscriptions (all, or just `only`) whose transaction has reached their
    /// commitment; each reports once and is then removed, as on a validator.
    async fn check_signatures(&mut self, only: Option<u64>) {
        let watched: Vec<(u64, Signature, Commitment)> = self
            .subs
            .iter()
            .filter(|(id, _)| only.is_none_or(|o| o == **id))
            .filter_map(|(id, s)| match s.kind {
                Kind::Signature { signature, .. } => Some((*id, signature, s.commitment)),
                _ => None,
            })
            .collect();
        if watched.is_empty() {
            return;
        }
        let reached: Vec<(u64, u64, Value)> = {
            let node = self.node.lock().await;
            watched
                .into_iter()
                .filter_map(|(id, sig, c)| {
                    let r = node.transaction(&sig)?;
                    (r.slot <= node.slot(c)).then(|| (id, r.slot, json!(r.err.as_ref().map(error_json))))
                })
                .collect()
        };
        for (id, slot, err) in reached {
            self.subs.remove(&id);
            self.notify(id, "signature", json!({ "context": { "slot": slot }, "value": { "err": err } }));
        }
    }

    /// Notifies the logs, account and program subscriptions at `commitment` about `records`,
    /// which have just reached it.
    async fn deliver(&mut self, records: &[Arc<TxRecord>], commitment: Commitment) {
        if records.is_empty() {
            return;
        }
        let mut out = Vec::new();
        let needs_state = self.subs.values().any(|s| s.commitment == commitment && matches!(s.kind, Kind::Account { .. } | Kind::Program { .. }));
        let node = if needs_state { Some(self.node.lock().await) } else { None };
        let changed: Vec<Pubkey> = {
            let mut seen = HashSet::new();
            records.iter().flat_map(|r| r.writable_keys()).filter(|k| seen.insert(*k)).collect()
        };
        for (id, sub) in self.subs.iter().filter(|(_, s)| s.commitment == commitment) {
            match &sub.kind {
                Kind::Logs { mentions } => {
                    for r in records.iter().filter(|r| mentions.is_none_or(|m| r.keys().contains(&m))) {
                        let value = json!({ "signature": r.signature.to_string(), "err": r.err.as_ref().map(error_json), "logs": r.logs });
                        out.push((*id, "logs", json!({ "context": { "slot": r.slot }, "value": value })));
                    }
                }
                Kind::Account { key, encoding } if changed.contains(key) => {
                    if let Some(node) = &node {
                        let account = node.account(key, commitment).unwrap_or_default();
                        out.push((*id, "account", json!({ "context": { "slot": node.slot(commitment) }, "value": encode_account(node, &account, *encoding) })));
                    }
                }
                Kind::Program { program, encoding, filters } => {
                    let Some(node) = &node else { continue };
                    for key in &changed {
                        let Some(account) = node.account(key, commitment) else { continue };
                        if account.owner == *program && matches_filters(&account, filters).unwrap_or(false) {
                            let value = json!({ "pubkey": key.to_string(), "account": encode_account(node, &account, *encoding) });
                            out.push((*id, "program", json!({ "context": { "slot": node.slot(commitment) }, "value": value })));
                        }
                    }
                }
                _ => {}
            }
        }
        drop(node);
        for (id, stem, result) in out {
            self.notify(id, stem, result);
        }
    }
}

/// `"all"`, `"allWithVotes"` or `{ "mentions": [pubkey] }` (one key, as on a validator).
fn logs_filter(filter: Option<&Value>) -> Result<Option<Pubkey>, RpcError> {
    match filter {
        Some(Value::String(s)) if s == "all" || s == "allWithVotes" => Ok(None),
        Some(Value::Object(o)) => match o.get("mentions").and_then(Value::as_array).map(Vec::as_slice) {
            Some([key]) => Ok(Some(rpc::parse_pubkey(key)?)),
            _ => Err(RpcError::invalid_params("Invalid Request: Only 1 address supported")),
        },
        _ => Err(RpcError::invalid_params("Invalid filter: expected \"all\", \"allWithVotes\" or {\"mentions\": [address]}")),
    }
}
