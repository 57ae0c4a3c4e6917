// api figures with 100,000 skills in the database, against the api running as `npm start` runs it
// (its own processes, real PostgreSQL, Redis and localnet), each target measured three times (this
// machine's speed drifts; the median run is reported with the spread): uncached search at a steady
// 300 requests/s with 5 % broad one-word queries, a single client's broad searches, Solana Pay
// transaction-request POSTs at a steady 100/s (latency counted from when each request was due),
// and cached GET /skills throughput at 32 clients. Each phase also records where a slow answer
// could have waited: the api's event-loop delay and GC pauses (bench/diagnostics.ts, loaded into
// its processes) and PostgreSQL's own statement times (pg_stat_statements). Writes bench/results/api.json.
import { Keypair, LAMPORTS_PER_SOL } from "@solana/web3.js";
import autocannon from "autocannon";
import { spawn } from "node:child_process";
import http from "node:http";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer, type AddressInfo } from "node:net";
import { Redis } from "ioredis";
import pg from "pg";
import { pricing } from "@skill-marketplace/sdk";
import { redisUrl, scratchDatabase } from "../tests/helpers/database.js";
import { CATEGORIES, seedSkills, WORDS } from "./seed.js";
import { airdrop, fundedActor, registerAgentFor, registerSkillFor, startMarketplace } from "../tests/helpers/marketplace.js";

const SKILLS = 100_000;
const CLIENTS = 32;
/** Offered loads for the steady-rate runs (requests per second from the 32 clients together). */
const STEADY_SEARCH_PER_S = 300;
const STEADY_POST_PER_S = 100;
const round = (x: number) => Math.round(x * 100) / 100;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const port = (server.address() as AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

let port = 0;
/**
 * Runs autocannon (a load generator light enough to leave the cores to the stack) with `clients`
 * connections for a time or a number of requests; every response must be a 2xx, and with `cache` set, must carry that
 * x-cache value (so an "uncached" figure cannot include hits).
 */
async function cannon(
  name: string,
  clients: number,
  length: { seconds: number } | { amount: number },
  request: autocannon.Request,
  cache?: "hit" | "miss",
) {
  const wrong: string[] = [];
  // Monotonic microseconds, the clock of --cpu-prof profiles: a profile can be cut to one phase.
  const startedUs = process.hrtime.bigint() / 1000n;
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: clients,
    ...("amount" in length ? { amount: length.amount } : { duration: length.seconds }),
    requests: [
      {
        ...request,
        onResponse: (status, body, _context, headers) => {
          if (status < 200 || status > 299) wrong.push(`${status} ${body.slice(0, 200)}`);
          else if (cache && headers?.["x-cache"] !== cache) wrong.push(`x-cache ${String(headers?.["x-cache"])}`);
        },
      },
    ],
  });
  if (wrong.length > 0 || result.errors > 0 || result.timeouts > 0) {
    throw new Error(`${name}: ${wrong.length} wrong answers (first: ${wrong[0]}), ${result.errors} errors, ${result.timeouts} timeouts`);
  }
  const endedUs = process.hrtime.bigint() / 1000n;
  console.log(`${name}: ${Math.round(result.requests.average)} req/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms (monotonic µs ${startedUs}..${endedUs})`);
  return result;
}

/**
 * Open-loop load: `rate` requests a second, evenly spaced, over at most `clients` kept-alive
 * connections. Each latency counts from when its request was due, not when a connection was free,
 * so a slow answer cannot hide the queue behind it (autocannon's rate option sends each second's
 * budget in one burst). Every answer is checked as in `cannon`.
 */
async function steady(name: string, clients: number, rate: number, seconds: number, make: () => { method: string; path: string; body?: string }, cache?: "hit" | "miss") {
  const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
  const latencies: number[] = [];
  const wrong: string[] = [];
  const total = rate * seconds;
  // The load generator's own stalls count in its latencies too: measured, to tell them apart.
  const clientLoop = monitorEventLoopDelay({ resolution: 1 });
  clientLoop.enable();
  const started = performance.now();
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const { method, path, body } = make();
    inFlight.push(
      new Promise<void>((resolve) => {
        const req = http.request({ agent, host: "127.0.0.1", port, method, path, headers: body ? { "content-type": "application/json" } : {} }, (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            latencies.push(performance.now() - due);
            const status = res.statusCode ?? 0;
            if (status < 200 || status > 299) wrong.push(`${status} ${Buffer.concat(chunks).toString().slice(0, 200)}`);
            else if (cache && res.headers["x-cache"] !== cache) wrong.push(`x-cache ${String(res.headers["x-cache"])}`);
            resolve();
          });
        });
        req.on("error", (e) => {
          wrong.push(e.message);
          resolve();
        });
        req.end(body);
      }),
    );
  }
  await Promise.all(inFlight);
  agent.destroy();
  if (wrong.length > 0) throw new Error(`${name}: ${wrong.length} wrong answers (first: ${wrong[0]})`);
  latencies.sort((a, b) => a - b);
  const at = (q: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * q))]! * 100) / 100;
  clientLoop.disable();
  const result = { count: latencies.length, p50: at(0.5), p99: at(0.99), max: round(latencies.at(-1)!), clientLoopP99Ms: round(clientLoop.percentile(99) / 1e6), clientLoopMaxMs: round(clientLoop.max / 1e6) };
  console.log(`${name}: ${rate} req/s offered for ${seconds} s, p50 ${result.p50} ms, p99 ${result.p99} ms, max ${result.max} ms (load generator's event loop: p99 ${result.clientLoopP99Ms} ms, max ${result.clientLoopMaxMs} ms)`);
  return result;
}

