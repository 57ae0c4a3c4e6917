// Empties the vaults x402 payments land in. split_vault (a program instruction anyone may send; the fee payer does
// here) moves a vault's whole balance to the skill's seller and the treasury by the purchase fee rule; this only
// decides when. Not after every payment (a transaction per call would double what calls cost the network): a vault
// is split once `everyCalls` payments landed in it since its last split, or when its oldest unsplit payment is
// `maxAgeMs` old. The counts live in Redis, so every executor's payments count toward one cadence, and one executor
// splits at a time (a lock). No money depends on this: what stays in a vault is the seller's either way.
import { createAssociatedTokenAccountIdempotentInstruction, getAssociatedTokenAddressSync } from "@solana/spl-token";
import { PublicKey, TransactionMessage, VersionedTransaction, type Connection, type Keypair, type TransactionInstruction } from "@solana/web3.js";
import type { Redis } from "ioredis";
import { awaitLanding, decodeAccount, marketplaceErrorOf, marketplacePda, marketplaceProgram, skillVault, splitVault } from "@skill-marketplace/sdk";
import { everyRound, type Logger, type Rounds } from "@skill-marketplace/kit";

export interface VaultSplitterOptions {
  connection: Connection;
  redis: Redis;
  /** Pays each split's fee (and the seller's or treasury's token account, the first time one is missing). */
  payer: Keypair;
  logger: Logger;
  /** Payments into one vault that make it due (default SPLIT_EVERY_CALLS). */
  everyCalls?: number;
  /** How long a payment waits at most before its vault is split (default SPLIT_MAX_AGE_MS). */
  maxAgeMs?: number;
}

/** A vault is due once this many payments landed in it since its last split... */
export const SPLIT_EVERY_CALLS = 100;
/** ...or once its oldest unsplit payment is this old. */
export const SPLIT_MAX_AGE_MS = 600_000;

const DUE = "x402:vaults:since";
const CALLS = "x402:vaults:calls";
const LOCK = "x402:vaults:lock";

/** A vault, as Redis keys it: skill, mint and token program. */
const vaultKey = (skill: PublicKey, mint: PublicKey, tokenProgram: PublicKey) => `${skill.toBase58()}:${mint.toBase58()}:${tokenProgram.toBase58()}`;

export class VaultSplitter {
  private rounds: Rounds | null = null;
  private readonly program;

  constructor(private readonly o: VaultSplitterOptions) {
    this.program = marketplaceProgram({ connection: o.connection });
  }

  /** A payment landed in the vault of `skill` for `mint`. */
  async paid(skill: PublicKey, mint: PublicKey, tokenProgram: PublicKey): Promise<void> {
    const key = vaultKey(skill, mint, tokenProgram);
    await this.o.redis.multi().zadd(DUE, "NX", Date.now(), key).hincrby(CALLS, key, 1).exec();
  }

  /** Splits every `intervalMs` until `stop`. */
  start(intervalMs: number): void {
    this.rounds = everyRound(intervalMs, () => this.tick(), { logger: this.o.logger, message: "vault split round failed; retrying" });
  }

  async stop(): Promise<void> {
    await this.rounds?.stop();
    this.rounds = null;
  }

  /** Splits the vaults now due; the signatures of the splits that landed. */
  async tick(now = Date.now()): Promise<string[]> {
    const lockMs = 60_000;
    if ((await this.o.redis.set(LOCK, String(process.pid), "PX", lockMs, "NX")) !== "OK") return [];
    try {
      const everyCalls = this.o.everyCalls ?? SPLIT_EVERY_CALLS;
      const maxAgeMs = this.o.maxAgeMs ?? SPLIT_MAX_AGE_MS;
      const waiting = await this.o.redis.zrange(DUE, 0, -1, "WITHSCORES");
      const signatures: string[] = [];
      for (let i = 0; i < waiting.length; i += 2) {
        const key = waiting[i]!;
        const since = Number(waiting[i + 1]);
        const calls = Number((await this.o.redis.hget(CALLS, key)) ?? 0);
        if (calls < everyCalls && now - since < maxAgeMs) continue;
        const [skill, mint, tokenProgram] = key.split(":").map((k) => new PublicKey(k)) as [PublicKey, PublicKey, PublicKey];
        const signature = await this.split(skill, mint, tokenProgram);
        if (signature) signatures.push(signature);
        // The calls counted are settled; any that landed meanwhile were in the balance split, or wait for the next.
        const left = await this.o.redis.hincrby(CALLS, key, -calls);
        if (left <= 0) await this.o.redis.multi().zrem(DUE, key).hdel(CALLS, key).exec();
        else await this.o.redis.zadd(DUE, "XX", Date.now(), key);
      }
      return signatures;
    } finally {
      await this.o.redis.del(LOCK);
    }
  }

  /** One split_vault of the vault (creating the seller's or treasury's token account if missing): its signature, or null when the vault was empty. */
  async split(skill: PublicKey, mint: PublicKey, tokenProgram: PublicKey): Promise<string | null> {
    const vault = skillVault(skill, mint, tokenProgram);
    const balance = await this.o.connection.getTokenAccountBalance(vault, "confirmed").catch(() => null);
    if (!balance || balance.value.amount === "0") return null;
    const [skillInfo, marketplaceInfo] = await this.o.connection.getMultipleAccountsInfo([skill, marketplacePda()], "confirmed");
    if (!skillInfo || !marketplaceInfo) throw new Error(`skill ${skill.toBase58()} or the marketplace is not on this cluster`);
    const author = decodeAccount("skill", skillInfo.data).author;
    const treasury = decodeAccount("marketplace", marketplaceInfo.data).treasury;
    const payer = this.o.payer.publicKey;
    const owners = [author, treasury];
    const accounts = owners.map((owner) => getAssociatedTokenAddressSync(mint, owner, true, tokenProgram));
    const existing = await this.o.connection.getMultipleAccountsInfo(accounts, "confirmed");
    const instructions: TransactionInstruction[] = owners.flatMap((owner, i) =>
      existing[i] ? [] : [createAssociatedTokenAccountIdempotentInstruction(payer, accounts[i]!, owner, mint, tokenProgram)],
    );
    instructions.push(await splitVault(this.program, { skill, author, treasury, mint, tokenProgram }).instruction());
    const { blockhash } = await this.o.connection.getLatestBlockhash("confirmed");
    const tx = new VersionedTransaction(new TransactionMessage({ payerKey: payer, recentBlockhash: blockhash, instructions }).compileToV0Message());
    tx.sign([this.o.payer]);
    const raw = tx.serialize();
    const signature = await this.o.connection.sendRawTransaction(raw, { skipPreflight: true, maxRetries: 0 });
    const landing = await awaitLanding(this.o.connection, signature, blockhash, { raw });
    if (!landing.landed) throw new Error(`split of ${vault.toBase58()} expired before it landed`);
    if (landing.err) {
      const error = marketplaceErrorOf(landing.err);
      // Someone else split it first: nothing is lost.
      if (error?.name === "NothingToSplit") return null;
      throw new Error(`split of ${vault.toBase58()} failed: ${error?.name ?? JSON.stringify(landing.err)}`);
    }
    this.o.logger.info({ skill: skill.toBase58(), mint: mint.toBase58(), amount: balance.value.amount, signature }, "skill vault split to seller and treasury");
    return signature;
  }
}
