//! The chain behind the RPC: a LiteSVM with the marketplace program registered natively, plus
//! what a validator adds around execution: slots on a clock, a window of valid blockhashes,
//! commitment levels, transaction history and per-account versions for commitment-aware reads.

use std::collections::{BTreeSet, HashMap, VecDeque};

use svm_harness::litesvm::LiteSVM;
use solana_account::{Account, ReadableAccount};
use solana_clock::Clock;
use solana_hash::Hash;
use solana_message::inner_instruction::InnerInstructionsList;
use solana_pubkey::Pubkey;
use solana_signature::Signature;
use solana_transaction::versioned::VersionedTransaction;
use solana_transaction_error::TransactionError;

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
}

impl Default for NodeConfig {
    fn default() -> Self {
        Self { confirmation_lag: 1, finality_lag: 32 }
    }
}

/// What the node remembers of a processed transaction.
#[derive(Clone, Debug)]
pub struct TxRecord {
    pub signature: Signature,
    pub slot: u64,
    pub block_time: i64,
    /// `None` for faucet transfers, which the node performs itself.
    pub transaction: Option<VersionedTransaction>,
    pub err: Option<TransactionError>,
    pub fee: u64,
    pub logs: Vec<String>,
    pub pre_balances: Vec<u64>,
    pub post_balances: Vec<u64>,
    pub inner_instructions: InnerInstructionsList,
    pub compute_units: u64,
    pub return_data: Option<(Pubkey, Vec<u8>)>,
}

/// Outcome of a simulation, shaped like the RPC's `simulateTransaction` value.
pub struct Simulation {
    pub err: Option<TransactionError>,
    pub logs: Vec<String>,
    pub units_consumed: u64,
    pub return_data: Option<(Pubkey, Vec<u8>)>,
}

pub struct Node {
    svm: LiteSVM,
    config: NodeConfig,
    slot: u64,
    block_times: HashMap<u64, i64>,
    /// Recent blockhashes, oldest first, with the slot that produced each.
    blockhashes: VecDeque<(Hash, u64)>,
    txs: HashMap<Signature, TxRecord>,
    /// Signatures touching each address, oldest first.
    by_address: HashMap<Pubkey, Vec<Signature>>,
    /// Every account key the node has seen, so program and owner scans can enumerate them.
    known: BTreeSet<Pubkey>,
    /// Versions of accounts changed after slot 0: (slot written, state after), oldest first.
    versions: HashMap<Pubkey, Vec<(u64, Option<Account>)>>,
    transaction_count: u64,
}

fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

