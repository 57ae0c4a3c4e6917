// `npm start`'s deploy step on the local node: development keys for the marketplace admin,
// treasury and meter authority (created once in $SKILL_MARKETPLACE_KEYS, the stack's data
// directory, reused after),
// an airdrop for the admin, then migrations/deploy.ts. Never used against a real cluster.
import { Connection, Keypair, LAMPORTS_PER_SOL } from "@solana/web3.js";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { deployMarketplace } from "@skill-marketplace/migrations";

const keysDir = process.env.SKILL_MARKETPLACE_KEYS ?? join(homedir(), ".local", "share", "skill-marketplace", "keys");
const rpcUrl = process.env.SOLANA_RPC_URL ?? "http://127.0.0.1:8899";

function devKey(name: string): Keypair {
  const path = join(keysDir, `${name}.json`);
  if (existsSync(path)) return Keypair.fromSecretKey(Uint8Array.from(JSON.parse(readFileSync(path, "utf8")) as number[]));
  mkdirSync(keysDir, { recursive: true, mode: 0o700 });
  const key = Keypair.generate();
  writeFileSync(path, JSON.stringify([...key.secretKey]), { mode: 0o600 });
  return key;
}

const admin = devKey("admin");
const treasury = devKey("treasury");
const meter = devKey("meter-authority");
const connection = new Connection(rpcUrl, { commitment: "confirmed", wsEndpoint: process.env.SOLANA_WS_URL });
if ((await connection.getBalance(admin.publicKey)) < LAMPORTS_PER_SOL) {
  const signature = await connection.requestAirdrop(admin.publicKey, 100 * LAMPORTS_PER_SOL);
  await connection.confirmTransaction({ signature, ...(await connection.getLatestBlockhash()) }, "confirmed");
}
const result = await deployMarketplace({
  connection,
  admin,
  treasury: treasury.publicKey,
  meterAuthority: meter.publicKey,
  feeBps: 250,
});
console.log(
  `deploy: marketplace ${result.marketplace.toBase58()} ${result.initialized ? "initialized" : "already initialized"}; ` +
    `admin ${admin.publicKey.toBase58()}, treasury ${treasury.publicKey.toBase58()}, ` +
    `meter authority ${meter.publicKey.toBase58()} (keys in ${keysDir})`,
);
process.exit(0);
