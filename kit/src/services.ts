// The connections every service opens the same way: its logger, Redis, a PostgreSQL pool. Each
// logs its own connection trouble as a warning instead of crashing the process.
import { Redis, type RedisOptions } from "ioredis";
import pg from "pg";
import { pino, type Logger } from "pino";

export type { Logger } from "pino";

/** Structured JSON logs, one line each, tagged with the service's name. */
export function createLogger(service: string, level: string): Logger {
  return pino({ level, base: { service } });
}

export function openRedis(url: string, logger: Logger, options: RedisOptions = {}): Redis {
  const redis = new Redis(url, options);
  redis.on("error", (error: Error) => logger.warn({ err: error.message }, "redis"));
  return redis;
}

export function openPool(url: string, logger: Logger, max: number): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max });
  pool.on("error", (error) => logger.warn({ err: error.message }, "idle database connection failed"));
  return pool;
}

/** Runs `work` in one database transaction on a pooled connection: committed if it returns, rolled back if it throws. */
export async function withTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    const result = await work(client);
    await client.query("COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
