// Sign-In-With-Solana style proof of wallet ownership: the server issues a message naming its
// domain and URI, the wallet, the chain (its genesis hash), a single-use nonce, when it was issued
// and when it expires; the wallet signs it (ed25519); the server checks that the message names
// this deployment (domain, URI, chain), the signature, that the message is exactly the one it
// issued, and that the nonce is unused and unexpired. Nonces live in Redis under this
// deployment's origin (deployments may share a Redis) and are consumed atomically.
import { PublicKey } from "@solana/web3.js";
import bs58 from "bs58";
import type { Redis } from "ioredis";
import { randomBytes } from "node:crypto";
import nacl from "tweetnacl";
import { unauthorized } from "../../errors.js";

export interface SignInMessage {
  message: string;
  nonce: string;
  issuedAt: string;
  expiresAt: string;
}

const STATEMENT = "Sign in to the skill marketplace as this wallet's agent.";

export function buildMessage(p: { domain: string; uri: string; wallet: string; chainId: string; nonce: string; issuedAt: Date; expiresAt: Date }): string {
  return [
    `${p.domain} wants you to sign in with your Solana account:`,
    p.wallet,
    "",
    STATEMENT,
    "",
    `URI: ${p.uri}`,
    "Version: 1",
    `Chain ID: ${p.chainId}`,
    `Nonce: ${p.nonce}`,
    `Issued At: ${p.issuedAt.toISOString()}`,
    `Expiration Time: ${p.expiresAt.toISOString()}`,
  ].join("\n");
}

export class SignIn {
  private readonly url: URL;
  private chain: Promise<string> | undefined;

  constructor(
    private readonly redis: Redis,
    publicUrl: string,
    private readonly ttlSeconds: number,
    /** The chain's id for the message: its genesis hash (asked once). */
    private readonly genesisHash: () => Promise<string>,
  ) {
    this.url = new URL(publicUrl);
  }

  /** The nonce's key: under this deployment's origin, so another deployment on the same Redis cannot consume it. */
  key(nonce: string): string {
    return `siws:${this.url.origin}:nonce:${nonce}`;
  }

  private chainId(): Promise<string> {
    this.chain ??= this.genesisHash().catch((error: unknown) => {
      this.chain = undefined;
      throw error;
    });
    return this.chain;
  }

  async challenge(wallet: string, now = new Date()): Promise<SignInMessage> {
    const nonce = randomBytes(16).toString("hex");
    const expiresAt = new Date(now.getTime() + this.ttlSeconds * 1000);
    const chainId = await this.chainId();
    const message = buildMessage({ domain: this.url.host, uri: this.url.origin, wallet, chainId, nonce, issuedAt: now, expiresAt });
    await this.redis.set(this.key(nonce), JSON.stringify({ wallet, message, expiresAt: expiresAt.toISOString() }), "EX", this.ttlSeconds);
    return { message, nonce, issuedAt: now.toISOString(), expiresAt: expiresAt.toISOString() };
  }

  /** Checks a signed message and consumes its nonce; returns the proven wallet. */
  async verify(p: { wallet: string; message: string; signature: string }, now = new Date()): Promise<string> {
    const nonce = /^Nonce: ([0-9a-f]{32})$/m.exec(p.message)?.[1];
    // Every way a sign-in proof fails is a 401: the request lacks valid credentials.
    if (!nonce) throw unauthorized("the message carries no nonce; request one from POST /api/v1/agents/nonce");
    // A message made for another deployment (or chain) is refused before its nonce is touched.
    const lines = p.message.split("\n");
    const domain = /^(.*) wants you to sign in with your Solana account:$/.exec(lines[0] ?? "")?.[1];
    if (domain !== this.url.host) throw unauthorized(`the message is for ${domain ?? "no domain"}, not ${this.url.host}`);
    if (!lines.includes(`URI: ${this.url.origin}`)) throw unauthorized(`the message's URI is not ${this.url.origin}`);
    if (!lines.includes(`Chain ID: ${await this.chainId()}`)) throw unauthorized("the message is for another chain");
    let signature: Uint8Array;
    try {
      signature = bs58.decode(p.signature);
    } catch {
      throw unauthorized("signature must be base58");
    }
    if (signature.length !== 64) throw unauthorized("signature must be 64 bytes (ed25519)");
    // Consumed before checking, so a nonce can be tried once: a failed attempt needs a new one.
    const stored = await this.redis.getdel(this.key(nonce));
    if (!stored) throw unauthorized("nonce unknown, already used or expired; request a new one");
    const issued = JSON.parse(stored) as { wallet: string; message: string; expiresAt: string };
    if (issued.message !== p.message) throw unauthorized("the signed message is not the one issued for this nonce");
    if (issued.wallet !== p.wallet) throw unauthorized("the nonce was issued to another wallet");
    if (now.getTime() > Date.parse(issued.expiresAt)) throw unauthorized("the sign-in message has expired; request a new one");
    const key = new PublicKey(p.wallet).toBytes();
    if (!nacl.sign.detached.verify(new TextEncoder().encode(p.message), signature, key)) {
      throw unauthorized("the signature does not verify for this wallet and message");
    }
    return p.wallet;
  }
}
