// The api's configuration: read once from the environment at start, validated with zod; a bad
// value stops start-up with a message that names the variable.
import { homedir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import { DEVELOPMENT_EXECUTOR_SECRET, executorSecretEnv, parseEnv, sharedEnv, zUrl } from "@skill-marketplace/kit";

const url = zUrl;

/** The API_KEY_SECRET used when none is given: fine on a laptop, refused in production. */
export const DEVELOPMENT_API_KEY_SECRET = "development-only-api-key-secret";

const schema = z.object({
  ...sharedEnv,
  /** "production" turns off the development defaults (the API-key secret must be given). */
  NODE_ENV: z.string().optional(),
  API_PORT: z.coerce.number().int().min(0).max(65_535).default(8080),
  /** A second, https, port for the same routes (Solana Pay wallets accept only https links), with its certificate and key (PEM files). */
  API_TLS_PORT: z.coerce.number().int().min(0).max(65_535).optional(),
  API_TLS_CERT_FILE: z.string().min(1).optional(),
  API_TLS_KEY_FILE: z.string().min(1).optional(),
  /** Interface the api listens on; loopback unless told otherwise (production: all interfaces). */
  API_HOST: z.string().min(1).optional(),
  /** Reverse proxies in front of the api whose X-Forwarded-For is trusted (0: none; the peer is the client). */
  API_TRUST_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),
  /** Processes serving the port (node:cluster); 1 = this process alone. */
  API_WORKERS: z.coerce.number().int().min(1).max(64).default(1),
  API_PUBLIC_URL: url(["http:", "https:"]).default("http://127.0.0.1:8080"),
  /** The cluster this marketplace runs on, as SKILL.md tells agents (and how they get funds there). */
  SOLANA_CLUSTER: z.enum(["localnet", "devnet", "testnet", "mainnet-beta"]).default("localnet"),
  /** The JSON-RPC URL agents should send transactions to (SKILL.md); the api's own SOLANA_RPC_URL when not set. */
  API_PUBLIC_RPC_URL: url(["http:", "https:"]).optional(),
  /** Origins (","-separated) of the marketplace's web app, whose pages may call every route from a browser (CORS). */
  API_CORS_ORIGINS: z
    .string()
    .default("")
    .transform((s) => s.split(",").map((o) => o.trim()).filter(Boolean))
    .pipe(z.array(z.string().regex(/^https?:\/\/[^/\s]+$/, "each must be an origin: scheme://host[:port], no path"))),
  /** Secret mixed into API-key hashes (HMAC-SHA256), so a leaked table cannot be brute-forced offline. */
  API_KEY_SECRET: z.string().min(16, "must be at least 16 characters").default(DEVELOPMENT_API_KEY_SECRET),
  /** Sign-in messages are valid for this many seconds after they are issued. */
  SIWS_TTL_SECONDS: z.coerce.number().int().min(30).max(3_600).default(300),
  RATE_LIMIT_PER_KEY: z.coerce.number().int().min(1).default(600),
  RATE_LIMIT_PER_IP: z.coerce.number().int().min(1).default(300),
  RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().int().min(1).default(60),
  /** A Solana Pay link no wallet has used expires (410) and is swept after this many seconds. */
  PAYMENT_LINK_TTL_SECONDS: z.coerce.number().int().min(60).max(7 * 86_400).default(3_600),
  /** PostgreSQL connections this process keeps open at most. */
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  CACHE_TTL_SECONDS: z.coerce.number().int().min(1).default(300),
  /** Megabytes of answers the response cache may store in Redis per TTL window (it holds at most twice this). */
  CACHE_BUDGET_MB: z.coerce.number().min(0.001).max(100_000).default(64),
  /** The executor service execute calls are relayed to (and images are built on); unset: no execute path, no publishing. */
  EXECUTOR_URL: url(["http:", "https:"]).optional(),
  ...executorSecretEnv,
  /** GitHub's REST API (or a GitHub Enterprise server's) that publishing reads repositories from. */
  GITHUB_API_URL: url(["http:", "https:"]).default("https://api.github.com"),
  /** A token for GitHub's API: private repositories and a higher rate limit. */
  GITHUB_TOKEN: z.string().min(1).optional(),
  /** Folders (":"-separated) whose local git repositories may be published by file:// URL; empty: none. */
  PUBLISH_LOCAL_ROOTS: z
    .string()
    .default("")
    .transform((s) => s.split(":").filter(Boolean)),
  /** A Kubo node's RPC API for skill docs; unset: the embedded blockstore in IPFS_BLOCKSTORE_DIR. */
  IPFS_API_URL: url(["http:", "https:"]).optional(),
  IPFS_BLOCKSTORE_DIR: z.string().min(1).default(join(homedir(), ".cache", "skill-marketplace", "ipfs")),
  IPFS_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(2_000),
})
  .refine((c) => c.NODE_ENV !== "production" || c.API_KEY_SECRET !== DEVELOPMENT_API_KEY_SECRET, {
    path: ["API_KEY_SECRET"],
    message: "is the development default: set a secret of your own (at least 16 characters) in production",
  })
  .refine((c) => c.NODE_ENV !== "production" || c.EXECUTOR_URL === undefined || c.EXECUTOR_SECRET !== DEVELOPMENT_EXECUTOR_SECRET, {
    path: ["EXECUTOR_SECRET"],
    message: "is the development default: set the secret the executor shares (at least 16 characters) in production",
  })
  .refine((c) => (c.API_TLS_PORT === undefined) === (c.API_TLS_CERT_FILE === undefined) && (c.API_TLS_CERT_FILE === undefined) === (c.API_TLS_KEY_FILE === undefined), {
    path: ["API_TLS_PORT"],
    message: "API_TLS_PORT, API_TLS_CERT_FILE and API_TLS_KEY_FILE go together: set all three or none",
  })
  .transform((c) => ({ ...c, API_HOST: c.API_HOST ?? (c.NODE_ENV === "production" ? "0.0.0.0" : "127.0.0.1") }));

export type Config = z.infer<typeof schema>;

export { ConfigError } from "@skill-marketplace/kit";

/** Parses `env` (default: process.env); throws a ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  return parseEnv(schema, env);
}
