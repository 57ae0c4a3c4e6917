//! The node over real HTTP: protocol errors, faucet, commitment levels, blockhash expiry,
//! transaction history and program errors as a validator reports them.

mod common;

use anchor_lang::solana_program::system_instruction;
use base64::{engine::general_purpose::STANDARD as B64, Engine};
use common::*;
use serde_json::{json, Value};
use solana_keypair::Keypair;
use solana_message::Message;
use solana_pubkey::Pubkey;
use solana_signer::Signer;
use solana_transaction::Transaction;

#[tokio::test]
async fn protocol_errors_are_json_rpc_errors() {
    let t = TestNode::start().await;
    assert_eq!(t.ok("getHealth", json!([])).await, json!("ok"));
    assert_eq!(t.ok("getVersion", json!([])).await["solana-core"], json!("2.3.13"));
    assert_eq!(t.call("noSuchMethod", json!([])).await["error"]["code"], json!(-32601));
    assert_eq!(t.raw("{not json".into()).await["error"]["code"], json!(-32700));
    assert_eq!(t.raw(json!({ "id": 1, "method": "getSlot" }).to_string()).await["error"]["code"], json!(-32600));
    assert_eq!(t.call("getBalance", json!(["not-a-key"])).await["error"]["code"], json!(-32602));
    assert_eq!(t.call("getBalance", json!([Pubkey::new_unique().to_string(), { "commitment": "sometime" }])).await["error"]["code"], json!(-32602));
    let batch = t.raw(json!([{ "jsonrpc": "2.0", "id": 1, "method": "getHealth" }, { "jsonrpc": "2.0", "id": 2, "method": "nope" }]).to_string()).await;
    assert_eq!(batch[0]["result"], json!("ok"));
    assert_eq!(batch[1]["error"]["code"], json!(-32601));
}

#[tokio::test]
async fn browsers_may_call_it_from_any_origin() {
    let t = TestNode::start().await;
    let client = reqwest::Client::new();
    let preflight = client
        .request(reqwest::Method::OPTIONS, &t.url)
        .header("origin", "http://127.0.0.1:3000")
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "content-type")
        .send()
        .await
        .expect("preflight");
    assert_eq!(preflight.status(), 204);
    assert_eq!(preflight.headers()["access-control-allow-origin"], "*");
    assert_eq!(preflight.headers()["access-control-allow-methods"], "POST, OPTIONS");
    assert!(preflight.headers()["access-control-allow-headers"].to_str().unwrap().contains("content-type"));
    let answer = client.post(&t.url).header("origin", "https://wallet.example").json(&json!({ "jsonrpc": "2.0", "id": 1, "method": "getHealth" })).send().await.expect("post");
    assert_eq!(answer.headers()["access-control-allow-origin"], "*");
    assert_eq!(answer.json::<Value>().await.unwrap()["result"], json!("ok"));
}

#[tokio::test]
async fn airdrop_is_visible_per_commitment() {
    let t = TestNode::start().await;
    let who = Pubkey::new_unique().to_string();
    let sig = t.ok("requestAirdrop", json!([who, 2_000_000_000u64])).await;
    let balance = |c: &'static str| {
        let who = who.clone();
        let t = &t;
        async move { t.ok("getBalance", json!([who, { "commitment": c }])).await["value"].as_u64().unwrap() }
    };
    assert_eq!(balance("processed").await, 2_000_000_000);
    assert_eq!(balance("confirmed").await, 0);
    assert_eq!(balance("finalized").await, 0);
    let status = t.ok("getSignatureStatuses", json!([[sig]])).await;
    assert_eq!(status["value"][0]["confirmationStatus"], json!("processed"));
    t.advance(1).await;
    assert_eq!(balance("confirmed").await, 2_000_000_000);
    assert_eq!(balance("finalized").await, 0);
    t.advance(31).await;
    assert_eq!(balance("finalized").await, 2_000_000_000);
    let status = t.ok("getSignatureStatuses", json!([[sig]])).await;
    assert_eq!(status["value"][0]["confirmationStatus"], json!("finalized"));
    assert_eq!(status["value"][0]["confirmations"], Value::Null);
}

