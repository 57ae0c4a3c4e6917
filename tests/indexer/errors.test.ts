// What the indexer refuses or sets aside, and what it must not do twice: a bad configuration
// stops start-up naming the variable (and touches nothing); failed transactions are skipped;
// undecodable events go to the dead-letter table while the rest of the batch lands; a replayed
// batch changes nothing; an older change never overwrites a newer one.
import { strict as assert } from "node:assert";
import type { VersionedTransactionResponse } from "@solana/web3.js";
import pg from "pg";
import { pino } from "pino";
import { ConfigError, decodeTransaction, loadConfig, Writer, type ChainTransaction } from "@skill-marketplace/indexer";
import { utils } from "@coral-xyz/anchor";
import { accountKeysOf, EVENT_IX_TAG, licensePda, preparePurchase, pricing, PROGRAM_ID } from "@skill-marketplace/sdk";
import { scratchDatabase, type ScratchDatabase } from "../helpers/database.js";
import { indexerEnv, spawnIndexer, startIndexer, waitCaughtUp, waitUntil, type RunningIndexer } from "../helpers/indexer.js";
import { fundedActor, landed, registerAgentFor, registerSkillFor, startMarketplace, type Actor, type Chain } from "../helpers/marketplace.js";

const TABLES = ["marketplaces", "meter_authorities", "currencies", "agents", "skills", "skill_versions", "licenses", "purchases", "usage_events", "reviews", "skill_daily_stats", "seller_reputation", "indexed_events", "indexer_cursor", "dead_letters"];

/** Every row of every indexer table, for "nothing changed" comparisons. */
async function snapshot(pool: pg.Pool): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const table of TABLES) {
    const rows = (await pool.query(`SELECT * FROM ${table}`)).rows.map((r) => ({ ...r, updated_at: undefined }));
    out[table] = rows.map((r) => JSON.stringify(r)).sort();
  }
  return out;
}

function asChainTransaction(signature: string, tx: VersionedTransactionResponse): ChainTransaction {
  return {
    signature,
    slot: tx.slot,
    err: tx.meta?.err ?? null,
    accountKeys: accountKeysOf(tx),
    innerInstructions: tx.meta?.innerInstructions ?? null,
    logs: tx.meta?.logMessages ?? null,
  };
}

/** `data` as an event self-CPI carries it: Anchor's event tag first. */
const eventData = (payload: Buffer) => utils.bytes.bs58.encode(Buffer.concat([EVENT_IX_TAG, payload]));

describe("indexer: configuration refused at start", () => {
  const cases: [Record<string, string>, string][] = [
    [{ SOLANA_RPC_URL: "ftp://127.0.0.1:8899" }, "invalid configuration: SOLANA_RPC_URL: must be a http: or https: URL"],
    [{ SOLANA_WS_URL: "http://127.0.0.1:8900" }, "invalid configuration: SOLANA_WS_URL: must be a ws: or wss: URL"],
    [{ DATABASE_URL: "mysql://root@127.0.0.1/db" }, "invalid configuration: DATABASE_URL: must be a postgresql: or postgres: URL"],
    [{ REDIS_URL: "not a url" }, "invalid configuration: REDIS_URL: must be a redis: or rediss: URL"],
    [{ PROGRAM_ID: "not-a-key" }, "invalid configuration: PROGRAM_ID: must be a base58 public key"],
    [
      { PROGRAM_ID: "11111111111111111111111111111112" },
      `invalid configuration: PROGRAM_ID: must be ${PROGRAM_ID.toBase58()}, the program the sdk's IDL describes (regenerate the IDL for another deployment)`,
    ],
    [{ INDEXER_COMMITMENT: "processed" }, 'invalid configuration: INDEXER_COMMITMENT: must be "confirmed" or "finalized"'],
  ];
  for (const [env, message] of cases) {
    it(`${Object.keys(env)[0]}=${Object.values(env)[0]} → ${message}`, () => {
      assert.throws(() => loadConfig(env), (error: unknown) => error instanceof ConfigError && error.message === message);
    });
  }

  it("defaults: localnet RPC, websocket on port + 1, the sdk's program id, confirmed", () => {
    const config = loadConfig({});
    assert.equal(config.SOLANA_RPC_URL, "http://127.0.0.1:8899");
    assert.equal(config.SOLANA_WS_URL, "ws://127.0.0.1:8900");
    assert.equal(config.PROGRAM_ID, PROGRAM_ID.toBase58());
    assert.equal(config.INDEXER_COMMITMENT, "confirmed");
  });

  it("the indexer process exits with status 2 naming the variable, and writes nothing", async () => {
    const database = await scratchDatabase("indexer_config");
    const pool = new pg.Pool({ connectionString: database.url, max: 1 });
    try {
      const before = await snapshot(pool);
      const child = spawnIndexer({ DATABASE_URL: database.url, INDEXER_COMMITMENT: "processed", LOG_LEVEL: "silent" });
      let stderr = "";
      child.stderr!.on("data", (chunk) => (stderr += chunk));
      const status = await new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
      assert.equal(status, 2);
      assert.equal(stderr, 'indexer: invalid configuration: INDEXER_COMMITMENT: must be "confirmed" or "finalized"\n');
      assert.deepEqual(await snapshot(pool), before);
    } finally {
      await pool.end();
      await database.drop();
    }
  });
});

