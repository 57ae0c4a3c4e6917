// One call of a skill for a license holder, from the license token to the signed receipt:
// verify the token (holder = the API key's agent, skill, one-time nonce), check the license with
// the sdk's one rule, hold a unit against the license (calls in flight count), run the pinned image
// in the sandbox, then commit (receipt) on success or release on any failure. A failed,
// timed-out, OOM-killed or refused call consumes nothing.
import { randomUUID } from "node:crypto";
import type { Connection, Keypair } from "@solana/web3.js";
import { PublicKey } from "@solana/web3.js";
import type Docker from "dockerode";
import type { Redis } from "ioredis";
import type pg from "pg";
import {
  bytesToHex,
  decodeAccount,
  decodeInvalidation,
  DEFAULT_INVALIDATION_CHANNEL,
  LICENSE_STATUS_REASONS,
  LICENSE_TOKEN_CLOCK_SKEW_SECONDS,
  licenseKindName,
  licensePda,
  licenseStatus,
  LicenseTokenInvalid,
  marketplacePda,
  PROGRAM_ID,
  semverText,
  sha256Hex,
  signReceipt,
  verifyLicenseToken,
  versionAt,
  X402PaymentError,
  type PaymentRequirements,
  type LicenseAccount,
  type LicenseStatus,
  type MarketplaceAccount,
  type Receipt,
  type SkillAccount,
} from "@skill-marketplace/sdk";
import { nativeEd25519, withTransaction, type Logger } from "@skill-marketplace/kit";
import { ExecuteError } from "./errors.js";
import { effectiveLimits, type SandboxLimits } from "./limits.js";
import { RUNTIMES, validEntryPoint, type RuntimeName } from "./runtimes.js";
import type { RunResult, Sandbox, WarmPool } from "./sandbox.js";
import { lockLicense, RECEIPT_COLUMNS } from "./receipts.js";
import { callInsert, type CallRecord } from "./reliability.js";
import type { X402Facilitator, VerifiedPayment } from "./x402.js";
import type { VaultSplitter } from "./vaults.js";

/** Image labels the publishing pipeline writes (and the executor reads) on every skill image. */
export const IMAGE_LABELS = {
  runtime: "skill-marketplace.runtime",
  entry: "skill-marketplace.entry",
  endpoints: "skill-marketplace.endpoints",
  limits: "skill-marketplace.limits",
  /** Calls per minute per license the seller allows (within the platform's maximum). */
  callsPerMinute: "skill-marketplace.calls-per-minute",
} as const;

export interface ExecutorOptions {
  connection: Connection;
  pool: pg.Pool;
  redis: Redis;
  docker: Docker;
  sandbox: Sandbox;
  /** Containers started ahead of calls; without one every call starts its own. */
  warmPool?: WarmPool;
  /** The meter authority that signs receipts (and later settles them). */
  meter: Keypair;
  /** The public origin license tokens must name. */
  audience: string;
  logger: Logger;
  programId?: PublicKey;
  /** How long a license check is reused without an indexer message, in milliseconds. */
  licenseCacheMs?: number;
  /** Calls per minute per license (the platform's maximum). */
  licenseCallsPerMinute?: number;
  /** Takes x402 payments for calls of usage-priced skills; without one, paid calls are refused. */
  x402?: X402Facilitator;
  /** Counts the payments that land, and splits their vaults on its cadence. */
  vaults?: VaultSplitter;
}

export interface PaidRequest {
  skill: string;
  endpoint: string;
  payload: unknown;
  /** The PAYMENT-SIGNATURE header; absent: the call answers what to pay (payment_required). */
  payment?: string;
}

export interface PaidResult extends Omit<ExecuteResult, "phases"> {
  payment: { transaction: string; network: string; payer: string; amount: string };
}

export interface ExecuteRequest {
  skill: string;
  /** The wallet of the agent the API key belongs to. */
  agentWallet: string;
  token: string | undefined;
  endpoint: string;
  payload: unknown;
}

export interface ExecuteResult {
  result: unknown;
  usage: { units: number; durationMs: number; receipt: Receipt & { signature: string } };
  /** Where the call's time went, in milliseconds per step (the executor's Server-Timing header). */
  phases: Record<ExecutePhase, number>;
}

export type ExecutePhase = "token" | "license" | "image" | "rate" | "hold" | "run" | "receipt";

