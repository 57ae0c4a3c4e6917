// Events the program emits (`emit!`, as `Program data:` log lines), parsed from a transaction's
// logs with Anchor's EventParser into a typed union keyed by event name.
import { EventParser, type IdlEvents } from "@coral-xyz/anchor";
import type { PublicKey, VersionedTransactionResponse, TransactionResponse } from "@solana/web3.js";
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

const parser = new EventParser(PROGRAM_ID, marketplaceCoder);

/**
 * Every marketplace event in a transaction's log messages, in emission order. Logs of other
 * programs (and of this program invoked by them) are told apart by the invoke/success lines.
 */
export function parseEvents(logs: readonly string[]): MarketplaceEvent[] {
  return [...parser.parseLogs([...logs])] as MarketplaceEvent[];
}

/** The events of a fetched transaction (empty when it has no log messages). */
export function transactionEvents(tx: TransactionResponse | VersionedTransactionResponse): MarketplaceEvent[] {
  return parseEvents(tx.meta?.logMessages ?? []);
}

/** The data of every event called `name` among `events`. */
export function eventsNamed<N extends MarketplaceEventName>(events: readonly MarketplaceEvent[], name: N): Events[N][] {
  return events.filter((e) => e.name === name).map((e) => e.data as Events[N]);
}

/** An event with its place in the transaction: the key an indexer stores it under. */
export interface LocatedEvent {
  /** Index of the top-level instruction whose execution (directly or through CPI) emitted it. */
  instructionIndex: number;
  /** Order of the event among the marketplace events of that instruction. */
  eventIndex: number;
  event: MarketplaceEvent;
}

/** A `Program data:` line of the marketplace that could not be decoded, or logs that were cut. */
export interface UndecodableEvent {
  instructionIndex: number;
  eventIndex: number;
  reason: string;
}

const INVOKE = /^Program (\w+) invoke \[(\d+)\]$/;
const EXIT = /^Program (\w+) (success|failed)/;
const DATA = "Program data: ";

/**
 * Walks a transaction's logs with a call stack (like Anchor's EventParser) and decodes every
 * `Program data:` line the marketplace program wrote, keyed by (instruction index, event index).
 * Nothing is dropped silently: a line that does not decode, or logs the runtime truncated, come
 * back in `undecodable` with the reason.
 */
export function locateEvents(
  logs: readonly string[],
  programId: PublicKey = PROGRAM_ID,
): { events: LocatedEvent[]; undecodable: UndecodableEvent[] } {
  const program = programId.toBase58();
  const events: LocatedEvent[] = [];
  const undecodable: UndecodableEvent[] = [];
  const stack: string[] = [];
  let instructionIndex = -1;
  let eventIndex = 0;
  for (const line of logs) {
    const invoke = INVOKE.exec(line);
    if (invoke) {
      if (invoke[2] === "1") {
        instructionIndex += 1;
        eventIndex = 0;
        stack.length = 0;
      }
      stack.push(invoke[1]!);
      continue;
    }
    if (EXIT.test(line)) {
      stack.pop();
      continue;
    }
    if (line === "Log truncated") {
      undecodable.push({ instructionIndex, eventIndex, reason: "logs truncated by the runtime: later events are missing" });
      break;
    }
    if (!line.startsWith(DATA) || stack[stack.length - 1] !== program) continue;
    const position = { instructionIndex, eventIndex };
    eventIndex += 1;
    let decoded: MarketplaceEvent | null = null;
    try {
      decoded = marketplaceCoder.events.decode(line.slice(DATA.length)) as MarketplaceEvent | null;
    } catch (error) {
      undecodable.push({ ...position, reason: `event data does not decode: ${(error as Error).message}` });
      continue;
    }
    if (!decoded) undecodable.push({ ...position, reason: "unknown event discriminator" });
    else events.push({ ...position, event: decoded });
  }
  return { events, undecodable };
}
