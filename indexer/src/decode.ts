// Decode stage: a transaction as a source delivers it (signature, slot, error, logs) becomes the
// marketplace events it emitted, each keyed by (signature, instruction index, event index), plus
// whatever could not be decoded. Failed transactions carry no events; nothing here throws.
import { PublicKey } from "@solana/web3.js";
import { locateEvents, type LocatedEvent } from "@skill-marketplace/sdk";

/** A transaction that mentions the program, from backfill (getTransaction) or live (logsSubscribe). */
export interface ChainTransaction {
  signature: string;
  slot: number;
  /** The transaction's error; a failed transaction changed nothing and is skipped. */
  err: unknown;
  /** Log messages; null when the node returned none. */
  logs: string[] | null;
  /** Why the transaction itself could not be read (it is dead-lettered with this reason). */
  unavailable?: string;
}

export interface DeadLetterInput {
  instructionIndex: number;
  eventIndex: number;
  reason: string;
}

export interface DecodedTransaction {
  signature: string;
  slot: number;
  failed: boolean;
  events: LocatedEvent[];
  deadLetters: DeadLetterInput[];
  logs: string[] | null;
}

export function decodeTransaction(tx: ChainTransaction, programId: PublicKey): DecodedTransaction {
  const base = { signature: tx.signature, slot: tx.slot, logs: tx.logs };
  if (tx.err !== null && tx.err !== undefined) return { ...base, failed: true, events: [], deadLetters: [] };
  if (tx.unavailable) return { ...base, failed: false, events: [], deadLetters: [{ instructionIndex: -1, eventIndex: -1, reason: tx.unavailable }] };
  if (!tx.logs) {
    return {
      ...base,
      failed: false,
      events: [],
      deadLetters: [{ instructionIndex: -1, eventIndex: -1, reason: "transaction has no log messages" }],
    };
  }
  try {
    const { events, undecodable } = locateEvents(tx.logs, programId);
    return { ...base, failed: false, events, deadLetters: undecodable };
  } catch (error) {
    return {
      ...base,
      failed: false,
      events: [],
      deadLetters: [{ instructionIndex: -1, eventIndex: -1, reason: `logs could not be read: ${(error as Error).message}` }],
    };
  }
}