describe("indexer: failed transactions, dead letters, replays, slot order", () => {
  let chain: Chain;
  let database: ScratchDatabase;
  let pool: pg.Pool;
  let seller: Actor;
  let buyer: Actor;
  let skill: Awaited<ReturnType<typeof registerSkillFor>>;
  let subscriptionSkill: Awaited<ReturnType<typeof registerSkillFor>>;
  const logger = pino({ level: "silent" });

  before(async () => {
    chain = await startMarketplace();
    database = await scratchDatabase("indexer_errors");
    pool = new pg.Pool({ connectionString: database.url, max: 2 });
    seller = await fundedActor(chain.connection);
    buyer = await fundedActor(chain.connection);
    await registerAgentFor(seller, "seller");
    skill = await registerSkillFor(seller, { slug: "one-shot", pricing: pricing.oneTime(), price: 2_000_000n });
    subscriptionSkill = await registerSkillFor(seller, { slug: "weekly", pricing: pricing.subscription(3_600), price: 3_000_000n });
  });

  after(async () => {
    await pool?.end();
    await database?.drop();
    await chain?.stop();
  });

  it("skips a failed transaction (no rows, no dead letter) and moves the cursor past it; rows stay 'confirmed' until promoted", async () => {
    // Finality checks off: everything this indexer writes must stay at the commitment it was read at.
    const running: RunningIndexer = await startIndexer(indexerEnv(chain, database.url, { INDEXER_FINALITY_INTERVAL_MS: "3600000" }));
    try {
      await (await preparePurchase(buyer.program, { buyer: buyer.publicKey, skill: skill.address })).rpc();
      // A second one-time purchase fails on chain (LicenseAlreadyOwned); sent without preflight so it lands.
      // (A different max price, or it would be the same transaction, refused as already processed.)
      const again = await preparePurchase(buyer.program, { buyer: buyer.publicKey, skill: skill.address, maxPrice: 2_000_001n });
      const failed = await again.rpc({ skipPreflight: true }).then(
        () => assert.fail("the second one-time purchase should fail"),
        (error: { signature?: string; logs?: string[] }) => error,
      );
      assert.ok(failed);
      // The client reports the failure before the transaction is confirmed.
      const newest = await waitUntil("the failed purchase at confirmed", async () => {
        const [latest] = await chain.connection.getSignaturesForAddress(PROGRAM_ID, { limit: 1 }, "confirmed");
        return latest?.err ? latest : undefined;
      });
      await waitCaughtUp(pool, chain.connection);
      assert.equal((await pool.query("SELECT signature FROM indexer_cursor")).rows[0].signature, newest.signature);
      assert.equal((await pool.query("SELECT count(*)::int AS n FROM purchases")).rows[0].n, 1);
      assert.equal((await pool.query("SELECT count(*)::int AS n FROM indexed_events WHERE signature = $1", [newest.signature])).rows[0].n, 0);
      assert.deepEqual((await pool.query("SELECT * FROM dead_letters")).rows, []);
      assert.deepEqual((await pool.query("SELECT DISTINCT commitment FROM purchases")).rows, [{ commitment: "confirmed" }]);
    } finally {
      await running.stop();
    }
  });

  it("dead-letters an undecodable event with its signature and reason, applies the rest of the batch, and goes on", async () => {
    const reference = undefined;
    const renewalSignature = await (await preparePurchase(buyer.program, { buyer: buyer.publicKey, skill: subscriptionSkill.address, reference })).rpc();
    const good = asChainTransaction(renewalSignature, await landed(chain.connection, renewalSignature));
    const renewAgain = await (await preparePurchase(buyer.program, { buyer: buyer.publicKey, skill: subscriptionSkill.address })).rpc();
    const damagedSource = asChainTransaction(renewAgain, await landed(chain.connection, renewAgain));
    // The event's bytes cut short after its discriminator: the node served data we cannot read.
    const program = damagedSource.accountKeys!.indexOf(PROGRAM_ID.toBase58());
    const damaged: ChainTransaction = {
      ...damagedSource,
      innerInstructions: damagedSource.innerInstructions!.map((set) => ({
        ...set,
        instructions: set.instructions.map((ix) => {
          if (ix.programIdIndex !== program) return ix;
          const payload = Buffer.from(utils.bytes.bs58.decode(ix.data)).subarray(EVENT_IX_TAG.length);
          return { ...ix, data: eventData(payload.subarray(0, 12)) };
        }),
      })),
    };
    // An event whose discriminator is no event of the program.
    const unknown: ChainTransaction = {
      signature: "1".repeat(64),
      slot: damaged.slot,
      err: null,
      accountKeys: [PROGRAM_ID.toBase58()],
      innerInstructions: [{ index: 0, instructions: [{ programIdIndex: 0, data: eventData(Buffer.alloc(16, 7)) }] }],
      logs: [],
    };
    const writer = new Writer(pool, PROGRAM_ID.toBase58(), "confirmed", logger);
    const batch = [good, damaged, unknown].map((tx) => decodeTransaction(tx, PROGRAM_ID));
    const result = await writer.writeBatch(batch);
    assert.equal(result.applied, 1);
    const dead = (await pool.query("SELECT signature, instruction_index, event_index, reason FROM dead_letters ORDER BY reason")).rows;
    assert.equal(dead.length, 2);
    assert.equal(dead[0].signature, renewAgain);
    assert.match(dead[0].reason, /^event data does not decode: /);
    assert.deepEqual(dead[1], { signature: unknown.signature, instruction_index: 0, event_index: 0, reason: "unknown event discriminator" });
    assert.equal((await pool.query("SELECT count(*)::int AS n FROM purchases WHERE signature = $1", [renewalSignature])).rows[0].n, 1);
    assert.equal((await pool.query("SELECT count(*)::int AS n FROM purchases WHERE signature = $1", [renewAgain])).rows[0].n, 0);
    assert.equal((await pool.query("SELECT signature FROM indexer_cursor")).rows[0].signature, unknown.signature);
  });

  it("a replayed batch changes nothing (idempotent on signature, instruction index, event index)", async () => {
    const writer = new Writer(pool, PROGRAM_ID.toBase58(), "confirmed", logger);
    const signatures = (await chain.connection.getSignaturesForAddress(PROGRAM_ID, {}, "confirmed")).reverse();
    const txs = [];
    for (const s of signatures) txs.push(decodeTransaction(asChainTransaction(s.signature, await landed(chain.connection, s.signature)), PROGRAM_ID));
    await writer.writeBatch(txs.slice(0, -1));
    const before = await snapshot(pool);
    const again = await writer.writeBatch(txs.slice(0, -1));
    assert.equal(again.applied, 0);
    assert.deepEqual(await snapshot(pool), before);
  });

  it("slot-aware: an older purchase written after a newer one does not roll the license back", async () => {
    await pool.query(`TRUNCATE ${TABLES.join(", ")}`);
    // skill_terms follows skills through TRUNCATE, or re-inserting the same skills would hit its key.
    assert.equal((await pool.query("SELECT count(*)::int AS n FROM skill_terms")).rows[0].n, 0);
    const writer = new Writer(pool, PROGRAM_ID.toBase58(), "confirmed", logger);
    const history = (await chain.connection.getSignaturesForAddress(PROGRAM_ID, {}, "confirmed")).reverse().filter((s) => !s.err);
    const txs = [];
    for (const s of history) txs.push(decodeTransaction(asChainTransaction(s.signature, await landed(chain.connection, s.signature)), PROGRAM_ID));
    const license = licensePda(subscriptionSkill.address, buyer.publicKey).toBase58();
    const purchases = txs.filter((tx) => tx.events.some((e) => e.event.name === "licensePurchased" && e.event.data.license.toBase58() === license));
    assert.equal(purchases.length, 2);
    const setup = txs.filter((tx) => !purchases.includes(tx));
    await writer.writeBatch(setup);
    await writer.writeBatch([purchases[1]!]); // the newest (purchases = 2) first
    await writer.writeBatch([purchases[0]!]); // then the older (purchases = 1), from a lower slot
    const row = (await pool.query("SELECT purchases, slot FROM licenses WHERE address = $1", [license])).rows[0];
    assert.equal(row.purchases, 2);
    assert.equal(row.slot, String(purchases[1]!.slot));
    assert.ok(purchases[0]!.slot < purchases[1]!.slot);
    // The older purchase is still recorded as history, exactly once.
    assert.equal((await pool.query("SELECT count(*)::int AS n FROM purchases WHERE license = $1", [license])).rows[0].n, 2);
  });
});
