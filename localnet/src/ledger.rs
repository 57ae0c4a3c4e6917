//! `--ledger DIR`: an append-only journal of everything that changes the node, so that state and
//! history survive a restart. Each entry is a little-endian u32 length followed by the bincode of
//! an entry (the node's [`crate::node::Entry`]: this file only knows the framing); a torn last
//! entry (the process killed mid-write) is ignored on replay.

use std::{
    fs::{File, OpenOptions},
    io::{self, BufReader, BufWriter, Read, Write},
    path::Path,
};

use serde::{de::DeserializeOwned, Serialize};

const JOURNAL: &str = "journal.bin";

pub struct Ledger {
    writer: BufWriter<File>,
}

impl Ledger {
    /// Opens (creating if needed) the journal in `dir` and returns it with every complete entry.
    pub fn open<E: DeserializeOwned>(dir: &Path) -> io::Result<(Ledger, Vec<E>)> {
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
    pub fn append<E: Serialize>(&mut self, entry: &E) -> io::Result<()> {
        let bytes = bincode::serialize(entry).map_err(io::Error::other)?;
        let len = u32::try_from(bytes.len()).map_err(io::Error::other)?;
        self.writer.write_all(&len.to_le_bytes())?;
        self.writer.write_all(&bytes)?;
        self.writer.flush()
    }
}
