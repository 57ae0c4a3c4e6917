// Two api processes (server.ts, as `npm start` runs them) on one Redis, fed by the real indexer:
// both follow the generation the indexer names, so they share what they cache and neither moves
// the shared counter itself; a sale shows on both.
import { CACHE_GENERATION_KEY, decodeInvalidation, pricing } from "@skill-marketplace/sdk";
import { strict as assert } from "node:assert";
import { spawn, type ChildProcess } from "node:child_process";
import { Redis } from "ioredis";
import { startApi, type TestApi } from "../helpers/api.js";
import { waitUntil } from "../helpers/indexer.js";
import { freePort } from "../helpers/localnet.js";
import { fundedActor, registerAgentFor, registerSkillFor } from "../helpers/marketplace.js";

describe("api: two instances on one Redis", function () {
  let api: TestApi;
  const servers: ChildProcess[] = [];
  const bases: string[] = [];
  let listener: Redis;
  const published: number[] = [];

  before(async () => {
    api = await startApi({}, { indexer: true });
    listener = new Redis(api.config.REDIS_URL);
    listener.on("message", (_c: string, text: string) => {
      const message = decodeInvalidation(text);
      if (message) published.push(message.generation);
    });
    await listener.subscribe(api.config.INDEXER_REDIS_CHANNEL);
    for (let i = 0; i < 2; i++) {
      const port = await freePort();
      const server = spawn(process.execPath, ["--import", "tsx", "api/src/server.ts"], {
        env: {
          ...process.env,
          API_PORT: String(port),
          DATABASE_URL: api.databaseUrl,
          REDIS_URL: api.config.REDIS_URL,
          SOLANA_RPC_URL: api.config.SOLANA_RPC_URL,
          SOLANA_WS_URL: api.config.SOLANA_WS_URL ?? "",
          INDEXER_REDIS_CHANNEL: api.config.INDEXER_REDIS_CHANNEL,
          IPFS_BLOCKSTORE_DIR: api.config.IPFS_BLOCKSTORE_DIR,
          LOG_LEVEL: "warn",
          RATE_LIMIT_PER_IP: "100000", // the test polls
        },
        stdio: ["ignore", "inherit", "inherit"],
      });
      servers.push(server);
      const base = `http://127.0.0.1:${port}/api/v1`;
      bases.push(base);
      await waitUntil(`api ${i} answering`, () => fetch(`${base}/openapi.json`).then((r) => (r.ok ? true : undefined), () => undefined));
    }
  });
  after(async () => {
    for (const server of servers) server.kill("SIGTERM");
    listener?.disconnect();
    await api?.stop();
  });

  const list = async (base: string) => {
    const res = await fetch(`${base}/skills?sort=newest`);
    assert.equal(res.status, 200);
    return { cache: res.headers.get("x-cache"), slugs: ((await res.json()) as { skills: { slug: string }[] }).skills.map((s) => s.slug) };
  };

  it("share one generation: what one caches the other serves, and each indexed change reaches both", async () => {
    const seller = await fundedActor(api.chain.connection, 5);
    await registerAgentFor(seller, "seller");
    for (const slug of ["first-skill", "second-skill"]) {
      await registerSkillFor(seller, { slug, pricing: pricing.oneTime(), price: 1_000_000n });
      // Both instances show it once the indexer has announced it.
      for (const base of bases) await waitUntil(`${slug} on ${base}`, async () => {
        const l = await list(base);
        if (process.env.DEBUG_INSTANCES) console.log(base, l.cache, l.slugs.join(","), await api.redis.get(CACHE_GENERATION_KEY), published.join(","));
        return l.slugs.includes(slug) ? true : undefined;
      });
    }
    // Settled: the counter is the indexer's last announced generation; no instance moved it.
    await waitUntil("the last announcement heard", async () => (published.length > 0 ? true : undefined));
    const counter = Number(await api.redis.get(CACHE_GENERATION_KEY));
    assert.equal(counter, Math.max(...published), `counter ${counter}, announced ${published.join(",")}`);
    // One caches, the other reads it: the same generation on both.
    const page = `${bases[0]}/skills?sort=popular&limit=7`;
    const other = `${bases[1]}/skills?sort=popular&limit=7`;
    assert.equal((await fetch(page)).headers.get("x-cache"), "miss");
    assert.equal((await fetch(other)).headers.get("x-cache"), "hit", "the other instance found it under the same generation");
    assert.equal(Number(await api.redis.get(CACHE_GENERATION_KEY)), counter);
  });
});
