// api figures with 100,000 skills in the database and 32 concurrent clients, against the api
// running as `npm start` runs it (its own process, real PostgreSQL, Redis and localnet):
// cached GET /skills throughput and p99, uncached full-text search p50/p99 (only responses the
// cache missed are counted), and Solana Pay transaction-request POST p99. Writes bench/results/api.json.
import { Keypair, LAMPORTS_PER_SOL } from "@solana/web3.js";
import autocannon from "autocannon";
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { Redis } from "ioredis";
import pg from "pg";
import { pricing } from "../sdk/src/index.js";
import { scratchDatabase } from "../tests/helpers/database.js";
import { airdrop, fundedActor, registerAgentFor, registerSkillFor, startMarketplace } from "../tests/helpers/marketplace.js";

const SKILLS = 100_000;
const CLIENTS = 32;
const WORDS = ["weather", "forecast", "translate", "text", "ocr", "receipt", "invoice", "summarize", "image", "caption", "sentiment", "speech",
  "audio", "video", "search", "scrape", "code", "review", "lint", "test", "sql", "query", "chart", "pdf", "email", "calendar", "route", "price",
  "stock", "crypto", "wallet", "token", "nft", "swap", "vote", "legal", "medical", "recipe", "travel", "music"];
const CATEGORIES = ["data", "language", "vision", "audio", "code", "finance", "web", "productivity"];

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.round((sorted.length - 1) * p))]!;
const round = (x: number) => Math.round(x * 100) / 100;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const port = (server.address() as AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

/** Runs `total` requests over `clients` concurrent loops; returns latencies (ms) and wall time. */
async function load(total: number, request: (i: number) => Promise<boolean>, clients = CLIENTS): Promise<{ latencies: number[]; seconds: number }> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      for (let i = next++; i < total; i = next++) {
        const t = performance.now();
        if (await request(i)) latencies.push(performance.now() - t);
      }
    }),
  );
  return { latencies: latencies.sort((a, b) => a - b), seconds: (performance.now() - started) / 1000 };
}

const chain = await startMarketplace({ slotMs: 400 });
const database = await scratchDatabase("api_bench");
const port = await freePort();
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
  const redis = new Redis("redis://127.0.0.1:6379/8");
  await redis.flushdb(); // no cached answers from an earlier run
  redis.disconnect();

  // A real skill on chain for the Solana Pay requests.
  const seller = await fundedActor(chain.connection, 10);
  await registerAgentFor(seller, "bench-seller");
  const skill = (await registerSkillFor(seller, { slug: "bench-skill", pricing: pricing.subscription(86_400), price: 1_000_000n })).address;

  api = spawn("node_modules/.bin/tsx", ["api/src/server.ts"], {
    env: {
      ...process.env,
      API_PORT: String(port),
      API_WORKERS: process.env.API_WORKERS ?? "2",
      DATABASE_URL: database.url,
      SOLANA_RPC_URL: chain.localnet.rpcUrl,
      SOLANA_WS_URL: chain.localnet.wsUrl,
      REDIS_URL: "redis://127.0.0.1:6379/8",
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
  // autocannon: a load generator light enough to leave the cores to the api.
  const cannon = await autocannon({
    url: base,
    connections: CLIENTS,
    duration: 10,
    requests: pages.map((p) => ({ method: "GET" as const, path: `/api/v1/skills${p}` })),
  });
  if (cannon.non2xx > 0 || cannon.errors > 0) throw new Error(`cached run: ${cannon.non2xx} non-2xx, ${cannon.errors} errors`);
  const cached = { reqPerS: cannon.requests.average, p50: cannon.latency.p50, p99: cannon.latency.p99 };

  // Uncached search: every query distinct (two words, a category, a limit); misses only.
  const searches = await load(3_000, async (i) => {
    const q = `search=${WORDS[i % 40]}%20${WORDS[(i * 7) % 40]}&category=${CATEGORIES[i % 8]}&limit=${1 + (i % 97)}&sort=relevance`;
    const res = await fetch(`${base}/skills?${q}`);
    await res.arrayBuffer();
    if (!res.ok) throw new Error(`search failed: ${res.status}`);
    return res.headers.get("x-cache") === "miss";
  });

  // The same searches from one client: the service time, without queueing behind 31 others.
  const searchOne = await load(300, async (i) => {
    const q = `search=${WORDS[(i * 3) % 40]}%20${WORDS[(i * 11) % 40]}&category=${CATEGORIES[(i + 3) % 8]}&limit=${1 + (i % 89)}&sort=relevance&minRating=1`;
    const res = await fetch(`${base}/skills?${q}`);
    await res.arrayBuffer();
    return res.headers.get("x-cache") === "miss";
  }, 1);

  // Solana Pay: a link per request, then the wallet's POST, 32 at a time (and 100 from one client).
  const POSTS = 700;
  const links: string[] = [];
  for (let i = 0; i < POSTS; i++) {
    const res = await fetch(`${base}/skills/${skill.toBase58()}/purchase-link`);
    links.push(((await res.json()) as { transactionRequestUrl: string }).transactionRequestUrl.replace(/^https?:\/\/[^/]+\/api\/v1/, base));
  }
  const wallets = Array.from({ length: POSTS }, () => Keypair.generate().publicKey.toBase58());
  await airdrop(chain.connection, Keypair.generate().publicKey, LAMPORTS_PER_SOL); // a live chain
  const post = async (i: number) => {
    const res = await fetch(links[i]!, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ account: wallets[i] }) });
    const body = (await res.json()) as { transaction?: string };
    if (!res.ok || !body.transaction) throw new Error(`POST failed: ${res.status} ${JSON.stringify(body)}`);
    return true;
  };
  const pay = await load(POSTS - 100, post);
  const payOne = await load(100, (i) => post(POSTS - 100 + i), 1);

  const results = {
    skills_in_database: SKILLS,
    concurrent_clients: CLIENTS,
    api_workers: Number(process.env.API_WORKERS ?? 2),
    cached_skills_req_per_s: Math.round(cached.reqPerS),
    cached_skills_p50_ms: round(cached.p50),
    cached_skills_p99_ms: round(cached.p99),
    uncached_search_samples: searches.latencies.length,
    uncached_search_p50_ms: round(percentile(searches.latencies, 0.5)),
    uncached_search_p99_ms: round(percentile(searches.latencies, 0.99)),
    solana_pay_post_p50_ms: round(percentile(pay.latencies, 0.5)),
    solana_pay_post_p99_ms: round(percentile(pay.latencies, 0.99)),
    single_client_uncached_search_p50_ms: round(percentile(searchOne.latencies, 0.5)),
    single_client_uncached_search_p99_ms: round(percentile(searchOne.latencies, 0.99)),
    single_client_solana_pay_post_p50_ms: round(percentile(payOne.latencies, 0.5)),
    single_client_solana_pay_post_p99_ms: round(percentile(payOne.latencies, 0.99)),
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
