// An api for one test suite, built from its real parts: a localnet with the marketplace deployed,
// a scratch PostgreSQL database migrated with prisma/migrations, and Redis (its own logical
// database, flushed). Requests go through supertest to the Express app that `npm start` serves.
import type { Keypair } from "@solana/web3.js";
import bs58 from "bs58";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { pino } from "pino";
import supertest from "supertest";
import nacl from "tweetnacl";
import { blockStoreFor, buildApp, loadConfig, openDatabase, ResponseCache, SkillDocs, type Config, type Database } from "@skill-marketplace/api";
import { redisUrl as testRedisUrl, scratchDatabase } from "./database.js";
import { indexerEnv, startIndexer, type RunningIndexer } from "./indexer.js";
import { startMarketplace, type Chain } from "./marketplace.js";

const REDIS_TEST_DB = Number(process.env.TEST_REDIS_DB ?? 7);

export interface TestApi {
  chain: Chain;
  db: Database;
  databaseUrl: string;
  redis: Redis;
  config: Config;
  cache: ResponseCache;
  /** The docs store the app reads (an embedded blockstore in a scratch directory). */
  docs: SkillDocs;
  http: ReturnType<typeof supertest>;
  app: ReturnType<typeof buildApp>["app"];
  /** The app's payments service (its sweep is run by the server on a timer). */
  payments: ReturnType<typeof buildApp>["payments"];
  /** The app's publishing service (jobs run in the background; `idle()` waits for them). */
  publishing: ReturnType<typeof buildApp>["publishing"];
  /** The app's MCP sessions over Streamable HTTP (/mcp). */
  mcp: ReturnType<typeof buildApp>["mcp"];
  /** The indexer feeding the api's database, when the suite asked for one (`startApi({}, { indexer: true })`). */
  indexer: RunningIndexer | null;
  /** Another app on the same database, Redis and chain, with other settings (rate limits...). */
  withConfig(overrides: Record<string, string>): ReturnType<typeof supertest>;
  /** That other app itself (to serve it on a port). */
  appWith(overrides: Record<string, string>): ReturnType<typeof buildApp>["app"];
  stop(): Promise<void>;
}

export async function startApi(env: Record<string, string> = {}, options: { indexer?: boolean } = {}): Promise<TestApi> {
  const chain = await startMarketplace();
  const database = await scratchDatabase("api_test");
  const redisUrl = testRedisUrl(REDIS_TEST_DB);
  const channel = `test:invalidate:${randomBytes(4).toString("hex")}`;
  // The indexer announces on the api's Redis and channel, as under `npm start`.
  const indexer = options.indexer ? await startIndexer(indexerEnv(chain, database.url, { REDIS_URL: redisUrl, INDEXER_REDIS_CHANNEL: channel })) : null;
  const redis = new Redis(redisUrl);
  await redis.flushdb();
  const db = openDatabase(database.url);
  const logger = pino({ level: process.env.API_LOG ?? "silent" });
  const docsDir = mkdtempSync(join(tmpdir(), "skill-docs-"));
  const configFor = (overrides: Record<string, string>) =>
    loadConfig({
      DATABASE_URL: database.url,
      REDIS_URL: redisUrl,
      SOLANA_RPC_URL: chain.localnet.rpcUrl,
      SOLANA_WS_URL: chain.localnet.wsUrl,
      API_PUBLIC_URL: "https://market.test",
      INDEXER_REDIS_CHANNEL: channel,
      IPFS_BLOCKSTORE_DIR: docsDir,
      ...env,
      ...overrides,
    });
  const cache = new ResponseCache(redis, 300, logger);
  await cache.listen(channel);
  const config = configFor({});
  const docs = new SkillDocs(blockStoreFor(config));
  const built = (config: Config) => buildApp({ config, connection: chain.connection, redis, logger, stores: db.stores, cache, docs });
  const appFor = (config: Config) => built(config).app;
  const { app, payments, publishing, mcp } = built(config);
  return {
    app,
    payments,
    publishing,
    mcp,
    cache,
    chain,
    databaseUrl: database.url,
    db,
    redis,
    config,
    docs,
    http: supertest(app),
    indexer,
    withConfig: (overrides) => supertest(appFor(configFor(overrides))),
    appWith: (overrides) => appFor(configFor(overrides)),
    async stop() {
      await mcp.close();
      await indexer?.stop().catch(() => undefined);
      await cache.close();
      await db.close();
      redis.disconnect();
      await database.drop();
      await chain.stop();
      rmSync(docsDir, { recursive: true, force: true });
    },
  };
}

/** Signs in `wallet` the way an agent does (nonce, ed25519 signature) and returns its API key. */
export async function registerAgent(api: TestApi, wallet: Keypair): Promise<{ apiKey: string; keyId: string }> {
  const nonce = await api.http.post("/api/v1/agents/nonce").send({ wallet: wallet.publicKey.toBase58() }).expect(201);
  const signature = bs58.encode(nacl.sign.detached(new TextEncoder().encode(nonce.body.message), wallet.secretKey));
  const registered = await api.http
    .post("/api/v1/agents")
    .send({ wallet: wallet.publicKey.toBase58(), message: nonce.body.message, signature })
    .expect(201);
  return { apiKey: registered.body.apiKey, keyId: registered.body.key.id };
}

export const bearer = (apiKey: string) => ({ Authorization: `Bearer ${apiKey}` });
