// Events the program emits (`emit!`, as `Program data:` log lines), parsed from a transaction's
// logs with Anchor's EventParser into a typed union keyed by event name.
import { EventParser, type IdlEvents } from "@coral-xyz/anchor";
import type { VersionedTransactionResponse, TransactionResponse } from "@solana/web3.js";
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
