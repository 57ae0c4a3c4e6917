//! The chain behind the RPC: a LiteSVM with the marketplace program registered natively, plus
//! what a validator adds around execution: slots on a clock, a window of valid blockhashes,
//! commitment levels, transaction history, per-account versions for commitment-aware reads, a
//! faucet, notices for PubSub subscribers and (optionally) a journal that survives restarts.

use std::{
    collections::{BTreeMap, BTreeSet, HashMap, VecDeque},
    path::Path,
    sync::Arc,
};

use serde::{Deserialize, Serialize};
use solana_address_lookup_table_interface::state::AddressLookupTable;
use solana_slot_hashes::{SlotHashes, MAX_ENTRIES as SLOT_HASHES_MAX};

use svm_harness::litesvm::LiteSVM;
use solana_account::{Account, ReadableAccount};
use solana_clock::Clock;
use solana_hash::Hash;
use solana_instruction::{AccountMeta, Instruction};
use solana_keypair::Keypair;
use solana_message::inner_instruction::InnerInstructionsList;
use solana_pubkey::Pubkey;
use solana_signature::Signature;
use solana_signer::Signer;
use solana_transaction::{versioned::VersionedTransaction, Transaction};
use solana_transaction_error::TransactionError;
use tokio::sync::{broadcast, Mutex};

use crate::ledger::Ledger;

/// Lamports charged per signature (LiteSVM's default fee structure).
pub const LAMPORTS_PER_SIGNATURE: u64 = 5_000;
/// A blockhash is accepted for this many slots after it was produced, as on a validator.
pub const BLOCKHASH_VALIDITY_SLOTS: u64 = 150;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Commitment {
    Processed,
    Confirmed,
    Finalized,
}

impl Commitment {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "processed" | "recent" | "single" => Some(Self::Processed),
            "confirmed" | "singleGossip" => Some(Self::Confirmed),
            "finalized" | "max" | "root" => Some(Self::Finalized),
            _ => None,
        }
    }
}

#[derive(Clone, Debug)]
pub struct NodeConfig {
    /// Slots between a transaction's slot and its confirmation.
    pub confirmation_lag: u64,
    /// Slots between a transaction's slot and its finalization.
    pub finality_lag: u64,
    /// The marketplace program's upgrade authority, written in its ProgramData account as a
    /// cluster holds it for an upgradeable program; `None` presents the program as immutable
    /// (and then nobody can initialize the marketplace).
    pub upgrade_authority: Option<Pubkey>,
    /// Serves the test-only methods (`setAccount`): a node started for tests only, never one a
    /// service relies on as a chain.
    pub test_methods: bool,
}

impl Default for NodeConfig {
    fn default() -> Self {
        Self { confirmation_lag: 1, finality_lag: 32, upgrade_authority: None, test_methods: false }
    }
}

/// What the node remembers of a processed transaction.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TxRecord {
    pub signature: Signature,
    pub slot: u64,
    pub block_time: i64,
    pub transaction: VersionedTransaction,
    pub err: Option<TransactionError>,
    pub fee: u64,
    pub logs: Vec<String>,
    pub pre_balances: Vec<u64>,
    pub post_balances: Vec<u64>,
    pub inner_instructions: InnerInstructionsList,
    pub compute_units: u64,
    pub return_data: Option<(Pubkey, Vec<u8>)>,
    pub pre_token_balances: Vec<TokenBalance>,
    pub post_token_balances: Vec<TokenBalance>,
    /// Accounts a v0 transaction loaded from address lookup tables (empty for legacy ones).
    /// Journals written before lookup tables were followed have none.
    #[serde(default)]
    pub loaded: LoadedAddresses,
    /// The blockhash of the block (slot) it landed in; journals from before blocks were served have none.
    #[serde(default)]
    pub block_hash: Option<Hash>,
}

/// The accounts a v0 message names through address lookup tables, resolved when it ran: they
/// follow the static keys in the transaction's account list, writable ones first.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct LoadedAddresses {
    pub writable: Vec<Pubkey>,
    pub readonly: Vec<Pubkey>,
}

/// A token account's balance before or after a transaction (`preTokenBalances` / `postTokenBalances`).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TokenBalance {
    pub account_index: u8,
    pub mint: Pubkey,
    pub owner: Pubkey,
    pub program_id: Pubkey,
    pub amount: u64,
    pub decimals: u8,
}