#[tokio::test]
async fn transfer_lands_with_history_and_expired_blockhash_is_refused() {
    let t = TestNode::start().await;
    let payer = Keypair::new();
    let to = Pubkey::new_unique();
    t.ok("requestAirdrop", json!([payer.pubkey().to_string(), 10_000_000_000u64])).await;
    let old_hash = t.blockhash().await;
    t.advance(2).await;

    let ix = system_instruction::transfer(&payer.pubkey(), &to, 1_000_000_000);
    let tx = Transaction::new(&[&payer], Message::new(&[ix.clone()], Some(&payer.pubkey())), t.blockhash().await);
    let sig = t.send(&tx).await["result"].as_str().expect("signature").to_string();
    t.advance(1).await;

    let got = t.ok("getTransaction", json!([sig, { "commitment": "confirmed" }])).await;
    assert_eq!(got["meta"]["err"], Value::Null);
    assert_eq!(got["meta"]["fee"], json!(5000));
    assert_eq!(got["meta"]["preBalances"][0], json!(10_000_000_000u64));
    assert_eq!(got["meta"]["postBalances"][0], json!(10_000_000_000u64 - 1_000_000_000 - 5000));
    assert_eq!(got["meta"]["postBalances"][1], json!(1_000_000_000u64));
    assert_eq!(got["meta"]["logMessages"][0], json!("Program 11111111111111111111111111111111 invoke [1]"));
    assert_eq!(got["transaction"]["message"]["accountKeys"][1], json!(to.to_string()));
    let parsed = t.ok("getTransaction", json!([sig, { "commitment": "confirmed", "encoding": "jsonParsed" }])).await;
    let message = &parsed["transaction"]["message"];
    assert_eq!(message["accountKeys"][0], json!({ "pubkey": payer.pubkey().to_string(), "signer": true, "writable": true, "source": "transaction" }));
    assert_eq!(message["accountKeys"][2]["writable"], json!(false), "the System program is read-only");
    let transfer = &message["instructions"][0];
    assert_eq!((transfer["program"].clone(), transfer["parsed"]["type"].clone()), (json!("system"), json!("transfer")));
    assert_eq!(transfer["parsed"]["info"], json!({ "source": payer.pubkey().to_string(), "destination": to.to_string(), "lamports": 1_000_000_000u64 }));
    let b64 = t.ok("getTransaction", json!([sig, { "commitment": "confirmed", "encoding": "base64" }])).await;
    assert_eq!(b64["transaction"][1], json!("base64"));

    let history = t.ok("getSignaturesForAddress", json!([payer.pubkey().to_string(), { "commitment": "confirmed" }])).await;
    assert_eq!(history.as_array().unwrap().len(), 2);
    assert_eq!(history[0]["signature"], json!(sig), "newest first");
    let older = t.ok("getSignaturesForAddress", json!([payer.pubkey().to_string(), { "commitment": "confirmed", "before": sig }])).await;
    assert_eq!(older.as_array().unwrap().len(), 1);
    let limited = t.ok("getSignaturesForAddress", json!([payer.pubkey().to_string(), { "commitment": "confirmed", "limit": 1 }])).await;
    assert_eq!(limited.as_array().unwrap().len(), 1);

    // A blockhash older than 150 slots is no longer accepted.
    t.advance(150).await;
    assert_eq!(t.ok("isBlockhashValid", json!([old_hash.to_string()])).await["value"], json!(false));
    let stale = Transaction::new(&[&payer], Message::new(&[ix], Some(&payer.pubkey())), old_hash);
    let refused = t.send(&stale).await;
    assert_eq!(refused["error"]["code"], json!(-32002));
    assert_eq!(refused["error"]["data"]["err"], json!("BlockhashNotFound"));
}

