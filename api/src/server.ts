// Starts the api: configuration (a bad value stops start-up naming the variable), database,
// Redis, chain connection; listens, and on SIGTERM/SIGINT stops taking requests, finishes the
// ones in flight and closes its connections. With API_WORKERS > 1 a primary process forks that
// many workers sharing the port (node:cluster) and passes the stop signal on to them.
import { Connection } from "@solana/web3.js";
import cluster from "node:cluster";
import { Redis } from "ioredis";
import { pino } from "pino";
import { buildApp } from "./app.js";
import { configOrExit } from "../../sdk/src/index.js";
import { loadConfig } from "./config.js";
import { openDatabase } from "./data/db.js";
import { ResponseCache } from "./services/cache.js";
import { blockStoreFor, SkillDocs } from "./services/docs.js";

async function main(): Promise<void> {
  const config = configOrExit("api", loadConfig);
  const logger = pino({ level: config.LOG_LEVEL, base: { service: "api" } });
  if (config.API_WORKERS > 1 && cluster.isPrimary) {
    for (let i = 0; i < config.API_WORKERS; i++) cluster.fork();
    const forward = (signal: NodeJS.Signals) => {
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill(signal);
    };
    process.once("SIGTERM", () => forward("SIGTERM"));
    process.once("SIGINT", () => forward("SIGTERM"));
    cluster.on("exit", () => {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
    });
    return;
  }
  const db = openDatabase(config.DATABASE_URL);
  // Auto-pipelining: commands issued by concurrent requests in one tick share a write and a read.
  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 2, enableAutoPipelining: true });
  const connection = new Connection(config.SOLANA_RPC_URL, { commitment: "confirmed", wsEndpoint: config.SOLANA_WS_URL });
  const cache = new ResponseCache(redis, config.CACHE_TTL_SECONDS, logger);
  await cache.listen(config.INDEXER_REDIS_CHANNEL);
  const docs = new SkillDocs(blockStoreFor(config));
  const { app } = buildApp({ config, connection, redis, logger, ...db.stores, prisma: db.prisma, cache, docs });
  const server = app.listen(config.API_PORT, () => logger.info({ port: config.API_PORT }, "api listening"));
  const stop = (signal: string) => {
    logger.info({ signal }, "api stopping");
    server.close(async () => {
      await Promise.allSettled([db.close(), cache.close(), redis.quit()]);
      logger.info("api stopped");
      process.exit(0);
    });
  };
  process.once("SIGTERM", () => stop("SIGTERM"));
  process.once("SIGINT", () => stop("SIGINT"));
}

void main();
