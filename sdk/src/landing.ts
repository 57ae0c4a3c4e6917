// Whether a sent transaction landed, without guessing: its status is polled until the cluster confirms it (ok or
// failed) or its blockhash expires unseen, after which it can never land. A bare `confirmTransaction(signature)`
// waits a fixed time and then cannot tell "not yet" from "never"; this can, so money is never counted as moved (or
// as not moved) on a timeout.
import type { Connection, TransactionError } from "@solana/web3.js";

export type Landing = { landed: true; err: TransactionError | null } | { landed: false; reason: "expired" };

export interface LandingOptions {
  /** Between polls (default 400 ms: about a slot). */
  pollMs?: number;
  /** Sends the raw transaction again every this many polls while it is unseen (default 5; 0: never). */
  resendEvery?: number;
  /** The transaction's bytes, to send again while unseen (nodes drop transactions under load). */
  raw?: Uint8Array;
  /** Gives up on an RPC node that keeps failing after this long (default 120 s): throws the last error. */
  maxMs?: number;
}

const confirmed = (s: { confirmationStatus?: string } | null | undefined) => s?.confirmationStatus === "confirmed" || s?.confirmationStatus === "finalized";

/** Waits until `signature` (a transaction made with `blockhash`) is confirmed, or can never be. */
export async function awaitLanding(connection: Connection, signature: string, blockhash: string, o: LandingOptions = {}): Promise<Landing> {
  const pollMs = o.pollMs ?? 400;
  const resendEvery = o.resendEvery ?? 5;
  const deadline = Date.now() + (o.maxMs ?? 120_000);
  for (let poll = 1; ; poll++) {
    try {
      const status = (await connection.getSignatureStatuses([signature])).value[0];
      if (confirmed(status)) return { landed: true, err: status!.err };
      const fresh = await connection.isBlockhashValid(blockhash, { commitment: "confirmed" });
      if (!fresh.value) {
        // It may have landed in the last slots its blockhash lived: asked once more, with the history.
        const last = (await connection.getSignatureStatuses([signature], { searchTransactionHistory: true })).value[0];
        return confirmed(last) ? { landed: true, err: last!.err } : { landed: false, reason: "expired" };
      }
      if (o.raw && resendEvery > 0 && poll % resendEvery === 0 && !status) {
        await connection.sendRawTransaction(o.raw, { skipPreflight: true, maxRetries: 0 }).catch(() => undefined);
      }
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
