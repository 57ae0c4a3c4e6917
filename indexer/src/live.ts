// Live source: one PubSub websocket with `logsSubscribe` (mentions the program). A notification
// names a transaction; the events are in its inner instructions, so each successful one is read
// with getTransaction as soon as it is announced (the reads overlap, the hand-over keeps chain
// order). Notifications are held until the indexer has backfilled from its cursor (`deliver` then
// releases them, in order); a close, an error, a missed ping, more held notifications than the
// queue bound, or a transaction that cannot be read end the connection, and the indexer backfills
// again before trusting a new one.
import type { Logger } from "pino";
import WebSocket from "ws";
import { chainTransaction, type ChainTransaction } from "./decode.js";
import type { SolanaRpc } from "./rpc.js";
import { fetchTransactions, type Sink, type Source } from "./source.js";

interface LogsNotification {
  method?: string;
  id?: number;
  result?: unknown;
  error?: { message: string };
  params?: { result: { context: { slot: number }; value: { signature: string; err: unknown; logs: string[] | null } } };
}

export class LiveSource implements Source {
  /** Resolves when the subscription is confirmed by the node; rejects if the connection fails first. */
  readonly subscribed: Promise<void>;
  /** Resolves (with the reason) when the connection is over. */
  readonly closed: Promise<string>;
  private socket: WebSocket;
  private held: Promise<ChainTransaction | null>[] | null = [];
  private handler: ((tx: ChainTransaction) => Promise<void>) | null = null;
  private chain: Promise<void> = Promise.resolve();
  private pending = 0;
  private heartbeat: NodeJS.Timeout | undefined;
  private closing = false;

  constructor(
    url: string,
    programId: string,
    commitment: string,
    private readonly maxHeld: number,
    private readonly logger: Logger,
    private readonly rpc: SolanaRpc,
  ) {
    this.socket = new WebSocket(url);
    let subscribed!: () => void;
    let failed!: (error: Error) => void;
    this.subscribed = new Promise<void>((resolve, reject) => {
      subscribed = resolve;
      failed = reject;
    });
    this.subscribed.catch(() => undefined);
    this.closed = new Promise<string>((resolve) => {
      this.socket.once("close", (code, reason) => {
        clearInterval(this.heartbeat);
        const why = `websocket closed (${code}${reason.length ? ` ${reason.toString()}` : ""})`;
        failed(new Error(why));
        resolve(why);
      });
    });
    this.socket.on("error", (error) => {
      failed(error);
      this.logger.warn({ err: error.message }, "websocket error");
    });
    this.socket.once("open", () => {
      this.socket.send(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "logsSubscribe", params: [{ mentions: [programId] }, { commitment }] }));
      let alive = true;
      this.socket.on("pong", () => (alive = true));
      this.heartbeat = setInterval(() => {
        if (!alive) return this.close("no pong within 10 s");
        alive = false;
        this.socket.ping();
      }, 10_000);
    });
    this.socket.on("message", (raw) => {
      let message: LogsNotification;
      try {
        message = JSON.parse(raw.toString()) as LogsNotification;
      } catch {
        return this.logger.warn("websocket message is not JSON");
      }
      if (message.id === 1) {
        if (message.error) failed(new Error(`logsSubscribe refused: ${message.error.message}`));
        else subscribed();
        return;
      }
      if (message.method !== "logsNotification" || !message.params) return;
      const { context, value } = message.params.result;
      const announced: ChainTransaction = {
        signature: value.signature,
        slot: context.slot,
        err: value.err,
        accountKeys: null,
        innerInstructions: null,
        logs: value.logs,
      };
      // A failed transaction changed nothing: no need to read it.
      this.receive(value.err === null || value.err === undefined ? this.read(announced, commitment) : Promise.resolve(announced));
    });
  }

  /** The transaction a notification announced, read in full; null when the node cannot give it. */
  private read(announced: ChainTransaction, commitment: string): Promise<ChainTransaction | null> {
    const level = commitment === "finalized" ? "finalized" : "confirmed";
    const read = fetchTransactions(this.rpc, [announced.signature], level).then(([info]) => (info ? chainTransaction(announced.signature, info) : null));
    read.catch(() => undefined);
    return read;
  }

  private receive(tx: Promise<ChainTransaction | null>): void {
    // Once closing, nothing more is taken: what follows a dropped notification must come from backfill.
    if (this.closing) return;
    if (this.held) {
      this.held.push(tx);
      if (this.held.length > this.maxHeld) this.close("too many notifications held during backfill");
      return;
    }
    this.forward(tx);
  }

  private forward(read: Promise<ChainTransaction | null>): void {
    const handler = this.handler!;
    this.pending += 1;
    if (this.pending > this.maxHeld) return this.close("writer too far behind live notifications");
    this.chain = this.chain.then(async () => {
      try {
        if (this.closing) return;
        const tx = await read;
        // What follows a transaction that cannot be read must come from backfill, in order.
        if (!tx) return this.close("an announced transaction could not be read");
        await handler(tx);
      } catch (error) {
        if (this.closing) return;
        this.close(`live notification could not be queued: ${(error as Error).message}`);
      } finally {
        this.pending -= 1;
      }
    });
  }

  /**
   * Hands notifications to `sink`, in order, beginning with the ones held since the subscription;
   * resolves with why the connection ended.
   */
  run(sink: Sink): Promise<string> {
    this.deliver(sink);
    return this.closed;
  }

  private deliver(handler: Sink): void {
    this.handler = handler;
    const held = this.held ?? [];
    this.held = null;
    for (const tx of held) this.forward(tx);
  }

  /** Resolves once every notification handed over so far went through the handler. */
  settled(): Promise<void> {
    return this.chain;
  }

  close(why: string): void {
    this.closing = true;
    if (this.socket.readyState === WebSocket.CLOSED || this.socket.readyState === WebSocket.CLOSING) return;
    this.logger.info({ why }, "closing websocket");
    this.socket.close(1000, why.slice(0, 120));
    // A peer that does not answer the close frame is cut.
    setTimeout(() => this.socket.terminate(), 2_000).unref();
  }
}