/** One client, one request after the other, for `seconds`: each latency from send to last byte. */
async function closedLoop(name: string, seconds: number, make: () => { method: string; path: string }, cache?: "hit" | "miss") {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const latencies: number[] = [];
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    const { method, path } = make();
    const sent = performance.now();
    await new Promise<void>((resolve, reject) => {
      http
        .request({ agent, host: "127.0.0.1", port, method, path }, (res) => {
          res.resume();
          res.on("end", () => {
            if ((res.statusCode ?? 0) !== 200 || (cache && res.headers["x-cache"] !== cache)) reject(new Error(`${name}: ${res.statusCode} x-cache ${String(res.headers["x-cache"])}`));
            else resolve();
          });
        })
        .on("error", reject)
        .end();
    });
    latencies.push(performance.now() - sent);
  }
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q: number) => round(latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * q))]!);
  const result = { count: latencies.length, p50: at(0.5), p99: at(0.99), max: round(latencies.at(-1)!) };
  console.log(`${name}: ${result.count} requests, p50 ${result.p50} ms, p99 ${result.p99} ms, max ${result.max} ms`);
  return result;
}

type Run = { count: number; p50: number; p99: number; max: number };
/** The median run by p99, and the spread of p99 over the runs. */
function summary(prefix: string, runs: Run[]): Record<string, number> {
  const sorted = [...runs].sort((a, b) => a.p99 - b.p99);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  return {
    [`${prefix}_runs`]: runs.length,
    [`${prefix}_samples_per_run`]: median.count,
    [`${prefix}_p50_ms`]: median.p50,
    [`${prefix}_p99_ms`]: median.p99,
    [`${prefix}_p99_ms_best_run`]: sorted[0]!.p99,
    [`${prefix}_p99_ms_worst_run`]: sorted.at(-1)!.p99,
    [`${prefix}_max_ms`]: Math.max(...runs.map((r) => r.max)),
  };
}

