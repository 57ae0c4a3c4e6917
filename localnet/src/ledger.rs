//! `--ledger DIR`: an append-only journal of everything that changes the node, so that state and
//! history survive a restart. Each entry is a little-endian u32 length followed by the bincode of
//! an [`Entry`]; a torn last entry (the process killed mid-write) is ignored on replay.

use std::{
    fs::{File, OpenOptions},
    io::{self, BufReader, BufWriter, Read, Write},
    path::Path,
};

use serde::{Deserialize, Serialize};
use solana_account::Account;
use solana_pubkey::Pubkey;

use crate::node::TxRecord;

const JOURNAL: &str = "journal.bin";

#[derive(Serialize, Deserialize)]
pub enum Entry {
    /// The chain reached `slot` (written periodically and at shutdown, so slots never go back).
    Slot { slot: u64, unix_time: i64 },
    /// A transaction and the state it left in every writable account (`None` = closed).
    Transaction { record: TxRecord, accounts: Vec<(Pubkey, Option<Account>)> },
}

pub struct Ledger {
    writer: BufWriter<File>,
}

impl Ledger {
    /// Opens (creating if needed) the journal in `dir` and returns it with every complete entry.
    pub fn open(dir: &Path) -> io::Result<(Ledger, Vec<Entry>)> {
        std::fs::create_dir_all(dir)?;
        let path = dir.join(JOURNAL);
        let mut entries = Vec::new();
        let mut valid_len = 0u64;
        if path.exists() {
            let mut reader = BufReader::new(File::open(&path)?);
            loop {
                let mut len = [0u8; 4];
                if reader.read_exact(&mut len).is_err() {
                    break;
                }
                let mut bytes = vec![0u8; u32::from_le_bytes(len) as usize];
                if reader.read_exact(&mut bytes).is_err() {
                    break;
                }
                match bincode::deserialize(&bytes) {
                    Ok(entry) => entries.push(entry),
                    Err(e) => {
                        return Err(io::Error::new(
                            io::ErrorKind::InvalidData,
                            format!("{}: entry {} does not decode: {e}", path.display(), entries.len()),
                        ))
                    }
                }
                valid_len += 4 + bytes.len() as u64;
            }
        }
        let file = OpenOptions::new().create(true).append(true).read(true).open(&path)?;
        // Drop a torn tail so new entries follow the last complete one.
        file.set_len(valid_len)?;
        Ok((Ledger { writer: BufWriter::new(file) }, entries))
    }

    /// Appends one entry and hands it to the operating system before returning.
    pub fn append(&mut self, entry: &Entry) -> io::Result<()> {
        let bytes = bincode::serialize(entry).map_err(io::Error::other)?;
        let len = u32::try_from(bytes.len()).map_err(io::Error::other)?;
        self.writer.write_all(&len.to_le_bytes())?;
        self.writer.write_all(&bytes)?;
        self.writer.flush()
    }
}
