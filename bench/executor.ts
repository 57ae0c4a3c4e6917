// Executor figures on this machine, against the real Docker engine, localnet, PostgreSQL and Redis,
// for each runtime the engine offers (names carry it: runsc_…, runc_…), with a trivial Python skill
// on the platform's base image and every hardening setting:
// - cold: create + attach + start + call + answer (the container reaped afterwards), sequential;
// - warm: a call answered by a container the warm pool started ahead (time counted from the call,
//   once the refilled container has had 300 ms to reach its stdin read);
//   overhead = total minus the skill's own work, which the skill (bench/fixtures/timed) reports;
// - full path: one execute (token, nonce, license check, unit hold, warm container, signed receipt,
//   the call recorded), with the pool full; the token is signed before the clock starts (the
//   caller's work), and each step's median comes from the executor's own phases;
// - license check: cached and uncached (one getMultipleAccounts to the node);
// - sustained: calls/s with 8 callers through the executor and a warm pool of 8, the machine's
//   CPU time per call over that run (all processes: node, dockerd, containerd, shims, the sandbox)
//   and the rate the machine's cores could carry at that cost, and the chain transactions
//   settlement needed per 1,000 of those calls (service defaults: a round every 2 s, a license
//   settled when 1,000 receipts wait or the oldest is 10 s old).
// Writes bench/results/executor.json.
import { writeFileSync } from "node:fs";
import { cpus } from "node:os";
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
/** CPU time the whole machine has spent busy so far, in milliseconds (all cores). */
const busyMs = () => cpus().reduce((sum, c) => sum + c.times.user + c.times.nice + c.times.sys + c.times.irq, 0);
const ownMs = (output: unknown) => (output as { ownMs: number }).ownMs;

