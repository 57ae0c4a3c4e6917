// The indexer for one test suite, from its real parts: a localnet with the marketplace deployed,
// a scratch PostgreSQL database migrated with prisma/migrations, and Redis. The indexer runs in
// process (`startIndexer`) or as its own process (`spawnIndexer`, for SIGKILL), and
// `assertMirrorsChain` checks the database against the chain: every skill, license, review, agent
// and the marketplace against getProgramAccounts, every purchase and usage row against the history.
import { strict as assert } from "node:assert";
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { Connection } from "@solana/web3.js";
import { Redis } from "ioredis";
import pg from "pg";
import { pino } from "pino";
import { redisUrl } from "./database.js";
import { Indexer, loadConfig, type BatchReport, type Config } from "@skill-marketplace/indexer";
import {
  accountKeysOf,
  locateEvents,
  marketplaceProgram,
  PROGRAM_ID,
  type LocatedEvent,
} from "@skill-marketplace/sdk";
import type { Chain } from "./marketplace.js";

export const REDIS_URL = redisUrl(0);

/** Environment for an indexer on `chain` and `databaseUrl`, with its own Redis channel. */
export function indexerEnv(chain: Chain, databaseUrl: string, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    SOLANA_RPC_URL: chain.localnet.rpcUrl,
    SOLANA_WS_URL: chain.localnet.wsUrl,
    DATABASE_URL: databaseUrl,
    REDIS_URL,
    INDEXER_REDIS_CHANNEL: `test:indexer:${randomBytes(4).toString("hex")}`,
    INDEXER_FINALITY_INTERVAL_MS: "200",
    INDEXER_PROGRESS: "never",
    LOG_LEVEL: process.env.INDEXER_LOG ?? "silent",
    ...overrides,
  };
}

export interface RunningIndexer {
  indexer: Indexer;
  config: Config;
  reports: BatchReport[];
  /** SIGTERM-like stop: finishes queued work; resolves when the run is over. */
  stop(): Promise<void>;
}

export async function startIndexer(env: Record<string, string>): Promise<RunningIndexer> {
  const config = loadConfig(env);
  const logger = pino({ level: config.LOG_LEVEL });
  const pool = new pg.Pool({ connectionString: config.DATABASE_URL, max: 4 });
  const redis = new Redis(config.REDIS_URL, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  redis.on("error", () => undefined);
  const reports: BatchReport[] = [];
  const indexer = new Indexer(config, { pool, redis, logger, onBatch: (r) => reports.push(r) });
  const running = indexer.run();
  running.catch(() => undefined);
  return {
    indexer,
    config,
    reports,
    async stop() {
      await indexer.stop();
      await running;
      await pool.end();
      redis.disconnect();
    },
  };
}

/** The indexer as `npm start` runs it (its own Node process), for tests that kill it. */
export function spawnIndexer(env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, ["--import", "tsx", "indexer/src/main.ts"], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  spawned.add(child);
  child.once("exit", () => spawned.delete(child));
  return child;
}

const spawned = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of spawned) child.kill("SIGKILL");
});

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function waitUntil<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** Every signature of the program's history at `confirmed`, oldest first. */
export async function programSignatures(connection: Connection): Promise<{ signature: string; slot: number; err: unknown }[]> {
  const out: { signature: string; slot: number; err: unknown }[] = [];
  let before: string | undefined;
  for (;;) {
    const page = await connection.getSignaturesForAddress(PROGRAM_ID, { before, limit: 1000 }, "confirmed");
    out.push(...page);
    if (page.length < 1000) break;
    before = page[page.length - 1]!.signature;
  }
  return out.reverse();
}

export type HistoryEvent = LocatedEvent & { signature: string; slot: number };

/** Every marketplace event in the program's history, decoded from getTransaction's inner instructions. */
export async function chainHistory(connection: Connection): Promise<HistoryEvent[]> {
  const signatures = (await programSignatures(connection)).filter((s) => !s.err);
  const events: HistoryEvent[] = [];
  for (let i = 0; i < signatures.length; i += 100) {
    const part = signatures.slice(i, i + 100);
    const txs = await connection.getTransactions(part.map((s) => s.signature), { commitment: "confirmed", maxSupportedTransactionVersion: 0 });
    txs.forEach((tx, j) => {
      if (!tx) throw new Error(`transaction ${part[j]!.signature} missing`);
      const source = { accountKeys: accountKeysOf(tx), innerInstructions: tx.meta?.innerInstructions };
      for (const e of locateEvents(source).events) events.push({ ...e, signature: part[j]!.signature, slot: tx.slot });
    });
  }
  return events;
}

