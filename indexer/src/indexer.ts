// The indexer: sources (backfill from the cursor, then live notifications; see source.ts) → decode →
// bounded queue → project → write (one database transaction per batch, cursor included) → Redis
// invalidation message.
// On start and after every websocket reconnect it backfills from the committed cursor before it
// trusts live notifications, so no transaction is missed; replays are harmless (the ledger).
import { CACHE_GENERATION_KEY, encodeInvalidation } from "@skill-marketplace/sdk";
import { PublicKey } from "@solana/web3.js";
import type { Redis } from "ioredis";
import type pg from "pg";
import type { Logger } from "pino";
import type { Config } from "./config.js";
import { decodeTransaction, type DecodedTransaction } from "./decode.js";
import { LiveSource } from "./live.js";
import { Progress } from "./progress.js";
import { BoundedQueue } from "./queue.js";
import { SolanaRpc } from "./rpc.js";
import { BackfillSource } from "./source.js";
import { isDataError, Writer, type BatchResult } from "./writer.js";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What the indexer reports after each committed batch (tests and the bench listen to it). */
export interface BatchReport extends BatchResult {
  transactions: number;
  /** Signatures of the batch's transactions, in chain order. */
  signatures: string[];
  slot: number;
  signature: string;
  phase: "backfill" | "live";
}

export interface IndexerDeps {
  pool: pg.Pool;
  redis: Redis;
  logger: Logger;
  onBatch?: (report: BatchReport) => void;
}

interface QueueItem {
  tx: DecodedTransaction;
  phase: "backfill" | "live";
}

export class Indexer {
  private readonly rpc: SolanaRpc;
  private readonly writer: Writer;
  private readonly queue: BoundedQueue<QueueItem>;
  private readonly programId: PublicKey;
  private readonly logger: Logger;
  private stopping = false;
  private live: LiveSource | undefined;
  private backfilling: BackfillSource | undefined;
  private writing: Promise<void> | undefined;
  private idle = true;
  private lastFinality = 0;
  private progress: Progress | undefined;
  /** Transactions waiting for the writer. */
  get queued(): number {
    return this.queue.size;
  }

  /** Committed-batch totals since start. */
  readonly totals = { transactions: 0, events: 0, deadLetters: 0 };
  /** Where the source loop is: subscribing, catching up from the cursor, or following live logs. */
  phase: "connecting" | "backfill" | "live" | "stopping" = "connecting";

  constructor(
    private readonly config: Config,
    private readonly deps: IndexerDeps,
  ) {
    this.logger = deps.logger;
    this.programId = new PublicKey(config.PROGRAM_ID);
    this.rpc = new SolanaRpc(config.SOLANA_RPC_URL, this.logger, () => !this.stopping);
    this.writer = new Writer(deps.pool, config.PROGRAM_ID, config.INDEXER_COMMITMENT, this.logger);
    this.queue = new BoundedQueue(config.INDEXER_QUEUE_SIZE);
  }

  /** Runs until `stop()`: the write loop, and the source loop (backfill, then live, again on reconnect). */
  async run(): Promise<void> {
    this.writing = this.writeLoop();
    let attempt = 0;
    while (!this.stopping) {
      const live = new LiveSource(
        this.config.SOLANA_WS_URL,
        this.config.PROGRAM_ID,
        this.config.INDEXER_COMMITMENT,
        this.config.INDEXER_QUEUE_SIZE,
        this.logger,
        this.rpc,
      );
      this.live = live;
      this.phase = "connecting";
      try {
        await live.subscribed;
        attempt = 0;
        this.phase = "backfill";
        await this.settleSubscriptionStart();
        // Backfill starts from the committed cursor, so whatever is still queued is written first.
        await this.drained();
        const seen = await this.backfill();
        if (this.stopping) break;
        this.phase = "live";
        this.logger.info("following live logs");
        const why = await live.run(async (tx) => {
          if (seen.delete(tx.signature)) return;
          await this.queue.push({ tx: decodeTransaction(tx, this.programId), phase: "live" });
        });
        if (!this.stopping) this.logger.warn({ why }, "live connection lost; will backfill from the cursor and resubscribe");
      } catch (error) {
        if (this.stopping) break;
        this.logger.warn({ err: (error as Error).message }, "source failed; retrying");
      } finally {
        live.close("source loop moving on");
        await live.closed;
        await live.settled();
      }
      if (!this.stopping) await sleep(Math.min(5_000, 200 * 2 ** attempt++));
    }
    this.queue.close();
    await this.writing;
  }

  /**
   * Stops taking new work (no new notifications, backfill ends at its next step), writes what
   * is already queued, and resolves when `run()` is done.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    this.phase = "stopping";
    this.live?.close("indexer stopping");
    this.backfilling?.close("indexer stopping");
  }

  /**
   * A transaction already processed when the subscription started, but not yet at our
   * commitment, may be in neither the backfill nor the live stream (a node may only report what
   * it saw processed after the socket opened, as localnet once did). So the backfill waits until the
   * commitment has caught up with the slot processed at subscription time: usually one slot.
   */
  private async settleSubscriptionStart(): Promise<void> {
    const processed = await this.rpc.call<number>("getSlot", [{ commitment: "processed" }]);
    while (!this.stopping && (await this.rpc.getSlot(this.config.INDEXER_COMMITMENT)) < processed) await sleep(50);
  }

