// Projection: turns the new events of a batch (in chain order) into the changes the tables need.
// State tables (marketplaces, agents, skills, licenses, reviews) get one merged patch per row:
// the fields each event sets, in order, so the last event wins, plus counters to add. History
// tables (skill versions, purchases, usage) get one row per event. Nothing here touches the database.
import type {
  AGENTS,
  ColumnName,
  CURRENCIES,
  HistoryTable,
  LICENSES,
  MARKETPLACES,
  METER_AUTHORITIES,
  PURCHASES,
  REVIEWS,
  SKILL_VERSIONS,
  SKILLS,
  StateTable,
  USAGE_EVENTS,
} from "@skill-marketplace/db";
import { semverText, type LocatedEvent, type MarketplaceEvent } from "@skill-marketplace/sdk";
import type { DecodedTransaction, DeadLetterInput } from "./decode.js";

type Value = string | number | boolean | null;

/**
 * A row's change within one batch: `full` when an event carried the whole row (creation). Values
 * and counters are named by the table's columns (`@skill-marketplace/db`), so a misspelt or
 * dropped column does not compile.
 */
export interface Patch<S extends StateTable = StateTable> {
  full: boolean;
  values: Partial<Record<S["columns"][number]["name"], Value>>;
  deltas: Partial<Record<S["counters"][number]["name"], bigint>>;
  slot: number;
}

export interface EventKey {
  signature: string;
  instructionIndex: number;
  eventIndex: number;
}

export type HistoryRow<H extends HistoryTable = HistoryTable> = EventKey & { slot: number; values: Record<ColumnName<H>, Value> };

export interface Changes {
  marketplaces: Map<string, Patch<typeof MARKETPLACES>>;
  meterAuthorities: Map<string, Patch<typeof METER_AUTHORITIES>>;
  currencies: Map<string, Patch<typeof CURRENCIES>>;
  agents: Map<string, Patch<typeof AGENTS>>;
  skills: Map<string, Patch<typeof SKILLS>>;
  licenses: Map<string, Patch<typeof LICENSES>>;
  reviews: Map<string, Patch<typeof REVIEWS>>;
  skillVersions: HistoryRow<typeof SKILL_VERSIONS>[];
  purchases: HistoryRow<typeof PURCHASES>[];
  usage: HistoryRow<typeof USAGE_EVENTS>[];
  /** Per (skill, UTC day): sales, revenue and units; currency when a purchase told it. */
  daily: Map<string, { skill: string; day: string; currency: string | null; sales: number; revenue: bigint; units: bigint }>;
  deadLetters: (DeadLetterInput & { signature: string; slot: number; logs: string[] | null })[];
  /** Ids for the cache invalidation message. */
  changedSkills: Set<string>;
  changedLicenses: Set<string>;
}

export function emptyChanges(): Changes {
  return {
    marketplaces: new Map(),
    meterAuthorities: new Map(),
    currencies: new Map(),
    agents: new Map(),
    skills: new Map(),
    licenses: new Map(),
    reviews: new Map(),
    skillVersions: [],
    purchases: [],
    usage: [],
    daily: new Map(),
    deadLetters: [],
    changedSkills: new Set(),
    changedLicenses: new Set(),
  };
}

// Anchor decodes u64/i64 as BN, pubkeys as PublicKey, byte arrays as number[], enums as { variant: {} }.
const str = (v: { toString(): string }) => v.toString();
const key = (v: { toBase58(): string }) => v.toBase58();
const optKey = (v: { toBase58(): string } | null) => (v ? v.toBase58() : null);
const hex = (bytes: number[]) => Buffer.from(bytes).toString("hex");
const time = (unix: { toString(): string }) => new Date(Number(unix.toString()) * 1000).toISOString();
const variant = (v: object) => Object.keys(v)[0] ?? "unknown";
const currencyOf = (mint: { toBase58(): string } | null) => (mint ? mint.toBase58() : "SOL");