/** Waits until the indexer's cursor is the newest transaction of the program. */
export async function waitCaughtUp(pool: pg.Pool, connection: Connection, ms = 120_000): Promise<void> {
  await waitUntil(
    "the indexer to reach the newest transaction",
    async () => {
      const [newest] = await connection.getSignaturesForAddress(PROGRAM_ID, { limit: 1 }, "confirmed");
      if (!newest) return true;
      const { rows } = await pool.query("SELECT 1 FROM indexer_cursor WHERE signature = $1", [newest.signature]);
      return rows.length > 0;
    },
    ms,
  );
}

const seconds = (d: Date | null) => (d ? String(Math.round(d.getTime() / 1000)) : null);
const hex = (bytes: number[]) => Buffer.from(bytes).toString("hex");
const variant = (v: object) => Object.keys(v)[0];
const sorted = <T extends { id: string }>(rows: T[]) => [...rows].sort((a, b) => a.id.localeCompare(b.id));

/**
 * The database equals the chain: state tables against getProgramAccounts (open licenses; closed
 * ones are gone on chain), history tables against the transactions' events, with no duplicate,
 * no gap and no dead letter.
 */
export async function assertMirrorsChain(pool: pg.Pool, connection: Connection): Promise<{ events: number; licenses: number; purchases: number; usage: number }> {
  const program = marketplaceProgram({ connection });
  const q = async (sql: string) => (await pool.query(sql)).rows;

  const [skills, licenses, reviews, agents, marketplaces, meters, currencies] = await Promise.all([
    program.account.skill.all(),
    program.account.license.all(),
    program.account.review.all(),
    program.account.agent.all(),
    program.account.marketplace.all(),
    program.account.meterAuthority.all(),
    program.account.currency.all(),
  ]);

  const semverText = (v: { major: number; minor: number; patch: number }) => `${v.major}.${v.minor}.${v.patch}`;
  const at = (unix: { toString(): string }) => String(unix);
  assert.deepEqual(
    sorted((await q("SELECT * FROM skills")).map((r) => ({
      id: r.address, author: r.author, slug: r.slug, version: r.version, pricing: r.pricing, price: r.price, currency: r.currency,
      category: r.category, docs: r.docs_cid, commit: r.commit_sha, image: r.image_digest, active: r.active, sales: r.sales,
      revenue: r.revenue, ratingSum: r.rating_sum, ratingCount: r.rating_count, weighted: r.weighted_rating_sum, weight: r.rating_weight,
      suspended: r.suspended, suspension: r.suspension_cid,
      pending: r.pending_version && [r.pending_version, r.pending_docs_cid, r.pending_commit_sha, r.pending_image_digest, seconds(r.pending_version_at)],
      pendingPrice: r.pending_price && [r.pending_price, seconds(r.pending_price_at)],
      created: seconds(r.created_at), updated: seconds(r.updated_at),
    }))),
    sorted(skills.map(({ publicKey, account: s }) => ({
      id: publicKey.toBase58(), author: s.author.toBase58(), slug: s.slug, version: semverText(s.version),
      pricing: variant(s.pricing), price: s.price.toString(), currency: s.currency ? s.currency.toBase58() : "SOL", category: s.category,
      docs: s.provenance.docsCid, commit: hex(s.provenance.commitSha), image: hex(s.provenance.imageDigest), active: s.active,
      sales: s.sales.toString(), revenue: s.revenue.toString(), ratingSum: s.ratingSum.toString(), ratingCount: s.ratingCount,
      weighted: s.weightedRatingSum.toString(), weight: s.ratingWeight.toString(),
      suspended: s.suspended, suspension: s.suspended ? s.suspensionCid : null,
      pending: s.pendingVersion && [
        semverText(s.pendingVersion.version), s.pendingVersion.provenance.docsCid, hex(s.pendingVersion.provenance.commitSha),
        hex(s.pendingVersion.provenance.imageDigest), at(s.pendingVersion.effectiveAt),
      ],
      pendingPrice: s.pendingPrice && [s.pendingPrice.price.toString(), at(s.pendingPrice.effectiveAt)],
      created: s.createdAt.toString(), updated: s.updatedAt.toString(),
    }))),
    "skills",
  );
  // Units used are totalled from the usage events (metering does not write the skill account).
  for (const r of await q("SELECT s.address, s.usage_units, COALESCE((SELECT sum(units) FROM usage_events u WHERE u.skill = s.address), 0) AS summed FROM skills s")) {
    assert.equal(String(r.usage_units), String(r.summed), `usage units of ${r.address}`);
  }

  assert.deepEqual(
    sorted((await q("SELECT * FROM licenses WHERE NOT closed")).map((r) => ({
      id: r.address, skill: r.skill, buyer: r.buyer, kind: r.kind, expires: r.expires_at, limit: r.usage_limit, used: r.usage_used,
      purchases: r.purchases, paid: r.paid, purchased: seconds(r.purchased_at),
    }))),
    sorted(licenses.map(({ publicKey, account: l }) => ({
      id: publicKey.toBase58(), skill: l.skill.toBase58(), buyer: l.buyer.toBase58(), kind: variant(l.kind), expires: l.expiresAt.toString(),
      limit: l.usageLimit.toString(), used: l.usageUsed.toString(), purchases: l.purchases, paid: l.paid.toString(), purchased: l.purchasedAt.toString(),
    }))),
    "licenses",
  );

  assert.deepEqual(
    sorted((await q("SELECT * FROM reviews WHERE NOT deleted")).map((r) => ({
      id: r.address, skill: r.skill, reviewer: r.reviewer, rating: r.rating, weight: r.weight, text: r.text_cid,
      created: seconds(r.created_at), updated: seconds(r.updated_at),
    }))),
    sorted(reviews.map(({ publicKey, account: r }) => ({
      id: publicKey.toBase58(), skill: r.skill.toBase58(), reviewer: r.reviewer.toBase58(), rating: r.rating, weight: r.weight.toString(),
      text: r.textCid, created: r.createdAt.toString(), updated: r.updatedAt.toString(),
    }))),
    "reviews",
  );

  assert.deepEqual(
    sorted((await q("SELECT * FROM agents")).map((r) => ({
      id: r.address, wallet: r.wallet, name: r.name, uri: r.metadata_uri, published: r.skills_published, registered: seconds(r.registered_at),
    }))),
    sorted(agents.map(({ publicKey, account: a }) => ({
      id: publicKey.toBase58(), wallet: a.wallet.toBase58(), name: a.name, uri: a.metadataUri, published: a.skillsPublished,
      registered: a.registeredAt.toString(),
    }))),
    "agents",
  );

  assert.deepEqual(
    sorted((await q("SELECT * FROM marketplaces")).map((r) => ({
      id: r.address, admin: r.admin, pendingAdmin: r.pending_admin, pauser: r.pauser, treasury: r.treasury, fee: r.fee_bps,
      pendingFee: r.pending_fee_bps === null ? null : [r.pending_fee_bps, seconds(r.fee_effective_at)], notice: r.notice_secs, paused: r.paused,
    }))),
    sorted(marketplaces.map(({ publicKey, account: m }) => ({
      id: publicKey.toBase58(), admin: m.admin.toBase58(), pendingAdmin: m.pendingAdmin?.toBase58() ?? null, pauser: m.pauser.toBase58(),
      treasury: m.treasury.toBase58(), fee: m.feeBps, pendingFee: m.pendingFee ? [m.pendingFee.feeBps, at(m.pendingFee.effectiveAt)] : null,
      notice: m.noticeSecs.toString(), paused: m.paused,
    }))),
    "marketplace",
  );
  assert.deepEqual(
    sorted((await q("SELECT * FROM meter_authorities WHERE active")).map((r) => ({ id: r.address, authority: r.authority, added: seconds(r.added_at) }))),
    sorted(meters.map(({ publicKey, account: m }) => ({ id: publicKey.toBase58(), authority: m.authority.toBase58(), added: m.addedAt.toString() }))),
    "meter authorities",
  );
  assert.deepEqual(
    sorted((await q("SELECT * FROM currencies WHERE active")).map((r) => ({ id: r.mint, address: r.address, program: r.token_program, decimals: r.decimals }))),
    sorted(currencies.map(({ publicKey, account: c }) => ({ id: c.mint.toBase58(), address: publicKey.toBase58(), program: c.tokenProgram.toBase58(), decimals: c.decimals }))),
    "currencies",
  );

  // History: exactly one row per event on chain, no more, no less.
  const history = await chainHistory(connection);
  const keyed = (e: { signature: string; instructionIndex: number; eventIndex: number }) => `${e.signature}/${e.instructionIndex}/${e.eventIndex}`;
  const purchasesOnChain = history.filter((e) => e.event.name === "licensePurchased");
  const usageOnChain = history.filter((e) => e.event.name === "usageRecorded");
  const purchaseRows = await q("SELECT signature, instruction_index, event_index, license, price, paid, seller_amount, fee_amount, fee_bps, renewal FROM purchases");
  const usageRows = await q("SELECT signature, instruction_index, event_index, license, units, receipts_root, receipt_count, meter_authority FROM usage_events");
  assert.deepEqual(
    purchaseRows.map((r) => `${r.signature}/${r.instruction_index}/${r.event_index} ${r.license} ${r.price} ${r.paid} ${r.seller_amount} ${r.fee_amount} ${r.fee_bps} ${r.renewal}`).sort(),
    purchasesOnChain.map((e) => {
      if (e.event.name !== "licensePurchased") throw new Error("not a purchase");
      const d = e.event.data;
      return `${keyed(e)} ${d.license.toBase58()} ${d.price} ${d.paid} ${d.sellerAmount} ${d.feeAmount} ${d.feeBps} ${d.renewal}`;
    }).sort(),
    "purchases",
  );
  assert.deepEqual(
    usageRows.map((r) => `${r.signature}/${r.instruction_index}/${r.event_index} ${r.license} ${r.units} ${r.receipts_root} ${r.receipt_count} ${r.meter_authority}`).sort(),
    usageOnChain.map((e) => {
      if (e.event.name !== "usageRecorded") throw new Error("not a usage record");
      const d = e.event.data;
      return `${keyed(e)} ${d.license.toBase58()} ${d.units} ${hex(d.receiptsRoot)} ${d.receiptCount} ${d.meterAuthority.toBase58()}`;
    }).sort(),
    "usage events",
  );
  const ledger = await q("SELECT signature, instruction_index, event_index FROM indexed_events");
  assert.deepEqual(ledger.map((r) => `${r.signature}/${r.instruction_index}/${r.event_index}`).sort(), history.map(keyed).sort(), "event ledger");
  assert.deepEqual(await q("SELECT signature, reason FROM dead_letters"), [], "dead letters");
  return { events: history.length, licenses: licenses.length, purchases: purchaseRows.length, usage: usageRows.length };
}

/** Columns written from the local clock or by batch boundaries, left out of `tableSnapshot`. */
const LOCAL_COLUMNS: Record<string, string[]> = {
  seller_reputation: ["updated_at", "slot"],
  indexer_cursor: ["updated_at", "finalized_slot"],
  dead_letters: ["created_at"],
};
export const INDEXER_TABLES = [
  "marketplaces", "agents", "skills", "skill_versions", "licenses", "purchases", "usage_events", "reviews",
  "skill_daily_stats", "seller_reputation", "indexed_events", "indexer_cursor", "dead_letters",
];

/** Every row of every indexer table (commitment and local-clock columns left out), sorted: equal databases give equal snapshots. */
export async function tableSnapshot(pool: pg.Pool): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const table of INDEXER_TABLES) {
    const drop = new Set(["commitment", ...(LOCAL_COLUMNS[table] ?? [])]);
    const rows = (await pool.query(`SELECT * FROM ${table}`)).rows;
    out[table] = rows.map((r) => JSON.stringify(Object.fromEntries(Object.entries(r).filter(([k]) => !drop.has(k))))).sort();
  }
  return out;
}
