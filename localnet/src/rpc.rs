//! JSON-RPC 2.0 methods with the request and response shapes of Solana's RPC specification.
//! Every method takes the node lock once; responses are plain `serde_json` values.

use std::sync::Arc;

use base64::{engine::general_purpose::STANDARD as B64, Engine};
use serde_json::{json, Value};
use solana_account::Account;
use solana_pubkey::Pubkey;
use solana_signature::Signature;
use solana_transaction::versioned::VersionedTransaction;
use solana_transaction_error::TransactionError;

use crate::node::{Commitment, Node, TokenBalance, TxRecord, LAMPORTS_PER_SIGNATURE, TOKEN_PROGRAMS};

pub const VERSION: &str = "2.3.13";

/// A JSON-RPC error: code and message (and optional data).
#[derive(Debug)]
pub struct RpcError {
    pub code: i64,
    pub message: String,
    pub data: Option<Value>,
}

impl RpcError {
    pub fn invalid_params(message: impl Into<String>) -> Self {
        Self { code: -32602, message: message.into(), data: None }
    }
    pub fn method_not_found(method: &str) -> Self {
        Self { code: -32601, message: format!("Method not found: {method}"), data: None }
    }
    pub fn invalid_request(message: impl Into<String>) -> Self {
        Self { code: -32600, message: message.into(), data: None }
    }
}

type RpcResult = Result<Value, RpcError>;

/// Handles one JSON-RPC request object and returns the response object.
pub fn handle(node: &mut Node, request: &Value) -> Value {
    let id = request.get("id").cloned().unwrap_or(Value::Null);
    let result = match (request.get("jsonrpc"), request.get("method").and_then(Value::as_str)) {
        (Some(v), Some(method)) if v == "2.0" => {
            let params = request.get("params").cloned().unwrap_or(Value::Array(vec![]));
            match params {
                Value::Array(params) if method == "setAccount" && node.test_methods() => set_account(node, &params),
                Value::Array(params) => call(node, method, &params),
                _ => Err(RpcError::invalid_params("params must be an array")),
            }
        }
        _ => Err(RpcError::invalid_request("Invalid request: expected jsonrpc \"2.0\" and a method")),
    };
    match result {
        Ok(value) => json!({ "jsonrpc": "2.0", "result": value, "id": id }),
        Err(e) => {
            let mut error = json!({ "code": e.code, "message": e.message });
            if let Some(data) = e.data {
                error["data"] = data;
            }
            json!({ "jsonrpc": "2.0", "error": error, "id": id })
        }
    }
}

/// Every JSON-RPC method the node serves, as `call` dispatches them (a test keeps the two, and the
/// README's list, the same).
pub const METHODS: &[&str] = &[
    "getVersion",
    "getHealth",
    "getGenesisHash",
    "getSlot",
    "getBlockHeight",
    "getTransactionCount",
    "getEpochInfo",
    "getLatestBlockhash",
    "isBlockhashValid",
    "getFeeForMessage",
    "getMinimumBalanceForRentExemption",
    "getBalance",
    "getAccountInfo",
    "getMultipleAccounts",
    "getProgramAccounts",
    "getTokenAccountBalance",
    "getTokenAccountsByOwner",
    "requestAirdrop",
    "sendTransaction",
    "simulateTransaction",
    "getSignatureStatuses",
    "getTransaction",
    "getSignaturesForAddress",
    "getBlockTime",
    "getBlock",
    "getBlocks",
    "getBlocksWithLimit",
    "getFirstAvailableBlock",
    "minimumLedgerSlot",
    "getSlotLeader",
    "getRecentPrioritizationFees",
    "getSupply",
    "getLargestAccounts",
    "getTokenSupply",
    "getTokenLargestAccounts",
    "getInflationReward",
];

/// Test-only (`--test-methods`): `setAccount(pubkey, { lamports, owner, data: [base64, "base64"],
/// executable? })` writes an account outside any transaction; answers null.
fn set_account(node: &mut Node, params: &[Value]) -> RpcResult {
    let key = param_pubkey(params, 0)?;
    let spec = params.get(1).and_then(Value::as_object).ok_or_else(|| RpcError::invalid_params("Invalid param: expected an account object"))?;
    let lamports = spec.get("lamports").and_then(Value::as_u64).ok_or_else(|| RpcError::invalid_params("Invalid param: lamports"))?;
    let owner = spec
        .get("owner")
        .and_then(Value::as_str)
        .and_then(|o| o.parse::<Pubkey>().ok())
        .ok_or_else(|| RpcError::invalid_params("Invalid param: owner must be a base58 public key"))?;
    let data = match spec.get("data") {
        None => Vec::new(),
        Some(Value::Array(parts)) if parts.get(1).and_then(Value::as_str) == Some("base64") => B64
            .decode(parts.first().and_then(Value::as_str).unwrap_or_default())
            .map_err(|_| RpcError::invalid_params("Invalid param: data is not base64"))?,
        Some(_) => return Err(RpcError::invalid_params("Invalid param: data must be [base64, \"base64\"]")),
    };
    let executable = spec.get("executable").and_then(Value::as_bool).unwrap_or(false);
    let account = Account { lamports, data, owner, executable, rent_epoch: 0 };
    node.set_account(&key, account).map_err(RpcError::invalid_params)?;
    Ok(Value::Null)
}

