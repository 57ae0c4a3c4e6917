// The one way a service reads its environment: a zod schema, parsed once at start; every bad
// variable is named, and start-up stops with exit status 2. The settings every service shares
// (chain, database, Redis, program, logging) are defined here once, with their defaults.
import { DEFAULT_INVALIDATION_CHANNEL, isPublicKey, PROGRAM_ID, PUBLIC_KEY_MESSAGE } from "@skill-marketplace/sdk";
import { z } from "zod";

export const zUrl = (protocols: string[]) =>
  z.string().refine((v) => {
    try {
      return protocols.includes(new URL(v).protocol);
    } catch {
      return false;
    }
  }, `must be a ${protocols.join(" or ")} URL`);

export const zPubkey = z.string().refine(isPublicKey, { message: PUBLIC_KEY_MESSAGE, abort: true });

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

/**
 * Settings shared by every service. PROGRAM_ID may be given (deployments name it explicitly), but
 * it must be the program the sdk's IDL describes: every service, the sdk's PDAs and its decoders
 * work with that one id, so a service can never follow one program and read another.
 */
export const sharedEnv = {
  SOLANA_RPC_URL: zUrl(["http:", "https:"]).default("http://127.0.0.1:8899"),
  /** PubSub URL; derived from the RPC URL as web3.js does (ws scheme, port + 1) when unset. */
  SOLANA_WS_URL: zUrl(["ws:", "wss:"]).optional(),
  DATABASE_URL: zUrl(["postgresql:", "postgres:"]).default("postgresql://postgres@127.0.0.1:5432/skill_marketplace"),
  REDIS_URL: zUrl(["redis:", "rediss:"]).default("redis://127.0.0.1:6379"),
  PROGRAM_ID: zPubkey
    .refine((v) => v === PROGRAM_ID.toBase58(), `must be ${PROGRAM_ID.toBase58()}, the program the sdk's IDL describes (regenerate the IDL for another deployment)`)
    .default(PROGRAM_ID.toBase58()),
  /** Where the indexer announces changed skills and licenses after each committed batch. */
  INDEXER_REDIS_CHANNEL: z.string().min(1).default(DEFAULT_INVALIDATION_CHANNEL),
  LOG_LEVEL: z.enum(LOG_LEVELS).default("info"),
};

export class ConfigError extends Error {}

/** Parses `env` with `schema` (empty values count as unset); throws a ConfigError naming every bad variable. */
export function parseEnv<S extends z.ZodType>(schema: S, env: Record<string, string | undefined>): z.infer<S> {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    throw new ConfigError(`invalid configuration: ${problems.join("; ")}`);
  }
  return parsed.data;
}

/** `load()`, or for a bad configuration: `<service>: <message>` on stderr and exit status 2. */
export function configOrExit<T>(service: string, load: () => T): T {
  try {
    return load();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${service}: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
}

/** The websocket URL web3.js would derive from an RPC URL: ws(s) scheme and, with an explicit port, port + 1. */
export function derivedWsUrl(rpcUrl: string): string {
  const url = new URL(rpcUrl);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  if (url.port) url.port = String(Number(url.port) + 1);
  return url.toString().replace(/\/$/, "");
}

/** The EXECUTOR_SECRET used when none is given: fine on a laptop, refused in production. */
export const DEVELOPMENT_EXECUTOR_SECRET = "development-only-executor-secret";

/** What the api presents to the executor (Bearer) and the executor expects: the two must share it. */
export const executorSecretEnv = {
  EXECUTOR_SECRET: z.string().min(16, "must be at least 16 characters").default(DEVELOPMENT_EXECUTOR_SECRET),
};
