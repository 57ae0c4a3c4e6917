// Indexer figures against the release localnet (its own process), PostgreSQL and Redis:
// - backfill: ≥ 50,000 events already on chain (usage records, ten per transaction), a fresh
//   database, the clock running from the indexer's start until every event is committed
//   (RPC → decode → rows), beside the node's own figure for the same reads with no database;
// - live lag: a steady stream of usage records while the indexer follows live logs; per
//   transaction, from the moment the node announces it `confirmed` (our own logsSubscribe) to the
//   commit of the batch holding it (rows visible). Writes bench/results/indexer.json.
import { ComputeBudgetProgram, Transaction, type Connection, type Keypair, type PublicKey, type TransactionInstruction } from "@solana/web3.js";
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import pg from "pg";
import { PROGRAM_ID, preparePurchase, pricing, recordUsage, type MarketplaceProgram } from "@skill-marketplace/sdk";
import { SolanaRpc } from "@skill-marketplace/indexer";
import { scratchDatabase } from "../tests/helpers/database.js";
import { indexerEnv, programSignatures, startIndexer, waitCaughtUp } from "../tests/helpers/indexer.js";
import { actor, airdrop, fundedActor, registerAgentFor, registerSkillFor, startMarketplace } from "../tests/helpers/marketplace.js";
import { pino } from "pino";

const BACKFILL_EVENTS = 50_000;
const USAGE_PER_TX = 10;
const SENDERS = 8;
const LIVE_SECONDS = 30;
const LIVE_TX_PER_SECOND = 50;

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.round((sorted.length - 1) * p))]!;
const round = (x: number) => Math.round(x * 100) / 100;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A license whose usage one sender loop meters, in order: the next batch expects `used`. */
interface Metered {
  buyer: PublicKey;
  used: number;
}

/** `count` one-unit usage records on `license`, each expecting the usage the previous one leaves. */
async function usageInstructions(program: MarketplaceProgram, meter: PublicKey, skill: PublicKey, license: Metered, count: number): Promise<TransactionInstruction[]> {
  const out: TransactionInstruction[] = [];
  for (let i = 0; i < count; i++) {
    const expectedUsageUsed = license.used++;
    out.push(
      await recordUsage(program, { meterAuthority: meter, skill, buyer: license.buyer, units: 1, expectedUsageUsed, receiptsRoot: randomBytes(32), receiptCount: 1 }).instruction(),
    );
  }
  return out;
}

/**
 * Sends `total` transactions built by `build` from SENDERS loops (each loop sends in order, so a
 * loop's license sees its batches in the order they were built); waits until all are confirmed.
 */
async function send(connection: Connection, payer: Keypair, total: number, build: (i: number, sender: number) => Promise<TransactionInstruction[]>): Promise<string[]> {
  let blockhash = (await connection.getLatestBlockhash("confirmed")).blockhash;
  const refresh = setInterval(async () => {
    blockhash = (await connection.getLatestBlockhash("confirmed")).blockhash;
  }, 2_000);
  const signatures: string[] = [];
  let next = 0;
  try {
    await Promise.all(
      Array.from({ length: SENDERS }, async (_, sender) => {
        for (let i = next++; i < total; i = next++) {
          const tx = new Transaction({ feePayer: payer.publicKey, recentBlockhash: blockhash }).add(...(await build(i, sender)));
          tx.sign(payer);
          signatures.push(await connection.sendRawTransaction(tx.serialize(), { skipPreflight: true }));
        }
      }),
    );
  } finally {
    clearInterval(refresh);
  }
  for (let i = 0; i < signatures.length; ) {
    const part = signatures.slice(i, i + 256);
    const statuses = (await connection.getSignatureStatuses(part)).value;
    if (statuses.every((s) => s?.confirmationStatus === "confirmed" || s?.confirmationStatus === "finalized")) i += 256;
    else await sleep(100);
  }
  return signatures;
}

