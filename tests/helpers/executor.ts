// The executor service as the suites run it: the runtime the engine offers, one sandbox, the
// Executor on the api's chain and database, and its HTTP app on `port` (the development secret,
// which the test api presents too), with the image builder when publishing needs it.
import type { Server } from "node:http";
import type Docker from "dockerode";
import type { Redis } from "ioredis";
import type pg from "pg";
import pino from "pino";
import { buildExecutorApp, chooseRuntime, Executor, RUNTIMES, Sandbox, WarmPool, type ExecutorOptions } from "@skill-marketplace/executor";
import { DEVELOPMENT_EXECUTOR_SECRET } from "@skill-marketplace/kit";
import type { TestApi } from "./api.js";

export interface ServedExecutor {
  executor: Executor;
  sandbox: Sandbox;
  server: Server;
  close(): Promise<void>;
}

export async function serveExecutor(o: {
  api: Pick<TestApi, "chain" | "config">;
  pool: pg.Pool;
  redis: Redis;
  docker: Docker;
  port: number;
  /** Serve the build routes publishing uses. */
  builder?: boolean;
  /** Containers kept started ahead per image (the executor's warm pool); none when unset. */
  warm?: number;
  /** Called before each sandbox run (suites count that nothing ran). */
  onRun?: () => void;
  options?: Partial<ExecutorOptions>;
}): Promise<ServedExecutor> {
  const logger = pino({ level: "silent" });
  const { runtime } = await chooseRuntime(o.docker, RUNTIMES.python.image);
  const sandbox = new Sandbox(o.docker, runtime);
  if (o.onRun) {
    const run = sandbox.run.bind(sandbox);
    sandbox.run = (...args) => {
      o.onRun!();
      return run(...args);
    };
  }
  const warmPool = o.warm ? new WarmPool(sandbox, o.warm) : undefined;
  const executor = new Executor({
    warmPool,
    connection: o.api.chain.connection,
    pool: o.pool,
    redis: o.redis,
    docker: o.docker,
    sandbox,
    meter: o.api.chain.meter.keypair,
    audience: o.api.config.API_PUBLIC_URL,
    logger,
    ...o.options,
  });
  const app = buildExecutorApp({
    executor,
    secret: DEVELOPMENT_EXECUTOR_SECRET,
    logger,
    health: async () => ({ runtime, runtimeReason: "test", meter: "", docker: "" }),
    builder: o.builder ? { docker: o.docker, sandbox } : undefined,
  });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(o.port, "127.0.0.1", () => resolve(s));
  });
  return {
    executor,
    sandbox,
    server,
    async close() {
      await new Promise((resolve) => server.close(resolve));
      await executor.close();
      await warmPool?.close();
    },
  };
}
