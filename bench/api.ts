// api figures with 100,000 skills in the database and 32 concurrent clients, against the api
// running as `npm start` runs it (its own process, real PostgreSQL, Redis and localnet):
// cached GET /skills throughput and p99, uncached full-text search p50/p99 (only responses the
// cache missed are counted), and Solana Pay transaction-request POST p99. Writes bench/results/api.json.
import { Keypair, LAMPORTS_PER_SOL } from "@solana/web3.js";
import autocannon from "autocannon";
import { spawn } from "node:child_process";
import http from "node:http";
import { writeFileSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { Redis } from "ioredis";
import pg from "pg";
import { pricing } from "@skill-marketplace/sdk";
import { redisUrl, scratchDatabase } from "../tests/helpers/database.js";
import { airdrop, fundedActor, registerAgentFor, registerSkillFor, startMarketplace } from "../tests/helpers/marketplace.js";

const SKILLS = 100_000;
const CLIENTS = 32;
/** Offered loads for the steady-rate runs (requests per second from the 32 clients together). */
const STEADY_SEARCH_PER_S = 300;
const STEADY_POST_PER_S = 100;
const WORDS = ["weather", "forecast", "translate", "text", "ocr", "receipt", "invoice", "summarize", "image", "caption", "sentiment", "speech",
  "audio", "video", "search", "scrape", "code", "review", "lint", "test", "sql", "query", "chart", "pdf", "email", "calendar", "route", "price",
  "stock", "crypto", "wallet", "token", "nft", "swap", "vote", "legal", "medical", "recipe", "travel", "music"];
const CATEGORIES = ["data", "language", "vision", "audio", "code", "finance", "web", "productivity"];

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
  const result = { count: latencies.length, p50: at(0.5), p99: at(0.99) };
  console.log(`${name}: ${rate} req/s offered for ${seconds} s, p50 ${result.p50} ms, p99 ${result.p99} ms`);
  return result;
}

