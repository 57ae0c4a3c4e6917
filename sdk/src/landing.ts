// Whether a sent transaction landed, without guessing: the node's signature notification answers as soon as the
// cluster confirms it (ok or failed), and its status is polled besides (a notification can be lost with its
// socket) until it is confirmed or its blockhash expires unseen, after which it can never land. A bare `confirmTransaction(signature)`
// waits a fixed time and then cannot tell "not yet" from "never"; this can, so money is never counted as moved (or
// as not moved) on a timeout.
import type { Connection, TransactionError } from "@solana/web3.js";

export type Landing = { landed: true; err: TransactionError | null } | { landed: false; reason: "expired" };

export interface LandingOptions {
  /** Between polls (default 1 s; the notification usually answers first). */
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
  const pollMs = o.pollMs ?? 1_000;
  const resendEvery = o.resendEvery ?? 5;
  const deadline = Date.now() + (o.maxMs ?? 120_000);
  let notified: (err: TransactionError | null) => void = () => undefined;
  const notification = new Promise<TransactionError | null>((resolve) => (notified = resolve));
  let subscription: number | null = null;
  try {
    subscription = connection.onSignature(
      signature,
      (result) => {
        // A signature subscription ends with its one notification.
        subscription = null;
        notified(result.err);
      },
      "confirmed",
    );
  } catch {
    // No socket: polling alone.
  }
  try {
    return await follow(connection, signature, blockhash, { pollMs, resendEvery, deadline, raw: o.raw }, notification);
  } finally {
    if (subscription !== null) await connection.removeSignatureListener(subscription).catch(() => undefined);
  }
}

async function follow(
  connection: Connection,
  signature: string,
  blockhash: string,
  o: { pollMs: number; resendEvery: number; deadline: number; raw?: Uint8Array },
  notification: Promise<TransactionError | null>,
): Promise<Landing> {
  const { pollMs, resendEvery, deadline } = o;
  const notice = notification.then((err) => ({ landed: true as const, err }));
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
    let timer: ReturnType<typeof setTimeout> | undefined;
    const landed = await Promise.race([notice, new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), pollMs)))]);
    clearTimeout(timer);
    if (landed) return landed;
  }
}