const chain = await startMarketplace({ slotMs: 400 });
const database = await scratchDatabase("api_bench");
port = await freePort();
let api: ReturnType<typeof spawn> | undefined;
try {
  // 100,000 skills, as the indexer would have written them.
  await seedSkills(database.url, SKILLS);
  const redis = new Redis(redisUrl(8));
  await redis.flushdb(); // no cached answers from an earlier run
  redis.disconnect();

  // A real skill on chain for the Solana Pay requests.
  const seller = await fundedActor(chain.connection, 10);
  await registerAgentFor(seller, "bench-seller");
  const skill = (await registerSkillFor(seller, { slug: "bench-skill", pricing: pricing.subscription(86_400), price: 1_000_000n })).address;

  // BENCH_API_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/api-profiles", shows where the api's time goes.
  const nodeArgs = (process.env.BENCH_API_NODE_ARGS ?? "").split(" ").filter(Boolean);
  const diagnosticsFile = join(tmpdir(), `api-bench-diagnostics-${port}.ndjson`);
  rmSync(diagnosticsFile, { force: true });
  api = spawn(process.execPath, [...nodeArgs, "--import", "tsx", "--import", new URL("./diagnostics.ts", import.meta.url).pathname, "api/src/server.ts"], {
    env: {
      ...process.env,
      BENCH_DIAGNOSTICS_FILE: diagnosticsFile,
      API_PORT: String(port),
      // npm start's default: on 2 cores a second worker only competes with PostgreSQL for them.
      API_WORKERS: process.env.API_WORKERS ?? "1",
      DATABASE_URL: database.url,
      SOLANA_RPC_URL: chain.localnet.rpcUrl,
      SOLANA_WS_URL: chain.localnet.wsUrl,
      REDIS_URL: redisUrl(8),
      RATE_LIMIT_PER_IP: "100000000",
      LOG_LEVEL: "warn",
      INDEXER_REDIS_CHANNEL: `bench:${port}`,
    },
    stdio: ["ignore", "inherit", "inherit"],
  });
  const base = `http://127.0.0.1:${port}/api/v1`;
  for (let i = 0; i < 200; i++) {
    if (await fetch(`${base}/openapi.json`).then((r) => r.ok, () => false)) break;
    await new Promise((r) => setTimeout(r, 100));
  }

  // Cached listing: a handful of popular pages, warmed once, then hammered.
  const pages = ["?sort=popular", "?sort=newest", "?sort=rating", "?category=data&sort=popular", "?search=weather"];
  for (const p of pages) await fetch(`${base}/skills${p}`).then((r) => r.json());
  let nextPage = 0;
  const cachedRequest: autocannon.Request = {
    method: "GET",
    setupRequest: (req) => ({ ...req, path: `/api/v1/skills${pages[nextPage++ % pages.length]}` }),
  };
  // A few seconds first, unrecorded, so the figures are the api's steady state, not its JIT warm-up.
  await cannon("warm-up", CLIENTS, { seconds: 3 }, cachedRequest, "hit");
  // Three runs, the median reported (and the spread): this machine's speed drifts between runs.
  const cachedRuns: autocannon.Result[] = [];
  for (let run = 1; run <= 3; run++) cachedRuns.push(await cannon(`cached GET /skills, run ${run}`, CLIENTS, { seconds: 10 }, cachedRequest, "hit"));
  cachedRuns.sort((a, b) => a.requests.average - b.requests.average);
  const cachedRun = cachedRuns[1]!;
  const cached = { reqPerS: cachedRun.requests.average, p50: cachedRun.latency.p50, p99: cachedRun.latency.p99 };

  // Where a slow answer could have waited, phase by phase: the api's event loop and collector
  // (bench/diagnostics.ts writes a line per process per second) and PostgreSQL's statements.
  const stats = new pg.Client({ connectionString: database.url });
  await stats.connect();
  const pgStats = await stats.query("CREATE EXTENSION IF NOT EXISTS pg_stat_statements").then(
    () => stats.query("SELECT pg_stat_statements_reset()").then(() => true),
    (e: Error) => {
      console.log(`pg_stat_statements unavailable (${e.message}): no PostgreSQL statement times`);
      return false;
    },
  );
  type Diagnosis = { apiCpuMsPerS: number; pgStatementMsPerS: number; loopP99Ms: number; loopMaxMs: number; gcPauses: number; gcMaxMs: number; gcTotalMs: number; pgMaxMs: number; pgMeanMs: number };
  async function observed<T>(name: string, run: () => Promise<T>): Promise<T & { diagnosis: Diagnosis }> {
    if (pgStats) await stats.query("SELECT pg_stat_statements_reset()");
    const from = Date.now();
    const result = await run();
    const to = Date.now();
    await new Promise((r) => setTimeout(r, 1_100)); // the last second's lines
    const lines = readFileSync(diagnosticsFile, "utf8").trim().split("\n").map((l) => JSON.parse(l) as {
      at: number; cpuMs: number; loopP99Ms: number; loopMaxMs: number; gc: Record<string, { count: number; totalMs: number; maxMs: number }>;
    }).filter((l) => l.at > from && l.at <= to + 1_000);
    const gcs = lines.flatMap((l) => Object.values(l.gc));
    const byKind: Record<string, { count: number; maxMs: number }> = {};
    for (const l of lines) for (const [kind, g] of Object.entries(l.gc)) {
      const k = (byKind[kind] ??= { count: 0, maxMs: 0 });
      k.count += g.count;
      k.maxMs = Math.max(k.maxMs, round(g.maxMs));
    }
    let pgMaxMs = 0;
    let pgMeanMs = 0;
    let pgTotalMs = 0;
    if (pgStats) {
      const total = await stats.query<{ ms: number }>(
        `SELECT coalesce(sum(total_exec_time), 0)::float8 AS ms FROM pg_stat_statements
         WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND query NOT ILIKE '%pg_stat_statements%'`,
      );
      pgTotalMs = total.rows[0]!.ms;
      const top = await stats.query<{ query: string; calls: string; mean: number; max: number }>(
        `SELECT query, calls, mean_exec_time AS mean, max_exec_time AS max FROM pg_stat_statements
         WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND query NOT ILIKE '%pg_stat_statements%'
         ORDER BY total_exec_time DESC LIMIT 3`,
      );
      for (const row of top.rows) console.log(`  pg: ${row.calls} calls, mean ${row.mean.toFixed(2)} ms, max ${row.max.toFixed(2)} ms: ${row.query.replace(/\s+/g, " ").slice(0, 140)}`);
      pgMaxMs = round(top.rows[0]?.max ?? 0);
      pgMeanMs = round(top.rows[0]?.mean ?? 0);
    }
    const seconds = (to - from) / 1000;
    const apiCpuMs = lines.reduce((n, l) => n + l.cpuMs, 0);
    console.log(`  ${name}: api CPU ${Math.round(apiCpuMs / seconds)} ms/s, PostgreSQL statements ${Math.round(pgTotalMs / seconds)} ms/s (of 2,000 ms/s on 2 cores)`);
    const diagnosis = {
      apiCpuMsPerS: Math.round(apiCpuMs / seconds),
      pgStatementMsPerS: Math.round(pgTotalMs / seconds),
      loopP99Ms: Math.max(0, ...lines.map((l) => l.loopP99Ms)),
      loopMaxMs: Math.max(0, ...lines.map((l) => l.loopMaxMs)),
      gcPauses: gcs.reduce((n, g) => n + g.count, 0),
      gcMaxMs: round(Math.max(0, ...gcs.map((g) => g.maxMs))),
      gcTotalMs: round(gcs.reduce((n, g) => n + g.totalMs, 0)),
      pgMaxMs,
      pgMeanMs,
    };
    console.log(`  ${name}: event loop p99 ≤ ${diagnosis.loopP99Ms} ms (max ${diagnosis.loopMaxMs}), GC ${diagnosis.gcPauses} pauses (longest ${diagnosis.gcMaxMs} ms, ${diagnosis.gcTotalMs} ms in all; ${JSON.stringify(byKind)})`);
    return Object.assign(result as object, { diagnosis }) as T & { diagnosis: Diagnosis };
  }
  /** The worst of each figure over the runs. */
  const worst = (prefix: string, runs: { diagnosis: Diagnosis }[]) => {
    const d = (k: keyof Diagnosis) => Math.max(...runs.map((r) => r.diagnosis[k]));
    return {
      [`${prefix}_api_cpu_ms_per_s_worst_run`]: d("apiCpuMsPerS"),
      ...(pgStats ? { [`${prefix}_pg_statement_ms_per_s_worst_run`]: d("pgStatementMsPerS") } : {}),
      [`${prefix}_event_loop_delay_p99_ms_worst_second`]: d("loopP99Ms"),
      [`${prefix}_event_loop_delay_max_ms`]: d("loopMaxMs"),
      [`${prefix}_gc_pause_max_ms`]: d("gcMaxMs"),
      [`${prefix}_gc_pause_total_ms_worst_run`]: d("gcTotalMs"),
      ...(pgStats ? { [`${prefix}_pg_top_statement_mean_ms`]: d("pgMeanMs"), [`${prefix}_pg_top_statement_max_ms`]: d("pgMaxMs") } : {}),
    };
  };

  // Uncached search: every query distinct (two different words, a category, a page of 10 to 30
  // around the default 20), so every one misses the cache; the bench checks that none hit.
  // 40 × 39 word pairs × 8 categories = 12,480 combinations; the page size differs between rounds.
  const searchPath = (i: number) => {
    const first = i % 40;
    const second = (first + 1 + (Math.floor(i / 40) % 39)) % 40;
    const round = Math.floor(i / 12_480);
    return `/api/v1/skills?search=${WORDS[first]}%20${WORDS[second]}&category=${CATEGORIES[Math.floor(i / 1560) % 8]}` +
      `&limit=${10 + (((i % 12_480) * 7 + round) % 21)}&sort=relevance`;
  };
  // Broad searches: one word matches 5 % of all skills (5,000 rows to rank); 40 words × 100 page
  // sizes = 4,000 distinct queries, then the same with a price cap that changes each time.
  const broadPath = (i: number) => `/api/v1/skills?search=${WORDS[i % 40]}&limit=${1 + (Math.floor(i / 40) % 100)}&sort=relevance${i >= 4_000 ? `&maxPrice=${9_000_000 + i}` : ""}`;
  let nextSearch = 0;
  let nextBroad = 0;
  const searches = await cannon("uncached search, 32 clients", CLIENTS, { seconds: 10 }, {
    method: "GET",
    setupRequest: (req) => ({ ...req, path: searchPath(nextSearch++) }),
  }, "miss");
  // The targets, three runs each.
  const broadRuns = [];
  for (let run = 1; run <= 3; run++) {
    broadRuns.push(await observed(`broad search, one client, run ${run}`, () => closedLoop(`broad one-word search, one client, run ${run}`, 5, () => ({ method: "GET", path: broadPath(nextBroad++) }), "miss")));
  }
  // The mix agents send: one request in 20 a broad one-word search.
  const searchRuns = [];
  for (let run = 1; run <= 3; run++) {
    let n = 0;
    searchRuns.push(await observed(`steady search, run ${run}`, () =>
      steady(`uncached search with 5 % broad, steady, run ${run}`, CLIENTS, STEADY_SEARCH_PER_S, 10, () => ({
        method: "GET",
        path: n++ % 20 === 0 ? broadPath(nextBroad++) : searchPath(nextSearch++),
      }), "miss"),
    ));
  }

  // Solana Pay: a link per request, then the wallet's POST, 32 at a time, then steady.
  const POSTS = 3_500 + STEADY_POST_PER_S * 10 * 3;
  const links: string[] = [];
  for (let i = 0; i < POSTS; i += CLIENTS) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(CLIENTS, POSTS - i) }, async () => {
        const res = await fetch(`${base}/skills/${skill.toBase58()}/purchase-link`, { method: "POST" });
        return ((await res.json()) as { transactionRequestUrl: string }).transactionRequestUrl.replace(/^https?:\/\/[^/]+/, "");
      }),
    );
    links.push(...batch);
  }
  const wallets = Array.from({ length: POSTS }, () => Keypair.generate().publicKey.toBase58());
  await airdrop(chain.connection, Keypair.generate().publicKey, LAMPORTS_PER_SOL); // a live chain
  let nextPost = 0;
  const postRequest = {
    method: "POST" as const,
    headers: { "content-type": "application/json" },
    setupRequest: (req: autocannon.Request) => {
      const i = nextPost++;
      if (i >= POSTS) throw new Error("more POSTs than links");
      return { ...req, path: links[i]!, body: JSON.stringify({ account: wallets[i] }) };
    },
  };
  const pay = await cannon("Solana Pay POST, 32 clients", CLIENTS, { amount: 3_500 }, postRequest);
  const payRuns = [];
  for (let run = 1; run <= 3; run++) {
    payRuns.push(await observed(`steady Solana Pay POST, run ${run}`, () =>
      steady(`Solana Pay POST, steady, run ${run}`, CLIENTS, STEADY_POST_PER_S, 10, () => {
        const i = nextPost++;
        return { method: "POST", path: links[i]!, body: JSON.stringify({ account: wallets[i] }) };
      }),
    ));
  }
  await stats.end();

  const results = {
    skills_in_database: SKILLS,
    api_workers: Number(process.env.API_WORKERS ?? 1),
    cached_skills_clients: CLIENTS,
    cached_skills_req_per_s: Math.round(cached.reqPerS),
    cached_skills_req_per_s_slowest_run: Math.round(cachedRuns[0]!.requests.average),
    cached_skills_req_per_s_fastest_run: Math.round(cachedRuns[2]!.requests.average),
    cached_skills_p50_ms: round(cached.p50),
    cached_skills_p99_ms: round(cached.p99),
    steady_search_req_per_s: STEADY_SEARCH_PER_S,
    steady_search_broad_pct: 5,
    ...summary("steady_search", searchRuns),
    ...worst("steady_search", searchRuns),
    single_client_broad_search_match_pct: 5,
    ...summary("single_client_broad_search", broadRuns),
    ...worst("single_client_broad_search", broadRuns),
    steady_solana_pay_post_req_per_s: STEADY_POST_PER_S,
    ...summary("steady_solana_pay_post", payRuns),
    ...worst("steady_solana_pay_post", payRuns),
    closed_loop_clients: CLIENTS,
    closed_loop_uncached_search_req_per_s: Math.round(searches.requests.average),
    closed_loop_uncached_search_p50_ms: round(searches.latency.p50),
    closed_loop_uncached_search_p99_ms: round(searches.latency.p99),
    closed_loop_solana_pay_post_req_per_s: Math.round(pay.requests.average),
    closed_loop_solana_pay_post_p50_ms: round(pay.latency.p50),
    closed_loop_solana_pay_post_p99_ms: round(pay.latency.p99),
  };
  console.log(JSON.stringify(results, null, 2));
  writeFileSync(new URL("./results/api.json", import.meta.url), JSON.stringify(results, null, 2) + "\n");
} finally {
  api?.kill("SIGTERM");
  await new Promise((r) => setTimeout(r, 500));
  await database.drop();
  await chain.stop();
}
process.exit(0);