interface ChainState {
  marketplace: MarketplaceAccount;
  skill: SkillAccount;
  license: LicenseAccount | null;
}

interface SkillImage {
  id: string;
  command: string[];
  endpoints: string[] | null;
  limits: SandboxLimits;
  /** The skill's own rate per license, when it sets one. */
  callsPerMinute: number | null;
}

const STATUS_CODES: Record<Exclude<LicenseStatus, "valid">, ExecuteError["code"]> = {
  expired: "license_expired",
  usedUp: "license_used_up",
  paused: "marketplace_paused",
  inactive: "skill_inactive",
  suspended: "skill_suspended",
};

export class Executor {
  private readonly cache = new Map<string, { state: ChainState; until: number }>();
  private readonly images = new Map<string, SkillImage>();
  private readonly programId: PublicKey;
  private subscriber: Redis | null = null;
  /** Node's ed25519: the same signatures as the sdk's default, a millisecond less per call. */
  private readonly ed25519 = nativeEd25519();

  constructor(private readonly o: ExecutorOptions) {
    this.programId = o.programId ?? PROGRAM_ID;
  }

  /** Follows the indexer's change messages: a changed license or skill is read again from the chain. */
  async listen(channel = DEFAULT_INVALIDATION_CHANNEL): Promise<void> {
    this.subscriber = this.o.redis.duplicate();
    this.subscriber.on("message", (_channel: string, text: string) => {
      const message = decodeInvalidation(text);
      if (!message) return this.cache.clear();
      const changed = new Set([...message.skills, ...message.licenses]);
      for (const key of this.cache.keys()) {
        const [skill, license] = key.split(":");
        if (changed.has(skill!) || changed.has(license!)) this.cache.delete(key);
      }
    });
    await this.subscriber.subscribe(channel);
  }

  async close(): Promise<void> {
    await this.subscriber?.quit().catch(() => undefined);
  }

  async execute(request: ExecuteRequest): Promise<ExecuteResult> {
    const now = Math.floor(Date.now() / 1000);
    const phases = {} as Record<ExecutePhase, number>;
    let last = performance.now();
    const done = (phase: ExecutePhase) => {
      const at = performance.now();
      phases[phase] = Math.round((at - last) * 100) / 100;
      last = at;
    };
    if (!request.token) {
      throw new ExecuteError("license_token_missing", "send a license token signed by the license holder in X-License-Token");
    }
    let claims;
    try {
      claims = verifyLicenseToken(request.token, { audience: this.o.audience, nowSeconds: now, ed25519: this.ed25519 });
    } catch (error) {
      if (error instanceof LicenseTokenInvalid) throw new ExecuteError("license_token_invalid", error.message, { reason: error.reason });
      throw error;
    }
    if (claims.holder !== request.agentWallet) {
      throw new ExecuteError("license_holder_mismatch", `the license token was signed by ${claims.holder}, but the API key belongs to the agent of ${request.agentWallet}`);
    }
    if (claims.skill !== request.skill) {
      throw new ExecuteError("license_skill_mismatch", `the license token is for skill ${claims.skill}, not ${request.skill}`);
    }
    const expectedLicense = licensePda(new PublicKey(request.skill), new PublicKey(claims.holder), this.programId).toBase58();
    if (claims.license !== expectedLicense) {
      throw new ExecuteError("license_skill_mismatch", `the license token names ${claims.license}, which is not ${claims.holder}'s license of this skill (${expectedLicense})`);
    }
    // One call per token: the nonce is kept until the token could no longer be accepted anyway.
    const keepMs = (claims.expiresAt - now + LICENSE_TOKEN_CLOCK_SKEW_SECONDS) * 1000;
    const fresh = await this.o.redis.set(`license-token:nonce:${claims.nonce}`, claims.license, "PX", Math.max(keepMs, 1000), "NX");
    if (fresh !== "OK") throw new ExecuteError("license_token_replayed", "this license token was already used; sign a new one for each call");
    done("token");

    const state = await this.checkLicense(request.skill, claims.license, claims.holder, now);
    done("license");

    const { version: skillVersion, provenance } = versionAt(state.skill, now);
    const digest = bytesToHex(Uint8Array.from(provenance.imageDigest));
    const image = await this.image(digest);
    if (image.endpoints && !image.endpoints.includes(request.endpoint)) {
      throw new ExecuteError("endpoint_unknown", `the skill has no endpoint ${JSON.stringify(request.endpoint)}; it has ${image.endpoints.join(", ")}`);
    }
    done("image");
    await this.rateLimit(claims.license, image.callsPerMinute);
    done("rate");

    const units = 1;
    const usage = licenseKindName(state.license.kind) === "usage";
    const reservation = await this.reserve(claims.license, state.license, units, image.limits, usage);
    done("hold");
    let run: RunResult;
    const input = { endpoint: request.endpoint, payload: request.payload };
    try {
      run = this.o.warmPool
        ? await this.o.warmPool.run(image.id, image.command, image.limits, input)
        : await this.o.sandbox.run(image.id, image.command, image.limits, input);
    } catch (error) {
      await this.release(reservation);
      throw error;
    }
    done("run");
    const version = semverText(skillVersion);
    const call: CallRecord = {
      id: randomUUID(),
      skill: request.skill,
      version,
      imageDigest: digest,
      license: claims.license,
      outcome: run.outcome,
      durationMs: run.durationMs,
      receiptId: null,
    };
    if (run.outcome !== "ok") {
      await this.release(reservation, call);
      this.o.logger.info({ skill: request.skill, license: claims.license, outcome: run.outcome, exitCode: run.exitCode, stderr: run.stderr.slice(-512) }, "skill call failed; nothing charged");
      throw new ExecuteError("skill_failed", run.message ?? "the skill failed", { outcome: run.outcome, durationMs: Math.round(run.durationMs) });
    }
    const receipt: Receipt = {
      id: randomUUID(),
      license: claims.license,
      skill: request.skill,
      version,
      imageDigest: digest,
      inputHash: sha256Hex(JSON.stringify(input)),
      outputHash: sha256Hex(run.outputText!),
      units,
      exitStatus: run.outcome,
      durationMs: Math.round(run.durationMs),
      time: Date.now(),
      meter: this.o.meter.publicKey.toBase58(),
    };
    const signature = signReceipt(receipt, this.o.meter.secretKey, this.ed25519);
    await this.commit(reservation, receipt, claims.holder, signature, { ...call, receiptId: receipt.id });
    done("receipt");
    return { result: run.output, usage: { units, durationMs: receipt.durationMs, receipt: { ...receipt, signature } }, phases };
  }

