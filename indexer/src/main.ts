// Starts the indexer: configuration (a bad value stops start-up naming the variable), database
// pool, Redis; runs until SIGTERM/SIGINT, then finishes the queued work and closes its connections.
import { configOrExit, createLogger, openPool, openRedis } from "@skill-marketplace/kit";
import { loadConfig } from "./config.js";
import { healthServer } from "./health.js";
import { Indexer } from "./indexer.js";

async function main(): Promise<void> {
  const config = configOrExit("indexer", loadConfig);
  const logger = createLogger("indexer", config.LOG_LEVEL);
  const pool = openPool(config.DATABASE_URL, logger, 4);
  const redis = openRedis(config.REDIS_URL, logger, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  const indexer = new Indexer(config, { pool, redis, logger });
  const stop = (signal: string) => {
    logger.info({ signal }, "indexer stopping: finishing queued work");
    void indexer.stop();
  };
  process.once("SIGTERM", () => stop("SIGTERM"));
  process.once("SIGINT", () => stop("SIGINT"));
  logger.info({ rpc: config.SOLANA_RPC_URL, ws: config.SOLANA_WS_URL, program: config.PROGRAM_ID, commitment: config.INDEXER_COMMITMENT }, "indexer starting");
  const health = config.INDEXER_HEALTH_PORT
    ? await healthServer(indexer, config.INDEXER_HEALTH_PORT).catch((error: Error) => {
        logger.fatal({ err: error.message }, `INDEXER_HEALTH_PORT ${config.INDEXER_HEALTH_PORT}: cannot listen`);
        process.exit(1);
      })
    : undefined;
  await indexer.run();
  health?.close();
  await Promise.allSettled([pool.end(), redis.quit()]);
  logger.info(indexer.totals, "indexer stopped");
}

void main();