/// SPL Token and Token-2022 share the base account layout: mint, owner, amount in the first 72 bytes.
pub const TOKEN_PROGRAMS: [Pubkey; 2] = [
    Pubkey::from_str_const("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA"),
    Pubkey::from_str_const("TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb"),
];
const TOKEN_ACCOUNT_LEN: usize = 165;
const MINT_DECIMALS_OFFSET: usize = 44;

impl TxRecord {
    /// Every account the transaction loaded, in the runtime's order: static keys, then the
    /// lookup tables' writable and read-only addresses.
    pub fn keys(&self) -> Vec<Pubkey> {
        account_keys(&self.transaction, &self.loaded)
    }

    pub fn is_writable(&self, index: usize) -> bool {
        is_writable(&self.transaction, &self.loaded, index)
    }

    pub fn writable_keys(&self) -> Vec<Pubkey> {
        self.keys().into_iter().enumerate().filter(|(i, _)| self.is_writable(*i)).map(|(_, k)| k).collect()
    }
}

/// A block: one per slot the node produced, with the transactions processed in it, in order.
#[derive(Clone, Debug)]
pub struct Block {
    pub blockhash: Hash,
    pub parent_slot: u64,
    pub block_time: i64,
    pub signatures: Vec<Signature>,
}

/// One record of the `--ledger` journal (see [`crate::ledger`]).
#[derive(Serialize, Deserialize)]
pub enum Entry {
    /// The chain reached `slot` (written periodically and at shutdown, so slots never go back).
    Slot { slot: u64, unix_time: i64 },
    /// A transaction and the state it left in every writable account (`None` = closed).
    Transaction { record: TxRecord, accounts: Vec<(Pubkey, Option<Account>)> },
}

/// What PubSub subscribers hear from the node, in order.
#[derive(Clone, Debug)]
pub enum Notice {
    /// A new slot was produced; `confirmed` and `finalized` are the slots those commitments reached.
    Slot { slot: u64, confirmed: u64, finalized: u64 },
    /// A transaction entered the ledger (successful or failed) in the current slot.
    Transaction(Arc<TxRecord>),
}

/// Room for this many notices per subscriber before a slow one is cut off (it must reconnect).
const NOTICE_CAPACITY: usize = 1 << 16;
/// Slots between two `Slot` journal entries while the chain is idle.
const JOURNAL_SLOT_INTERVAL: u64 = 64;
/// Lamports the faucet starts with: a billion SOL.
const FAUCET_LAMPORTS: u64 = 1_000_000_000 * 1_000_000_000;

/// Outcome of a simulation, shaped like the RPC's `simulateTransaction` value.
pub struct Simulation {
    pub err: Option<TransactionError>,
    pub logs: Vec<String>,
    pub units_consumed: u64,
    pub return_data: Option<(Pubkey, Vec<u8>)>,
    /// The transaction's accounts as it would leave them (empty when it fails).
    pub post_accounts: Vec<(Pubkey, Account)>,
}

pub struct Node {
    svm: LiteSVM,
    config: NodeConfig,
    slot: u64,
    block_times: HashMap<u64, i64>,
    /// Recent blockhashes, oldest first, with the slot that produced each.
    blockhashes: VecDeque<(Hash, u64)>,
    /// The SlotHashes sysvar's entries, newest first (a lookup table's `recent_slot` must be one).
    slot_hashes: VecDeque<(u64, Hash)>,
    /// Every block produced (after a restart: the restored ones that held transactions), by slot.
    blocks: BTreeMap<u64, Block>,
    txs: HashMap<Signature, Arc<TxRecord>>,
    /// Transactions not yet finalized, oldest first: what a new PubSub connection must still
    /// hear about at `confirmed` / `finalized`.
    unfinalized: VecDeque<Arc<TxRecord>>,
    /// Signatures touching each address, oldest first.
    by_address: HashMap<Pubkey, Vec<Signature>>,
    /// Every key each program has ever owned (a superset: readers check the account at their
    /// commitment), so getProgramAccounts scans one program's accounts, not the whole chain.
    owned: HashMap<Pubkey, BTreeSet<Pubkey>>,
    /// Versions of accounts changed after slot 0: (slot written, state after), oldest first.
    versions: HashMap<Pubkey, Vec<(u64, Option<Account>)>>,
    transaction_count: u64,
    faucet: Keypair,
    notices: broadcast::Sender<Notice>,
    ledger: Option<Ledger>,
}