function patch<S extends StateTable>(map: Map<string, Patch<S>>, id: string, slot: number, full: boolean, values: Patch<S>["values"], deltas: Patch<S>["deltas"] = {}): void {
  let current = map.get(id);
  if (!current || full) {
    // A full event replaces what came before it in the batch; counters collected so far stay.
    current = { full: full || (current?.full ?? false), values: {}, deltas: current?.deltas ?? {}, slot };
    map.set(id, current);
  }
  Object.assign(current.values, values);
  const sums = current.deltas as Record<string, bigint>;
  for (const [name, amount] of Object.entries(deltas as Record<string, bigint>)) sums[name] = (sums[name] ?? 0n) + amount;
  current.slot = Math.max(current.slot, slot);
}

/** A skill version's provenance as its columns (shared by skills and skill_versions). */
function provenanceColumns(p: { docsCid: string; commitSha: number[]; imageDigest: number[] }) {
  return { docs_cid: p.docsCid, commit_sha: hex(p.commitSha), image_digest: hex(p.imageDigest) };
}

/** The skill_versions row of a registration (no previous version) or an update. */
function versionRow(
  at: EventKey & { slot: number },
  skill: string,
  e: { version: { major: number; minor: number; patch: number }; category: string; price: { toString(): string }; provenance: { docsCid: string; commitSha: number[]; imageDigest: number[] }; timestamp: { toString(): string } },
  previousVersion: string | null,
  effectiveAt: { toString(): string },
): HistoryRow<typeof SKILL_VERSIONS> {
  return {
    ...at,
    values: {
      skill,
      version: semverText(e.version),
      previous_version: previousVersion,
      category: e.category,
      price: str(e.price),
      ...provenanceColumns(e.provenance),
      published_at: time(e.timestamp),
      effective_at: time(effectiveAt),
    },
  };
}

/** The skills columns of what an update left pending (all null when nothing is). */
function pendingColumns(e: {
  pendingVersion: { version: { major: number; minor: number; patch: number }; provenance: { docsCid: string; commitSha: number[]; imageDigest: number[] }; effectiveAt: { toString(): string } } | null;
  pendingPrice: { price: { toString(): string }; effectiveAt: { toString(): string } } | null;
}) {
  const v = e.pendingVersion;
  const p = e.pendingPrice;
  return {
    pending_version: v ? semverText(v.version) : null,
    pending_docs_cid: v ? v.provenance.docsCid : null,
    pending_commit_sha: v ? hex(v.provenance.commitSha) : null,
    pending_image_digest: v ? hex(v.provenance.imageDigest) : null,
    pending_version_at: v ? time(v.effectiveAt) : null,
    pending_price: p ? str(p.price) : null,
    pending_price_at: p ? time(p.effectiveAt) : null,
  };
}

function addDaily(changes: Changes, skill: string, timestamp: { toString(): string }, add: { currency?: string; sales?: number; revenue?: bigint; units?: bigint }): void {
  const day = time(timestamp).slice(0, 10);
  const id = `${skill}:${day}`;
  let entry = changes.daily.get(id);
  if (!entry) {
    entry = { skill, day, currency: null, sales: 0, revenue: 0n, units: 0n };
    changes.daily.set(id, entry);
  }
  if (add.currency) entry.currency = add.currency;
  entry.sales += add.sales ?? 0;
  entry.revenue += add.revenue ?? 0n;
  entry.units += add.units ?? 0n;
}

type At = EventKey & { slot: number };
type EventNamed<N extends MarketplaceEvent["name"]> = Extract<MarketplaceEvent, { name: N }>;

