// The indexer's configuration: read once from the environment at start and validated with zod; a
// bad value stops start-up with a message that names the variable.
import { z } from "zod";
import { parseEnv, PROGRAM_ID, zPubkey, zUrl } from "../../sdk/src/index.js";

const url = zUrl;
const pubkey = zPubkey;

const count = (min: number, max: number, fallback: number) => z.coerce.number().int().min(min).max(max).default(fallback);

const schema = z.object({
  SOLANA_RPC_URL: url(["http:", "https:"]).default("http://127.0.0.1:8899"),
  /** PubSub URL; derived from the RPC URL as web3.js does (ws scheme, port + 1) when unset. */
  SOLANA_WS_URL: url(["ws:", "wss:"]).optional(),
  DATABASE_URL: url(["postgresql:", "postgres:"]).default("postgresql://postgres@127.0.0.1:5432/skill_marketplace"),
  REDIS_URL: url(["redis:", "rediss:"]).default("redis://127.0.0.1:6379"),
  PROGRAM_ID: pubkey.default(PROGRAM_ID.toBase58()),
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
  /** Redis channel where the changed skill and license ids are published after each batch. */
  INDEXER_REDIS_CHANNEL: z.string().min(1).default("skill-marketplace:invalidate"),
  /** Progress line on stderr during backfill: auto (when stderr is a terminal), always, never. */
  INDEXER_PROGRESS: z.enum(["auto", "always", "never"]).default("auto"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
});

export type Config = z.infer<typeof schema> & { SOLANA_WS_URL: string };

export { ConfigError } from "../../sdk/src/index.js";

/** The websocket URL web3.js would derive from an RPC URL: ws(s) scheme and, with an explicit port, port + 1. */
export function derivedWsUrl(rpcUrl: string): string {
  const url = new URL(rpcUrl);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  if (url.port) url.port = String(Number(url.port) + 1);
  return url.toString().replace(/\/$/, "");
}

/** Parses `env` (default: process.env); throws a ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const config = parseEnv(schema, env);
  return { ...config, SOLANA_WS_URL: config.SOLANA_WS_URL ?? derivedWsUrl(config.SOLANA_RPC_URL) };
}
