// Agent accounts: registration by signed message, API keys (issued once, listed by prefix,
// rotated, revoked), the off-chain profile, and request authentication. An agent only ever
// reaches its own keys and profile: the wallet comes from the verified key, never from input.
import type { RateLimiter } from "../../adapters/rateLimit.js";
import { forbidden, notFound, refused, unauthorized } from "../../errors.js";
import { issueKey, parseKey, secretMatches } from "./keys.js";
import type { SignIn } from "./signIn.js";

/** The caller, once an API key has been verified. */
export interface Caller {
  wallet: string;
  keyId: string;
}

/** Active keys per agent: enough for rotation across services, too few to dodge rate limits. */
export const MAX_ACTIVE_KEYS = 10;

export interface Profile {
  wallet: string;
  displayName: string | null;
  description: string | null;
  website: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface KeyRecord {
  id: string;
  wallet: string;
  prefix: string;
  hash: Uint8Array;
  label: string | null;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export interface AgentStore {
  /** Creates the agent if new; `created` says which. */
  ensureAgent(wallet: string): Promise<{ created: boolean }>;
  profile(wallet: string): Promise<Profile | null>;
  updateProfile(wallet: string, patch: Partial<Pick<Profile, "displayName" | "description" | "website">>): Promise<Profile>;
  /** Adds the key unless `wallet` already holds `limit` active ones (then null), atomically. */
  addKey(key: Pick<KeyRecord, "wallet" | "prefix" | "hash" | "label">, limit: number): Promise<KeyRecord | null>;
  keyByPrefix(prefix: string): Promise<KeyRecord | null>;
  keys(wallet: string): Promise<KeyRecord[]>;
  /** Revokes the key if it is `wallet`'s and still active; false otherwise. */
  revokeKey(wallet: string, id: string, at: Date): Promise<boolean>;
  touchKey(id: string, at: Date): Promise<void>;
}

export interface KeyView {
  id: string;
  prefix: string;
  label: string | null;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export const keyView = (k: KeyRecord): KeyView => ({
  id: k.id,
  prefix: `sk_${k.prefix}`,
  label: k.label,
  createdAt: k.createdAt.toISOString(),
  lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
  revokedAt: k.revokedAt?.toISOString() ?? null,
});

export class Agents {
  constructor(
    private readonly store: AgentStore,
    private readonly signIn: SignIn,
    private readonly limiter: RateLimiter,
    private readonly keySecret: string,
    private readonly keyLimit: number,
  ) {}

  challenge(wallet: string) {
    return this.signIn.challenge(wallet);
  }

  /** Verifies the signed message, creates the agent if new, and issues a key shown once. */
  async register(p: { wallet: string; message: string; signature: string; label?: string }) {
    const wallet = await this.signIn.verify(p);
    const { created } = await this.store.ensureAgent(wallet);
    const issued = await this.newKey(wallet, p.label);
    return { created, wallet, ...issued };
  }

  private async newKey(wallet: string, label?: string) {
    const issued = issueKey(this.keySecret);
    const record = await this.store.addKey({ wallet, prefix: issued.prefix, hash: issued.hash, label: label ?? null }, MAX_ACTIVE_KEYS);
    if (!record) throw refused("too_many_keys", `an agent can hold ${MAX_ACTIVE_KEYS} active keys; revoke one first`);
    return { apiKey: issued.key, key: keyView(record) };
  }

  /** A new key for the caller; with `revokeCurrent`, the key used for this call stops working. */
  async rotate(caller: Caller, p: { label?: string; revokeCurrent?: boolean }) {
    const issued = await this.newKey(caller.wallet, p.label);
    if (p.revokeCurrent) await this.store.revokeKey(caller.wallet, caller.keyId, new Date());
    return issued;
  }

  async keys(caller: Caller): Promise<KeyView[]> {
    return (await this.store.keys(caller.wallet)).map(keyView);
  }

  async revoke(caller: Caller, id: string): Promise<void> {
    // Another agent's key and an unknown id look the same: 404, revealing nothing.
    if (!(await this.store.revokeKey(caller.wallet, id, new Date()))) throw notFound(`active key ${id}`);
  }

  async profile(wallet: string): Promise<Profile> {
    const profile = await this.store.profile(wallet);
    if (!profile) throw notFound(`agent ${wallet}`);
    return profile;
  }

  async updateProfile(caller: Caller, wallet: string, patch: Partial<Pick<Profile, "displayName" | "description" | "website">>) {
    if (wallet !== caller.wallet) throw forbidden("an agent can only change its own profile");
    return this.store.updateProfile(wallet, patch);
  }

  /** `Authorization: Bearer sk_…` → the caller, rate limited per key; unauthorized when required and absent, or bad. */
  authenticate = async (header: string | undefined, required: boolean): Promise<Caller | undefined> => {
    if (!header) {
      if (required) throw unauthorized("an API key is required: Authorization: Bearer sk_…");
      return undefined;
    }
    const presented = /^Bearer (.+)$/.exec(header)?.[1]?.trim();
    const parts = presented ? parseKey(presented) : null;
    if (!parts) throw unauthorized("malformed API key");
    const record = await this.store.keyByPrefix(parts.prefix);
    if (!record || !secretMatches(parts.secret, record.hash, this.keySecret)) throw unauthorized("unknown API key");
    if (record.revokedAt) throw unauthorized("this API key has been revoked");
    await this.limiter.hit(`key:${record.id}`, this.keyLimit);
    void this.store.touchKey(record.id, new Date()).catch(() => undefined);
    return { wallet: record.wallet, keyId: record.id };
  };
}