/// The node as the transports (HTTP, PubSub, the slot clock) share it.
pub type SharedNode = Arc<Mutex<Node>>;

fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

impl Node {
    pub fn new(config: NodeConfig) -> Self {
        let mut svm = LiteSVM::new()
            .with_sigverify(false)
            .with_blockhash_check(false)
            .with_transaction_history(0);
        svm_harness::add_native_program(&mut svm, skill_marketplace::ID, skill_marketplace::entry);
        svm_harness::set_program_data(&mut svm, &skill_marketplace::ID, config.upgrade_authority, 0);
        // A fixed faucet key, so a ledger written by one run is valid for the next.
        let faucet = Keypair::new_from_array([0x5a; 32]);
        let funded = Account { lamports: FAUCET_LAMPORTS, owner: Pubkey::default(), ..Account::default() };
        let _ = svm.set_account(faucet.pubkey(), funded);
        let mut node = Node {
            svm,
            config,
            slot: 0,
            block_times: HashMap::new(),
            blockhashes: VecDeque::new(),
            slot_hashes: VecDeque::new(),
            blocks: BTreeMap::new(),
            txs: HashMap::new(),
            unfinalized: VecDeque::new(),
            by_address: HashMap::new(),
            owned: HashMap::new(),
            versions: HashMap::new(),
            transaction_count: 0,
            faucet,
            notices: broadcast::channel(NOTICE_CAPACITY).0,
            ledger: None,
        };
        node.advance_slot();
        node
    }

    /// A node whose state and history are kept in (and first restored from) the journal in
    /// `dir`. Everything restored is treated as finalized: the clock resumes past the finality lag.
    pub fn with_ledger(config: NodeConfig, dir: &Path) -> std::io::Result<Self> {
        let (ledger, entries) = Ledger::open::<Entry>(dir)?;
        let mut node = Node::new(config);
        let mut last_slot = 0;
        for entry in entries {
            match entry {
                Entry::Slot { slot, unix_time } => {
                    node.block_times.insert(slot, unix_time);
                    last_slot = last_slot.max(slot);
                }
                Entry::Transaction { record, accounts } => {
                    for (key, account) in accounts {
                        if let Some(a) = &account {
                            node.owned.entry(a.owner).or_default().insert(key);
                        }
                        let _ = node.svm.set_account(key, account.unwrap_or_default());
                    }
                    node.block_times.insert(record.slot, record.block_time);
                    last_slot = last_slot.max(record.slot);
                    node.index(record);
                }
            }
        }
        if last_slot > 0 {
            node.slot = last_slot + node.config.finality_lag;
            node.blockhashes.clear();
            node.advance_slot();
        }
        node.ledger = Some(ledger);
        node.journal(|n| Entry::Slot { slot: n.slot, unix_time: n.block_time(n.slot).unwrap_or_else(now_unix) });
        Ok(node)
    }