/** The marketplace family: its configuration row, meter authorities, currencies, fee withdrawals. */
function projectMarketplace(
  changes: Changes,
  at: At,
  event: EventNamed<"marketplaceInitialized" | "marketplaceUpdated" | "meterAuthorityAdded" | "meterAuthorityRevoked" | "currencyAdded" | "currencyRemoved" | "feesWithdrawn" | "vaultSplit">,
): void {
  const slot = at.slot;
  switch (event.name) {
    case "marketplaceInitialized": {
      const e = event.data;
      patch(changes.marketplaces, key(e.marketplace), slot, true, {
        admin: key(e.admin),
        pending_admin: null,
        pauser: key(e.pauser),
        treasury: key(e.treasury),
        fee_bps: e.feeBps,
        pending_fee_bps: null,
        fee_effective_at: null,
        notice_secs: str(e.noticeSecs),
        paused: false,
        updated_at: time(e.timestamp),
      });
      return;
    }
    case "marketplaceUpdated": {
      const e = event.data;
      patch(changes.marketplaces, key(e.marketplace), slot, true, {
        admin: key(e.admin),
        pending_admin: optKey(e.pendingAdmin),
        pauser: key(e.pauser),
        treasury: key(e.treasury),
        fee_bps: e.feeBps,
        pending_fee_bps: e.pendingFee ? e.pendingFee.feeBps : null,
        fee_effective_at: e.pendingFee ? time(e.pendingFee.effectiveAt) : null,
        notice_secs: str(e.noticeSecs),
        paused: e.paused,
        updated_at: time(e.timestamp),
      });
      return;
    }
    case "meterAuthorityAdded": {
      const e = event.data;
      patch(changes.meterAuthorities, key(e.meter), slot, true, {
        authority: key(e.authority),
        active: true,
        added_at: time(e.timestamp),
        revoked_at: null,
      });
      return;
    }
    case "meterAuthorityRevoked": {
      const e = event.data;
      patch(changes.meterAuthorities, key(e.meter), slot, false, { active: false, revoked_at: time(e.timestamp) });
      return;
    }
    case "currencyAdded": {
      const e = event.data;
      patch(changes.currencies, key(e.mint), slot, true, {
        address: key(e.currency),
        token_program: key(e.tokenProgram),
        decimals: e.decimals,
        active: true,
        added_at: time(e.timestamp),
        removed_at: null,
      });
      return;
    }
    case "currencyRemoved": {
      const e = event.data;
      patch(changes.currencies, key(e.mint), slot, false, { active: false, removed_at: time(e.timestamp) });
      return;
    }
    case "feesWithdrawn":
    case "vaultSplit":
      // Money leaving the fee vault for the treasury, or a skill's pay-per-call vault for its seller and the
      // treasury: in the event ledger, no table of its own.
      return;
  }
}

/** The agent family: profiles. */
function projectAgent(changes: Changes, at: At, event: EventNamed<"agentRegistered" | "agentUpdated">): void {
  const slot = at.slot;
  switch (event.name) {
    case "agentRegistered": {
      const e = event.data;
      const t = time(e.timestamp);
      patch(changes.agents, key(e.wallet), slot, true, {
        address: key(e.agent),
        name: e.name,
        metadata_uri: e.metadataUri,
        registered_at: t,
        updated_at: t,
      });
      return;
    }
    case "agentUpdated": {
      const e = event.data;
      patch(changes.agents, key(e.wallet), slot, false, { name: e.name, metadata_uri: e.metadataUri, updated_at: time(e.timestamp) });
      return;
    }
  }
}

