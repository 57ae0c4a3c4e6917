// A small JSON-RPC 2.0 client over HTTP for the few methods the indexer needs, with batch
// requests (many getTransaction calls in one round trip) and retries with backoff: a node that is
// briefly away delays the indexer, it does not stop it.
import type { Logger } from "pino";

export type Commitment = "confirmed" | "finalized";

export interface SignatureInfo {
  signature: string;
  slot: number;
  err: unknown;
}

/** The parts of a `getTransaction` result ("json" encoding) the indexer reads. */
export interface TransactionInfo {
  slot: number;
  blockTime: number | null;
  transaction: { message: { accountKeys: string[] } };
  meta: {
    err: unknown;
    logMessages: string[] | null;
    innerInstructions: { index: number; instructions: { programIdIndex: number; data: string }[] }[] | null;
    /** Accounts a v0 transaction loaded from lookup tables; they follow the static keys. */
    loadedAddresses?: { writable: string[]; readonly: string[] } | null;
  } | null;
}

export class RpcError extends Error {
  constructor(
    readonly method: string,
    readonly code: number,
    message: string,
  ) {
    super(`${method}: ${message} (${code})`);
  }
}

interface Reply {
  id: number;
  result?: unknown;
  error?: { code: number; message: string };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class SolanaRpc {
  private nextId = 1;

  constructor(
    readonly url: string,
    private readonly logger: Logger,
    /** False once the caller is shutting down: retries give up instead of waiting. */
    private readonly keepTrying: () => boolean = () => true,
  ) {}

  /** Posts `body`, retrying transport failures and 429 / 5xx answers with capped backoff. */
  private async post(body: unknown, what: string): Promise<unknown> {
    for (let attempt = 0; ; attempt++) {
      try {
        const response = await fetch(this.url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(body),
        });
        if (response.status === 429 || response.status >= 500) throw new Error(`HTTP ${response.status}`);
        if (!response.ok) throw new RpcError(what, response.status, `HTTP ${response.status}: ${await response.text()}`);
        return await response.json();
      } catch (error) {
        if (error instanceof RpcError || !this.keepTrying()) throw error;
        const delay = Math.min(5_000, 100 * 2 ** attempt);
        this.logger.warn({ err: (error as Error).message, what, attempt, delay }, "rpc request failed, retrying");
        await sleep(delay);
      }
    }
  }

  async call<T>(method: string, params: unknown[]): Promise<T> {
    const reply = (await this.post({ jsonrpc: "2.0", id: this.nextId++, method, params }, method)) as Reply;
    if (reply.error) throw new RpcError(method, reply.error.code, reply.error.message);
    return reply.result as T;
  }

  /** One HTTP request carrying every call; results in the order of `calls`. */
  async batch<T>(method: string, calls: unknown[][]): Promise<T[]> {
    if (calls.length === 0) return [];
    const first = this.nextId;
    this.nextId += calls.length;
    const body = calls.map((params, i) => ({ jsonrpc: "2.0", id: first + i, method, params }));
    const replies = (await this.post(body, method)) as Reply[];
    if (!Array.isArray(replies)) throw new RpcError(method, -32600, "batch request answered with a single reply");
    const byId = new Map(replies.map((r) => [r.id, r]));
    return calls.map((_, i) => {
      const reply = byId.get(first + i);
      if (!reply) throw new RpcError(method, -32603, `no reply for batch item ${i}`);
      if (reply.error) throw new RpcError(method, reply.error.code, reply.error.message);
      return reply.result as T;
    });
  }

  getSlot(commitment: Commitment): Promise<number> {
    return this.call<number>("getSlot", [{ commitment }]);
  }

  /** Newest first, at most `limit`, strictly older than `before` and newer than `until`. */
  getSignaturesForAddress(
    address: string,
    options: { before?: string; until?: string; limit: number; commitment: Commitment },
  ): Promise<SignatureInfo[]> {
    return this.call<SignatureInfo[]>("getSignaturesForAddress", [address, options]);
  }

  getTransactions(signatures: string[], commitment: Commitment): Promise<(TransactionInfo | null)[]> {
    return this.batch<TransactionInfo | null>(
      "getTransaction",
      signatures.map((s) => [s, { encoding: "json", commitment, maxSupportedTransactionVersion: 0 }]),
    );
  }
}
