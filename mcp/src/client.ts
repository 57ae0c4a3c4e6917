// The api as an agent's tools use it (the CLI, the MCP servers): sign in with a wallet (its API key
// kept for the next run, readable by this user only) or use a key already given, call any route,
// start and follow publishing jobs. Errors carry the api's code and message.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import type { Keypair } from "@solana/web3.js";
import bs58 from "bs58";
import { nobleEd25519 } from "@skill-marketplace/sdk";

export interface PublishJob {
  id: string;
  status: "queued" | "running" | "ready" | "failed";
  steps: { name: string; status: "waiting" | "running" | "done" | "failed"; durationMs: number | null; detail: string | null }[];
  findings: { rule: string; severity: string; file: string; line: number; excerpt: string; message: string }[];
  result: { action: string; skill: string; transaction: string; lastValidBlockHeight: number; docsCid: string; commitSha: string; imageDigest: string } | null;
  error: { code: string; message: string; details?: unknown } | null;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(`${code}: ${message}`);
  }
}

export class MarketplaceClient {
  private apiKey: string | null;
  private readonly keyDir: string;
  private readonly headers: Record<string, string>;

  constructor(
    readonly apiUrl: string,
    options: { apiKey?: string; keyDir?: string; headers?: Record<string, string> } = {},
  ) {
    this.apiKey = options.apiKey || null;
    this.headers = options.headers ?? {};
    this.keyDir = options.keyDir ?? join(process.env.SKILL_MARKETPLACE_CACHE ?? join(homedir(), ".cache", "skill-marketplace"), "cli-keys");
  }

  /** Whether a sign-in has given this client an API key. */
  get signedIn(): boolean {
    return this.apiKey !== null;
  }

  /** One api call (path under /api/v1); an error answer throws ApiError with its code. */
  async call<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
    const response = await fetch(new URL(`/api/v1${path}`, this.apiUrl), {
      method,
      headers: { "content-type": "application/json", ...this.headers, ...(this.apiKey ? { authorization: `Bearer ${this.apiKey}` } : {}), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const answer = (await response.json().catch(() => null)) as (T & { error?: { code: string; message: string; details?: unknown } }) | null;
    if (!response.ok) throw new ApiError(response.status, answer?.error?.code ?? "unknown", answer?.error?.message ?? `the api answered ${response.status}`, answer?.error?.details);
    return answer as T;
  }

  /** A text document the api serves outside /api/v1 (the SKILL.md guide). */
  async text(path: string): Promise<string> {
    const response = await fetch(new URL(path, this.apiUrl), { headers: this.headers });
    if (!response.ok) throw new ApiError(response.status, "unknown", `the api answered ${response.status} for ${path}`);
    return response.text();
  }

  /** Uses the key kept from an earlier sign-in while it works; otherwise signs in anew and keeps the key. */
  async signIn(keypair: Keypair): Promise<void> {
    const wallet = keypair.publicKey.toBase58();
    const file = join(this.keyDir, `${new URL(this.apiUrl).host.replace(/[^A-Za-z0-9.-]/g, "_")}-${wallet}.key`);
    try {
      this.apiKey = readFileSync(file, "utf8").trim();
      await this.call("GET", "/agents/me");
      return;
    } catch {
      this.apiKey = null;
    }
    const nonce = await this.call<{ message: string }>("POST", "/agents/nonce", { wallet });
    const signature = bs58.encode(nobleEd25519.sign(new TextEncoder().encode(nonce.message), keypair.secretKey.subarray(0, 32)));
    const registered = await this.call<{ apiKey: string }>("POST", "/agents", { wallet, message: nonce.message, signature });
    this.apiKey = registered.apiKey;
    mkdirSync(this.keyDir, { recursive: true, mode: 0o700 });
    writeFileSync(file, `${registered.apiKey}\n`, { mode: 0o600 });
  }

  startPublish(repo: string, ref: string): Promise<PublishJob> {
    return this.call("POST", "/skills/publish", { repo, ref });
  }

  job(id: string): Promise<PublishJob> {
    return this.call("GET", `/publish/${id}`);
  }
}
