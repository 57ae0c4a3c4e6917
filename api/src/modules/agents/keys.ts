// API keys: `sk_<prefix>_<secret>`. The prefix (public, unique) finds the row; the secret is
// stored only as HMAC-SHA256(secret) under the server's API_KEY_SECRET and compared in constant
// time. Fast enough to check on every request, unlike bcrypt, and useless to whoever reads the table.
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

const PREFIX_BYTES = 6;
const SECRET_BYTES = 32;

export interface IssuedKey {
  /** Shown to the agent once, never stored. */
  key: string;
  prefix: string;
  hash: Buffer;
}

export function hashSecret(secret: string, serverSecret: string): Buffer {
  return createHmac("sha256", serverSecret).update(secret).digest();
}

export function issueKey(serverSecret: string): IssuedKey {
  const prefix = randomBytes(PREFIX_BYTES).toString("hex");
  const secret = randomBytes(SECRET_BYTES).toString("base64url");
  return { key: `sk_${prefix}_${secret}`, prefix, hash: hashSecret(secret, serverSecret) };
}

/** Splits a presented key; `null` when it is not shaped like one of ours. */
export function parseKey(presented: string): { prefix: string; secret: string } | null {
  const match = /^sk_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/.exec(presented);
  return match ? { prefix: match[1]!, secret: match[2]! } : null;
}

export function secretMatches(secret: string, storedHash: Uint8Array, serverSecret: string): boolean {
  const presented = hashSecret(secret, serverSecret);
  return storedHash.length === presented.length && timingSafeEqual(presented, storedHash);
}
