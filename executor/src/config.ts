// The executor's configuration: read once from the environment at start and validated with zod;
// a bad value stops start-up with a message that names the variable.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Keypair } from "@solana/web3.js";
import { ConfigError, DEVELOPMENT_EXECUTOR_SECRET, derivedWsUrl, executorSecretEnv, parseEnv, sharedEnv, zUrl } from "@skill-marketplace/kit";
import { z } from "zod";
import { SPLIT_EVERY_CALLS, SPLIT_MAX_AGE_MS } from "./vaults.js";

const schema = z
  .object({
    ...sharedEnv,
    NODE_ENV: z.string().default("development"),
    EXECUTOR_PORT: z.coerce.number().int().min(0).max(65_535).default(3100),
    EXECUTOR_HOST: z.string().min(1).default("127.0.0.1"),
    ...executorSecretEnv,
    /** The Docker engine skills run on; unset: the machine's (/var/run/docker.sock). */
    DOCKER_HOST: z.string().regex(/^(unix|tcp|http|https):\/\//, "must be a unix://, tcp:// or http(s):// address").default("unix:///var/run/docker.sock"),
    /** The api's public origin: license tokens must name it. */
    API_PUBLIC_URL: zUrl(["http:", "https:"]).default("http://127.0.0.1:8080"),
    /** The meter authority's keypair file (a JSON array of 64 bytes); default: the stack's keys directory. */
    METER_KEYPAIR: z.string().min(1).optional(),
    SKILL_MARKETPLACE_KEYS: z.string().min(1).optional(),
    /** Runtime for sandboxes: auto (gVisor where it works, else runc), or one of them. */
    EXECUTOR_RUNTIME: z.enum(["auto", "runsc", "runc"]).default("auto"),
    /** How long a license check is reused without an indexer message, in milliseconds. */
    EXECUTOR_LICENSE_CACHE_MS: z.coerce.number().int().min(0).max(60_000).default(2_000),
    /** Calls per minute per license (the platform's maximum). */
    EXECUTOR_CALLS_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(600),
    /** Containers kept started per skill image, each for one call (0: every call starts its own). */
    EXECUTOR_WARM_POOL: z.coerce.number().int().min(0).max(64).default(2),
    /** How often unsettled receipts are batched into record_usage transactions, in milliseconds. */
    EXECUTOR_SETTLE_INTERVAL_MS: z.coerce.number().int().min(100).max(3_600_000).default(2_000),
    /** How long a receipt may wait for its license's batch to fill before it is settled anyway, in milliseconds. */
    EXECUTOR_SETTLE_MAX_AGE_MS: z.coerce.number().int().min(0).max(86_400_000).default(10_000),
    /** Most receipts one record_usage batch carries. */
    EXECUTOR_BATCH_RECEIPTS: z.coerce.number().int().min(1).max(100_000).default(1_000),
    /** Below this meter balance the health endpoint warns (each batch costs one signature fee). */
    EXECUTOR_METER_MIN_LAMPORTS: z.coerce.number().int().min(0).default(10_000_000),
    DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
    /** x402 pay-per-call on the execute URL (the meter authority pays the payments' fees): on or off. */
    EXECUTOR_X402: z.enum(["on", "off"]).default("on"),
    /** The CAIP-2 network 402 answers name; default: the cluster's by its genesis hash (a local node: devnet's). */
    /** A skill's x402 vault is split to seller and treasury once this many payments landed in it... */
    EXECUTOR_SPLIT_EVERY_CALLS: z.coerce.number().int().min(1).max(1_000_000).default(SPLIT_EVERY_CALLS),
    /** ...or when its oldest unsplit payment is this old, in milliseconds. */
    EXECUTOR_SPLIT_MAX_AGE_MS: z.coerce.number().int().min(0).max(7 * 86_400_000).default(SPLIT_MAX_AGE_MS),
    X402_NETWORK: z.string().regex(/^solana:[1-9A-HJ-NP-Za-km-z]{32}$/, "must be solana:<32 characters of the genesis hash>").optional(),
  })
  .refine((c) => c.NODE_ENV !== "production" || c.EXECUTOR_SECRET !== DEVELOPMENT_EXECUTOR_SECRET, {
    path: ["EXECUTOR_SECRET"],
    message: "is the development default: set the secret the api shares (at least 16 characters) in production",
  })
  .refine((c) => c.METER_KEYPAIR !== undefined || c.SKILL_MARKETPLACE_KEYS !== undefined, {
    path: ["METER_KEYPAIR"],
    message: "must name the meter authority's keypair file",
  });

export type Config = z.infer<typeof schema> & { SOLANA_WS_URL: string; meter: Keypair };

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const config = parseEnv(schema, env);
  const path = config.METER_KEYPAIR ?? join(config.SKILL_MARKETPLACE_KEYS!, "meter-authority.json");
  let meter: Keypair;
  try {
    if (!existsSync(path)) throw new Error(`${path} does not exist`);
    meter = Keypair.fromSecretKey(Uint8Array.from(JSON.parse(readFileSync(path, "utf8")) as number[]));
  } catch (error) {
    throw new ConfigError(`invalid configuration: METER_KEYPAIR: ${(error as Error).message}`);
  }
  return { ...config, SOLANA_WS_URL: config.SOLANA_WS_URL ?? derivedWsUrl(config.SOLANA_RPC_URL), meter };
}
