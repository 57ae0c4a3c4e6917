// Crash and rebuild. While a generator drives purchases, renewals, top-ups, usage records and
// reviews, the indexer process is killed with SIGKILL at random moments (at start-up, during
// backfill, while following live) and started again, over and over; at the end the database must
// equal the chain exactly. Then the database is dropped and rebuilt from the chain's history alone:
// the same tables, row for row.
import { strict as assert } from "node:assert";
import type { ChildProcess } from "node:child_process";
import pg from "pg";
import { postReview, preparePurchase, pricing, recordUsage } from "@skill-marketplace/sdk";
import { scratchDatabase, type ScratchDatabase } from "../helpers/database.js";
import { assertMirrorsChain, indexerEnv, sleep, spawnIndexer, tableSnapshot, waitCaughtUp } from "../helpers/indexer.js";
import {
  actor,
  fundedActor,
  meterUsage,
  receiptsRoot,
  registerAgentFor,
  registerSkillFor,
  startMarketplace,
  type Actor,
  type Chain,
} from "../helpers/marketplace.js";

const KILLS = 24;
const WORKERS = 4;
const REVIEW_CID = "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku";

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
}

describe("indexer: SIGKILL at random moments, then rebuild from scratch", function () {
  this.timeout(600_000);
  let chain: Chain;
  let database: ScratchDatabase;
  let pool: pg.Pool;
  let env: Record<string, string>;
  let stopGenerator = false;
  let generator: Promise<number> | undefined;

  before(async () => {
    chain = await startMarketplace();
    database = await scratchDatabase("indexer_crash");
    pool = new pg.Pool({ connectionString: database.url, max: 2 });
    env = indexerEnv(chain, database.url, { INDEXER_BATCH_SIZE: "50" });
  });

  after(async () => {
    stopGenerator = true;
    await generator?.catch(() => undefined);
    await pool?.end();
    await database?.drop();
    await chain?.stop();
  });

  /** Each worker has its own buyer and cycles through the marketplace's money-moving instructions. */
  async function generate(): Promise<number> {
    const seller = await fundedActor(chain.connection);
    await registerAgentFor(seller, "crash-seller");
    const meter = actor(chain.connection, chain.meter.keypair);
    const subscription = (await registerSkillFor(seller, { slug: "crash-sub", pricing: pricing.subscription(3_600), price: 1_000_003n })).address;
    const usage = (await registerSkillFor(seller, { slug: "crash-usage", pricing: pricing.usage(50), price: 700_001n })).address;
    const buyers: Actor[] = [];
    for (let i = 0; i < WORKERS; i++) buyers.push(await fundedActor(chain.connection, 100));
    let sent = 0;
    const worker = async (buyer: Actor, index: number) => {
      let reviewed = false;
      for (let step = 0; !stopGenerator; step++) {
        switch (step % 5) {
          case 0:
            await (await preparePurchase(buyer.program, { buyer: buyer.publicKey, skill: subscription })).rpc();
            break;
          case 1:
            await (await preparePurchase(buyer.program, { buyer: buyer.publicKey, skill: usage })).rpc();
            break;
          case 2:
          case 3:
            await meterUsage(meter, { skill: usage, buyer: buyer.publicKey, units: 7 + index });
            break;
          case 4:
            if (!reviewed) {
              await postReview(buyer.program, { reviewer: buyer.publicKey, skill: subscription, rating: 1 + ((step + index) % 5), textCid: REVIEW_CID }).rpc();
              reviewed = true;
            } else {
              await buyer.program.methods
                .updateReview({ rating: 1 + ((step + index) % 5), textCid: REVIEW_CID })
                .accountsPartial({ reviewer: buyer.publicKey, skill: subscription })
                .rpc();
            }
            break;
        }
        sent += 1;
      }
    };
    await Promise.all(buyers.map((b, i) => worker(b, i)));
    return sent;
  }

  it(`the database equals the chain after ${KILLS} SIGKILLs during a stream of purchases, renewals, usage and reviews`, async () => {
    generator = generate();
    generator.catch(() => undefined);
    let killedWhileWriting = 0;
    for (let kill = 0; kill < KILLS; kill++) {
      const before = (await pool.query("SELECT signature FROM indexer_cursor")).rows[0]?.signature;
      const child = spawnIndexer(env);
      // From "still loading" to "following live": the process needs about a second to start.
      await sleep(500 + Math.random() * 3_500);
      child.kill("SIGKILL");
      const outcome = await exited(child);
      assert.equal(outcome.signal, "SIGKILL", `indexer exited on its own (${outcome.code})`);
      const after = (await pool.query("SELECT signature FROM indexer_cursor")).rows[0]?.signature;
      if (after !== before) killedWhileWriting += 1;
    }
    stopGenerator = true;
    const sent = await generator;
    const final = spawnIndexer(env);
    try {
      await waitCaughtUp(pool, chain.connection);
      const counts = await assertMirrorsChain(pool, chain.connection);
      assert.ok(counts.purchases > 0 && counts.usage > 0);
      assert.ok(killedWhileWriting > 0, "some kills happened while the indexer was making progress");
      console.log(`      ${sent} generated transactions, ${counts.events} events; ${killedWhileWriting} of ${KILLS} kills interrupted an indexer that was writing`);
    } finally {
      final.kill("SIGTERM");
      const outcome = await exited(final);
      assert.deepEqual(outcome, { code: 0, signal: null }, "SIGTERM finishes pending work and exits 0");
    }
  });

  it("rebuild: drop the database, re-index from scratch, same tables row for row", async () => {
    const before = await tableSnapshot(pool);
    await pool.end();
    await database.recreate();
    pool = new pg.Pool({ connectionString: database.url, max: 2 });
    assert.equal((await pool.query("SELECT count(*)::int AS n FROM indexed_events")).rows[0].n, 0);
    const child = spawnIndexer(env);
    try {
      await waitCaughtUp(pool, chain.connection);
      await assertMirrorsChain(pool, chain.connection);
      assert.deepEqual(await tableSnapshot(pool), before);
    } finally {
      child.kill("SIGTERM");
      await exited(child);
    }
  });
});
