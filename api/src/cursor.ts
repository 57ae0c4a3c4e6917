// Keyset cursors for the lists the api pages through: the sort, the last row's sort value and
// its address, opaque to callers (base64url JSON) and checked strictly when they come back.
import { isPublicKey } from "@skill-marketplace/sdk";
import { invalid } from "./errors.js";

export type Sort = "popular" | "newest" | "rating" | "relevance";

export interface Cursor {
  s: Sort;
  v: string;
  a: string;
}

export const encodeCursor = (c: Cursor) => Buffer.from(JSON.stringify(c)).toString("base64url");

/**
 * A timestamp the database accepts as it was written: the shape of `toISOString`, and a real
 * instant (no 31 February, no hour 25, no year 0), so a forged cursor cannot reach PostgreSQL as
 * a value it refuses.
 */
function isInstant(text: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,6})?Z$/.exec(text);
  if (!match || Number(match[1]) < 1) return false;
  const at = new Date(`${match.slice(1, 4).join("-")}T${match.slice(4, 7).join(":")}Z`);
  return !Number.isNaN(at.getTime()) && at.toISOString().slice(0, 19) === text.slice(0, 19);
}

/** The cursor in `value` for a list sorted by `sort`; invalid_cursor when it is not one this list returned. */
export function decodeCursor(value: string, sort: Sort): Cursor {
  try {
    const c = JSON.parse(Buffer.from(value, "base64url").toString("utf8")) as Cursor;
    const valid =
      c.s === sort &&
      typeof c.a === "string" &&
      typeof c.v === "string" &&
      // The last row's address: a public key (so no NUL or other text PostgreSQL refuses).
      isPublicKey(c.a) &&
      (sort === "newest" ? isInstant(c.v) : /^-?\d{1,40}(\.\d{1,40})?(e-?\d{1,3})?$/i.test(c.v));
    if (valid) return c;
  } catch {
    // fall through
  }
  throw invalid("invalid_cursor", "cursor is not one this query returned; start again without it");
}