  /** What one call of `skill` costs over x402, or why it cannot be paid per call. */
  async paymentRequirements(skill: string): Promise<PaymentRequirements> {
    if (!this.o.x402) throw new ExecuteError("payment_not_accepted", "this marketplace takes no x402 payments: buy a license");
    const requirements = await this.o.x402.requirements(new PublicKey(skill));
    if (!requirements) throw new ExecuteError("payment_not_accepted", `skill ${skill} is not paid per call (only usage-priced skills in a token are): buy a license`);
    return requirements;
  }

  /**
   * One call paid with x402, pay on success: the payment is verified (and claimed) before the skill runs, sent only
   * after the run succeeded; a refused, failed or timed-out run abandons it, so it never lands and costs nothing.
   * The receipt names the payment's transaction instead of a license, and is never batched into record_usage.
   */
  async executePaid(request: PaidRequest): Promise<PaidResult> {
    const requirements = await this.paymentRequirements(request.skill);
    if (!request.payment) throw new ExecuteError("payment_required", `this call costs ${requirements.amount} of ${requirements.asset}`, { requirements });
    let verified: VerifiedPayment;
    try {
      verified = await this.o.x402!.verify(request.payment, requirements);
    } catch (error) {
      if (error instanceof X402PaymentError) throw new ExecuteError("payment_invalid", error.message, { reason: error.reason, requirements });
      throw error;
    }
    const payer = verified.checked.payer.toBase58();
    const now = Math.floor(Date.now() / 1000);
    let run: RunResult;
    let image: SkillImage;
    let digest: string;
    let version: string;
    try {
      // The payer's license (usually none) is read with the skill: the same cached state as licensed calls.
      const state = await this.chainState(request.skill, licensePda(new PublicKey(request.skill), verified.checked.payer, this.programId).toBase58());
      if (state.marketplace.paused) throw new ExecuteError("marketplace_paused", LICENSE_STATUS_REASONS.paused);
      if (state.skill.suspended) throw new ExecuteError("skill_suspended", LICENSE_STATUS_REASONS.suspended);
      if (!state.skill.active) throw new ExecuteError("skill_inactive", LICENSE_STATUS_REASONS.inactive);
      const at = versionAt(state.skill, now);
      version = semverText(at.version);
      digest = bytesToHex(Uint8Array.from(at.provenance.imageDigest));
      image = await this.image(digest);
      if (image.endpoints && !image.endpoints.includes(request.endpoint)) {
        throw new ExecuteError("endpoint_unknown", `the skill has no endpoint ${JSON.stringify(request.endpoint)}; it has ${image.endpoints.join(", ")}`);
      }
      await this.rateLimit(`x402:${payer}`, image.callsPerMinute);
      const input = { endpoint: request.endpoint, payload: request.payload };
      run = this.o.warmPool
        ? await this.o.warmPool.run(image.id, image.command, image.limits, input)
        : await this.o.sandbox.run(image.id, image.command, image.limits, input);
    } catch (error) {
      await this.o.x402!.abandon(verified);
      throw error;
    }
    const call: CallRecord = { id: randomUUID(), skill: request.skill, version, imageDigest: digest, license: "", outcome: run.outcome, durationMs: run.durationMs, receiptId: null };
    if (run.outcome !== "ok") {
      await this.o.x402!.abandon(verified);
      const insert = callInsert(call);
      await this.o.pool.query(insert.text, insert.values).catch(() => undefined);
      this.o.logger.info({ skill: request.skill, payer, outcome: run.outcome }, "paid skill call failed; payment abandoned, nothing charged");
      throw new ExecuteError("skill_failed", `${run.message ?? "the skill failed"}; the payment was not sent`, { outcome: run.outcome, durationMs: Math.round(run.durationMs) });
    }
    let transaction: string;
    try {
      transaction = await this.o.x402!.settle(verified);
    } catch (error) {
      throw new ExecuteError("payment_failed", `the skill ran but its payment did not land, so its answer is withheld: ${(error as Error).message}`);
    }
    await this.o.vaults
      ?.paid(new PublicKey(request.skill), new PublicKey(requirements.asset), verified.tokenProgram)
      .catch((error) => this.o.logger.warn({ err: (error as Error).message, skill: request.skill }, "a landed payment was not counted toward its vault's split; the vault's next payments split it with theirs"));
    const receipt: Receipt = {
      id: randomUUID(),
      license: "",
      skill: request.skill,
      version,
      imageDigest: digest,
      inputHash: sha256Hex(JSON.stringify({ endpoint: request.endpoint, payload: request.payload })),
      outputHash: sha256Hex(run.outputText!),
      units: 1,
      exitStatus: run.outcome,
      durationMs: Math.round(run.durationMs),
      time: Date.now(),
      meter: this.o.meter.publicKey.toBase58(),
      payment: transaction,
    };
    const signature = signReceipt(receipt, this.o.meter.secretKey, this.ed25519);
    const values = [receipt.id, receipt.license, receipt.skill, payer, receipt.version, receipt.imageDigest, receipt.inputHash, receipt.outputHash, receipt.units, receipt.exitStatus, receipt.durationMs, receipt.time, receipt.meter, signature, transaction];
    const insert = callInsert({ ...call, receiptId: receipt.id }, values.length + 1);
    await this.o.pool.query(
      `WITH receipt AS (INSERT INTO receipts (${RECEIPT_COLUMNS}, signature, payment) VALUES (${values.map((_, i) => `$${i + 1}`).join(", ")}))
       ${insert.text}`,
      [...values, ...insert.values],
    );
    return {
      result: run.output,
      usage: { units: 1, durationMs: receipt.durationMs, receipt: { ...receipt, signature } },
      payment: { transaction, network: requirements.network, payer, amount: requirements.amount },
    };
  }

