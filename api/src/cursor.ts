// Keyset cursors for the lists the api pages through: the sort, the last row's sort value and
// its address, opaque to callers (base64url JSON) and checked strictly when they come back.
import { invalid } from "./errors.js";

export type Sort = "popular" | "newest" | "rating" | "relevance";

export interface Cursor {
  s: Sort;
  v: string;
  a: string;
}

export const encodeCursor = (c: Cursor) => Buffer.from(JSON.stringify(c)).toString("base64url");

/** The cursor in `value` for a list sorted by `sort`; invalid_cursor when it is not one this list returned. */
export function decodeCursor(value: string, sort: Sort): Cursor {
  try {
    const c = JSON.parse(Buffer.from(value, "base64url").toString("utf8")) as Cursor;
    const valid =
      c.s === sort &&
      typeof c.a === "string" &&
      typeof c.v === "string" &&
      (sort === "newest" ? /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/.test(c.v) : /^-?\d{1,40}(\.\d{1,40})?(e-?\d{1,3})?$/i.test(c.v));
    if (valid) return c;
  } catch {
    // fall through
  }
  throw invalid("invalid_cursor", "cursor is not one this query returned; start again without it");
}
