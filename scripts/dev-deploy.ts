// `npm start`'s deploy step on the local node: development keys for the marketplace admin (the
// program's upgrade authority on localnet, see stack/src/main.ts), treasury and meter authority
// (created once in $SKILL_MARKETPLACE_KEYS, the stack's data directory, reused after),
// airdrops for the admin and the meter authority, then migrations/deploy.ts. Never used against a real cluster.
import { Connection, LAMPORTS_PER_SOL } from "@solana/web3.js";
import { homedir } from "node:os";
import { join } from "node:path";
import { deployMarketplace } from "@skill-marketplace/migrations";
import { devKey as keyIn } from "@skill-marketplace/stack/keys";

const keysDir = process.env.SKILL_MARKETPLACE_KEYS ?? join(homedir(), ".local", "share", "skill-marketplace", "keys");
const rpcUrl = process.env.SOLANA_RPC_URL ?? "http://127.0.0.1:8899";

const devKey = (name: string) => keyIn(keysDir, name);

const admin = devKey("admin");
const treasury = devKey("treasury");
const meter = devKey("meter-authority");
const connection = new Connection(rpcUrl, { commitment: "confirmed", wsEndpoint: process.env.SOLANA_WS_URL });
if ((await connection.getBalance(admin.publicKey)) < LAMPORTS_PER_SOL) {
  const signature = await connection.requestAirdrop(admin.publicKey, 100 * LAMPORTS_PER_SOL);
  await connection.confirmTransaction({ signature, ...(await connection.getLatestBlockhash()) }, "confirmed");
}
// The meter authority pays for its own record_usage transactions.
if ((await connection.getBalance(meter.publicKey)) < LAMPORTS_PER_SOL) {
  const signature = await connection.requestAirdrop(meter.publicKey, 10 * LAMPORTS_PER_SOL);
  await connection.confirmTransaction({ signature, ...(await connection.getLatestBlockhash()) }, "confirmed");
}
const result = await deployMarketplace({
  connection,
  admin,
  treasury: treasury.publicKey,
  meterAuthorities: [meter.publicKey],
  feeBps: 250,
});
console.log(
  `deploy: marketplace ${result.marketplace.toBase58()} ${result.initialized ? "initialized" : "already initialized"}; ` +
    `admin ${admin.publicKey.toBase58()}, treasury ${treasury.publicKey.toBase58()}, ` +
    `meter authority ${meter.publicKey.toBase58()} (keys in ${keysDir})`,
);
process.exit(0);
