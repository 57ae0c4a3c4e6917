// The indexer's health answer for supervisors and load balancers: `GET /health` is 200 while it
// follows live logs (the database is as current as the stream) and 503 while it connects, catches
// up from its cursor or stops, with the phase, the queue and the totals in the body either way.
import { createServer, type Server } from "node:http";
import type { Indexer } from "./indexer.js";

export function healthServer(indexer: Indexer, port: number, host = "127.0.0.1"): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.method !== "GET" || req.url !== "/health") {
      res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: { code: "not_found", message: "only GET /health is served here" } }));
      return;
    }
    const live = indexer.phase === "live";
    res
      .writeHead(live ? 200 : 503, { "content-type": "application/json", "cache-control": "no-store" })
      .end(JSON.stringify({ status: live ? "ok" : "unavailable", phase: indexer.phase, queued: indexer.queued, totals: indexer.totals }));
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve(server));
  });
}