#[tokio::test]
async fn program_errors_come_back_as_a_validator_reports_them() {
    let t = TestNode::start().await;
    let admin = admin();
    t.ok("requestAirdrop", json!([admin.pubkey().to_string(), 10_000_000_000u64])).await;
    let ix = initialize_ix(&admin.pubkey(), 5_000);
    let tx = Transaction::new(&[&admin], Message::new(&[ix], Some(&admin.pubkey())), t.blockhash().await);
    let refused = t.send(&tx).await;
    assert_eq!(refused["error"]["code"], json!(-32002));
    assert_eq!(refused["error"]["data"]["err"], json!({ "InstructionError": [0, { "Custom": 6000 }] }));
    assert!(refused["error"]["message"].as_str().unwrap().contains("custom program error: 0x1770"), "{refused}");
    let logs = refused["error"]["data"]["logs"].as_array().unwrap();
    assert!(logs.iter().any(|l| l.as_str().unwrap().contains("Error Code: FeeTooHigh")), "{logs:?}");

    // With preflight skipped the failed transaction is recorded, fee charged.
    let wire = B64.encode(bincode::serialize(&tx).unwrap());
    let sig = t.ok("sendTransaction", json!([wire, { "encoding": "base64", "skipPreflight": true }])).await;
    let status = t.ok("getSignatureStatuses", json!([[sig]])).await;
    assert_eq!(status["value"][0]["err"], json!({ "InstructionError": [0, { "Custom": 6000 }] }));
    let balance = t.ok("getBalance", json!([admin.pubkey().to_string(), { "commitment": "processed" }])).await;
    assert_eq!(balance["value"], json!(10_000_000_000u64 - 5000));
}

#[tokio::test]
async fn program_accounts_are_filtered_by_size_and_bytes() {
    let t = TestNode::start().await;
    let admin = admin();
    t.ok("requestAirdrop", json!([admin.pubkey().to_string(), 10_000_000_000u64])).await;
    let marketplace = marketplace_pda();
    let ix = initialize_ix(&admin.pubkey(), 250);
    let tx = Transaction::new(&[&admin], Message::new(&[ix], Some(&admin.pubkey())), t.blockhash().await);
    assert!(t.send(&tx).await.get("result").is_some());
    let program = skill_marketplace::ID.to_string();
    // The marketplace (238 bytes) and its fee vault (26 bytes).
    let all = t.ok("getProgramAccounts", json!([program, { "commitment": "processed", "encoding": "base64" }])).await;
    let mut keys: Vec<&str> = all.as_array().unwrap().iter().map(|a| a["pubkey"].as_str().unwrap()).collect();
    keys.sort();
    let fee_vault = Pubkey::find_program_address(&[skill_marketplace::constants::SEED_FEE_VAULT], &skill_marketplace::ID).0.to_string();
    let mut expected = vec![marketplace.to_string(), fee_vault];
    expected.sort();
    assert_eq!(keys, expected);
    let sized = t.ok("getProgramAccounts", json!([program, { "commitment": "processed", "filters": [{ "dataSize": 238 }] }])).await;
    assert_eq!(sized.as_array().unwrap().len(), 1);
    assert_eq!(sized[0]["pubkey"], json!(marketplace.to_string()));
    // The admin's key follows the discriminator (8 bytes) and the layout byte.
    let admin_b58 = admin.pubkey().to_string();
    let by_admin = t.ok("getProgramAccounts", json!([program, { "commitment": "processed", "filters": [{ "memcmp": { "offset": 9, "bytes": admin_b58 } }] }])).await;
    assert_eq!(by_admin.as_array().unwrap().len(), 1);
    let none = t.ok("getProgramAccounts", json!([program, { "commitment": "processed", "filters": [{ "memcmp": { "offset": 9, "bytes": Pubkey::new_unique().to_string() } }] }])).await;
    assert_eq!(none.as_array().unwrap().len(), 0);
    // Not yet finalized: invisible at the default (finalized) commitment.
    let finalized = t.ok("getProgramAccounts", json!([program])).await;
    assert_eq!(finalized.as_array().unwrap().len(), 0);
}

