// The license token a buyer sends with each execute call: which license, for which skill, who holds
// it, for which marketplace deployment, a one-time nonce and a short expiry, signed by the holder's
// wallet (ed25519). One definition for the clients that mint tokens and the executor that checks
// them. Browser-safe: no Node built-ins.
import { PublicKey } from "@solana/web3.js";
import { nobleEd25519, type Ed25519 } from "./ed25519.js";
import { base58Decode } from "./base58.js";

/** The longest a token may live, in seconds: a leaked token is worthless soon. */
export const LICENSE_TOKEN_MAX_TTL_SECONDS = 300;
/** How far a signer's clock may run ahead of the executor's, in seconds. */
export const LICENSE_TOKEN_CLOCK_SKEW_SECONDS = 30;

/** What the holder signs, besides the signature. */
export interface LicenseTokenClaims {
  /** The license account (PDA of skill and holder). */
  license: string;
  /** The skill account the license is for. */
  skill: string;
  /** The license's holder: the wallet that signs. */
  holder: string;
  /** The deployment the token is for (the api's public origin): a token made for one marketplace opens nothing at another. */
  audience: string;
  /** 16 random bytes, hex: each token runs at most one call. */
  nonce: string;
  /** Unix seconds after which the token is refused. */
  expiresAt: number;
  /** Unix seconds when it was made. */
  issuedAt: number;
}

const PREFIX = "sml1";
const DOMAIN = "skill-marketplace license token v1\n";

export type LicenseTokenError =
  | "malformed"
  | "bad_signature"
  | "expired"
  | "not_yet_valid"
  | "lifetime_too_long"
  | "wrong_audience";

export class LicenseTokenInvalid extends Error {
  constructor(readonly reason: LicenseTokenError, message: string) {
    super(message);
  }
}

const bytesToBase64Url = (bytes: Uint8Array) => {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
};
const base64UrlToBytes = (text: string) => {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new Error("not base64url");
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
};
const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

/** The bytes a holder signs for `claims`: a fixed domain line, then the claims in a fixed order. */
export function licenseTokenMessage(claims: LicenseTokenClaims): Uint8Array {
  const body = [claims.license, claims.skill, claims.holder, claims.audience, claims.nonce, String(claims.expiresAt), String(claims.issuedAt)];
  return new TextEncoder().encode(DOMAIN + body.join("\n"));
}

/** Claims for a new token, with a fresh nonce; `ttlSeconds` defaults to the maximum. */
export function licenseTokenClaims(input: {
  license: PublicKey | string;
  skill: PublicKey | string;
  holder: PublicKey | string;
  audience: string;
  nowSeconds?: number;
  ttlSeconds?: number;
}): LicenseTokenClaims {
  const now = input.nowSeconds ?? Math.floor(Date.now() / 1000);
  const ttl = input.ttlSeconds ?? LICENSE_TOKEN_MAX_TTL_SECONDS;
  return {
    license: input.license.toString(),
    skill: input.skill.toString(),
    holder: input.holder.toString(),
    audience: new URL(input.audience).origin,
    nonce: hex(globalThis.crypto.getRandomValues(new Uint8Array(16))),
    expiresAt: now + ttl,
    issuedAt: now,
  };
}

/** The token text for `claims` and the holder's detached signature of `licenseTokenMessage(claims)`. */
export function encodeLicenseToken(claims: LicenseTokenClaims, signature: Uint8Array): string {
  const payload = bytesToBase64Url(new TextEncoder().encode(JSON.stringify(claims)));
  return `${PREFIX}.${payload}.${bytesToBase64Url(signature)}`;
}

/** A token signed with a keypair's secret key (64 bytes, as `Keypair.secretKey`). */
export function signLicenseToken(claims: LicenseTokenClaims, secretKey: Uint8Array, ed25519: Ed25519 = nobleEd25519): string {
  return encodeLicenseToken(claims, ed25519.sign(licenseTokenMessage(claims), secretKey.subarray(0, 32)));
}

