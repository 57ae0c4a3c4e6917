// Events the program emits. They travel as self-CPIs (Anchor's `event_cpi`): an inner instruction
// from the program to itself, signed by its event authority, whose data is Anchor's event tag,
// the event's discriminator and its Borsh fields. They are read from a transaction's inner
// instructions, which the runtime never truncates (log lines it does, past 10 000 bytes, and
// anyone can pad a transaction's logs), into a typed union keyed by event name.
import type { IdlEvents } from "@coral-xyz/anchor";
import type { PublicKey, VersionedTransactionResponse, TransactionResponse } from "@solana/web3.js";
import { Buffer } from "buffer";
import { base58Decode } from "./base58.js";
import { marketplaceCoder, PROGRAM_ID, type SkillMarketplace } from "./program.js";

type Events = IdlEvents<SkillMarketplace>;
export type MarketplaceEventName = keyof Events;
/** One decoded event: `{ name: "licensePurchased", data: {...} }`, narrowed by `name`. */
export type MarketplaceEvent = { [N in MarketplaceEventName]: { name: N; data: Events[N] } }[MarketplaceEventName];
export type EventData<N extends MarketplaceEventName> = Events[N];

export type LicensePurchasedEvent = Events["licensePurchased"];
export type UsageRecordedEvent = Events["usageRecorded"];
export type ReviewPostedEvent = Events["reviewPosted"];
export type SkillRegisteredEvent = Events["skillRegistered"];
export type AgentRegisteredEvent = Events["agentRegistered"];
export type MarketplaceInitializedEvent = Events["marketplaceInitialized"];

/** Anchor's tag in front of every event self-CPI's data (`EVENT_IX_TAG`, little-endian). */
export const EVENT_IX_TAG = Buffer.from("e445a52e51cb9a1d", "hex");

/** A transaction's inner instructions, as getTransaction's "json" encoding gives them. */
export interface InnerInstructionSet {
  /** Index of the top-level instruction they ran under. */
  index: number;
  instructions: readonly { programIdIndex: number; data: string }[];
}

/** What events are read from: the full account list (static keys, then loaded ones) and the inner instructions. */
export interface EventSource {
  accountKeys: readonly string[];
  innerInstructions: readonly InnerInstructionSet[] | null | undefined;
}

/** An event with its place in the transaction: the key an indexer stores it under. */
export interface LocatedEvent {
  /** Index of the top-level instruction whose execution emitted it. */
  instructionIndex: number;
  /** Order of the event among the marketplace events of that instruction. */
  eventIndex: number;
  event: MarketplaceEvent;
}

/** An event self-CPI of the marketplace whose data could not be decoded. */
export interface UndecodableEvent {
  instructionIndex: number;
  eventIndex: number;
  reason: string;
}

/**
 * Every event the marketplace program emitted in a transaction, keyed by (instruction index,
 * event index). Only inner instructions count: a top-level instruction carrying the event tag is
 * not an event (the program refuses it: only the program itself can sign as its event authority).
 * Nothing is dropped silently: data that does not decode comes back in `undecodable` with why.
 */
export function locateEvents(tx: EventSource, programId: PublicKey = PROGRAM_ID): { events: LocatedEvent[]; undecodable: UndecodableEvent[] } {
  const program = programId.toBase58();
  const events: LocatedEvent[] = [];
  const undecodable: UndecodableEvent[] = [];
  const sets = [...(tx.innerInstructions ?? [])].sort((a, b) => a.index - b.index);
  for (const set of sets) {
    let eventIndex = 0;
    for (const inner of set.instructions) {
      if (tx.accountKeys[inner.programIdIndex] !== program) continue;
      let data: Buffer;
      try {
        data = base58Decode(inner.data);
      } catch (error) {
        undecodable.push({ instructionIndex: set.index, eventIndex: eventIndex++, reason: `instruction data is not base58: ${(error as Error).message}` });
        continue;
      }
      if (data.length < EVENT_IX_TAG.length || !data.subarray(0, EVENT_IX_TAG.length).equals(EVENT_IX_TAG)) continue;
      const position = { instructionIndex: set.index, eventIndex: eventIndex++ };
      let decoded: MarketplaceEvent | null = null;
      try {
        decoded = marketplaceCoder.events.decode(data.subarray(EVENT_IX_TAG.length).toString("base64")) as MarketplaceEvent | null;
      } catch (error) {
        undecodable.push({ ...position, reason: `event data does not decode: ${(error as Error).message}` });
        continue;
      }
      if (!decoded) undecodable.push({ ...position, reason: "unknown event discriminator" });
      else events.push({ ...position, event: decoded });
    }
  }
  return { events, undecodable };
}

/** The full account list of a fetched transaction: static keys, then the ones loaded from lookup tables. */
export function accountKeysOf(tx: TransactionResponse | VersionedTransactionResponse): string[] {
  const loaded = tx.meta?.loadedAddresses;
  const keys = tx.transaction.message.getAccountKeys(loaded ? { accountKeysFromLookups: loaded } : undefined);
  return keys.keySegments().flat().map((k) => k.toBase58());
}

/** The events of a fetched transaction, in emission order (empty when it has none). */
export function transactionEvents(tx: TransactionResponse | VersionedTransactionResponse): MarketplaceEvent[] {
  const source = { accountKeys: accountKeysOf(tx), innerInstructions: tx.meta?.innerInstructions };
  return locateEvents(source).events.map((e) => e.event);
}

/** The data of every event called `name` among `events`. */
export function eventsNamed<N extends MarketplaceEventName>(events: readonly MarketplaceEvent[], name: N): Events[N][] {
  return events.filter((e) => e.name === name).map((e) => e.data as Events[N]);
}