  /** Waits until the queue is empty and no batch is being written. */
  private async drained(): Promise<void> {
    while (this.queue.size > 0 || !this.idle) await sleep(5);
  }

  /**
   * Queues every transaction after the committed cursor, oldest first. Returns the signatures it
   * queued, so live notifications of the same transactions can be skipped.
   */
  private async backfill(): Promise<Set<string>> {
    const seen = new Set<string>();
    const source = new BackfillSource(
      this.rpc,
      await this.writer.cursor(),
      {
        programId: this.config.PROGRAM_ID,
        commitment: this.config.INDEXER_COMMITMENT,
        batch: this.config.INDEXER_RPC_BATCH,
        concurrency: this.config.INDEXER_RPC_CONCURRENCY,
        onPlanned: (total) => (this.progress = new Progress(this.config.INDEXER_PROGRESS, total, this.logger)),
      },
      this.logger,
    );
    this.backfilling = source;
    if (this.stopping) source.close("indexer stopping");
    try {
      await source.run(async (tx) => {
        seen.add(tx.signature);
        try {
          await this.queue.push({ tx: decodeTransaction(tx, this.programId), phase: "backfill" });
        } catch {
          source.close("queue closed: stopping");
        }
      });
    } finally {
      this.backfilling = undefined;
    }
    return seen;
  }

  private async writeLoop(): Promise<void> {
    for (;;) {
      const items = await this.queue.take(this.config.INDEXER_BATCH_SIZE, this.config.INDEXER_FINALITY_INTERVAL_MS);
      if (items.length === 0 && this.queue.isClosed) break;
      this.idle = false;
      try {
        if (items.length > 0) await this.write(items);
        await this.promoteFinality();
      } finally {
        this.idle = true;
      }
    }
  }

  /** Writes `items` (deduplicated by signature), retrying connection failures; data errors are split out. */
  private async write(items: QueueItem[]): Promise<void> {
    const unique = new Map<string, QueueItem>();
    for (const item of items) if (!unique.has(item.tx.signature)) unique.set(item.tx.signature, item);
    const batch = [...unique.values()];
    for (let attempt = 0; ; attempt++) {
      try {
        await this.commit(batch);
        return;
      } catch (error) {
        if (isDataError(error)) return this.bisect(batch, error);
        const delay = Math.min(5_000, 100 * 2 ** attempt);
        this.logger.error({ err: (error as Error).message, delay }, "batch not written; retrying");
        await sleep(delay);
      }
    }
  }

  /** A batch the database refused: write halves, down to the one transaction at fault, which is dead-lettered. */
  private async bisect(batch: QueueItem[], error: unknown): Promise<void> {
    if (batch.length === 1) {
      const item = batch[0]!;
      this.logger.error({ signature: item.tx.signature, err: (error as Error).message }, "transaction refused by the database; dead-lettered");
      const dead: DecodedTransaction = {
        ...item.tx,
        events: [],
        deadLetters: [{ instructionIndex: -1, eventIndex: -1, reason: `database refused the transaction's changes: ${(error as Error).message}` }],
      };
      await this.write([{ ...item, tx: dead }]);
      return;
    }
    const half = Math.ceil(batch.length / 2);
    await this.write(batch.slice(0, half));
    await this.write(batch.slice(half));
  }

  private async commit(batch: QueueItem[]): Promise<void> {
    const result = await this.writer.writeBatch(batch.map((i) => i.tx));
    const last = batch[batch.length - 1]!;
    this.totals.transactions += batch.length;
    this.totals.events += result.applied;
    this.totals.deadLetters += result.deadLetters;
    const report: BatchReport = { ...result, transactions: batch.length, signatures: batch.map((i) => i.tx.signature), slot: last.tx.slot, signature: last.tx.signature, phase: last.phase };
    await this.publish(report);
    if (last.phase === "backfill") this.progress?.advance(batch.length, result.applied, last.tx.slot);
    this.logger.debug({ transactions: batch.length, events: result.applied, slot: last.tx.slot, phase: last.phase }, "batch committed");
    this.deps.onBatch?.(report);
  }

  /** Tells caches which skills and licenses changed; Redis being away is logged, not fatal. */
  private async publish(report: BatchReport): Promise<void> {
    if (report.changedSkills.length === 0 && report.changedLicenses.length === 0) return;
    try {
      const generation = await this.deps.redis.incr(CACHE_GENERATION_KEY);
      const message = encodeInvalidation({ skills: report.changedSkills, licenses: report.changedLicenses, slot: report.slot, signature: report.signature, generation });
      await this.deps.redis.publish(this.config.INDEXER_REDIS_CHANNEL, message);
    } catch (error) {
      this.logger.warn({ err: (error as Error).message }, "invalidation not published");
    }
  }

  private async promoteFinality(): Promise<void> {
    if (this.config.INDEXER_COMMITMENT === "finalized") return;
    const now = Date.now();
    if (now - this.lastFinality < this.config.INDEXER_FINALITY_INTERVAL_MS) return;
    this.lastFinality = now;
    try {
      const finalized = await this.rpc.getSlot("finalized");
      const promoted = await this.writer.promote(finalized);
      if (promoted > 0) this.logger.debug({ finalized, promoted }, "rows promoted to finalized");
    } catch (error) {
      this.logger.warn({ err: (error as Error).message }, "finality check failed");
    }
  }
}