/** The skill family: skills, their version history, their listing. */
function projectSkill(changes: Changes, at: At, event: EventNamed<"skillRegistered" | "skillUpdated" | "skillActiveChanged" | "skillSuspensionChanged">): void {
  const slot = at.slot;
  switch (event.name) {
    case "skillRegistered": {
      const e = event.data;
      const skill = key(e.skill);
      const t = time(e.timestamp);
      const pricingKind = variant(e.pricing);
      const p = e.pricing as { subscription?: { intervalSecs: object }; usage?: { unitsPerPurchase: object } };
      patch(changes.skills, skill, slot, true, {
        author: key(e.author),
        slug: e.slug,
        version: semverText(e.version),
        pricing: pricingKind,
        interval_secs: p.subscription ? str(p.subscription.intervalSecs) : null,
        units_per_purchase: p.usage ? str(p.usage.unitsPerPurchase) : null,
        price: str(e.price),
        currency: currencyOf(e.currency),
        category: e.category,
        ...provenanceColumns(e.provenance),
        ...pendingColumns({ pendingVersion: null, pendingPrice: null }),
        active: true,
        suspended: false,
        suspension_cid: null,
        rating_sum: "0",
        rating_count: 0,
        weighted_rating_sum: "0",
        rating_weight: "0",
        created_at: t,
        updated_at: t,
      });
      patch(changes.agents, key(e.author), slot, false, {}, { skills_published: 1n });
      changes.skillVersions.push(versionRow(at, skill, e, null, e.timestamp));
      changes.changedSkills.add(skill);
      return;
    }
    case "skillUpdated": {
      const e = event.data;
      const skill = key(e.skill);
      const t = time(e.timestamp);
      patch(changes.skills, skill, slot, false, {
        version: semverText(e.version),
        category: e.category,
        price: str(e.price),
        ...provenanceColumns(e.provenance),
        ...pendingColumns(e),
        updated_at: t,
      });
      // The history row is the version this update published: pending until its effective time,
      // or in force at once (no notice period).
      const published = e.pendingVersion
        ? { ...e, version: e.pendingVersion.version, provenance: e.pendingVersion.provenance }
        : e;
      changes.skillVersions.push(versionRow(at, skill, published, semverText(e.previousVersion), e.pendingVersion?.effectiveAt ?? e.timestamp));
      changes.changedSkills.add(skill);
      return;
    }
    case "skillSuspensionChanged": {
      const e = event.data;
      patch(changes.skills, key(e.skill), slot, false, {
        suspended: e.suspended,
        suspension_cid: e.suspended ? e.reasonCid : null,
        updated_at: time(e.timestamp),
      });
      changes.changedSkills.add(key(e.skill));
      return;
    }
    case "skillActiveChanged": {
      const e = event.data;
      patch(changes.skills, key(e.skill), slot, false, { active: e.active, updated_at: time(e.timestamp) });
      changes.changedSkills.add(key(e.skill));
      return;
    }
  }
}

/** The license family: purchases (with the split and daily stats), usage, closing. */
function projectLicense(changes: Changes, at: At, event: EventNamed<"licensePurchased" | "usageRecorded" | "licenseClosed">): void {
  const slot = at.slot;
  switch (event.name) {
    case "licensePurchased": {
      const e = event.data;
      const license = key(e.license);
      const skill = key(e.skill);
      const t = time(e.timestamp);
      // The event carries the whole license after the purchase: a full patch.
      patch(changes.licenses, license, slot, true, {
        skill,
        buyer: key(e.buyer),
        kind: variant(e.kind),
        expires_at: str(e.expiresAt),
        usage_limit: str(e.usageLimit),
        usage_used: str(e.usageUsed),
        purchases: e.purchases,
        paid: str(e.licensePaid),
        purchased_at: t,
        closed: false,
        closed_at: null,
        refunded_lamports: null,
      });
      patch(changes.skills, skill, slot, false, {}, { sales: 1n, revenue: BigInt(str(e.paid)) });
      const currency = currencyOf(e.currency);
      changes.purchases.push({
        ...at,
        values: {
          license,
          skill,
          buyer: key(e.buyer),
          seller: key(e.seller),
          kind: variant(e.kind),
          currency,
          price: str(e.price),
          paid: str(e.paid),
          seller_amount: str(e.sellerAmount),
          fee_amount: str(e.feeAmount),
          fee_bps: e.feeBps,
          renewal: e.renewal,
          expires_at: str(e.expiresAt),
          usage_limit: str(e.usageLimit),
          reference: optKey(e.reference),
          purchased_at: t,
        },
      });
      addDaily(changes, skill, e.timestamp, { currency, sales: 1, revenue: BigInt(str(e.paid)) });
      changes.changedSkills.add(skill);
      changes.changedLicenses.add(license);
      return;
    }
    case "usageRecorded": {
      const e = event.data;
      const license = key(e.license);
      const skill = key(e.skill);
      patch(changes.licenses, license, slot, false, { usage_used: str(e.usageUsed), usage_limit: str(e.usageLimit) });
      patch(changes.skills, skill, slot, false, {}, { usage_units: BigInt(str(e.units)) });
      changes.usage.push({
        ...at,
        values: {
          license,
          skill,
          buyer: key(e.buyer),
          units: str(e.units),
          usage_used: str(e.usageUsed),
          usage_limit: str(e.usageLimit),
          receipts_root: hex(e.receiptsRoot),
          receipt_count: e.receiptCount,
          meter_authority: key(e.meterAuthority),
          recorded_at: time(e.timestamp),
        },
      });
      addDaily(changes, skill, e.timestamp, { units: BigInt(str(e.units)) });
      changes.changedSkills.add(skill);
      changes.changedLicenses.add(license);
      return;
    }
    case "licenseClosed": {
      const e = event.data;
      const license = key(e.license);
      patch(changes.licenses, license, slot, false, {
        closed: true,
        closed_at: time(e.timestamp),
        refunded_lamports: str(e.refundedLamports),
      });
      changes.changedLicenses.add(license);
      changes.changedSkills.add(key(e.skill));
      return;
    }
  }
}