const chain = await startMarketplace({ slotMs: 400 });
const database = await scratchDatabase("api_bench");
port = await freePort();
let api: ReturnType<typeof spawn> | undefined;
try {
  // 100,000 skills, as the indexer would have written them, in one statement.
  const db = new pg.Client({ connectionString: database.url });
  db.on("error", () => undefined); // the drop at the end may cut it
  await db.connect();
  await db.query(
    `INSERT INTO skills (address, author, slug, version, pricing, price, currency, category, docs_cid, commit_sha, image_digest,
       sales, rating_sum, rating_count, created_at, updated_at, slot, commitment)
     SELECT md5('s' || i), md5('a' || (i % 5000)),
       ($1::text[])[1 + i % 40] || '-' || ($1::text[])[1 + (i / 40) % 40] || '-' || i,
       '1.0.0', (ARRAY['oneTime','subscription','usage'])[1 + i % 3], 1000 + (i * 7919) % 10000000, 'SOL',
       ($2::text[])[1 + i % 8], 'bafkrei', repeat('ab', 20), repeat('cd', 32),
       (i * 104729) % 5000, (i % 5) * ((i % 7) + 1), (i % 7) + 1, now() - (i || ' seconds')::interval, now(), i, 'confirmed'
     FROM generate_series(1::bigint, ${SKILLS}::bigint) AS i`,
    [WORDS, CATEGORIES],
  );
  // As autovacuum would have by now: flush the full-text index's pending list, refresh statistics.
  await db.query("VACUUM ANALYZE skills");
  await db.end();
  const redis = new Redis(redisUrl(8));
  await redis.flushdb(); // no cached answers from an earlier run
  redis.disconnect();

  // A real skill on chain for the Solana Pay requests.
  const seller = await fundedActor(chain.connection, 10);
  await registerAgentFor(seller, "bench-seller");
  const skill = (await registerSkillFor(seller, { slug: "bench-skill", pricing: pricing.subscription(86_400), price: 1_000_000n })).address;

  // BENCH_API_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/api-profiles", shows where the api's time goes.
  const nodeArgs = (process.env.BENCH_API_NODE_ARGS ?? "").split(" ").filter(Boolean);
  api = spawn(process.execPath, [...nodeArgs, "--import", "tsx", "api/src/server.ts"], {
    env: {
      ...process.env,
      API_PORT: String(port),
      API_WORKERS: process.env.API_WORKERS ?? "2",
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
  let nextSearch = 0;
  const searches = await cannon("uncached search", CLIENTS, { seconds: 10 }, {
    method: "GET",
    setupRequest: (req) => ({ ...req, path: searchPath(nextSearch++) }),
  }, "miss");
  const searchOne = await cannon("uncached search, one client", 1, { seconds: 5 }, {
    method: "GET",
    setupRequest: (req) => ({ ...req, path: searchPath(nextSearch++) }),
  }, "miss");
  // Broad searches: one word matches 5 % of all skills (5,000 rows to rank), one client.
  let nextBroad = 0;
  const broad = await cannon("broad one-word search, one client", 1, { seconds: 5 }, {
    method: "GET",
    setupRequest: (req) => {
      const i = nextBroad++;
      return { ...req, path: `/api/v1/skills?search=${WORDS[i % 40]}&limit=${1 + (Math.floor(i / 40) % 100)}&sort=relevance` };
    },
  }, "miss");
  // The same 32 clients at a steady load the stack can serve: latency without a standing queue.
  const searchSteady = await steady("uncached search, steady", CLIENTS, STEADY_SEARCH_PER_S, 10, () => ({ method: "GET", path: searchPath(nextSearch++) }), "miss");

  // Solana Pay: a link per request, then the wallet's POST, 32 at a time (and one client alone).
  const POSTS = 4_000 + STEADY_POST_PER_S * 10;
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
  const pay = await cannon("Solana Pay POST", CLIENTS, { amount: 3_500 }, postRequest);
  const payOne = await cannon("Solana Pay POST, one client", 1, { amount: 500 }, postRequest);
  const paySteady = await steady("Solana Pay POST, steady", CLIENTS, STEADY_POST_PER_S, 10, () => {
    const i = nextPost++;
    return { method: "POST", path: links[i]!, body: JSON.stringify({ account: wallets[i] }) };
  });

  const results = {
    skills_in_database: SKILLS,
    concurrent_clients: CLIENTS,
    api_workers: Number(process.env.API_WORKERS ?? 2),
    cached_skills_req_per_s: Math.round(cached.reqPerS),
    cached_skills_req_per_s_slowest_run: Math.round(cachedRuns[0]!.requests.average),
    cached_skills_req_per_s_fastest_run: Math.round(cachedRuns[2]!.requests.average),
    cached_skills_p50_ms: round(cached.p50),
    cached_skills_p99_ms: round(cached.p99),
    uncached_search_samples: searches.requests.total,
    uncached_search_req_per_s: Math.round(searches.requests.average),
    uncached_search_p50_ms: round(searches.latency.p50),
    uncached_search_p99_ms: round(searches.latency.p99),
    solana_pay_post_samples: pay.requests.total,
    solana_pay_post_req_per_s: Math.round(pay.requests.average),
    solana_pay_post_p50_ms: round(pay.latency.p50),
    solana_pay_post_p99_ms: round(pay.latency.p99),
    steady_search_req_per_s: STEADY_SEARCH_PER_S,
    steady_search_p50_ms: searchSteady.p50,
    steady_search_p99_ms: searchSteady.p99,
    steady_solana_pay_post_req_per_s: STEADY_POST_PER_S,
    steady_solana_pay_post_p50_ms: paySteady.p50,
    steady_solana_pay_post_p99_ms: paySteady.p99,
    single_client_broad_search_p50_ms: round(broad.latency.p50),
    single_client_broad_search_p99_ms: round(broad.latency.p99),
    single_client_uncached_search_p50_ms: round(searchOne.latency.p50),
    single_client_uncached_search_p99_ms: round(searchOne.latency.p99),
    single_client_solana_pay_post_p50_ms: round(payOne.latency.p50),
    single_client_solana_pay_post_p99_ms: round(payOne.latency.p99),
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
