// The message the indexer publishes after each committed batch, naming what changed, and the
// channel it goes to: one definition for the writer (indexer) and every reader that caches what
// the chain says (api, executor).
export const DEFAULT_INVALIDATION_CHANNEL = "skill-marketplace:invalidate";

export interface Invalidation {
  /** Skill accounts whose rows changed. */
  skills: string[];
  /** License accounts whose rows changed. */
  licenses: string[];
  /** The batch's last transaction. */
  slot: number;
  signature: string;
}

export function encodeInvalidation(message: Invalidation): string {
  return JSON.stringify({ skills: message.skills, licenses: message.licenses, slot: message.slot, signature: message.signature });
}

/** The message in `text`, or null when it is not one (a reader then drops everything it cached). */
export function decodeInvalidation(text: string): Invalidation | null {
  try {
    const m = JSON.parse(text) as Partial<Invalidation>;
    const strings = (v: unknown) => Array.isArray(v) && v.every((s) => typeof s === "string");
    if (strings(m.skills) && strings(m.licenses) && typeof m.slot === "number" && typeof m.signature === "string") {
      return { skills: m.skills!, licenses: m.licenses!, slot: m.slot, signature: m.signature };
    }
  } catch {
    // not JSON
  }
  return null;
}
