// Sends a cached answer as it was stored: its bytes and entity tag were made once per answer, so
// nothing is serialized or hashed per request; a client whose copy is current gets a 304.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Cached } from "../adapters/cache.js";

/** Whether the client's copy is current: If-None-Match names this tag (or `*`), and no-cache was not asked. */
function fresh(req: IncomingMessage, etag: string): boolean {
  const match = req.headers["if-none-match"];
  if (!match || /(?:^|,)\s*no-cache\s*(?:,|$)/.test(req.headers["cache-control"] ?? "")) return false;
  return match.split(",").some((tag) => {
    const t = tag.trim();
    return t === "*" || t === etag || t === `W/${etag}`;
  });
}

/** Sends a cached answer as stored (304 when the client's copy is current); no serialization per request. */
export function sendCached(req: IncomingMessage, res: ServerResponse, cached: Cached): void {
  res.setHeader("x-cache", cached.hit ? "hit" : "miss");
  res.setHeader("ETag", cached.etag);
  if (fresh(req, cached.etag)) {
    res.statusCode = 304;
    res.end();
    return;
  }
  res.statusCode = 200;
  res.setHeader("Content-Type", "application/json; charset=utf-8");
  res.setHeader("Content-Length", cached.body.length);
  res.end(cached.body);
}