const isPubkey = (v: unknown) => {
  if (typeof v !== "string" || v.length < 32 || v.length > 44) return false;
  try {
    return base58Decode(v).length === 32;
  } catch {
    return false;
  }
};

/** The claims of `token` without checking the signature or the time: throws `malformed`. */
export function decodeLicenseToken(token: string): { claims: LicenseTokenClaims; signature: Uint8Array } {
  const malformed = (why: string) => new LicenseTokenInvalid("malformed", `the license token is malformed: ${why}`);
  if (typeof token !== "string" || token.length > 2048) throw malformed("not a token");
  const parts = token.split(".");
  if (parts.length !== 3 || parts[0] !== PREFIX) throw malformed(`expected ${PREFIX}.<claims>.<signature>`);
  let claims: Record<string, unknown>;
  let signature: Uint8Array;
  try {
    claims = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(base64UrlToBytes(parts[1]!))) as Record<string, unknown>;
    signature = base64UrlToBytes(parts[2]!);
  } catch {
    throw malformed("claims or signature are not base64url JSON");
  }
  if (claims === null || typeof claims !== "object" || Array.isArray(claims)) throw malformed("claims are not an object");
  for (const key of ["license", "skill", "holder"] as const) if (!isPubkey(claims[key])) throw malformed(`${key} is not an address`);
  if (typeof claims.audience !== "string" || claims.audience.length > 200) throw malformed("audience is not an origin");
  if (typeof claims.nonce !== "string" || !/^[0-9a-f]{32}$/.test(claims.nonce)) throw malformed("nonce is not 16 bytes of hex");
  for (const key of ["expiresAt", "issuedAt"] as const) {
    if (!Number.isSafeInteger(claims[key]) || (claims[key] as number) < 0) throw malformed(`${key} is not unix seconds`);
  }
  if (signature.length !== 64) throw malformed("the signature is not 64 bytes");
  const known = new Set(["license", "skill", "holder", "audience", "nonce", "expiresAt", "issuedAt"]);
  const extra = Object.keys(claims).find((k) => !known.has(k));
  if (extra) throw malformed(`unknown claim ${extra}`);
  return { claims: claims as unknown as LicenseTokenClaims, signature };
}

/**
 * The claims of `token` when it is well formed, signed by its holder, for `audience`, and within
 * its lifetime at `nowSeconds`; otherwise throws LicenseTokenInvalid with the reason. Replay (a
 * nonce seen before) is the caller's to refuse: it needs shared state.
 */
export function verifyLicenseToken(token: string, options: { audience: string; nowSeconds?: number; ed25519?: Ed25519 }): LicenseTokenClaims {
  const { claims, signature } = decodeLicenseToken(token);
  let valid = false;
  try {
    valid = (options.ed25519 ?? nobleEd25519).verify(signature, licenseTokenMessage(claims), new PublicKey(claims.holder).toBytes());
  } catch {
    valid = false;
  }
  if (!valid) {
    throw new LicenseTokenInvalid("bad_signature", "the license token is not signed by the holder it names");
  }
  const audience = new URL(options.audience).origin;
  if (claims.audience !== audience) {
    throw new LicenseTokenInvalid("wrong_audience", `the license token is for ${claims.audience}, not ${audience}`);
  }
  const now = options.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (claims.expiresAt - claims.issuedAt > LICENSE_TOKEN_MAX_TTL_SECONDS || claims.expiresAt < claims.issuedAt) {
    throw new LicenseTokenInvalid("lifetime_too_long", `a license token lives at most ${LICENSE_TOKEN_MAX_TTL_SECONDS} seconds`);
  }
  if (claims.issuedAt > now + LICENSE_TOKEN_CLOCK_SKEW_SECONDS) {
    throw new LicenseTokenInvalid("not_yet_valid", "the license token was issued in the future (check the signer's clock)");
  }
  if (now >= claims.expiresAt) throw new LicenseTokenInvalid("expired", "the license token has expired; sign a new one");
  return claims;
}
