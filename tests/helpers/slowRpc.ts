// A JSON-RPC relay in front of a real node that answers every call `delayMs` late: what a slow or
// distant RPC provider looks like to the api. It forwards the request unchanged and counts the
// calls it is holding.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export async function slowRpc(target: string, delayMs: number): Promise<{ url: string; waiting(): number; close(): Promise<void> }> {
  let waiting = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", async () => {
      waiting++;
      try {
        await new Promise((resolve) => setTimeout(resolve, delayMs));
        const answer = await fetch(target, { method: "POST", headers: { "content-type": "application/json" }, body: Buffer.concat(chunks) });
        res.writeHead(answer.status, { "content-type": "application/json" });
        res.end(Buffer.from(await answer.arrayBuffer()));
      } catch (error) {
        res.writeHead(502).end(String(error));
      } finally {
        waiting--;
      }
    });
  });
  server.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    waiting: () => waiting,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
