// The executor service: reads its configuration, picks the sandbox runtime (logged), follows the
// indexer's change messages, serves calls, and stops cleanly on SIGTERM.
import { Connection } from "@solana/web3.js";
import { configOrExit, createLogger, everyRound, openPool, openRedis } from "@skill-marketplace/kit";
import { buildExecutorApp, meterHealth } from "./app.js";
import { loadConfig } from "./config.js";
import { dockerFor } from "./docker.js";
import { Executor } from "./executor.js";
import { RUNTIMES } from "./runtimes.js";
import { refreshReliability } from "./reliability.js";
import { Settlement } from "./settlement.js";
import { X402Facilitator } from "./x402.js";
import { VaultSplitter } from "./vaults.js";
import { x402Network } from "@skill-marketplace/sdk";
import { chooseRuntime, EXECUTOR_HEARTBEAT_MS, executorAliveKey, reapOrphans, Sandbox, WarmPool, type ContainerRuntime } from "./sandbox.js";
import { hostname } from "node:os";

const config = configOrExit("executor", () => loadConfig());
const logger = createLogger("executor", config.LOG_LEVEL);
const docker = dockerFor(config.DOCKER_HOST);
const redis = openRedis(config.REDIS_URL, logger, { maxRetriesPerRequest: 2 });
// This executor, as its sandbox containers are labelled: its host and port, so a restart takes over what its
// predecessor left (its containers are removed at once), while another executor's are left alone as long as
// that one's heartbeat is in Redis (executors sharing an engine never remove each other's sandboxes).
const instance = `${hostname()}:${config.EXECUTOR_PORT}`;
const heartbeat = everyRound(EXECUTOR_HEARTBEAT_MS / 3, () => redis.set(executorAliveKey(instance), "1", "PX", EXECUTOR_HEARTBEAT_MS).then(() => undefined), {
  logger,
  message: "executor heartbeat failed; retrying",
});
await redis.set(executorAliveKey(instance), "1", "PX", EXECUTOR_HEARTBEAT_MS);
const orphans = await reapOrphans(docker, async (owner) => owner !== instance && (await redis.exists(executorAliveKey(owner))) === 1);
if (orphans > 0) logger.warn({ orphans }, "removed sandbox containers executors that stopped left behind");
let runtime: ContainerRuntime;
let runtimeReason: string;
if (config.EXECUTOR_RUNTIME === "auto") {
  ({ runtime, why: runtimeReason } = await chooseRuntime(docker, RUNTIMES.python.image));
} else {
  runtime = config.EXECUTOR_RUNTIME;
  runtimeReason = "EXECUTOR_RUNTIME";
}
logger.info({ runtime, reason: runtimeReason, docker: config.DOCKER_HOST }, `sandboxes run under ${runtime}`);

const pool = openPool(config.DATABASE_URL, logger, config.DATABASE_POOL_SIZE);
const connection = new Connection(config.SOLANA_RPC_URL, { commitment: "confirmed", wsEndpoint: config.SOLANA_WS_URL });
const sandbox = new Sandbox(docker, runtime, instance);
const warmPool = new WarmPool(sandbox, config.EXECUTOR_WARM_POOL);
// The marketplace as its own x402 facilitator: the meter authority (funded, on health) pays the payments' fees.
const vaults =
  config.EXECUTOR_X402 === "on"
    ? new VaultSplitter({ connection, redis, payer: config.meter, logger, everyCalls: config.EXECUTOR_SPLIT_EVERY_CALLS, maxAgeMs: config.EXECUTOR_SPLIT_MAX_AGE_MS })
    : undefined;
vaults?.start(config.EXECUTOR_SETTLE_INTERVAL_MS);
const x402 =
  config.EXECUTOR_X402 === "on"
    ? new X402Facilitator({ connection, redis, feePayer: config.meter, network: config.X402_NETWORK ?? x402Network(await connection.getGenesisHash()) })
    : undefined;
const executor = new Executor({
  connection,
  pool,
  redis,
  docker,
  sandbox,
  warmPool,
  meter: config.meter,
  audience: config.API_PUBLIC_URL,
  logger,
  licenseCacheMs: config.EXECUTOR_LICENSE_CACHE_MS,
  licenseCallsPerMinute: config.EXECUTOR_CALLS_PER_MINUTE,
  x402,
  vaults,
});
await executor.listen(config.INDEXER_REDIS_CHANNEL);
const settlement = new Settlement({ connection, pool, meter: config.meter, logger, maxReceipts: config.EXECUTOR_BATCH_RECEIPTS, maxAgeMs: config.EXECUTOR_SETTLE_MAX_AGE_MS });
settlement.start(config.EXECUTOR_SETTLE_INTERVAL_MS);
// Reliability figures follow the calls on the same rhythm as settlement.
const reliability = everyRound(config.EXECUTOR_SETTLE_INTERVAL_MS, () => refreshReliability(pool), { logger, message: "reliability refresh failed; retrying" });

const app = buildExecutorApp({
  executor,
  secret: config.EXECUTOR_SECRET,
  logger,
  // Publishing builds images here and tries their examples in a sandbox like any call's.
  builder: { docker, sandbox },
  health: async () => ({
    runtime,
    runtimeReason,
    ...(await meterHealth(connection, config.meter.publicKey, config.EXECUTOR_METER_MIN_LAMPORTS)),
    docker: config.DOCKER_HOST,
  }),
});
const server = app.listen(config.EXECUTOR_PORT, config.EXECUTOR_HOST, () => {
  logger.info({ port: config.EXECUTOR_PORT, host: config.EXECUTOR_HOST }, "executor listening");
});

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  server.close(async () => {
    await settlement.stop();
    await vaults?.stop();
    await reliability.stop();
    await warmPool.close();
    await executor.close();
    await heartbeat.stop();
    await redis.del(executorAliveKey(instance)).catch(() => undefined);
    redis.disconnect();
    await pool.end().catch(() => undefined);
    process.exit(0);
  });
  setTimeout(() => process.exit(0), 15_000).unref();
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
