// The indexer's configuration: read once from the environment at start and validated with zod; a
// bad value stops start-up with a message that names the variable.
import { derivedWsUrl, parseEnv, sharedEnv } from "@skill-marketplace/kit";
import { z } from "zod";

const count = (min: number, max: number, fallback: number) => z.coerce.number().int().min(min).max(max).default(fallback);

const schema = z.object({
  ...sharedEnv,
  /** Commitment the indexer reads at; rows ingested at `confirmed` are promoted once finalized. */
  INDEXER_COMMITMENT: z.enum(["confirmed", "finalized"], { message: 'must be "confirmed" or "finalized"' }).default("confirmed"),
  /** Most transactions written in one database transaction. */
  INDEXER_BATCH_SIZE: count(1, 50_000, 2_000),
  /** Transactions fetched per JSON-RPC batch request during backfill. */
  INDEXER_RPC_BATCH: count(1, 1_000, 100),
  /** JSON-RPC batch requests in flight during backfill. */
  INDEXER_RPC_CONCURRENCY: count(1, 64, 4),
  /** Bound of the queue between the sources and the writer, in transactions. */
  INDEXER_QUEUE_SIZE: count(1, 1_000_000, 20_000),
  /** How often confirmed rows are checked for finality, in milliseconds. */
  INDEXER_FINALITY_INTERVAL_MS: count(100, 3_600_000, 2_000),
  /** Port of `GET /health` on 127.0.0.1 (200 while following live logs); unset: no health server. */
  INDEXER_HEALTH_PORT: z.coerce.number().int().min(1).max(65_535).optional(),
  /** Progress line on stderr during backfill: auto (when stderr is a terminal), always, never. */
  INDEXER_PROGRESS: z.enum(["auto", "always", "never"]).default("auto"),
});

export type Config = z.infer<typeof schema> & { SOLANA_WS_URL: string };

export { ConfigError } from "@skill-marketplace/kit";

/** Parses `env` (default: process.env); throws a ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const config = parseEnv(schema, env);
  return { ...config, SOLANA_WS_URL: config.SOLANA_WS_URL ?? derivedWsUrl(config.SOLANA_RPC_URL) };
}
