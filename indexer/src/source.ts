// Where transactions come from. Both sources hand the indexer the program's transactions, oldest
// first, through the same interface: the backfill reads history after the committed cursor
// (getSignaturesForAddress + batched getTransaction), the live source follows `logsSubscribe` and
// reads each transaction it announces with getTransaction (events live in inner instructions).
// What happens next (decode, queue, project, write) does not know which one it came from.
import type { Logger } from "pino";
import { chainTransaction, type ChainTransaction } from "./decode.js";
import type { SolanaRpc, SignatureInfo, TransactionInfo } from "./rpc.js";
import type { Cursor } from "./writer.js";

export type Sink = (tx: ChainTransaction) => Promise<void>;

export interface Source {
  /** Hands every transaction to `sink`, in chain order; resolves when the source is done (or closed), with why. */
  run(sink: Sink): Promise<string>;
  close(why: string): void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface BackfillOptions {
  programId: string;
  commitment: "confirmed" | "finalized";
  /** Transactions fetched per JSON-RPC batch request. */
  batch: number;
  /** JSON-RPC batch requests in flight. */
  concurrency: number;
  /** Told how many transactions follow, before the first one is handed over. */
  onPlanned?: (total: number) => void;
}

/** Every transaction of the program after `cursor` (from genesis without one), oldest first. */
export class BackfillSource implements Source {
  private closed = false;

  constructor(
    private readonly rpc: SolanaRpc,
    private readonly cursor: Cursor | null,
    private readonly options: BackfillOptions,
    private readonly logger: Logger,
  ) {}

  close(why: string): void {
    if (!this.closed) this.logger.debug({ why }, "backfill closing");
    this.closed = true;
  }

  async run(sink: Sink): Promise<string> {
    const signatures = await this.signatures();
    this.logger.info({ from: this.cursor?.signature ?? "genesis", transactions: signatures.length }, "backfill starting");
    if (signatures.length === 0 || this.closed) return "backfill done";
    this.options.onPlanned?.(signatures.length);

    const chunk = this.options.batch;
    const chunks: SignatureInfo[][] = [];
    for (let i = 0; i < signatures.length; i += chunk) chunks.push(signatures.slice(i, i + chunk));
    // A window of JSON-RPC batch requests in flight; results are handed over in chain order.
    const inFlight: Promise<(TransactionInfo | null)[]>[] = [];
    let next = 0;
    const launch = () => {
      const part = chunks[next++]!;
      const fetched = this.fetchTransactions(part.map((s) => s.signature));
      fetched.catch(() => undefined);
      inFlight.push(fetched);
    };
    while (next < chunks.length && inFlight.length < this.options.concurrency) launch();
    for (let i = 0; i < chunks.length && !this.closed; i++) {
      const infos = await inFlight.shift()!;
      if (next < chunks.length) launch();
      const part = chunks[i]!;
      for (let j = 0; j < part.length && !this.closed; j++) {
        const signature = part[j]!;
        const info = infos[j] ?? null;
        await sink(
          info
            ? chainTransaction(signature.signature, info)
            : {
                signature: signature.signature,
                slot: signature.slot,
                err: signature.err,
                accountKeys: null,
                innerInstructions: null,
                logs: null,
                unavailable: signature.err ? undefined : "getTransaction returned null for a listed signature",
              },
        );
      }
    }
    return this.closed ? "backfill stopped" : "backfill done";
  }

  /** The signatures after the cursor, oldest first. */
  private async signatures(): Promise<SignatureInfo[]> {
    const newestFirst: SignatureInfo[] = [];
    let before: string | undefined;
    while (!this.closed) {
      const page = await this.rpc.getSignaturesForAddress(this.options.programId, {
        before,
        until: this.cursor?.signature,
        limit: 1_000,
        commitment: this.options.commitment,
      });
      newestFirst.push(...page);
      if (page.length < 1_000) break;
      before = page[page.length - 1]!.signature;
    }
    return newestFirst.reverse();
  }

  private fetchTransactions(signatures: string[]): Promise<(TransactionInfo | null)[]> {
    return fetchTransactions(this.rpc, signatures, this.options.commitment);
  }
}

/** getTransaction for `signatures` in one batch request; a missing one is asked again a few times. */
export async function fetchTransactions(rpc: SolanaRpc, signatures: string[], commitment: "confirmed" | "finalized"): Promise<(TransactionInfo | null)[]> {
  const result = await rpc.getTransactions(signatures, commitment);
  for (let attempt = 0; attempt < 5 && result.some((r) => r === null); attempt++) {
    await sleep(200 * (attempt + 1));
    const missing = signatures.filter((_, i) => result[i] === null);
    const again = await rpc.getTransactions(missing, commitment);
    let k = 0;
    for (let i = 0; i < result.length; i++) if (result[i] === null) result[i] = again[k++] ?? null;
  }
  return result;
}