    /// A receiver of every notice from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Notice> {
        self.notices.subscribe()
    }

    /// Writes the current slot to the journal, so a restart resumes after it.
    pub fn checkpoint(&mut self) {
        self.journal(|n| Entry::Slot { slot: n.slot, unix_time: n.block_time(n.slot).unwrap_or_else(now_unix) });
    }

    fn journal(&mut self, entry: impl FnOnce(&Self) -> Entry) {
        if self.ledger.is_none() {
            return;
        }
        let entry = entry(self);
        if let Some(Err(e)) = self.ledger.as_mut().map(|l| l.append(&entry)) {
            // A node whose journal silently diverged from its state would lose history on restart.
            eprintln!("localnet: cannot write the ledger journal: {e}; stopping");
            std::process::exit(1);
        }
    }

    /// Produces the next slot: new clock, new blockhash.
    pub fn advance_slot(&mut self) {
        self.slot += 1;
        let now = now_unix();
        let mut clock: Clock = self.svm.get_sysvar();
        clock.slot = self.slot;
        clock.unix_timestamp = now;
        self.svm.set_sysvar(&clock);
        self.svm.expire_blockhash();
        self.block_times.insert(self.slot, now);
        self.blockhashes.push_back((self.svm.latest_blockhash(), self.slot));
        // The current slot is included: a client's `getSlot()` may name it as a lookup table's
        // recent slot and land its transaction within the same slot here.
        let parent_slot = self.blocks.keys().next_back().copied().unwrap_or(0);
        self.blocks.insert(self.slot, Block { blockhash: self.svm.latest_blockhash(), parent_slot, block_time: now, signatures: Vec::new() });
        self.slot_hashes.push_front((self.slot, self.svm.latest_blockhash()));
        self.slot_hashes.truncate(SLOT_HASHES_MAX);
        let entries: Vec<(u64, Hash)> = self.slot_hashes.iter().copied().collect();
        self.svm.set_sysvar(&SlotHashes::new(&entries));
        while self
            .blockhashes
            .front()
            .is_some_and(|(_, s)| s + BLOCKHASH_VALIDITY_SLOTS < self.slot)
        {
            self.blockhashes.pop_front();
        }
        self.prune_versions();
        if self.slot % JOURNAL_SLOT_INTERVAL == 0 {
            self.checkpoint();
        }
        let _ = self.notices.send(Notice::Slot {
            slot: self.slot,
            confirmed: self.slot(Commitment::Confirmed),
            finalized: self.slot(Commitment::Finalized),
        });
    }

    pub fn slot(&self, commitment: Commitment) -> u64 {
        match commitment {
            Commitment::Processed => self.slot,
            Commitment::Confirmed => self.slot.saturating_sub(self.config.confirmation_lag),
            Commitment::Finalized => self.slot.saturating_sub(self.config.finality_lag),
        }
    }

    /// The highest commitment a transaction processed at `slot` has reached.
    pub fn confirmation_status(&self, slot: u64) -> &'static str {
        if slot <= self.slot(Commitment::Finalized) {
            "finalized"
        } else if slot <= self.slot(Commitment::Confirmed) {
            "confirmed"
        } else {
            "processed"
        }
    }

    pub fn transaction_count(&self) -> u64 {
        self.transaction_count
    }

    pub fn block_time(&self, slot: u64) -> Option<i64> {
        self.block_times.get(&slot).copied()
    }

    pub fn latest_blockhash(&self, commitment: Commitment) -> (Hash, u64) {
        let at = self.slot(commitment);
        let (hash, slot) = self
            .blockhashes
            .iter()
            .rev()
            .find(|(_, s)| *s <= at)
            .or(self.blockhashes.front())
            .copied()
            .unwrap_or_default();
        (hash, slot + BLOCKHASH_VALIDITY_SLOTS)
    }

    pub fn is_blockhash_valid(&self, hash: &Hash) -> bool {
        self.blockhashes.iter().any(|(h, _)| h == hash)
    }

    pub fn minimum_balance(&self, len: usize) -> u64 {
        self.svm.minimum_balance_for_rent_exemption(len)
    }

    /// The account as seen at `commitment`. The marketplace program's own account is shown as a
    /// cluster shows an upgradeable program (loader-owned, pointing at its ProgramData).
    pub fn account(&self, key: &Pubkey, commitment: Commitment) -> Option<Account> {
        if *key == skill_marketplace::ID {
            return Some(svm_harness::presented_program_account(&self.svm, key));
        }
        let at = self.slot(commitment);
        let current = || self.svm.get_account(key).filter(|a| a.lamports > 0);
        if commitment == Commitment::Processed {
            return current();
        }
        match self.versions.get(key) {
            Some(versions) => versions
                .iter()
                .rev()
                .find(|(slot, _)| *slot <= at)
                .map(|(_, account)| account.clone())
                .unwrap_or(None),
            None => current(),
        }
    }

    /// Every key `owner` has owned at some point; callers read each at their commitment.
    pub fn keys_owned_by(&self, owner: &Pubkey) -> impl Iterator<Item = &Pubkey> {
        self.owned.get(owner).into_iter().flatten()
    }

    pub fn block(&self, slot: u64) -> Option<&Block> {
        self.blocks.get(&slot)
    }

    /// Slots of the blocks in `range`, ascending.
    pub fn block_slots(&self, range: impl std::ops::RangeBounds<u64>) -> impl Iterator<Item = u64> + '_ {
        self.blocks.range(range).map(|(slot, _)| *slot)
    }

    /// Every key the node has seen written (the faucet included): what supply figures sum over.
    pub fn known_keys(&self) -> BTreeSet<Pubkey> {
        let mut keys: BTreeSet<Pubkey> = self.owned.values().flatten().copied().collect();
        keys.insert(self.faucet.pubkey());
        keys
    }

    pub fn transaction(&self, signature: &Signature) -> Option<&Arc<TxRecord>> {
        self.txs.get(signature)
    }

    pub fn signatures_for(&self, address: &Pubkey) -> &[Signature] {
        self.by_address.get(address).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Runs `tx` against the current state without keeping anything. Its blockhash must be one the
    /// node accepts; its signatures are checked only when `verify_signatures`.
    pub fn simulate(&mut self, tx: VersionedTransaction, verify_signatures: bool) -> Simulation {
        let refused = |err| Simulation { err: Some(err), logs: Vec::new(), units_consumed: 0, return_data: None, post_accounts: Vec::new() };
        if !self.is_blockhash_valid(tx.message.recent_blockhash()) {
            return refused(TransactionError::BlockhashNotFound);
        }
        if verify_signatures && !signatures_valid(&tx) {
            return refused(TransactionError::SignatureFailure);
        }
        match self.svm.simulate_transaction(tx) {
            Ok(info) => Simulation {
                err: None,
                logs: info.meta.logs,
                units_consumed: info.meta.compute_units_consumed,
                return_data: return_data(&info.meta.return_data),
                post_accounts: info.post_accounts.into_iter().map(|(k, a)| (k, a.into())).collect(),
            },
            Err(failure) => Simulation {
                err: Some(failure.err),
                logs: failure.meta.logs,
                units_consumed: failure.meta.compute_units_consumed,
                return_data: return_data(&failure.meta.return_data),
                post_accounts: Vec::new(),
            },
        }
    }

    /// Executes a transaction in the current slot. Errors that keep a transaction out of the
    /// ledger (bad blockhash, duplicate) are returned as `Err`; a transaction that ran and failed
    /// is recorded and returned as `Ok` with its error.
    pub fn process(&mut self, tx: VersionedTransaction) -> Result<Arc<TxRecord>, TransactionError> {
        let signature = *tx.signatures.first().ok_or(TransactionError::SanitizeFailure)?;
        if self.txs.contains_key(&signature) {
            return Err(TransactionError::AlreadyProcessed);
        }
        if !self.is_blockhash_valid(tx.message.recent_blockhash()) {
            return Err(TransactionError::BlockhashNotFound);
        }
        // The VM runs without its own signature check (simulations may skip it); a transaction
        // that would enter the ledger must carry valid signatures.
        if !signatures_valid(&tx) {
            return Err(TransactionError::SignatureFailure);
        }
        // Resolved before it runs, from the tables as they are now (a table the runtime cannot
        // use makes it refuse the transaction below, and nothing is recorded).
        let loaded = self.resolve_lookups(&tx);
        let keys: Vec<Pubkey> = account_keys(&tx, &loaded);
        let pre: Vec<Option<Account>> = keys.iter().map(|k| self.svm.get_account(k)).collect();
        let fee = LAMPORTS_PER_SIGNATURE * tx.signatures.len() as u64;
        let (err, meta) = match self.svm.send_transaction(tx.clone()) {
            Ok(meta) => (None, meta),
            Err(failure) => {
                // Transactions the runtime refused before execution never reach the ledger.
                if matches!(
                    failure.err,
                    TransactionError::InstructionError(..)
                        | TransactionError::InsufficientFundsForRent { .. }
                ) {
                    (Some(failure.err), failure.meta)
                } else {
                    return Err(failure.err);
                }
            }
        };
        let post: Vec<Option<Account>> = keys.iter().map(|k| self.svm.get_account(k)).collect();
        let record = TxRecord {
            pre_token_balances: self.token_balances(&pre),
            post_token_balances: self.token_balances(&post),
            signature,
            slot: self.slot,
            block_time: self.block_time(self.slot).unwrap_or_else(now_unix),
            pre_balances: pre.iter().map(|a| a.as_ref().map_or(0, |a| a.lamports)).collect(),
            post_balances: post.iter().map(|a| a.as_ref().map_or(0, |a| a.lamports)).collect(),
            transaction: tx,
            err,
            fee,
            logs: meta.logs,
            inner_instructions: meta.inner_instructions,
            compute_units: meta.compute_units_consumed,
            return_data: return_data(&meta.return_data),
            loaded,
            block_hash: self.blocks.get(&self.slot).map(|b| b.blockhash),
        };
        let mut accounts = Vec::new();
        for (i, key) in keys.iter().enumerate() {
            if record.is_writable(i) {
                self.record_version(key, pre[i].clone());
                let after = self.svm.get_account(key).filter(|a| a.lamports > 0);
                if let Some(a) = &after {
                    self.owned.entry(a.owner).or_default().insert(*key);
                }
                accounts.push((*key, after));
            }
        }
        eprintln!("localnet: tx {} slot {} {}", signature, record.slot, if record.err.is_some() { "failed" } else { "ok" });
        let record = self.index(record);
        self.journal(|_| Entry::Transaction { record: (*record).clone(), accounts });
        let _ = self.notices.send(Notice::Transaction(record.clone()));
        Ok(record)
    }

    /// The faucet: a signed System transfer from the node's own funded account, recorded like any
    /// other transaction.
    pub fn airdrop(&mut self, to: &Pubkey, lamports: u64) -> Result<Signature, TransactionError> {
        let from = self.faucet.pubkey();
        let mut data = 2u32.to_le_bytes().to_vec(); // SystemInstruction::Transfer
        data.extend_from_slice(&lamports.to_le_bytes());
        let transfer = Instruction {
            program_id: Pubkey::default(),
            accounts: vec![AccountMeta::new(from, true), AccountMeta::new(*to, false)],
            data,
        };
        let attempt = |node: &mut Self| {
            let (blockhash, _) = node.blockhashes.back().copied().unwrap_or_default();
            let tx = Transaction::new_signed_with_payer(&[transfer.clone()], Some(&from), &[&node.faucet], blockhash);
            node.process(VersionedTransaction::from(tx))
        };
        let record = match attempt(self) {
            // The same transfer twice in one slot signs identically: move to a fresh blockhash.
            Err(TransactionError::AlreadyProcessed) => {
                self.advance_slot();
                attempt(self)?
            }
            other => other?,
        };
        match &record.err {
            None => Ok(record.signature),
            Some(e) => Err(e.clone()),
        }
    }

    /// The addresses a v0 message loads from lookup tables, read from the tables' current
    /// state; an index a table does not have is skipped (the runtime refuses such a message).
    fn resolve_lookups(&self, tx: &VersionedTransaction) -> LoadedAddresses {
        let mut loaded = LoadedAddresses::default();
        for lookup in tx.message.address_table_lookups().unwrap_or_default() {
            let Some(table) = self.svm.get_account(&lookup.account_key) else { continue };
            if table.owner != ADDRESS_LOOKUP_TABLE_PROGRAM {
                continue;
            }
            let Ok(table) = AddressLookupTable::deserialize(&table.data) else { continue };
            let pick = |indexes: &[u8]| -> Vec<Pubkey> {
                indexes.iter().filter_map(|i| table.addresses.get(*i as usize).copied()).collect()
            };
            loaded.writable.extend(pick(&lookup.writable_indexes));
            loaded.readonly.extend(pick(&lookup.readonly_indexes));
        }
        loaded
    }

    /// The token accounts among `accounts` (indexed like the message's keys) with their balances.
    fn token_balances(&self, accounts: &[Option<Account>]) -> Vec<TokenBalance> {
        accounts
            .iter()
            .enumerate()
            .filter_map(|(i, account)| {
                let account = account.as_ref().filter(|a| a.lamports > 0 && TOKEN_PROGRAMS.contains(&a.owner))?;
                if account.data.len() < TOKEN_ACCOUNT_LEN {
                    return None; // a mint, not a token account
                }
                let mint = Pubkey::try_from(&account.data[..32]).ok()?;
                let decimals = self.svm.get_account(&mint)?.data.get(MINT_DECIMALS_OFFSET).copied()?;
                Some(TokenBalance {
                    account_index: u8::try_from(i).ok()?,
                    mint,
                    owner: Pubkey::try_from(&account.data[32..64]).ok()?,
                    program_id: account.owner,
                    amount: u64::from_le_bytes(account.data[64..72].try_into().ok()?),
                    decimals,
                })
            })
            .collect()
    }

    fn index(&mut self, record: TxRecord) -> Arc<TxRecord> {
        let record = Arc::new(record);
        for key in record.keys() {
            self.by_address.entry(key).or_default().push(record.signature);
        }
        self.txs.insert(record.signature, record.clone());
        // Restored history rebuilds the blocks that held transactions (empty ones are not journaled).
        let parent_slot = self.blocks.range(..record.slot).next_back().map(|(s, _)| *s).unwrap_or(0);
        self.blocks
            .entry(record.slot)
            .or_insert_with(|| Block {
                blockhash: record.block_hash.unwrap_or_else(|| placeholder_blockhash(record.slot)),
                parent_slot,
                block_time: record.block_time,
                signatures: Vec::new(),
            })
            .signatures
            .push(record.signature);
        if record.slot > self.slot(Commitment::Finalized) {
            self.unfinalized.push_back(record.clone());
        }
        self.transaction_count += 1;
        record
    }

    /// Whether the test-only methods are served.
    pub fn test_methods(&self) -> bool {
        self.config.test_methods
    }

    /// Writes `account` at `key` as of the current slot, outside any transaction (test-only: what
    /// a look-alike account made by another program would be). Not journaled: gone after a restart.
    pub fn set_account(&mut self, key: &Pubkey, account: Account) -> Result<(), String> {
        if *key == skill_marketplace::ID || *key == self.faucet.pubkey() {
            return Err("the program's and the faucet's accounts cannot be replaced".into());
        }
        let before = self.svm.get_account(key);
        let owner = account.owner;
        self.svm.set_account(*key, account).map_err(|e| e.to_string())?;
        self.record_version(key, before);
        self.owned.entry(owner).or_default().insert(*key);
        Ok(())
    }

    fn record_version(&mut self, key: &Pubkey, before: Option<Account>) {
        let after = self.svm.get_account(key).filter(|a| a.lamports > 0);
        let versions = self.versions.entry(*key).or_insert_with(|| vec![(0, before.filter(|a| a.lamports() > 0))]);
        match versions.last_mut() {
            Some((slot, state)) if *slot == self.slot => *state = after,
            _ => versions.push((self.slot, after)),
        }
    }

    /// Transactions whose slot is not yet finalized, oldest first.
    pub fn unfinalized(&self) -> impl Iterator<Item = &Arc<TxRecord>> {
        self.unfinalized.iter()
    }

    /// Drops account versions no commitment can see any more.
    fn prune_versions(&mut self) {
        let finalized = self.slot(Commitment::Finalized);
        while self.unfinalized.front().is_some_and(|r| r.slot <= finalized) {
            self.unfinalized.pop_front();
        }
        self.versions.retain(|_, versions| {
            let keep_from = versions.iter().rposition(|(slot, _)| *slot <= finalized).unwrap_or(0);
            versions.drain(..keep_from);
            // One version at or below finality equal to the current state tells nothing new.
            !(versions.len() == 1 && versions[0].0 <= finalized)
        });
    }
}

