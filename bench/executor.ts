// Executor figures on this machine, against the real Docker engine, localnet, PostgreSQL and Redis,
// for each runtime the engine offers (names carry it: runsc_…, runc_…), with a trivial Python skill
// on the platform's base image and every hardening setting:
// - cold total: create + attach + start + call + answer (the container reaped afterwards), sequential;
// - warm total: a call answered by a container the warm pool started ahead (time counted from the
//   call, once the refilled container has had 300 ms to reach its stdin read); the skill's own work is a JSON echo (well under 1 ms);
// - full path: one execute (token, nonce, license check, unit hold, warm container, signed receipt);
// - license check: cached and uncached (one getMultipleAccounts to the node);
// - sustained: calls/s with 8 callers through the executor and a warm pool of 8, and the chain
//   transactions settlement needed per 1,000 of those calls (service defaults: a round every 2 s,
//   a license settled when 1,000 receipts wait or the oldest is 10 s old).
// Writes bench/results/executor.json.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Redis } from "ioredis";
import pg from "pg";
import pino from "pino";
import { licensePda, licenseTokenClaims, preparePurchase, pricing, provenance, registerSkill, semver, signLicenseToken, skillPda } from "@skill-marketplace/sdk";
import { chooseRuntime, effectiveLimits, Executor, RUNTIMES, Sandbox, Settlement, WarmPool, type ContainerRuntime } from "@skill-marketplace/executor";
import { buildFixture, testDocker } from "../tests/helpers/docker.js";
import { redisUrl, scratchDatabase } from "../tests/helpers/database.js";
import { COMMIT_SHA, DOCS_CID, fundedActor, registerAgentFor, startMarketplace } from "../tests/helpers/marketplace.js";