fn call(node: &mut Node, method: &str, params: &[Value]) -> RpcResult {
    match method {
        "getVersion" => Ok(json!({ "solana-core": VERSION, "feature-set": 0 })),
        "getHealth" => Ok(json!("ok")),
        "getGenesisHash" => Ok(json!(Pubkey::new_from_array([1; 32]).to_string())),
        "getSlot" => Ok(json!(node.slot(commitment(params.first())?))),
        "getBlockHeight" => Ok(json!(node.slot(commitment(params.first())?))),
        "getTransactionCount" => Ok(json!(node.transaction_count())),
        "getEpochInfo" => {
            let slot = node.slot(commitment(params.first())?);
            Ok(json!({
                "absoluteSlot": slot, "blockHeight": slot, "epoch": slot / 432_000,
                "slotIndex": slot % 432_000, "slotsInEpoch": 432_000,
                "transactionCount": node.transaction_count(),
            }))
        }
        "getLatestBlockhash" => {
            let (hash, last_valid) = node.latest_blockhash(commitment(params.first())?);
            Ok(with_context(node, json!({ "blockhash": hash.to_string(), "lastValidBlockHeight": last_valid })))
        }
        "isBlockhashValid" => {
            let hash = param_str(params, 0, "blockhash")?
                .parse()
                .map_err(|_| RpcError::invalid_params("Invalid param: blockhash is not base58"))?;
            Ok(with_context(node, json!(node.is_blockhash_valid(&hash))))
        }
        "getFeeForMessage" => {
            let bytes = B64
                .decode(param_str(params, 0, "message")?)
                .map_err(|_| RpcError::invalid_params("Invalid param: message is not base64"))?;
            let message: solana_message::VersionedMessage = bincode::deserialize(&bytes)
                .map_err(|_| RpcError::invalid_params("Invalid param: message does not deserialize"))?;
            // A message whose blockhash the node does not know (or no longer accepts) has no fee.
            if !node.is_blockhash_valid(message.recent_blockhash()) {
                return Ok(with_context(node, Value::Null));
            }
            let fee = LAMPORTS_PER_SIGNATURE * message.header().num_required_signatures as u64;
            Ok(with_context(node, json!(fee)))
        }
        "getMinimumBalanceForRentExemption" => {
            let len = params
                .first()
                .and_then(Value::as_u64)
                .ok_or_else(|| RpcError::invalid_params("Invalid param: expected the data length"))?;
            Ok(json!(node.minimum_balance(len as usize)))
        }
        "getBalance" => {
            let key = param_pubkey(params, 0)?;
            let c = commitment(params.get(1))?;
            Ok(with_context(node, json!(node.account(&key, c).map_or(0, |a| a.lamports))))
        }
        "getAccountInfo" => {
            let key = param_pubkey(params, 0)?;
            let (c, encoding, slice) = (commitment(params.get(1))?, encoding(params.get(1))?, data_slice(params.get(1))?);
            let value = node.account(&key, c).map(|a| encode_account_slice(node, &a, encoding, slice));
            Ok(with_context(node, value.unwrap_or(Value::Null)))
        }
        "getMultipleAccounts" => {
            let keys = params
                .first()
                .and_then(Value::as_array)
                .ok_or_else(|| RpcError::invalid_params("Invalid param: expected an array of pubkeys"))?;
            let (c, encoding, slice) = (commitment(params.get(1))?, encoding(params.get(1))?, data_slice(params.get(1))?);
            let values = keys
                .iter()
                .map(|k| {
                    let key = parse_pubkey(k)?;
                    Ok(node.account(&key, c).map(|a| encode_account_slice(node, &a, encoding, slice)).unwrap_or(Value::Null))
                })
                .collect::<Result<Vec<_>, RpcError>>()?;
            Ok(with_context(node, Value::Array(values)))
        }
        "getProgramAccounts" => get_program_accounts(node, params),
        "getTokenAccountBalance" => {
            let key = param_pubkey(params, 0)?;
            let account = node
                .account(&key, commitment(params.get(1))?)
                .filter(|a| a.data.len() >= 165)
                .ok_or_else(|| RpcError::invalid_params("Invalid param: not a Token account"))?;
            let mint = Pubkey::try_from(&account.data[..32]).map_err(|_| RpcError::invalid_params("bad mint"))?;
            let decimals = node
                .account(&mint, Commitment::Processed)
                .and_then(|m| m.data.get(44).copied())
                .unwrap_or(0);
            let amount = u64::from_le_bytes(account.data[64..72].try_into().unwrap_or_default());
            Ok(with_context(node, token_amount(amount, decimals)))
        }
        "getTokenAccountsByOwner" => get_token_accounts_by_owner(node, params),
        "requestAirdrop" => {
            let key = param_pubkey(params, 0)?;
            let lamports = params
                .get(1)
                .and_then(Value::as_u64)
                .ok_or_else(|| RpcError::invalid_params("Invalid param: expected lamports"))?;
            let signature = node.airdrop(&key, lamports).map_err(|e| RpcError {
                code: -32003,
                message: format!("airdrop failed: {e}"),
                data: None,
            })?;
            Ok(json!(signature.to_string()))
        }
        "sendTransaction" => send_transaction(node, params),
        "simulateTransaction" => simulate_transaction(node, params),
        "getSignatureStatuses" => {
            let sigs = params
                .first()
                .and_then(Value::as_array)
                .ok_or_else(|| RpcError::invalid_params("Invalid param: expected an array of signatures"))?;
            let values = sigs
                .iter()
                .map(|s| {
                    let sig = parse_signature(s)?;
                    Ok(node.transaction(&sig).map(|r| status_json(node, r)).unwrap_or(Value::Null))
                })
                .collect::<Result<Vec<_>, RpcError>>()?;
            Ok(with_context(node, Value::Array(values)))
        }
        "getTransaction" => {
            let sig = parse_signature(params.first().unwrap_or(&Value::Null))?;
            let c = commitment(params.get(1))?;
            let c = if c == Commitment::Processed { Commitment::Confirmed } else { c };
            let encoding = params.get(1).and_then(|p| p.get("encoding")).and_then(Value::as_str).unwrap_or("json");
            match node.transaction(&sig) {
                Some(r) if r.slot <= node.slot(c) => Ok(transaction_json(r, encoding)?),
                _ => Ok(Value::Null),
            }
        }
        "getSignaturesForAddress" => get_signatures_for_address(node, params),
        "getBlockTime" => {
            let slot = params
                .first()
                .and_then(Value::as_u64)
                .ok_or_else(|| RpcError::invalid_params("Invalid param: expected a slot"))?;
            match node.block_time(slot) {
                Some(t) => Ok(json!(t)),
                None => Err(RpcError { code: -32004, message: format!("Block not available for slot {slot}"), data: None }),
            }
        }
        "getBlock" => get_block(node, params),
        "getBlocks" => {
            let start = param_slot(params, 0)?;
            let (end, config) = match params.get(1) {
                Some(Value::Number(n)) => (n.as_u64(), params.get(2)),
                other => (None, other),
            };
            let top = node.slot(block_commitment(config)?);
            let end = end.unwrap_or(top).min(top).min(start.saturating_add(MAX_BLOCK_RANGE));
            Ok(json!(if end < start { Vec::new() } else { node.block_slots(start..=end).collect::<Vec<_>>() }))
        }
        "getBlocksWithLimit" => {
            let start = param_slot(params, 0)?;
            let limit = params.get(1).and_then(Value::as_u64).ok_or_else(|| RpcError::invalid_params("Invalid param: expected a limit"))?;
            if limit > MAX_BLOCK_RANGE {
                return Err(RpcError::invalid_params(format!("Limit too large; max {MAX_BLOCK_RANGE}")));
            }
            let top = node.slot(block_commitment(params.get(2))?);
            Ok(json!(node.block_slots(start..=top.max(start)).filter(|s| *s <= top).take(limit as usize).collect::<Vec<_>>()))
        }
        "getFirstAvailableBlock" | "minimumLedgerSlot" => Ok(json!(node.block_slots(..).next().unwrap_or(0))),
        "getSlotLeader" => Ok(json!(NODE_IDENTITY.to_string())),
        "getRecentPrioritizationFees" => {
            let addresses: Vec<Pubkey> = match params.first() {
                None | Some(Value::Null) => Vec::new(),
                Some(list) => list
                    .as_array()
                    .ok_or_else(|| RpcError::invalid_params("Invalid param: expected an array of pubkeys"))?
                    .iter()
                    .map(parse_pubkey)
                    .collect::<Result<_, _>>()?,
            };
            if addresses.len() > 128 {
                return Err(RpcError::invalid_params("Too many inputs provided; max 128"));
            }
            let top = node.slot(Commitment::Processed);
            let slots: Vec<u64> = node.block_slots(top.saturating_sub(149)..=top).collect();
            let fees: Vec<Value> = slots
                .into_iter()
                .map(|slot| {
                    let block = node.block(slot).expect("listed");
                    // The lowest price among the block's transactions that write-lock one of the
                    // accounts (any transaction when none are named); 0 when there are none.
                    let fee = block
                        .signatures
                        .iter()
                        .filter_map(|sig| node.transaction(sig))
                        .filter(|r| addresses.is_empty() || r.writable_keys().iter().any(|k| addresses.contains(k)))
                        .map(|r| compute_unit_price(r))
                        .min()
                        .unwrap_or(0);
                    json!({ "slot": slot, "prioritizationFee": fee })
                })
                .collect();
            Ok(json!(fees))
        }
        "getSupply" => {
            let c = commitment(params.first())?;
            let total: u64 = node.known_keys().iter().filter_map(|k| node.account(k, c).map(|a| a.lamports)).sum();
            // No stake, no vote accounts, no locked-up supply: everything circulates.
            let exclude = params.first().and_then(|c| c.get("excludeNonCirculatingAccountsList")).and_then(Value::as_bool).unwrap_or(false);
            let mut value = json!({ "total": total, "circulating": total, "nonCirculating": 0, "nonCirculatingAccounts": [] });
            if exclude {
                value["nonCirculatingAccounts"] = json!([]);
            }
            Ok(with_context(node, value))
        }
        "getLargestAccounts" => {
            let c = commitment(params.first())?;
            let filter = params.first().and_then(|p| p.get("filter")).and_then(Value::as_str);
            if let Some(other) = filter.filter(|f| *f != "circulating" && *f != "nonCirculating") {
                return Err(RpcError::invalid_params(format!("Invalid filter: {other}")));
            }
            let mut accounts: Vec<(Pubkey, u64)> = if filter == Some("nonCirculating") {
                Vec::new()
            } else {
                node.known_keys().into_iter().filter_map(|k| node.account(&k, c).map(|a| (k, a.lamports))).collect()
            };
            accounts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            accounts.truncate(20);
            Ok(with_context(node, json!(accounts.iter().map(|(k, l)| json!({ "address": k.to_string(), "lamports": l })).collect::<Vec<_>>())))
        }
        "getTokenSupply" => {
            let mint_key = param_pubkey(params, 0)?;
            let mint = token_mint(node, &mint_key, commitment(params.get(1))?)?;
            let supply = u64::from_le_bytes(mint.data[36..44].try_into().unwrap_or_default());
            Ok(with_context(node, token_amount(supply, mint.data[44])))
        }
        "getTokenLargestAccounts" => {
            let mint_key = param_pubkey(params, 0)?;
            let c = commitment(params.get(1))?;
            let mint = token_mint(node, &mint_key, c)?;
            let decimals = mint.data[44];
            let mut holders: Vec<(Pubkey, u64)> = TOKEN_PROGRAMS
                .iter()
                .flat_map(|p| node.keys_owned_by(p))
                .filter_map(|k| node.account(k, c).map(|a| (*k, a)))
                .filter(|(_, a)| TOKEN_PROGRAMS.contains(&a.owner) && a.data.len() >= 165 && a.data[..32] == mint_key.to_bytes())
                .map(|(k, a)| (k, u64::from_le_bytes(a.data[64..72].try_into().unwrap_or_default())))
                .collect();
            holders.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            holders.dedup_by_key(|h| h.0);
            holders.truncate(20);
            let value: Vec<Value> = holders
                .iter()
                .map(|(k, amount)| {
                    let mut entry = token_amount(*amount, decimals);
                    entry["address"] = json!(k.to_string());
                    entry
                })
                .collect();
            Ok(with_context(node, json!(value)))
        }
        "getInflationReward" => {
            let addresses = params
                .first()
                .and_then(Value::as_array)
                .ok_or_else(|| RpcError::invalid_params("Invalid param: expected an array of pubkeys"))?;
            for a in addresses {
                parse_pubkey(a)?;
            }
            // This chain has no inflation: no address ever earns a reward.
            Ok(json!(vec![Value::Null; addresses.len()]))
        }
        _ => Err(RpcError::method_not_found(method)),
    }
}

