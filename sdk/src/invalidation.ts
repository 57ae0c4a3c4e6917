// The message the indexer publishes after each committed batch, naming what changed, and the
// channel it goes to: one definition for the writer (indexer) and every reader that caches what
// the chain says (api, executor).
export const DEFAULT_INVALIDATION_CHANNEL = "skill-marketplace:invalidate";

/**
 * The Redis counter of cache generations. The indexer moves it once per committed batch (INCR)
 * and names the new value in its message, so every reader moves to the same generation (and
 * readers share what they cached under it) instead of each counting on its own.
 */
export const CACHE_GENERATION_KEY = "cache:generation";

export interface Invalidation {
  /** Skill accounts whose rows changed. */
  skills: string[];
  /** License accounts whose rows changed. */
  licenses: string[];
  /** The batch's last transaction. */
  slot: number;
  signature: string;
  /** The cache generation the batch moved CACHE_GENERATION_KEY to. */
  generation: number;
}

export function encodeInvalidation(message: Invalidation): string {
  return JSON.stringify({ skills: message.skills, licenses: message.licenses, slot: message.slot, signature: message.signature, generation: message.generation });
}

/** The message in `text`, or null when it is not one (a reader then drops everything it cached). */
export function decodeInvalidation(text: string): Invalidation | null {
  try {
    const m = JSON.parse(text) as Partial<Invalidation>;
    const strings = (v: unknown) => Array.isArray(v) && v.every((s) => typeof s === "string");
    if (strings(m.skills) && strings(m.licenses) && typeof m.slot === "number" && typeof m.signature === "string" && Number.isSafeInteger(m.generation)) {
      return { skills: m.skills!, licenses: m.licenses!, slot: m.slot, signature: m.signature, generation: m.generation! };
    }
  } catch {
    // not JSON
  }
  return null;
}