async function main() {
  const docker = testDocker();
  const results: Record<string, number> = {};
  const timedImage = await buildFixture(docker, join(import.meta.dirname, "fixtures", "timed"), "skill-marketplace-bench/timed:1");
  const choice = await chooseRuntime(docker, RUNTIMES.python.image);
  const runtimes: ContainerRuntime[] = choice.runtime === "runsc" ? ["runsc", "runc"] : ["runc"];
  const limits = effectiveLimits({ timeoutMs: 10_000 });
  const command = RUNTIMES.python.command("main.py");
  const input = { endpoint: "echo", payload: { n: 1 } };

  for (const runtime of runtimes) {
    const sandbox = new Sandbox(docker, runtime);
    const cold: number[] = [];
    const coldOverhead: number[] = [];
    for (let i = 0; i < CALLS; i++) {
      const t = performance.now();
      const r = await sandbox.run(timedImage, command, limits, input);
      if (r.outcome !== "ok") throw new Error(`cold call failed: ${r.outcome} ${r.stderr}`);
      cold.push(performance.now() - t);
      coldOverhead.push(cold.at(-1)! - ownMs(r.output));
    }
    results[`${runtime}_cold_total_p50_ms`] = round(percentile(cold, 0.5));
    results[`${runtime}_cold_total_p95_ms`] = round(percentile(cold, 0.95));
    results[`${runtime}_cold_overhead_p50_ms`] = round(percentile(coldOverhead, 0.5));
    results[`${runtime}_cold_overhead_p95_ms`] = round(percentile(coldOverhead, 0.95));
    const pool = new WarmPool(sandbox, 1);
    const warm: number[] = [];
    const warmOverhead: number[] = [];
    pool.warm(timedImage, command, limits);
    for (let i = 0; i < CALLS; i++) {
      // A waiting container: started, and its interpreter blocked reading the call.
      while (pool.waiting() < 1) await sleep(5);
      await sleep(WARM_SETTLE_MS);
      const t = performance.now();
      const r = await pool.run(timedImage, command, limits, input);
      if (r.outcome !== "ok" || !r.warm) throw new Error(`warm call failed: ${r.outcome} warm=${r.warm}`);
      warm.push(performance.now() - t);
      warmOverhead.push(warm.at(-1)! - ownMs(r.output));
    }
    await pool.close();
    results[`${runtime}_warm_total_p50_ms`] = round(percentile(warm, 0.5));
    results[`${runtime}_warm_total_p95_ms`] = round(percentile(warm, 0.95));
    results[`${runtime}_warm_overhead_p50_ms`] = round(percentile(warmOverhead, 0.5));
    results[`${runtime}_warm_overhead_p95_ms`] = round(percentile(warmOverhead, 0.95));
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
      provenance: provenance(DOCS_CID, COMMIT_SHA, timedImage),
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
    const uncached = await check(make(0), 500);
    results.license_check_uncached_p50_ms = round(percentile(uncached, 0.5));
    results.license_check_uncached_p99_ms = round(percentile(uncached, 0.99));

    const warmPool = new WarmPool(sandbox, 8);
    const executor = make(2_000, warmPool);
    const newToken = () => signLicenseToken(licenseTokenClaims({ license, skill, holder: buyer.publicKey, audience: AUDIENCE }), buyer.keypair.secretKey);
    const call = (token = newToken()) =>
      executor.execute({ skill: skill.toBase58(), agentWallet: buyer.publicKey.toBase58(), token, endpoint: "echo", payload: { text: "a b c" } });
    await call();
    const full: number[] = [];
    const fullOverhead: number[] = [];
    const phases = new Map<string, number[]>();
    for (let i = 0; i < CALLS; i++) {
      // Every container refilled and waiting: nothing else runs on the machine during the call.
      while (warmPool.waiting() < 8) await sleep(5);
      await sleep(WARM_SETTLE_MS);
      const token = newToken();
      const t = performance.now();
      const answer = await call(token);
      full.push(performance.now() - t);
      fullOverhead.push(full.at(-1)! - ownMs(answer.result));
      for (const [name, ms] of Object.entries(answer.phases)) phases.set(name, [...(phases.get(name) ?? []), ms]);
    }
    results[`${choice.runtime}_execute_warm_total_p50_ms`] = round(percentile(full, 0.5));
    results[`${choice.runtime}_execute_warm_total_p95_ms`] = round(percentile(full, 0.95));
    results[`${choice.runtime}_execute_warm_overhead_p50_ms`] = round(percentile(fullOverhead, 0.5));
    results[`${choice.runtime}_execute_warm_overhead_p95_ms`] = round(percentile(fullOverhead, 0.95));
    for (const [name, values] of phases) results[`${choice.runtime}_execute_phase_${name}_p50_ms`] = round(percentile(values, 0.5));

    // Sustained: 8 callers for SUSTAINED_SECONDS, settlement every 2 s as the service runs it; on
    // the chosen runtime, then under runc for comparison.
    const settlement = new Settlement({ connection: chain.connection, pool: db, meter: chain.meter.keypair, logger });
    await settlement.drain();
    const batchesBefore = Number((await db.query("SELECT count(*) AS n FROM usage_batches")).rows[0].n);
    const sustained = async (runtime: ContainerRuntime, through: Executor, pool: WarmPool) => {
      while (pool.waiting() < 8) await sleep(5);
      let done = 0;
      const busyBefore = busyMs();
      const end = performance.now() + SUSTAINED_SECONDS * 1000;
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          while (performance.now() < end) {
            await through.execute({ skill: skill.toBase58(), agentWallet: buyer.publicKey.toBase58(), token: newToken(), endpoint: "echo", payload: { text: "a b c" } });
            done++;
          }
        }),
      );
      const cpuPerCall = (busyMs() - busyBefore) / done;
      results[`${runtime}_sustained_calls_per_s`] = round(done / SUSTAINED_SECONDS);
      results[`${runtime}_sustained_cpu_ms_per_call`] = round(cpuPerCall);
      results[`${runtime}_sustained_cpu_bound_calls_per_s`] = round((cpus().length * 1000) / cpuPerCall);
      return done;
    };
    settlement.start(2_000);
    const done = await sustained(choice.runtime, executor, warmPool);
    await settlement.stop();
    await settlement.drain();
    const batches = Number((await db.query("SELECT count(*) AS n FROM usage_batches WHERE status = 'landed'")).rows[0].n) - batchesBefore;
    results.chain_tx_per_1000_calls = round((batches / done) * 1000);
    await warmPool.close();
    await executor.close();
    if (choice.runtime === "runsc") {
      const runcPool = new WarmPool(new Sandbox(docker, "runc"), 8);
      const runc = new Executor({ connection: chain.connection, pool: db, redis, docker, sandbox: new Sandbox(docker, "runc"), warmPool: runcPool, meter: chain.meter.keypair, audience: AUDIENCE, logger, licenseCacheMs: 2_000, licenseCallsPerMinute: 100_000 });
      await runc.execute({ skill: skill.toBase58(), agentWallet: buyer.publicKey.toBase58(), token: newToken(), endpoint: "echo", payload: {} });
      await sustained("runc", runc, runcPool);
      await runcPool.close();
      await runc.close();
    }
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