impl Node {
    pub fn new(config: NodeConfig) -> Self {
        let mut svm = LiteSVM::new()
            .with_sigverify(true)
            .with_blockhash_check(false)
            .with_transaction_history(0)
            .with_lamports(1_000_000_000 * 1_000_000_000);
        svm_harness::add_native_program(&mut svm, skill_marketplace::ID, skill_marketplace::entry);
        let mut node = Node {
            svm,
            config,
            slot: 0,
            block_times: HashMap::new(),
            blockhashes: VecDeque::new(),
            txs: HashMap::new(),
            by_address: HashMap::new(),
            known: BTreeSet::new(),
            versions: HashMap::new(),
            transaction_count: 0,
        };
        node.known.insert(skill_marketplace::ID);
        node.advance_slot();
        node
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
        while self
            .blockhashes
            .front()
            .is_some_and(|(_, s)| s + BLOCKHASH_VALIDITY_SLOTS < self.slot)
        {
            self.blockhashes.pop_front();
        }
        self.prune_versions();
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

    /// The account as seen at `commitment`.
    pub fn account(&self, key: &Pubkey, commitment: Commitment) -> Option<Account> {
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

    /// Every account key the node has seen; callers read each at their commitment.
    pub fn keys(&self) -> impl Iterator<Item = &Pubkey> {
        self.known.iter()
    }

    pub fn transaction(&self, signature: &Signature) -> Option<&TxRecord> {
        self.txs.get(signature)
    }

    pub fn signatures_for(&self, address: &Pubkey) -> &[Signature] {
        self.by_address.get(address).map(Vec::as_slice).unwrap_or(&[])
    }

    pub fn simulate(&mut self, tx: VersionedTransaction) -> Simulation {
        match self.svm.simulate_transaction(tx) {
            Ok(info) => Simulation {
                err: None,
                logs: info.meta.logs,
                units_consumed: info.meta.compute_units_consumed,
                return_data: return_data(&info.meta.return_data),
            },
            Err(failure) => Simulation {
                err: Some(failure.err),
                logs: failure.meta.logs,
                units_consumed: failure.meta.compute_units_consumed,
                return_data: return_data(&failure.meta.return_data),
            },
        }
    }

    /// Executes a transaction in the current slot. Errors that keep a transaction out of the
    /// ledger (bad blockhash, duplicate) are returned as `Err`; a transaction that ran and failed
    /// is recorded and returned as `Ok` with its error.
    pub fn process(&mut self, tx: VersionedTransaction) -> Result<&TxRecord, TransactionError> {
        let signature = *tx.signatures.first().ok_or(TransactionError::SanitizeFailure)?;
        if self.txs.contains_key(&signature) {
            return Err(TransactionError::AlreadyProcessed);
        }
        if !self.is_blockhash_valid(tx.message.recent_blockhash()) {
            return Err(TransactionError::BlockhashNotFound);
        }
        let keys: Vec<Pubkey> = tx.message.static_account_keys().to_vec();
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
        let writable: Vec<bool> = (0..keys.len()).map(|i| is_writable(&tx, i)).collect();
        let record = TxRecord {
            signature,
            slot: self.slot,
            block_time: self.block_time(self.slot).unwrap_or_else(now_unix),
            pre_balances: pre.iter().map(|a| a.as_ref().map_or(0, |a| a.lamports)).collect(),
            post_balances: keys.iter().map(|k| self.svm.get_account(k).map_or(0, |a| a.lamports)).collect(),
            transaction: Some(tx),
            err,
            fee,
            logs: meta.logs,
            inner_instructions: meta.inner_instructions,
            compute_units: meta.compute_units_consumed,
            return_data: return_data(&meta.return_data),
        };
        for (i, key) in keys.iter().enumerate() {
            if writable[i] {
                self.record_version(key, pre[i].clone());
            }
        }
        self.index(signature, &keys, record);
        Ok(&self.txs[&signature])
    }

    /// The faucet: transfers lamports from the node's own funded account.
    pub fn airdrop(&mut self, to: &Pubkey, lamports: u64) -> Result<Signature, TransactionError> {
        let pre = self.svm.get_account(to);
        let meta = self.svm.airdrop(to, lamports).map_err(|f| f.err)?;
        let post = self.svm.get_account(to).map_or(0, |a| a.lamports);
        let record = TxRecord {
            signature: meta.signature,
            slot: self.slot,
            block_time: self.block_time(self.slot).unwrap_or_else(now_unix),
            transaction: None,
            err: None,
            fee: 0,
            pre_balances: vec![pre.as_ref().map_or(0, |a| a.lamports)],
            post_balances: vec![post],
            logs: meta.logs,
            inner_instructions: meta.inner_instructions,
            compute_units: meta.compute_units_consumed,
            return_data: None,
        };
        self.record_version(to, pre);
        self.index(meta.signature, &[*to], record);
        Ok(meta.signature)
    }

    fn index(&mut self, signature: Signature, keys: &[Pubkey], record: TxRecord) {
        for key in keys {
            self.known.insert(*key);
            self.by_address.entry(*key).or_default().push(signature);
        }
        self.txs.insert(signature, record);
        self.transaction_count += 1;
    }

    fn record_version(&mut self, key: &Pubkey, before: Option<Account>) {
        let after = self.svm.get_account(key).filter(|a| a.lamports > 0);
        let versions = self.versions.entry(*key).or_insert_with(|| vec![(0, before.filter(|a| a.lamports() > 0))]);
        match versions.last_mut() {
            Some((slot, state)) if *slot == self.slot => *state = after,
            _ => versions.push((self.slot, after)),
        }
    }

    /// Drops account versions no commitment can see any more.
    fn prune_versions(&mut self) {
        let finalized = self.slot(Commitment::Finalized);
        self.versions.retain(|_, versions| {
            let keep_from = versions.iter().rposition(|(slot, _)| *slot <= finalized).unwrap_or(0);
            versions.drain(..keep_from);
            // One version at or below finality equal to the current state tells nothing new.
            !(versions.len() == 1 && versions[0].0 <= finalized)
        });
    }
}

fn return_data(data: &solana_transaction_context::TransactionReturnData) -> Option<(Pubkey, Vec<u8>)> {
    (!data.data.is_empty()).then(|| (data.program_id, data.data.clone()))
}

/// Whether account `index` of the message is writable, from the message header.
pub fn is_writable(tx: &VersionedTransaction, index: usize) -> bool {
    let header = tx.message.header();
    let signed = header.num_required_signatures as usize;
    let keys = tx.message.static_account_keys().len();
    if index < signed {
        index < signed - header.num_readonly_signed_accounts as usize
    } else {
        index < keys - header.num_readonly_unsigned_accounts as usize
    }
}