/// Raw SPL Token instruction: `tag` then `data`, over `accounts` (writable, signer).
fn token_ix(tag: u8, data: &[u8], accounts: &[(Pubkey, bool, bool)]) -> anchor_lang::solana_program::instruction::Instruction {
    use anchor_lang::solana_program::instruction::{AccountMeta, Instruction};
    Instruction {
        program_id: "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA".parse().unwrap(),
        accounts: accounts
            .iter()
            .map(|(k, w, s)| if *w { AccountMeta::new(*k, *s) } else { AccountMeta::new_readonly(*k, *s) })
            .collect(),
        data: [&[tag][..], data].concat(),
    }
}

#[tokio::test]
async fn token_balances_and_parsed_token_accounts() {
    let t = TestNode::start().await;
    let payer = Keypair::new();
    let (mint, a, b) = (Keypair::new(), Keypair::new(), Keypair::new());
    let (bob, token) = (Pubkey::new_unique(), "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA".parse::<Pubkey>().unwrap());
    t.ok("requestAirdrop", json!([payer.pubkey().to_string(), 10_000_000_000u64])).await;
    let mint_rent = t.ok("getMinimumBalanceForRentExemption", json!([82])).await.as_u64().unwrap();
    let account_rent = t.ok("getMinimumBalanceForRentExemption", json!([165])).await.as_u64().unwrap();
    let p = payer.pubkey();
    let setup = vec![
        system_instruction::create_account(&p, &mint.pubkey(), mint_rent, 82, &token),
        token_ix(20, &[&[6u8][..], p.as_ref(), &[0]].concat(), &[(mint.pubkey(), true, false)]),
        system_instruction::create_account(&p, &a.pubkey(), account_rent, 165, &token),
        token_ix(18, p.as_ref(), &[(a.pubkey(), true, false), (mint.pubkey(), false, false)]),
        system_instruction::create_account(&p, &b.pubkey(), account_rent, 165, &token),
        token_ix(18, bob.as_ref(), &[(b.pubkey(), true, false), (mint.pubkey(), false, false)]),
        token_ix(7, &5_000_000u64.to_le_bytes(), &[(mint.pubkey(), true, false), (a.pubkey(), true, false), (p, false, true)]),
    ];
    let tx = Transaction::new(&[&payer, &mint, &a, &b], Message::new(&setup, Some(&p)), t.blockhash().await);
    assert!(t.send(&tx).await["result"].is_string(), "token setup");
    let transfer = token_ix(3, &1_250_000u64.to_le_bytes(), &[(a.pubkey(), true, false), (b.pubkey(), true, false), (p, false, true)]);
    let tx = Transaction::new(&[&payer], Message::new(&[transfer], Some(&p)), t.blockhash().await);
    let sig = t.send(&tx).await["result"].clone();
    t.advance(1).await;

    let got = t.ok("getTransaction", json!([sig, { "commitment": "confirmed" }])).await;
    // (token account, owner, amount), sorted by token account.
    let amounts = |side: &str| -> Vec<(String, String, String)> {
        let keys = &got["transaction"]["message"]["accountKeys"];
        let mut v: Vec<_> = got["meta"][side].as_array().unwrap().iter().map(|b| {
            assert_eq!(b["mint"], json!(mint.pubkey().to_string()));
            assert_eq!(b["programId"], json!(token.to_string()));
            assert_eq!(b["uiTokenAmount"]["decimals"], json!(6));
            let account = keys[b["accountIndex"].as_u64().unwrap() as usize].as_str().unwrap().to_string();
            (account, b["owner"].as_str().unwrap().to_string(), b["uiTokenAmount"]["amount"].as_str().unwrap().to_string())
        }).collect();
        v.sort();
        v
    };
    let (me, him) = (p.to_string(), bob.to_string());
    let row = |k: &Keypair, owner: &String, amount: &str| (k.pubkey().to_string(), owner.clone(), amount.to_string());
    let sorted = |mut v: Vec<(String, String, String)>| { v.sort(); v };
    assert_eq!(amounts("preTokenBalances"), sorted(vec![row(&a, &me, "5000000"), row(&b, &him, "0")]));
    assert_eq!(amounts("postTokenBalances"), sorted(vec![row(&a, &me, "3750000"), row(&b, &him, "1250000")]));

    let parsed = t.ok("getAccountInfo", json!([b.pubkey().to_string(), { "commitment": "confirmed", "encoding": "jsonParsed" }])).await;
    let data = &parsed["value"]["data"];
    assert_eq!(data["program"], json!("spl-token"));
    assert_eq!(data["parsed"]["type"], json!("account"));
    assert_eq!(data["parsed"]["info"]["owner"], json!(bob.to_string()));
    assert_eq!(data["parsed"]["info"]["state"], json!("initialized"));
    assert_eq!(data["parsed"]["info"]["tokenAmount"]["amount"], json!("1250000"));
    let parsed = t.ok("getAccountInfo", json!([mint.pubkey().to_string(), { "commitment": "confirmed", "encoding": "jsonParsed" }])).await;
    let info = &parsed["value"]["data"]["parsed"]["info"];
    assert_eq!((info["supply"].clone(), info["decimals"].clone(), info["mintAuthority"].clone()), (json!("5000000"), json!(6), json!(p.to_string())));
    assert_eq!(info["freezeAuthority"], Value::Null);
    // Not a token account: jsonParsed falls back to base64.
    let plain = t.ok("getAccountInfo", json!([p.to_string(), { "commitment": "confirmed", "encoding": "jsonParsed" }])).await;
    assert_eq!(plain["value"]["data"][1], json!("base64"));
    let balance = t.ok("getTokenAccountBalance", json!([a.pubkey().to_string(), { "commitment": "confirmed" }])).await;
    assert_eq!(balance["value"]["amount"], json!("3750000"));
    let owned = t.ok("getTokenAccountsByOwner", json!([bob.to_string(), { "mint": mint.pubkey().to_string() }, { "commitment": "confirmed", "encoding": "jsonParsed" }])).await;
    assert_eq!(owned["value"].as_array().unwrap().len(), 1);
    assert_eq!(owned["value"][0]["pubkey"], json!(b.pubkey().to_string()));
    let refused = t.call("getTokenAccountBalance", json!([p.to_string(), { "commitment": "confirmed" }])).await;
    assert_eq!(refused["error"]["code"], json!(-32602));
}

