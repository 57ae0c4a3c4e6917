// Backfill progress: a line on stderr, rewritten in place, when stderr is a terminal (or when
// asked); otherwise a structured log line every few seconds.
import type { Logger } from "pino";

export class Progress {
  private readonly started = Date.now();
  private transactions = 0;
  private events = 0;
  private slot = 0;
  private lastLog = 0;
  private finished = false;
  private readonly terminal: boolean;

  constructor(
    mode: "auto" | "always" | "never",
    private readonly total: number,
    private readonly logger: Logger,
  ) {
    this.terminal = mode === "always" || (mode === "auto" && process.stderr.isTTY === true);
  }

  advance(transactions: number, events: number, slot: number): void {
    if (this.finished) return;
    this.transactions += transactions;
    this.events += events;
    this.slot = slot;
    if (this.terminal) process.stderr.write(`\r${this.line()}`);
    else if (Date.now() - this.lastLog > 5_000) {
      this.lastLog = Date.now();
      this.logger.info(this.figures(), "backfill progress");
    }
    if (this.transactions >= this.total) this.done();
  }

  done(): void {
    if (this.finished) return;
    this.finished = true;
    if (this.terminal) process.stderr.write(`\r${this.line()}\n`);
    this.logger.info(this.figures(), "backfill done");
  }

  private figures() {
    const seconds = Math.max(0.001, (Date.now() - this.started) / 1000);
    return {
      transactions: Math.min(this.transactions, this.total),
      total: this.total,
      events: this.events,
      eventsPerSecond: Math.round(this.events / seconds),
      slot: this.slot,
    };
  }

  private line(): string {
    const f = this.figures();
    const percent = ((100 * f.transactions) / f.total).toFixed(1);
    return `backfill ${f.transactions}/${f.total} tx (${percent}%)  ${f.events} events  ${f.eventsPerSecond} events/s  slot ${f.slot}  `;
  }
}
