// Starts the api: configuration (a bad value stops start-up naming the variable), database,
// Redis, chain connection; listens, and on SIGTERM/SIGINT stops taking requests, finishes the
// ones in flight and closes its connections. With API_WORKERS > 1 a primary process forks that
// many workers sharing the port (node:cluster) and passes the stop signal on to them.
import { configOrExit, createLogger, openRedis } from "@skill-marketplace/kit";
import { Connection } from "@solana/web3.js";
import cluster from "node:cluster";
import { readFileSync } from "node:fs";
import { createServer as createHttpsServer } from "node:https";
import { ResponseCache } from "./adapters/cache.js";
import { blockStoreFor, SkillDocs } from "./adapters/ipfs.js";
import { buildApp } from "./app.js";
import { loadConfig } from "./config.js";
import { openDatabase } from "./db.js";

async function main(): Promise<void> {
  const config = configOrExit("api", loadConfig);
  const logger = createLogger("api", config.LOG_LEVEL);
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
  const db = openDatabase(config.DATABASE_URL, { poolSize: config.DATABASE_POOL_SIZE, logger });
  // Auto-pipelining: commands issued by concurrent requests in one tick share a write and a read.
  const redis = openRedis(config.REDIS_URL, logger, { maxRetriesPerRequest: 2, enableAutoPipelining: true });
  const connection = new Connection(config.SOLANA_RPC_URL, { commitment: "confirmed", wsEndpoint: config.SOLANA_WS_URL });
  const cache = new ResponseCache(redis, config.CACHE_TTL_SECONDS, logger, Math.round(config.CACHE_BUDGET_MB * 1024 * 1024));
  await cache.listen(config.INDEXER_REDIS_CHANNEL);
  const docs = new SkillDocs(blockStoreFor(config));
  const { app, payments, mcp } = buildApp({ config, connection, redis, logger, stores: db.stores, cache, docs });
  // Unused payment links and long-expired unpaid requests are deleted as they age (every
  // instance sweeps; the statement is idempotent).
  const sweep = setInterval(() => {
    payments.sweep().then(
      (deleted) => deleted > 0 && logger.info({ deleted }, "payment requests swept"),
      (error: unknown) => logger.warn({ err: error }, "payment sweep failed"),
    );
  }, Math.min(config.PAYMENT_LINK_TTL_SECONDS, 600) * 1000);
  sweep.unref();
  const server = app.listen(config.API_PORT, config.API_HOST, () => logger.info({ host: config.API_HOST, port: config.API_PORT }, "api listening"));
  // The same app over https beside it, where a certificate is given (the stack's local CA, or a real one).
  const tls =
    config.API_TLS_PORT === undefined
      ? null
      : createHttpsServer({ cert: readFileSync(config.API_TLS_CERT_FILE!), key: readFileSync(config.API_TLS_KEY_FILE!) }, app).listen(config.API_TLS_PORT, config.API_HOST, () =>
          logger.info({ host: config.API_HOST, port: config.API_TLS_PORT }, "api listening (https)"),
        );
  const stop = (signal: string) => {
    logger.info({ signal }, "api stopping");
    clearInterval(sweep);
    void mcp.close();
    tls?.close();
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