#[tokio::test]
async fn the_program_is_presented_as_a_cluster_presents_an_upgradeable_one() {
    let t = TestNode::start().await;
    let loader = "BPFLoaderUpgradeab1e11111111111111111111111";
    let program_data = svm_harness::program_data_address(&skill_marketplace::ID);
    // The program account: loader-owned, executable, pointing at its ProgramData.
    let program = t.ok("getAccountInfo", json!([skill_marketplace::ID.to_string(), { "encoding": "base64", "commitment": "processed" }])).await["value"].clone();
    assert_eq!((program["owner"].as_str(), program["executable"].as_bool()), (Some(loader), Some(true)));
    let data = B64.decode(program["data"][0].as_str().unwrap()).unwrap();
    assert_eq!(&data[..4], &2u32.to_le_bytes(), "UpgradeableLoaderState::Program");
    assert_eq!(&data[4..36], program_data.as_ref());
    // The ProgramData: loader-owned, naming the upgrade authority the node was started with.
    let programdata = t.ok("getAccountInfo", json!([program_data.to_string(), { "encoding": "base64", "commitment": "processed" }])).await["value"].clone();
    assert_eq!((programdata["owner"].as_str(), programdata["executable"].as_bool()), (Some(loader), Some(false)));
    let data = B64.decode(programdata["data"][0].as_str().unwrap()).unwrap();
    assert_eq!(&data[..4], &3u32.to_le_bytes(), "UpgradeableLoaderState::ProgramData");
    assert_eq!(data[12], 1, "an upgrade authority is set");
    assert_eq!(&data[13..45], admin().pubkey().as_ref());
    t.stop().await;
}