/// The node's identity, reported as the leader of every slot.
pub const NODE_IDENTITY: Pubkey = Pubkey::new_from_array([7; 32]);

/// Most slots `getBlocks` spans, and most `getBlocksWithLimit` returns (a validator's limit).
const MAX_BLOCK_RANGE: u64 = 500_000;

/// A Token / Token-2022 mint at `commitment` (its base layout: at least 82 bytes, not a token account).
fn token_mint(node: &Node, key: &Pubkey, commitment: Commitment) -> Result<Account, RpcError> {
    node.account(key, commitment)
        .filter(|a| TOKEN_PROGRAMS.contains(&a.owner) && a.data.len() >= 82 && a.data.len() != 165)
        .ok_or_else(|| RpcError::invalid_params("Invalid param: not a Token mint"))
}

fn param_slot(params: &[Value], index: usize) -> Result<u64, RpcError> {
    params.get(index).and_then(Value::as_u64).ok_or_else(|| RpcError::invalid_params("Invalid param: expected a slot"))
}

/// Blocks are served at `confirmed` or `finalized` (default), as on a validator.
fn block_commitment(config: Option<&Value>) -> Result<Commitment, RpcError> {
    match commitment(config)? {
        Commitment::Processed => Err(RpcError::invalid_params("Method does not support commitment below `confirmed`")),
        c => Ok(c),
    }
}

