// Decode stage: a transaction as a source delivers it (signature, slot, error, account keys,
// inner instructions, logs) becomes the marketplace events it emitted (self-CPIs, see the sdk's
// events.ts), each keyed by (signature, instruction index, event index), plus whatever could not
// be decoded. Failed transactions carry no events; nothing here throws.
import { PublicKey } from "@solana/web3.js";
import { locateEvents, type InnerInstructionSet, type LocatedEvent } from "@skill-marketplace/sdk";
import type { TransactionInfo } from "./rpc.js";

/** A transaction that mentions the program, as getTransaction returned it. */
export interface ChainTransaction {
  signature: string;
  slot: number;
  /** The transaction's error; a failed transaction changed nothing and is skipped. */
  err: unknown;
  /** Every account of the transaction (static keys, then loaded ones); null when the node returned none. */
  accountKeys: string[] | null;
  innerInstructions: InnerInstructionSet[] | null;
  /** Log messages, kept with a dead letter; null when the node returned none. */
  logs: string[] | null;
  /** Why the transaction itself could not be read (it is dead-lettered with this reason). */
  unavailable?: string;
}

/** The ChainTransaction of a getTransaction result. */
export function chainTransaction(signature: string, info: TransactionInfo): ChainTransaction {
  const loaded = info.meta?.loadedAddresses;
  return {
    signature,
    slot: info.slot,
    err: info.meta?.err ?? null,
    accountKeys: [...info.transaction.message.accountKeys, ...(loaded?.writable ?? []), ...(loaded?.readonly ?? [])],
    innerInstructions: info.meta?.innerInstructions ?? null,
    logs: info.meta?.logMessages ?? null,
  };
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
  if (!tx.accountKeys || !tx.innerInstructions) {
    return {
      ...base,
      failed: false,
      events: [],
      deadLetters: [{ instructionIndex: -1, eventIndex: -1, reason: "transaction has no inner instructions (the node did not record them)" }],
    };
  }
  try {
    const { events, undecodable } = locateEvents({ accountKeys: tx.accountKeys, innerInstructions: tx.innerInstructions }, programId);
    return { ...base, failed: false, events, deadLetters: undecodable };
  } catch (error) {
    return {
      ...base,
      failed: false,
      events: [],
      deadLetters: [{ instructionIndex: -1, eventIndex: -1, reason: `inner instructions could not be read: ${(error as Error).message}` }],
    };
  }
}