  /**
   * The license's state when the sdk's `licenseStatus` says it may be used now; otherwise throws
   * the status's code. Cached (see chainState); a cold check reads the chain once.
   */
  async checkLicense(skill: string, license: string, holder: string, now = Math.floor(Date.now() / 1000)): Promise<ChainState & { license: LicenseAccount }> {
    const state = await this.chainState(skill, license);
    if (!state.license) throw new ExecuteError("license_not_found", `${holder} holds no license of skill ${skill}; buy one first`);
    const status = licenseStatus(state.license, state.skill, state.marketplace, now);
    if (status !== "valid") throw new ExecuteError(STATUS_CODES[status], LICENSE_STATUS_REASONS[status]);
    return state as ChainState & { license: LicenseAccount };
  }

  /** Marketplace, skill and license as the chain has them (confirmed), cached briefly. */
  private async chainState(skill: string, license: string): Promise<ChainState> {
    const key = `${skill}:${license}`;
    const hit = this.cache.get(key);
    if (hit && hit.until > Date.now()) return hit.state;
    const [marketplaceInfo, skillInfo, licenseInfo] = await this.o.connection.getMultipleAccountsInfo(
      [marketplacePda(this.programId), new PublicKey(skill), new PublicKey(license)],
      "confirmed",
    );
    const owned = (info: typeof skillInfo) => info != null && info.owner.equals(this.programId);
    if (!owned(marketplaceInfo)) throw new ExecuteError("marketplace_paused", "the marketplace is not initialized on this cluster");
    if (!owned(skillInfo)) throw new ExecuteError("skill_not_found", `no skill ${skill} on this cluster`);
    let skillAccount: SkillAccount;
    try {
      skillAccount = decodeAccount("skill", skillInfo!.data);
    } catch {
      throw new ExecuteError("skill_not_found", `${skill} is not a skill account`);
    }
    let licenseAccount: LicenseAccount | null = null;
    if (owned(licenseInfo)) {
      try {
        licenseAccount = decodeAccount("license", licenseInfo!.data);
      } catch {
        licenseAccount = null;
      }
    }
    const state = { marketplace: decodeAccount("marketplace", marketplaceInfo!.data), skill: skillAccount, license: licenseAccount };
    this.cache.set(key, { state, until: Date.now() + (this.o.licenseCacheMs ?? 2_000) });
    return state;
  }