/// The price in micro-lamports per compute unit a transaction bid (its SetComputeUnitPrice), else 0.
fn compute_unit_price(r: &TxRecord) -> u64 {
    let keys = r.transaction.message.static_account_keys();
    r.transaction
        .message
        .instructions()
        .iter()
        .filter(|ix| keys.get(ix.program_id_index as usize) == Some(&COMPUTE_BUDGET_PROGRAM))
        .find_map(|ix| (ix.data.first() == Some(&3) && ix.data.len() >= 9).then(|| u64::from_le_bytes(ix.data[1..9].try_into().unwrap_or_default())))
        .unwrap_or(0)
}

const COMPUTE_BUDGET_PROGRAM: Pubkey = Pubkey::from_str_const("ComputeBudget111111111111111111111111111111");

/// `getBlock` at `confirmed` / `finalized`: the block's hashes, parent, time and its transactions
/// (`full`, `signatures` or `none`), each as `getTransaction` gives it. A v0 transaction needs
/// `maxSupportedTransactionVersion: 0`, as on a validator.
fn get_block(node: &Node, params: &[Value]) -> RpcResult {
    let slot = param_slot(params, 0)?;
    let config = params.get(1);
    let c = block_commitment(config)?;
    let block = node
        .block(slot)
        .filter(|_| slot <= node.slot(c))
        .ok_or_else(|| RpcError { code: -32004, message: format!("Block not available for slot {slot}"), data: None })?;
    let encoding = config.and_then(|p| p.get("encoding")).and_then(Value::as_str).unwrap_or("json");
    let details = config.and_then(|p| p.get("transactionDetails")).and_then(Value::as_str).unwrap_or("full");
    let max_version = config.and_then(|p| p.get("maxSupportedTransactionVersion")).and_then(Value::as_u64);
    let records: Vec<&Arc<TxRecord>> = block.signatures.iter().filter_map(|sig| node.transaction(sig)).collect();
    if details == "full" || details == "accounts" {
        if max_version.is_none() && records.iter().any(|r| matches!(r.transaction.message, solana_message::VersionedMessage::V0(_))) {
            return Err(RpcError {
                code: -32015,
                message: "Transaction version (0) is not supported by the requesting client. Please try the request again with the following configuration parameter: \"maxSupportedTransactionVersion\": 0".into(),
                data: None,
            });
        }
    }
    let previous = node.block(block.parent_slot).map(|b| b.blockhash).unwrap_or(block.blockhash);
    let mut value = json!({
        "blockhash": block.blockhash.to_string(),
        "previousBlockhash": previous.to_string(),
        "parentSlot": block.parent_slot,
        "blockTime": block.block_time,
        "blockHeight": slot,
    });
    match details {
        "full" => {
            let txs = records
                .iter()
                .map(|r| {
                    let mut t = transaction_json(r, encoding)?;
                    let t = t.as_object_mut().expect("an object");
                    t.remove("slot");
                    t.remove("blockTime");
                    if max_version.is_none() {
                        t.remove("version");
                    }
                    Ok(Value::Object(t.clone()))
                })
                .collect::<Result<Vec<_>, RpcError>>()?;
            value["transactions"] = json!(txs);
        }
        "accounts" => {
            // Each transaction's account list (with signer / writable / source) and its meta.
            let txs = records
                .iter()
                .map(|r| {
                    let parsed = transaction_json(r, "jsonParsed")?;
                    let mut entry = json!({
                        "transaction": {
                            "accountKeys": parsed["transaction"]["message"]["accountKeys"].clone(),
                            "signatures": parsed["transaction"]["signatures"].clone(),
                        },
                        "meta": parsed["meta"].clone(),
                    });
                    if max_version.is_some() {
                        entry["version"] = parsed["version"].clone();
                    }
                    Ok(entry)
                })
                .collect::<Result<Vec<_>, RpcError>>()?;
            value["transactions"] = json!(txs);
        }
        "signatures" => value["signatures"] = json!(records.iter().map(|r| r.signature.to_string()).collect::<Vec<_>>()),
        "none" => {}
        other => return Err(RpcError::invalid_params(format!("Invalid param: transactionDetails {other} (full, signatures or none)"))),
    }
    if config.and_then(|p| p.get("rewards")).and_then(Value::as_bool).unwrap_or(true) {
        value["rewards"] = json!([]);
    }
    Ok(value)
}

fn with_context(node: &Node, value: Value) -> Value {
    json!({ "context": { "slot": node.slot(Commitment::Processed), "apiVersion": VERSION }, "value": value })
}

pub fn commitment(config: Option<&Value>) -> Result<Commitment, RpcError> {
    match config.and_then(|c| c.get("commitment")) {
        None | Some(Value::Null) => Ok(Commitment::Finalized),
        Some(Value::String(s)) => {
            Commitment::parse(s).ok_or_else(|| RpcError::invalid_params(format!("Invalid commitment: {s}")))
        }
        Some(_) => Err(RpcError::invalid_params("Invalid commitment: expected a string")),
    }
}

#[derive(Clone, Copy)]
pub enum Encoding {
    Base64,
    Base58,
    /// Token accounts and mints as JSON; anything else falls back to base64, as on a validator.
    JsonParsed,
}

pub fn encoding(config: Option<&Value>) -> Result<Encoding, RpcError> {
    match config.and_then(|c| c.get("encoding")).and_then(Value::as_str) {
        None | Some("base64") => Ok(Encoding::Base64),
        Some("jsonParsed") => Ok(Encoding::JsonParsed),
        Some("base58") => Ok(Encoding::Base58),
        Some(other) => Err(RpcError::invalid_params(format!("Unsupported encoding: {other}"))),
    }
}

pub fn encode_account(node: &Node, account: &Account, encoding: Encoding) -> Value {
    encode_account_slice(node, account, encoding, None)
}

/// `dataSlice: { offset, length }` of a read's config: the part of each account's data to return.
pub fn data_slice(config: Option<&Value>) -> Result<Option<(usize, usize)>, RpcError> {
    match config.and_then(|c| c.get("dataSlice")) {
        None | Some(Value::Null) => Ok(None),
        Some(slice) => {
            let field = |name: &str| {
                slice
                    .get(name)
                    .and_then(Value::as_u64)
                    .ok_or_else(|| RpcError::invalid_params(format!("Invalid param: dataSlice.{name} must be a non-negative integer")))
            };
            Ok(Some((field("offset")? as usize, field("length")? as usize)))
        }
    }
}