/// The blockhash reported for a restored block whose real one a journal did not keep.
fn placeholder_blockhash(slot: u64) -> Hash {
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&slot.to_le_bytes());
    Hash::new_from_array(bytes)
}

/// Whether every signature verifies against its signer and the message.
fn signatures_valid(tx: &VersionedTransaction) -> bool {
    tx.signatures.len() == tx.message.header().num_required_signatures as usize && tx.verify_with_results().iter().all(|ok| *ok)
}

fn return_data(data: &solana_transaction_context::TransactionReturnData) -> Option<(Pubkey, Vec<u8>)> {
    (!data.data.is_empty()).then(|| (data.program_id, data.data.clone()))
}

/// The address lookup table program, owner of every table a v0 message may name.
pub const ADDRESS_LOOKUP_TABLE_PROGRAM: Pubkey = Pubkey::from_str_const("AddressLookupTab1e1111111111111111111111111");

/// Static keys, then the addresses loaded from lookup tables (writable, then read-only).
pub fn account_keys(tx: &VersionedTransaction, loaded: &LoadedAddresses) -> Vec<Pubkey> {
    let mut keys = tx.message.static_account_keys().to_vec();
    keys.extend_from_slice(&loaded.writable);
    keys.extend_from_slice(&loaded.readonly);
    keys
}

/// Whether account `index` of the transaction's full account list is writable: static keys by
/// the message header, loaded ones by the lookup they came from.
pub fn is_writable(tx: &VersionedTransaction, loaded: &LoadedAddresses, index: usize) -> bool {
    let header = tx.message.header();
    let signed = header.num_required_signatures as usize;
    let keys = tx.message.static_account_keys().len();
    if index < signed {
        index < signed - header.num_readonly_signed_accounts as usize
    } else if index < keys {
        index < keys - header.num_readonly_unsigned_accounts as usize
    } else {
        index < keys + loaded.writable.len()
    }
}