  /**
   * The image whose id is `digest`: the chain's image digest is the image's content address, so
   * the engine either has exactly that image or none (a rebuilt or retagged image has another id).
   */
  private async image(digest: string): Promise<SkillImage> {
    const cached = this.images.get(digest);
    if (cached) return cached;
    let info: Docker.ImageInspectInfo;
    try {
      info = await this.o.docker.getImage(`sha256:${digest}`).inspect();
    } catch {
      throw new ExecuteError("image_unavailable", `the image sha256:${digest} the chain names for this version is not on this executor`);
    }
    const labels = info.Config?.Labels ?? {};
    const runtime = labels[IMAGE_LABELS.runtime] as RuntimeName | undefined;
    const entry = labels[IMAGE_LABELS.entry];
    if (!runtime || !(runtime in RUNTIMES) || !entry || !validEntryPoint(entry)) {
      throw new ExecuteError("image_unavailable", `the image sha256:${digest} does not say how to run it (runtime and entry labels)`);
    }
    let limits: SandboxLimits;
    let endpoints: string[] | null = null;
    let callsPerMinute: number | null = null;
    try {
      limits = effectiveLimits(labels[IMAGE_LABELS.limits] ? JSON.parse(labels[IMAGE_LABELS.limits]!) : {});
      if (labels[IMAGE_LABELS.endpoints]) endpoints = JSON.parse(labels[IMAGE_LABELS.endpoints]!) as string[];
      const rate = labels[IMAGE_LABELS.callsPerMinute];
      if (rate !== undefined) {
        callsPerMinute = Number(rate);
        if (!/^[1-9][0-9]{0,6}$/.test(rate)) throw new Error(`${IMAGE_LABELS.callsPerMinute} must be a whole number of calls above 0, not ${JSON.stringify(rate)}`);
      }
    } catch (error) {
      throw new ExecuteError("image_unavailable", `the image sha256:${digest} has unusable labels: ${(error as Error).message}`);
    }
    const image = { id: info.Id, command: RUNTIMES[runtime].command(entry), endpoints, limits, callsPerMinute };
    this.images.set(digest, image);
    return image;
  }

  /** Calls per minute per license: the skill's own setting, never above the platform's maximum. */
  private async rateLimit(license: string, skillPerMinute: number | null): Promise<void> {
    const platform = this.o.licenseCallsPerMinute ?? 600;
    const perMinute = skillPerMinute === null ? platform : Math.min(skillPerMinute, platform);
    // A sliding minute: the calls of the last 60 s, each kept under its time; a refused call is
    // not counted, and Retry-After is when the oldest counted call leaves the minute.
    const now = Date.now();
    const key = `rate:license:${license}`;
    const member = `${now}:${randomUUID()}`;
    const replies = await this.o.redis
      .multi()
      .zremrangebyscore(key, "-inf", now - 60_000)
      .zadd(key, now, member)
      .zcard(key)
      .zrange(key, 0, 0, "WITHSCORES")
      .pexpire(key, 61_000)
      .exec();
    const calls = Number(replies?.[2]?.[1] ?? 0);
    if (calls > perMinute) {
      await this.o.redis.zrem(key, member);
      const oldest = Number((replies?.[3]?.[1] as string[] | undefined)?.[1] ?? now);
      const retryAfter = Math.max(1, Math.ceil((oldest + 60_000 - now) / 1000));
      throw new ExecuteError("rate_limited", `at most ${perMinute} calls per minute per license; retry in ${retryAfter} s`, { retryAfter });
    }
  }

