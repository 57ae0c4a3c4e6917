// Starts the indexer: configuration (a bad value stops start-up naming the variable), database
// pool, Redis; runs until SIGTERM/SIGINT, then finishes the queued work and closes its connections.
import { Redis } from "ioredis";
import pg from "pg";
import { pino } from "pino";
import { configOrExit } from "../../sdk/src/index.js";
import { loadConfig } from "./config.js";
import { Indexer } from "./indexer.js";

async function main(): Promise<void> {
  const config = configOrExit("indexer", loadConfig);
  const logger = pino({ level: config.LOG_LEVEL, base: { service: "indexer" } });
  const pool = new pg.Pool({ connectionString: config.DATABASE_URL, max: 4 });
  pool.on("error", (error) => logger.warn({ err: error.message }, "idle database connection failed"));
  const redis = new Redis(config.REDIS_URL, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  redis.on("error", (error) => logger.warn({ err: error.message }, "redis"));
  const indexer = new Indexer(config, { pool, redis, logger });
  const stop = (signal: string) => {
    logger.info({ signal }, "indexer stopping: finishing queued work");
    void indexer.stop();
  };
  process.once("SIGTERM", () => stop("SIGTERM"));
  process.once("SIGINT", () => stop("SIGINT"));
  logger.info({ rpc: config.SOLANA_RPC_URL, ws: config.SOLANA_WS_URL, program: config.PROGRAM_ID, commitment: config.INDEXER_COMMITMENT }, "indexer starting");
  await indexer.run();
  await Promise.allSettled([pool.end(), redis.quit()]);
  logger.info(indexer.totals, "indexer stopped");
}

void main();