const CALLS = Number(process.env.BENCH_CALLS ?? 200);
const SUSTAINED_SECONDS = Number(process.env.BENCH_SUSTAINED_SECONDS ?? 20);
const AUDIENCE = "https://market.test";
/** How long a container the pool started is left to reach its stdin read before a warm call is timed. */
const WARM_SETTLE_MS = 300;
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.round((sorted.length - 1) * p))]!;
};
const round = (x: number) => Math.round(x * 100) / 100;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function main() {
  const docker = testDocker();
  const results: Record<string, number> = {};
  const echoImage = await buildFixture(docker, join(import.meta.dirname, "..", "tests", "fixtures", "skills", "sandbox"), "skill-marketplace-bench/sandbox:1");
  const execImage = await buildFixture(docker, join(import.meta.dirname, "..", "tests", "fixtures", "skills", "exec"), "skill-marketplace-bench/exec:1");
  const choice = await chooseRuntime(docker, RUNTIMES.python.image);
  const runtimes: ContainerRuntime[] = choice.runtime === "runsc" ? ["runsc", "runc"] : ["runc"];
  const limits = effectiveLimits({ timeoutMs: 10_000 });
  const command = RUNTIMES.python.command("echo.py");
  const input = { endpoint: "main", payload: { n: 1 } };

  for (const runtime of runtimes) {
    const sandbox = new Sandbox(docker, runtime);
    const cold: number[] = [];
    for (let i = 0; i < CALLS; i++) {
      const t = performance.now();
      const r = await sandbox.run(echoImage, command, limits, input);
      if (r.outcome !== "ok") throw new Error(`cold call failed: ${r.outcome} ${r.stderr}`);
      cold.push(performance.now() - t);
    }
    results[`${runtime}_cold_total_p50_ms`] = round(percentile(cold, 0.5));
    results[`${runtime}_cold_total_p95_ms`] = round(percentile(cold, 0.95));
    const pool = new WarmPool(sandbox, 1);
    const warm: number[] = [];
    pool.warm(echoImage, command, limits);
    for (let i = 0; i < CALLS; i++) {
      // A waiting container: started, and its interpreter blocked reading the call.
      while (pool.waiting() < 1) await sleep(5);
      await sleep(WARM_SETTLE_MS);
      const t = performance.now();
      const r = await pool.run(echoImage, command, limits, input);
      if (r.outcome !== "ok" || !r.warm) throw new Error(`warm call failed: ${r.outcome} warm=${r.warm}`);
      warm.push(performance.now() - t);
    }
    await pool.close();
    results[`${runtime}_warm_total_p50_ms`] = round(percentile(warm, 0.5));
    results[`${runtime}_warm_total_p95_ms`] = round(percentile(warm, 0.95));
    console.error(`${runtime}: cold p50 ${results[`${runtime}_cold_total_p50_ms`]} p95 ${results[`${runtime}_cold_total_p95_ms`]}; warm p50 ${results[`${runtime}_warm_total_p50_ms`]} p95 ${results[`${runtime}_warm_total_p95_ms`]} ms`);
  }

  // The whole path, on the chosen runtime.
  const chain = await startMarketplace();
  const database = await scratchDatabase("bench_executor");
  const db = new pg.Pool({ connectionString: database.url, max: 16 });
  const redis = new Redis(redisUrl(12));
  try {
    await redis.flushdb();
    const logger = pino({ level: "silent" });
    const seller = await fundedActor(chain.connection);
    const buyer = await fundedActor(chain.connection, 50);
    await registerAgentFor(seller, "bench-seller");
    await registerSkill(seller.program, {
      author: seller.publicKey,
      slug: "bench-count",
      version: semver("1.0.0"),
      category: "data-analysis",
      pricing: pricing.usage(1_000_000),
      price: 1_000_000n,
      provenance: provenance(DOCS_CID, COMMIT_SHA, execImage),
    }).rpc();
    const skill = skillPda(seller.publicKey, "bench-count");
    await (await preparePurchase(buyer.program, { buyer: buyer.publicKey, skill })).rpc();
    const license = licensePda(skill, buyer.publicKey);
    const sandbox = new Sandbox(docker, choice.runtime);
    const make = (cacheMs: number, warmPool?: WarmPool) =>
      new Executor({ connection: chain.connection, pool: db, redis, docker, sandbox, warmPool, meter: chain.meter.keypair, audience: AUDIENCE, logger, licenseCacheMs: cacheMs, licenseCallsPerMinute: 100_000 });

    const check = async (executor: Executor, n: number) => {
      const times: number[] = [];
      await executor.checkLicense(skill.toBase58(), license.toBase58(), buyer.publicKey.toBase58());
      for (let i = 0; i < n; i++) {
        const t = performance.now();
        await executor.checkLicense(skill.toBase58(), license.toBase58(), buyer.publicKey.toBase58());
        times.push(performance.now() - t);
      }
      return times;
    };
    results.license_check_cached_p99_ms = round(percentile(await check(make(3_600_000), 5_000), 0.99));
    results.license_check_uncached_p99_ms = round(percentile(await check(make(0), 500), 0.99));

    const warmPool = new WarmPool(sandbox, 8);
    const executor = make(2_000, warmPool);
    const call = () =>
      executor.execute({
        skill: skill.toBase58(),
        agentWallet: buyer.publicKey.toBase58(),
        token: signLicenseToken(licenseTokenClaims({ license, skill, holder: buyer.publicKey, audience: AUDIENCE }), buyer.keypair.secretKey),
        endpoint: "count",
        payload: { text: "a b c" },
      });
    await call();
    const full: number[] = [];
    for (let i = 0; i < CALLS; i++) {
      while (warmPool.waiting() < 1) await sleep(5);
      await sleep(WARM_SETTLE_MS);
      const t = performance.now();
      await call();
      full.push(performance.now() - t);
    }
    results[`${choice.runtime}_execute_warm_total_p50_ms`] = round(percentile(full, 0.5));
    results[`${choice.runtime}_execute_warm_total_p95_ms`] = round(percentile(full, 0.95));

    // Sustained: 8 callers for SUSTAINED_SECONDS, settlement every 2 s as the service runs it.
    const settlement = new Settlement({ connection: chain.connection, pool: db, meter: chain.meter.keypair, logger });
    await settlement.drain();
    const batchesBefore = Number((await db.query("SELECT count(*) AS n FROM usage_batches")).rows[0].n);
    settlement.start(2_000);
    let done = 0;
    const end = performance.now() + SUSTAINED_SECONDS * 1000;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (performance.now() < end) {
          await call();
          done++;
        }
      }),
    );
    results[`${choice.runtime}_sustained_calls_per_s`] = round(done / SUSTAINED_SECONDS);
    await settlement.stop();
    await settlement.drain();
    const batches = Number((await db.query("SELECT count(*) AS n FROM usage_batches WHERE status = 'landed'")).rows[0].n) - batchesBefore;
    results.chain_tx_per_1000_calls = round((batches / done) * 1000);
    await warmPool.close();
    await executor.close();
  } finally {
    redis.disconnect();
    await db.end();
    await database.drop();
    await chain.stop();
  }
  for (const [name, value] of Object.entries(results)) console.log(`${name}: ${value}`);
  writeFileSync("bench/results/executor.json", `${JSON.stringify(results, null, 2)}\n`);
}

await main();
process.exit(0);