  /**
   * Holds `units` against the license. Units in use = what the chain counted (or a batch of ours
   * that landed since the chain was read) + receipts not yet settled + holds of calls in flight;
   * the license's lock makes concurrent holds see each other.
   */
  private async reserve(license: string, account: LicenseAccount, units: number, limits: SandboxLimits, limited: boolean): Promise<string> {
    const id = randomUUID();
    // A one-time or subscription license has no units to run out of: nothing to hold.
    if (!limited) return id;
    await withTransaction(this.o.pool, async (client) => {
      await lockLicense(client, license);
      await client.query("DELETE FROM usage_reservations WHERE license = $1 AND expires_at < now()", [license]);
      const { rows } = await client.query<{ held: string; pending: string; settled: string }>(
        `SELECT
           (SELECT coalesce(sum(units), 0) FROM usage_reservations WHERE license = $1) AS held,
           (SELECT coalesce(sum(r.units), 0) FROM receipts r LEFT JOIN usage_batches b ON b.id = r.batch_id
             WHERE r.license = $1 AND (r.batch_id IS NULL OR b.status <> 'landed')) AS pending,
           (SELECT coalesce(max(expected_usage_used + units), 0) FROM usage_batches WHERE license = $1 AND status = 'landed') AS settled`,
        [license],
      );
      const chainUsed = BigInt(account.usageUsed.toString());
      const settled = BigInt(rows[0]!.settled);
      const used = (chainUsed > settled ? chainUsed : settled) + BigInt(rows[0]!.pending) + BigInt(rows[0]!.held);
      const limit = BigInt(account.usageLimit.toString());
      if (used + BigInt(units) > limit) {
        throw new ExecuteError("license_used_up", `${LICENSE_STATUS_REASONS.usedUp} (${limit - (used > limit ? limit : used)} of ${limit} units left after the calls in flight)`);
      }
      await client.query("INSERT INTO usage_reservations (id, license, units, expires_at) VALUES ($1, $2, $3, now() + $4 * interval '1 millisecond')", [
        id,
        license,
        units,
        limits.timeoutMs + 60_000,
      ]);
    });
    return id;
  }

  /** Gives the hold back; a call that ran and failed is recorded with it, in the same statement. */
  private async release(reservation: string, call?: CallRecord): Promise<void> {
    if (!call) {
      await this.o.pool.query("DELETE FROM usage_reservations WHERE id = $1", [reservation]);
      return;
    }
    const insert = callInsert(call);
    await this.o.pool.query(`WITH released AS (DELETE FROM usage_reservations WHERE id = $${insert.values.length + 1}) ${insert.text}`, [...insert.values, reservation]);
  }

  /**
   * The hold becomes a receipt, and the call is recorded, in one statement: whoever counts the
   * license's units (reserve, under its lock) sees either the hold or the receipt, never both or
   * neither, and a crash leaves one of them (a hold lapses).
   */
  private async commit(reservation: string, r: Receipt, buyer: string, signature: string, call: CallRecord): Promise<void> {
    const receiptValues = [r.id, r.license, r.skill, buyer, r.version, r.imageDigest, r.inputHash, r.outputHash, r.units, r.exitStatus, r.durationMs, r.time, r.meter, signature];
    const insert = callInsert(call, receiptValues.length + 2);
    await this.o.pool.query(
      `WITH released AS (DELETE FROM usage_reservations WHERE id = $${receiptValues.length + 1}),
            receipt AS (INSERT INTO receipts (${RECEIPT_COLUMNS}, signature) VALUES (${receiptValues.map((_, i) => `$${i + 1}`).join(", ")}))
       ${insert.text}`,
      [...receiptValues, reservation, ...insert.values],
    );
  }
}