/// An account as a read returns it; with a slice, only that part of the data (clipped to the
/// data's end, empty past it), as a validator does for the binary encodings. `jsonParsed` of a
/// token account ignores the slice; other accounts fall back to base64, sliced.
pub fn encode_account_slice(node: &Node, account: &Account, encoding: Encoding, slice: Option<(usize, usize)>) -> Value {
    let bytes: &[u8] = match slice {
        Some((offset, length)) => {
            let start = offset.min(account.data.len());
            &account.data[start..start.saturating_add(length).min(account.data.len())]
        }
        None => &account.data,
    };
    let data = match encoding {
        Encoding::Base58 => json!([bs58::encode(bytes).into_string(), "base58"]),
        Encoding::JsonParsed => parse_token(node, account).unwrap_or_else(|| json!([B64.encode(bytes), "base64"])),
        Encoding::Base64 => json!([B64.encode(bytes), "base64"]),
    };
    json!({
        "lamports": account.lamports,
        "owner": account.owner.to_string(),
        "data": data,
        "executable": account.executable,
        "rentEpoch": u64::MAX,
        "space": account.data.len(),
    })
}

/// `jsonParsed` for SPL Token / Token-2022 accounts and mints (their shared base layout).
fn parse_token(node: &Node, account: &Account) -> Option<Value> {
    let program = match TOKEN_PROGRAMS.iter().position(|p| *p == account.owner)? {
        0 => "spl-token",
        _ => "spl-token-2022",
    };
    let d = &account.data;
    let key = |at: usize| Pubkey::try_from(&d[at..at + 32]).ok().map(|k| k.to_string());
    let option_key = |at: usize| if d[at..at + 4] == [1, 0, 0, 0] { json!(key(at + 4)) } else { Value::Null };
    let u64_at = |at: usize| u64::from_le_bytes(d[at..at + 8].try_into().unwrap_or_default());
    let parsed = if d.len() == 82 {
        json!({ "type": "mint", "info": {
            "mintAuthority": option_key(0),
            "supply": u64_at(36).to_string(),
            "decimals": d[44],
            "isInitialized": d[45] == 1,
            "freezeAuthority": option_key(46),
        }})
    } else if d.len() >= 165 {
        let mint: Pubkey = Pubkey::try_from(&d[..32]).ok()?;
        let decimals = node.account(&mint, Commitment::Processed).and_then(|m| m.data.get(44).copied()).unwrap_or(0);
        let state = match d[108] {
            1 => "initialized",
            2 => "frozen",
            _ => "uninitialized",
        };
        let mut info = json!({
            "mint": mint.to_string(),
            "owner": key(32),
            "tokenAmount": token_amount(u64_at(64), decimals),
            "state": state,
            "isNative": d[109..113] == [1, 0, 0, 0],
        });
        if d[72..76] == [1, 0, 0, 0] {
            info["delegate"] = json!(key(76));
            info["delegatedAmount"] = token_amount(u64_at(121), decimals);
        }
        if d[129..133] == [1, 0, 0, 0] {
            info["closeAuthority"] = json!(key(133));
        }
        json!({ "type": "account", "info": info })
    } else {
        return None;
    };
    Some(json!({ "program": program, "parsed": parsed, "space": d.len() }))
}

fn token_amount(amount: u64, decimals: u8) -> Value {
    let ui = amount as f64 / 10f64.powi(decimals as i32);
    let whole = amount / 10u64.pow(decimals as u32);
    let frac = amount % 10u64.pow(decimals as u32);
    let ui_string = if decimals == 0 || frac == 0 {
        whole.to_string()
    } else {
        let frac = format!("{frac:0width$}", width = decimals as usize);
        format!("{whole}.{}", frac.trim_end_matches('0'))
    };
    json!({ "amount": amount.to_string(), "decimals": decimals, "uiAmount": ui, "uiAmountString": ui_string })
}

fn param_str<'a>(params: &'a [Value], index: usize, what: &str) -> Result<&'a str, RpcError> {
    params
        .get(index)
        .and_then(Value::as_str)
        .ok_or_else(|| RpcError::invalid_params(format!("Invalid param: expected {what} as a string")))
}

pub fn parse_pubkey(value: &Value) -> Result<Pubkey, RpcError> {
    value
        .as_str()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| RpcError::invalid_params(format!("Invalid param: {value} is not a base58 pubkey")))
}

fn param_pubkey(params: &[Value], index: usize) -> Result<Pubkey, RpcError> {
    parse_pubkey(params.get(index).unwrap_or(&Value::Null))
}

pub fn parse_signature(value: &Value) -> Result<Signature, RpcError> {
    value
        .as_str()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| RpcError::invalid_params(format!("Invalid param: {value} is not a base58 signature")))
}

fn decode_transaction(params: &[Value]) -> Result<VersionedTransaction, RpcError> {
    let wire = param_str(params, 0, "the transaction")?;
    let bytes = match params.get(1).and_then(|c| c.get("encoding")).and_then(Value::as_str) {
        Some("base64") => B64.decode(wire).map_err(|_| RpcError::invalid_params("Invalid param: transaction is not base64"))?,
        None | Some("base58") => bs58::decode(wire)
            .into_vec()
            .map_err(|_| RpcError::invalid_params("Invalid param: transaction is not base58"))?,
        Some(other) => return Err(RpcError::invalid_params(format!("Unsupported encoding: {other}"))),
    };
    bincode::deserialize(&bytes)
        .map_err(|e| RpcError::invalid_params(format!("failed to deserialize transaction: {e}")))
}

pub fn error_json(err: &TransactionError) -> Value {
    serde_json::to_value(err).unwrap_or(Value::Null)
}

