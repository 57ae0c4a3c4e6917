// The api as `npm start` runs it: a bad setting stops start-up naming the variable; a clustered
// server answers on one port and stops cleanly on SIGTERM.
import { spawn } from "node:child_process";
import { strict as assert } from "node:assert";
import { PROGRAM_ID } from "@skill-marketplace/sdk";
import { loadConfig } from "@skill-marketplace/api";
import { createServer, type AddressInfo } from "node:net";
import { redisUrl, scratchDatabase } from "../helpers/database.js";

const server = (env: Record<string, string>) =>
  spawn("node_modules/.bin/tsx", ["api/src/server.ts"], { env: { ...process.env, LOG_LEVEL: "silent", ...env }, stdio: ["ignore", "pipe", "pipe"] });

const exited = (child: ReturnType<typeof server>) =>
  new Promise<{ code: number | null; stderr: string }>((resolve) => {
    let stderr = "";
    child.stderr!.on("data", (d) => (stderr += d));
    child.once("exit", (code) => resolve({ code, stderr }));
  });

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as AddressInfo).port;
      s.close(() => resolve(port));
    });
  });

describe("api: the server process", function () {
  it("listens on loopback unless told otherwise, on all interfaces in production", () => {
    assert.equal(loadConfig({}).API_HOST, "127.0.0.1");
    assert.equal(loadConfig({ NODE_ENV: "production", API_KEY_SECRET: "a-secret-of-our-own-here" }).API_HOST, "0.0.0.0");
    assert.equal(loadConfig({ API_HOST: "10.0.0.5" }).API_HOST, "10.0.0.5");
  });

  it("refuses a bad setting with exit status 2, naming the variable", async () => {
    for (const [name, value, message] of [
      ["API_PORT", "eighty", "API_PORT: "],
      ["DATABASE_URL", "mysql://x", "DATABASE_URL: must be a postgresql: or postgres: URL"],
      ["API_KEY_SECRET", "short", "API_KEY_SECRET: must be at least 16 characters"],
      ["API_WORKERS", "0", "API_WORKERS: "],
      // The development secret is refused in production (a leaked default would let anyone forge key hashes).
      ["NODE_ENV", "production", "API_KEY_SECRET: is the development default: set a secret of your own (at least 16 characters) in production"],
      // One program id for every service: the one the sdk's IDL describes.
      ["PROGRAM_ID", "11111111111111111111111111111112", `PROGRAM_ID: must be ${PROGRAM_ID.toBase58()}, the program the sdk's IDL describes`],
    ] as const) {
      const { code, stderr } = await exited(server({ [name]: value }));
      assert.equal(code, 2, `${name}=${value}`);
      assert.ok(stderr.includes(`api: invalid configuration: ${message}`), stderr);
    }
  });

  it("serves from two workers and stops on SIGTERM", async () => {
    const database = await scratchDatabase("api_server");
    try {
      const port = await freePort();
      const child = server({ API_PORT: String(port), API_WORKERS: "2", DATABASE_URL: database.url, REDIS_URL: redisUrl(7) });
      const done = exited(child);
      let body: { openapi?: string } = {};
      for (let i = 0; i < 100 && !body.openapi; i++) {
        body = await fetch(`http://127.0.0.1:${port}/api/v1/openapi.json`).then((r) => r.json() as Promise<{ openapi: string }>, () => ({}));
        if (!body.openapi) await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(body.openapi, "3.1.0");
      child.kill("SIGTERM");
      const { code } = await done;
      assert.equal(code, 0);
      await assert.rejects(fetch(`http://127.0.0.1:${port}/api/v1/openapi.json`), "nothing listens any more");
    } finally {
      await database.drop();
    }
  });
});