const chain = await startMarketplace({ slotMs: 400 });
const database = await scratchDatabase("indexer_bench");
const pool = new pg.Pool({ connectionString: database.url, max: 2 });
try {
  const { connection } = chain;
  const meter = actor(connection, chain.meter.keypair);
  await airdrop(connection, meter.publicKey, 50e9);
  const seller = await fundedActor(connection);
  await registerAgentFor(seller, "bench-seller");
  const skill = (await registerSkillFor(seller, { slug: "bench-usage", pricing: pricing.usage(1_000_000_000), price: 1_000_000n })).address;
  // One buyer (one license) per sender loop: record_usage names the usage it expects to find.
  const licenses: Metered[] = [];
  for (let i = 0; i < SENDERS; i++) {
    const buyer = await fundedActor(connection);
    await (await preparePurchase(buyer.program, { buyer: buyer.publicKey, skill })).rpc();
    licenses.push({ buyer: buyer.publicKey, used: 0 });
  }

  // ---- backfill ----
  const transactions = Math.ceil(BACKFILL_EVENTS / USAGE_PER_TX);
  process.stderr.write(`bench: sending ${transactions} transactions of ${USAGE_PER_TX} usage records\n`);
  const compute = ComputeBudgetProgram.setComputeUnitLimit({ units: 1_400_000 });
  await send(connection, meter.keypair, transactions, async (_, sender) => [
    compute,
    ...(await usageInstructions(meter.program, meter.publicKey, skill, licenses[sender]!, USAGE_PER_TX)),
  ]);

  // The node alone: the same reads (signature pages, then getTransaction in batches of 100, 4 in flight), no database.
  const rpc = new SolanaRpc(chain.localnet.rpcUrl, pino({ level: "silent" }));
  const rpcStarted = performance.now();
  const all = await programSignatures(connection);
  let fetched = 0;
  for (let i = 0; i < all.length; i += 400) {
    const parts = [0, 100, 200, 300].map((o) => all.slice(i + o, i + o + 100).map((s) => s.signature)).filter((p) => p.length > 0);
    const results = await Promise.all(parts.map((p) => rpc.getTransactions(p, "confirmed")));
    fetched += results.flat().length;
  }
  const rpcSeconds = (performance.now() - rpcStarted) / 1000;

  const env = indexerEnv(chain, database.url, { INDEXER_PROGRESS: "always" });
  const started = performance.now();
  const running = await startIndexer(env);
  await waitCaughtUp(pool, connection, 600_000);
  const backfillSeconds = (performance.now() - started) / 1000;
  const events = Number((await pool.query("SELECT count(*) AS n FROM indexed_events")).rows[0].n);
  process.stderr.write(`bench: backfill of ${events} events in ${backfillSeconds.toFixed(2)} s\n`);

  // ---- live lag ----
  const confirmedAt = new Map<string, number>();
  const visibleAt = new Map<string, number>();
  const subscription = connection.onLogs(PROGRAM_ID, (logs) => confirmedAt.set(logs.signature, performance.now()), "confirmed");
  // The indexer reports each batch right after its COMMIT (startIndexer collects the reports).
  const seen = running.reports;
  seen.push = (...reports) => {
    const now = performance.now();
    for (const report of reports) for (const s of report.signatures) visibleAt.set(s, now);
    return 0;
  };
  await sleep(1_000);
  process.stderr.write(`bench: live load, ${LIVE_TX_PER_SECOND} tx/s for ${LIVE_SECONDS} s\n`);
  const liveSignatures: string[] = [];
  const liveStart = performance.now();
  let blockhash = (await connection.getLatestBlockhash("confirmed")).blockhash;
  for (let i = 0; i < LIVE_SECONDS * LIVE_TX_PER_SECOND; i++) {
    const due = liveStart + (i * 1000) / LIVE_TX_PER_SECOND;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    if (i % 100 === 0) blockhash = (await connection.getLatestBlockhash("confirmed")).blockhash;
    const tx = new Transaction({ feePayer: meter.publicKey, recentBlockhash: blockhash }).add(
      ...(await usageInstructions(meter.program, meter.publicKey, skill, licenses[0]!, 1)),
    );
    tx.sign(meter.keypair);
    liveSignatures.push(await connection.sendRawTransaction(tx.serialize(), { skipPreflight: true }));
  }
  await waitCaughtUp(pool, connection);
  await sleep(500);
  await connection.removeOnLogsListener(subscription);
  const lags = liveSignatures
    .filter((s) => confirmedAt.has(s) && visibleAt.has(s))
    .map((s) => visibleAt.get(s)! - confirmedAt.get(s)!)
    .sort((a, b) => a - b);
  await running.stop();

  const results = {
    backfill_events: events,
    backfill_seconds: round(backfillSeconds),
    backfill_events_per_s: Math.round(events / backfillSeconds),
    rpc_only_transactions: fetched,
    rpc_only_events_per_s: Math.round((fetched * USAGE_PER_TX) / rpcSeconds),
    live_load_tx_per_s: LIVE_TX_PER_SECOND,
    live_transactions_measured: lags.length,
    live_lag_p50_ms: round(percentile(lags, 0.5)),
    live_lag_p99_ms: round(percentile(lags, 0.99)),
    live_lag_max_ms: round(lags[lags.length - 1]!),
  };
  for (const [name, value] of Object.entries(results)) console.log(`${name}: ${value}`);
  writeFileSync("bench/results/indexer.json", `${JSON.stringify(results, null, 2)}\n`);
} finally {
  await pool.end();
  await database.drop();
  await chain.stop();
}
process.exit(0);