/// `simulateTransaction` as a validator answers it: signatures checked only with `sigVerify`; the
/// blockhash must be one the node accepts unless `replaceRecentBlockhash` swaps in the latest (and
/// says which); `accounts.addresses` returns those accounts as the transaction would leave them.
fn simulate_transaction(node: &mut Node, params: &[Value]) -> RpcResult {
    let mut tx = decode_transaction(params)?;
    let config = params.get(1);
    let flag = |name: &str| config.and_then(|c| c.get(name)).and_then(Value::as_bool).unwrap_or(false);
    let (sig_verify, replace) = (flag("sigVerify"), flag("replaceRecentBlockhash"));
    if sig_verify && replace {
        return Err(RpcError::invalid_params("sigVerify may not be used with replaceRecentBlockhash"));
    }
    let addresses: Vec<Pubkey> = match config.and_then(|c| c.get("accounts")).filter(|a| !a.is_null()) {
        None => Vec::new(),
        Some(accounts) => accounts
            .get("addresses")
            .and_then(Value::as_array)
            .ok_or_else(|| RpcError::invalid_params("Invalid param: accounts.addresses must be an array of pubkeys"))?
            .iter()
            .map(parse_pubkey)
            .collect::<Result<_, _>>()?,
    };
    let accounts_encoding = encoding(config.and_then(|c| c.get("accounts")))?;
    let mut replacement = Value::Null;
    if replace {
        let (hash, last_valid) = node.latest_blockhash(Commitment::Processed);
        tx.message.set_recent_blockhash(hash);
        replacement = json!({ "blockhash": hash.to_string(), "lastValidBlockHeight": last_valid });
    }
    let sim = node.simulate(tx, sig_verify);
    let accounts = if addresses.is_empty() && config.and_then(|c| c.get("accounts")).is_none_or(Value::is_null) {
        Value::Null
    } else {
        Value::Array(
            addresses
                .iter()
                .map(|key| {
                    let after = sim.post_accounts.iter().find(|(k, _)| k == key).map(|(_, a)| a.clone()).or_else(|| node.account(key, Commitment::Processed));
                    after.filter(|a| a.lamports > 0).map(|a| encode_account(node, &a, accounts_encoding)).unwrap_or(Value::Null)
                })
                .collect(),
        )
    };
    let mut value = json!({
        "err": sim.err.as_ref().map(error_json),
        "logs": sim.logs,
        "accounts": accounts,
        "unitsConsumed": sim.units_consumed,
        "returnData": sim.return_data.map(|(id, data)| json!({ "programId": id.to_string(), "data": [B64.encode(data), "base64"] })),
    });
    if replace {
        value["replacementBlockhash"] = replacement;
    }
    Ok(with_context(node, value))
}

fn send_transaction(node: &mut Node, params: &[Value]) -> RpcResult {
    let tx = decode_transaction(params)?;
    // A transaction that already landed is answered with its signature, as a validator does for a
    // duplicate: clients that retry until they see a status depend on it.
    if let Some(signature) = tx.signatures.first() {
        if node.transaction(signature).is_some() {
            return Ok(json!(signature.to_string()));
        }
    }
    let config = params.get(1);
    let skip_preflight = config.and_then(|c| c.get("skipPreflight")).and_then(Value::as_bool).unwrap_or(false);
    if !skip_preflight {
        let sim = node.simulate(tx.clone(), true);
        if let Some(err) = sim.err {
            return Err(RpcError {
                code: -32002,
                message: format!("Transaction simulation failed: {err}"),
                data: Some(json!({
                    "err": error_json(&err),
                    "logs": sim.logs,
                    "accounts": null,
                    "unitsConsumed": sim.units_consumed,
                    "returnData": null,
                })),
            });
        }
    }
    match node.process(tx) {
        Ok(record) => Ok(json!(record.signature.to_string())),
        Err(err) => Err(RpcError {
            code: -32002,
            message: format!("Transaction simulation failed: {err}"),
            data: Some(json!({ "err": error_json(&err), "logs": [], "accounts": null, "unitsConsumed": 0, "returnData": null })),
        }),
    }
}

/// The legacy `status` field: `{"Ok": null}` or `{"Err": <error>}`.
fn status_field(err: &Option<TransactionError>) -> Value {
    match err {
        None => json!({ "Ok": null }),
        Some(e) => json!({ "Err": error_json(e) }),
    }
}

fn status_json(node: &Node, r: &TxRecord) -> Value {
    let status = node.confirmation_status(r.slot);
    let confirmations = if status == "finalized" { Value::Null } else { json!(node.slot(Commitment::Processed) - r.slot) };
    json!({
        "slot": r.slot,
        "confirmations": confirmations,
        "err": r.err.as_ref().map(error_json),
        "status": status_field(&r.err),
        "confirmationStatus": status,
    })
}

fn transaction_json(r: &TxRecord, encoding: &str) -> RpcResult {
    let tx = &r.transaction;
    let keys = r.keys();
    let parsed = encoding == "jsonParsed";
    let transaction = match encoding {
        "base64" => json!([B64.encode(bincode::serialize(tx).unwrap_or_default()), "base64"]),
        "json" | "jsonParsed" => {
            let m = &tx.message;
            let header = m.header();
            let statics = m.static_account_keys().len();
            // `json` lists the static keys (loaded ones are in meta.loadedAddresses); `jsonParsed`
            // lists every account with where it came from, as a validator does.
            let account_keys: Vec<Value> = if parsed {
                (0..keys.len())
                    .map(|i| json!({
                        "pubkey": keys[i].to_string(),
                        "signer": i < header.num_required_signatures as usize,
                        "writable": r.is_writable(i),
                        "source": if i < statics { "transaction" } else { "lookupTable" },
                    }))
                    .collect()
            } else {
                keys[..statics].iter().map(|k| json!(k.to_string())).collect()
            };
            let lookups: Vec<Value> = m
                .address_table_lookups()
                .unwrap_or_default()
                .iter()
                .map(|l| json!({ "accountKey": l.account_key.to_string(), "writableIndexes": l.writable_indexes, "readonlyIndexes": l.readonly_indexes }))
                .collect();
            let mut message = json!({
                "accountKeys": account_keys,
                "header": {
                    "numRequiredSignatures": header.num_required_signatures,
                    "numReadonlySignedAccounts": header.num_readonly_signed_accounts,
                    "numReadonlyUnsignedAccounts": header.num_readonly_unsigned_accounts,
                },
                "recentBlockhash": m.recent_blockhash().to_string(),
                "instructions": m.instructions().iter().map(|ix| instruction_json(&keys, ix, None, parsed)).collect::<Vec<_>>(),
            });
            // Only v0 messages carry lookups; a legacy one has no such field at all.
            if matches!(m, solana_message::VersionedMessage::V0(_)) {
                message["addressTableLookups"] = json!(lookups);
            }
            json!({
                "signatures": tx.signatures.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
                "message": message,
            })
        }
        other => return Err(RpcError::invalid_params(format!("Unsupported encoding: {other}"))),
    };
    let inner: Vec<Value> = r
        .inner_instructions
        .iter()
        .enumerate()
        .filter(|(_, list)| !list.is_empty())
        .map(|(index, list)| {
            json!({
                "index": index,
                "instructions": list
                    .iter()
                    .map(|inner| instruction_json(&keys, &inner.instruction, Some(inner.stack_height), parsed))
                    .collect::<Vec<_>>(),
            })
        })
        .collect();
    let version = match &tx.message {
        solana_message::VersionedMessage::Legacy(_) => json!("legacy"),
        solana_message::VersionedMessage::V0(_) => json!(0),
    };
    Ok(json!({
        "slot": r.slot,
        "blockTime": r.block_time,
        "version": version,
        "transaction": transaction,
        "meta": {
            "err": r.err.as_ref().map(error_json),
            "status": status_field(&r.err),
            "fee": r.fee,
            "preBalances": r.pre_balances,
            "postBalances": r.post_balances,
            "innerInstructions": inner,
            "logMessages": r.logs,
            "preTokenBalances": r.pre_token_balances.iter().map(token_balance_json).collect::<Vec<_>>(),
            "postTokenBalances": r.post_token_balances.iter().map(token_balance_json).collect::<Vec<_>>(),
            "rewards": [],
            "loadedAddresses": {
                "writable": r.loaded.writable.iter().map(|k| k.to_string()).collect::<Vec<_>>(),
                "readonly": r.loaded.readonly.iter().map(|k| k.to_string()).collect::<Vec<_>>(),
            },
            "computeUnitsConsumed": r.compute_units,
            "returnData": r.return_data.as_ref().map(|(id, data)| json!({ "programId": id.to_string(), "data": [B64.encode(data), "base64"] })),
        },
    }))
}