/** The review family: reviews and the skill's ratings, plain and weighted. */
function projectReview(changes: Changes, at: At, event: EventNamed<"reviewPosted" | "reviewUpdated" | "reviewDeleted">): void {
  const slot = at.slot;
  const e = event.data;
  const skill = key(e.skill);
  const t = time(e.timestamp);
  switch (event.name) {
    case "reviewPosted":
    case "reviewUpdated": {
      const d = event.data;
      const posted = event.name === "reviewPosted";
      patch(changes.reviews, key(d.review), slot, posted, {
        ...(posted ? { skill, reviewer: key(d.reviewer), created_at: t, deleted: false } : {}),
        rating: d.rating,
        weight: str(d.weight),
        text_cid: d.textCid,
        updated_at: t,
      });
      break;
    }
    case "reviewDeleted":
      patch(changes.reviews, key(event.data.review), slot, false, { deleted: true, updated_at: t });
      break;
  }
  patch(changes.skills, skill, slot, false, {
    rating_sum: str(e.skillRatingSum),
    rating_count: e.skillRatingCount,
    weighted_rating_sum: str(e.skillWeightedRatingSum),
    rating_weight: str(e.skillRatingWeight),
  });
  changes.changedSkills.add(skill);
}

/** Applies one event to `changes`, by its family. Throws on data it cannot read (the caller dead-letters it). */
function projectEvent(changes: Changes, at: At, event: MarketplaceEvent): void {
  switch (event.name) {
    case "marketplaceInitialized":
    case "marketplaceUpdated":
    case "meterAuthorityAdded":
    case "meterAuthorityRevoked":
    case "currencyAdded":
    case "currencyRemoved":
    case "feesWithdrawn":
    case "vaultSplit":
      return projectMarketplace(changes, at, event);
    case "agentRegistered":
    case "agentUpdated":
      return projectAgent(changes, at, event);
    case "skillRegistered":
    case "skillUpdated":
    case "skillActiveChanged":
    case "skillSuspensionChanged":
      return projectSkill(changes, at, event);
    case "licensePurchased":
    case "usageRecorded":
    case "licenseClosed":
      return projectLicense(changes, at, event);
    case "reviewPosted":
    case "reviewUpdated":
    case "reviewDeleted":
      return projectReview(changes, at, event);
    default: {
      const unknown: never = event;
      throw new Error(`no projection for event ${(unknown as { name: string }).name}`);
    }
  }
}

/**
 * The changes of `transactions` (chain order), counting only events whose key is in `fresh`
 * (the ones the ledger had not seen). An event that cannot be projected becomes a dead letter.
 */
export function project(transactions: DecodedTransaction[], fresh: (e: EventKey) => boolean): Changes {
  const changes = emptyChanges();
  for (const tx of transactions) {
    for (const dead of tx.deadLetters) changes.deadLetters.push({ ...dead, signature: tx.signature, slot: tx.slot, logs: tx.logs });
    for (const located of tx.events as LocatedEvent[]) {
      const at = { signature: tx.signature, instructionIndex: located.instructionIndex, eventIndex: located.eventIndex, slot: tx.slot };
      if (!fresh(at)) continue;
      try {
        projectEvent(changes, at, located.event);
      } catch (error) {
        changes.deadLetters.push({
          signature: tx.signature,
          slot: tx.slot,
          instructionIndex: located.instructionIndex,
          eventIndex: located.eventIndex,
          reason: `event ${located.event.name} could not be projected: ${(error as Error).message}`,
          logs: tx.logs,
        });
      }
    }
  }
  return changes;
}
