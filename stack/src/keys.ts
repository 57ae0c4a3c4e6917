// Development keys of a local chain (marketplace admin, which is also the program's upgrade
// authority on localnet, treasury, meter authority): made once in the data directory's keys/,
// reused after. Never used against a real cluster.
import { Keypair } from "@solana/web3.js";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** The keypair `name` in `dir`, created (owner-only) on first use. */
export function devKey(dir: string, name: string): Keypair {
  const path = join(dir, `${name}.json`);
  if (existsSync(path)) return Keypair.fromSecretKey(Uint8Array.from(JSON.parse(readFileSync(path, "utf8")) as number[]));
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const key = Keypair.generate();
  writeFileSync(path, JSON.stringify([...key.secretKey]), { mode: 0o600 });
  return key;
}