/// One instruction as `json` (indexes) or `jsonParsed` reports it: System transfers and account
/// creations and Memo texts parsed, any other program's instruction partially decoded.
fn instruction_json(keys: &[Pubkey], ix: &solana_message::compiled_instruction::CompiledInstruction, stack_height: Option<u8>, parsed: bool) -> Value {
    if !parsed {
        return json!({
            "programIdIndex": ix.program_id_index,
            "accounts": ix.accounts,
            "data": bs58::encode(&ix.data).into_string(),
            "stackHeight": stack_height,
        });
    }
    let key = |i: usize| ix.accounts.get(i).and_then(|a| keys.get(*a as usize)).map(|k| k.to_string());
    let program = keys.get(ix.program_id_index as usize).copied().unwrap_or_default();
    let u64_at = |at: usize| ix.data.get(at..at + 8).and_then(|b| b.try_into().ok()).map(u64::from_le_bytes);
    let tag = ix.data.get(..4).and_then(|b| b.try_into().ok()).map(u32::from_le_bytes);
    let parsed_as = |program_name: &str, parsed: Value| {
        json!({ "program": program_name, "programId": program.to_string(), "parsed": parsed, "stackHeight": stack_height })
    };
    if program == Pubkey::default() {
        match (tag, ix.data.len()) {
            (Some(2), 12) => {
                let info = json!({ "source": key(0), "destination": key(1), "lamports": u64_at(4) });
                return parsed_as("system", json!({ "type": "transfer", "info": info }));
            }
            (Some(0), 52) => {
                let owner = Pubkey::try_from(&ix.data[20..52]).map(|k| k.to_string()).ok();
                let info = json!({ "source": key(0), "newAccount": key(1), "lamports": u64_at(4), "space": u64_at(12), "owner": owner });
                return parsed_as("system", json!({ "type": "createAccount", "info": info }));
            }
            _ => {}
        }
    }
    if MEMO_PROGRAMS.contains(&program) {
        if let Ok(text) = std::str::from_utf8(&ix.data) {
            return parsed_as("spl-memo", json!(text));
        }
    }
    json!({
        "programId": program.to_string(),
        "accounts": (0..ix.accounts.len()).filter_map(key).collect::<Vec<_>>(),
        "data": bs58::encode(&ix.data).into_string(),
        "stackHeight": stack_height,
    })
}

const MEMO_PROGRAMS: [Pubkey; 2] = [
    Pubkey::from_str_const("MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr"),
    Pubkey::from_str_const("Memo1UhkJRfHyvLMcVucJwxXeuD728EqVDDwQDxFMNo"),
];

fn token_balance_json(b: &TokenBalance) -> Value {
    json!({
        "accountIndex": b.account_index,
        "mint": b.mint.to_string(),
        "owner": b.owner.to_string(),
        "programId": b.program_id.to_string(),
        "uiTokenAmount": token_amount(b.amount, b.decimals),
    })
}

fn get_signatures_for_address(node: &Node, params: &[Value]) -> RpcResult {
    let address = param_pubkey(params, 0)?;
    let config = params.get(1);
    let c = commitment(config)?;
    let c = if c == Commitment::Processed { Commitment::Confirmed } else { c };
    let limit = config.and_then(|c| c.get("limit")).and_then(Value::as_u64).unwrap_or(1000);
    if limit == 0 || limit > 1000 {
        return Err(RpcError::invalid_params("Invalid limit; max 1000"));
    }
    let before = config.and_then(|c| c.get("before")).filter(|v| !v.is_null()).map(parse_signature).transpose()?;
    let until = config.and_then(|c| c.get("until")).filter(|v| !v.is_null()).map(parse_signature).transpose()?;
    let visible = node.slot(c);
    let mut out = Vec::new();
    let mut started = before.is_none();
    for sig in node.signatures_for(&address).iter().rev() {
        if !started {
            started = Some(*sig) == before;
            continue;
        }
        if Some(*sig) == until {
            break;
        }
        let Some(r) = node.transaction(sig) else { continue };
        if r.slot > visible {
            continue;
        }
        out.push(json!({
            "signature": sig.to_string(),
            "slot": r.slot,
            "err": r.err.as_ref().map(error_json),
            "memo": null,
            "blockTime": r.block_time,
            "confirmationStatus": node.confirmation_status(r.slot),
        }));
        if out.len() as u64 >= limit {
            break;
        }
    }
    Ok(Value::Array(out))
}

pub fn matches_filters(account: &Account, filters: &[Value]) -> Result<bool, RpcError> {
    for filter in filters {
        if let Some(size) = filter.get("dataSize") {
            let size = size.as_u64().ok_or_else(|| RpcError::invalid_params("Invalid dataSize filter"))?;
            if account.data.len() as u64 != size {
                return Ok(false);
            }
        } else if let Some(memcmp) = filter.get("memcmp") {
            let offset = memcmp.get("offset").and_then(Value::as_u64).ok_or_else(|| RpcError::invalid_params("Invalid memcmp filter: offset"))? as usize;
            let raw = memcmp.get("bytes").and_then(Value::as_str).ok_or_else(|| RpcError::invalid_params("Invalid memcmp filter: bytes"))?;
            let bytes = match memcmp.get("encoding").and_then(Value::as_str) {
                Some("base64") => B64.decode(raw).map_err(|_| RpcError::invalid_params("Invalid memcmp bytes (base64)"))?,
                None | Some("base58") => bs58::decode(raw).into_vec().map_err(|_| RpcError::invalid_params("Invalid memcmp bytes (base58)"))?,
                Some(other) => return Err(RpcError::invalid_params(format!("Invalid memcmp encoding: {other}"))),
            };
            if account.data.get(offset..offset + bytes.len()) != Some(bytes.as_slice()) {
                return Ok(false);
            }
        } else {
            return Err(RpcError::invalid_params(format!("Invalid filter: {filter}")));
        }
    }
    Ok(true)
}

fn get_program_accounts(node: &Node, params: &[Value]) -> RpcResult {
    let program = param_pubkey(params, 0)?;
    let config = params.get(1);
    let (c, encoding, slice) = (commitment(config)?, encoding(config)?, data_slice(config)?);
    let filters = config.and_then(|c| c.get("filters")).and_then(Value::as_array).cloned().unwrap_or_default();
    let mut out = Vec::new();
    for key in node.keys_owned_by(&program) {
        let Some(account) = node.account(key, c) else { continue };
        // Filters look at the whole account; the slice only shapes the answer.
        if account.owner == program && matches_filters(&account, &filters)? {
            out.push(json!({ "pubkey": key.to_string(), "account": encode_account_slice(node, &account, encoding, slice) }));
        }
    }
    let with_ctx = config.and_then(|c| c.get("withContext")).and_then(Value::as_bool).unwrap_or(false);
    Ok(if with_ctx { with_context(node, Value::Array(out)) } else { Value::Array(out) })
}

fn get_token_accounts_by_owner(node: &Node, params: &[Value]) -> RpcResult {
    let owner = param_pubkey(params, 0)?;
    let selector = params.get(1).ok_or_else(|| RpcError::invalid_params("Invalid param: expected {mint} or {programId}"))?;
    let mint = selector.get("mint").map(parse_pubkey).transpose()?;
    let program = selector.get("programId").map(parse_pubkey).transpose()?;
    if mint.is_none() && program.is_none() {
        return Err(RpcError::invalid_params("Invalid param: expected {mint} or {programId}"));
    }
    let config = params.get(2);
    let (c, encoding, slice) = (commitment(config)?, encoding(config)?, data_slice(config)?);
    let mut out = Vec::new();
    for key in TOKEN_PROGRAMS.iter().flat_map(|p| node.keys_owned_by(p)) {
        let Some(account) = node.account(key, c) else { continue };
        if !TOKEN_PROGRAMS.contains(&account.owner) || account.data.len() < 165 {
            continue;
        }
        if program.is_some_and(|p| p != account.owner) || account.data[32..64] != owner.to_bytes() {
            continue;
        }
        if mint.is_some_and(|m| account.data[..32] != m.to_bytes()) {
            continue;
        }
        out.push(json!({ "pubkey": key.to_string(), "account": encode_account_slice(node, &account, encoding, slice) }));
    }
    Ok(with_context(node, Value::Array(out)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::node::NodeConfig;

    /// The method names in `call`'s match arms, read from this file's source.
    fn dispatched() -> Vec<String> {
        let source = include_str!("rpc.rs");
        let start = source.find("fn call(node: &mut Node").expect("call");
        let end = start + source[start..].find("_ => Err(RpcError::method_not_found(method))").expect("fallback");
        source[start..end]
            .lines()
            .filter(|line| line.starts_with("        \"") && line.contains("\" =>"))
            .flat_map(|line| line[..line.find(" =>").unwrap()].split(" | ").map(|n| n.trim().trim_matches('"').to_string()).collect::<Vec<_>>())
            .collect()
    }

    #[test]
    fn methods_list_is_what_call_dispatches() {
        let listed: Vec<String> = METHODS.iter().map(|m| m.to_string()).collect();
        assert_eq!(dispatched(), listed);
        let mut node = Node::new(NodeConfig::default());
        for method in METHODS {
            let answer = call(&mut node, method, &[]);
            assert!(!matches!(&answer, Err(e) if e.code == -32601), "{method} is not dispatched");
        }
        assert!(matches!(call(&mut node, "getVoteAccounts", &[]), Err(e) if e.code == -32601));
    }

    #[test]
    fn set_account_is_served_only_to_a_node_started_for_tests() {
        let key = Pubkey::new_unique();
        let request = |node: &mut Node, owner: &str| {
            let params = json!([key.to_string(), { "lamports": 5_000_000, "owner": owner, "data": ["AQID", "base64"] }]);
            handle(node, &json!({ "jsonrpc": "2.0", "id": 1, "method": "setAccount", "params": params }))
        };
        let owner = Pubkey::new_unique();
        let mut node = Node::new(NodeConfig::default());
        let refused = request(&mut node, &owner.to_string());
        assert_eq!(refused["error"]["code"], -32601, "{refused}");
        assert!(node.account(&key, Commitment::Processed).is_none(), "nothing written");

        let mut node = Node::new(NodeConfig { test_methods: true, ..NodeConfig::default() });
        let answer = request(&mut node, &owner.to_string());
        assert_eq!(answer["result"], Value::Null, "{answer}");
        let account = node.account(&key, Commitment::Processed).expect("written");
        assert_eq!((account.owner, account.data.as_slice(), account.lamports), (owner, &[1u8, 2, 3][..], 5_000_000));
        assert!(node.keys_owned_by(&owner).any(|k| *k == key), "found by getProgramAccounts");
        let bad = request(&mut node, "not-a-key");
        assert_eq!(bad["error"]["code"], -32602);
        let program = handle(&mut node, &json!({ "jsonrpc": "2.0", "id": 1, "method": "setAccount", "params": [skill_marketplace::ID.to_string(), { "lamports": 1, "owner": owner.to_string() }] }));
        assert_eq!(program["error"]["code"], -32602, "the program's own account is not replaceable");
    }

    #[test]
    fn readme_lists_exactly_the_served_methods() {
        let readme = include_str!("../../README.md");
        let start = readme.find("- **JSON-RPC 2.0 over HTTP**").expect("the JSON-RPC bullet");
        let end = start + readme[start..].find("\n- **PubSub").expect("the next bullet");
        let section = &readme[start..end];
        let methods_at = section.find("Methods:").expect("a Methods: list");
        let list_end = methods_at + section[methods_at..].find('.').expect("the list ends with a full stop");
        let mut named: Vec<String> = section[methods_at..list_end].split('`').skip(1).step_by(2).map(str::to_string).collect();
        let mut served: Vec<String> = METHODS.iter().map(|m| m.to_string()).collect();
        named.sort();
        served.sort();
        assert_eq!(named, served, "README.md's Methods: list and rpc::METHODS differ");
    }
}
