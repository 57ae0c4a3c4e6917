// Runs the localnet binary as a child process for one test suite: free ports, short slots and a
// short finality lag so `confirmed` / `finalized` waits stay short, and a restart that keeps ports
// and ledger. Set LOCALNET_LOG=1 to see the node's stderr.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";

export interface LocalnetOptions {
  /**
   * Milliseconds per slot (default 250). Not less: a blockhash lives 150 slots, and web3.js's
   * Connection.sendTransaction reuses a fetched blockhash for up to 30 s (used by spl-token's
   * helpers and sendAndConfirmTransaction), so 150 slots must outlast 30 s.
   */
  slotMs?: number;
  /** Slots between processed and finalized (default 4). */
  finalityLag?: number;
  /** Persist the chain in a fresh temporary directory (removed by `stop`), or in this one. */
  ledger?: boolean | string;
  /** Serve the test-only `setAccount` method (default true: every node here is a test node). */
  testMethods?: boolean;
  /** The program's upgrade authority (the only key that can initialize the marketplace); none: immutable. */
  upgradeAuthority?: { toBase58(): string };
}

export interface Localnet {
  rpcUrl: string;
  wsUrl: string;
  rpcPort: number;
  wsPort: number;
  ledgerDir?: string;
  /** Everything the node wrote to stderr so far (for failure messages). */
  log(): string;
  /** Stops the node (SIGTERM) and starts it again on the same ports and ledger. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export function localnetBinary(): string {
  if (process.env.LOCALNET_BIN) return process.env.LOCALNET_BIN;
  const target = process.env.CARGO_TARGET_DIR ?? join(homedir(), ".cache", "skill-marketplace", "target");
  return join(target, "debug", "localnet");
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

/** Two free ports P and P + 1: web3.js derives the websocket URL of `http://host:P` as port P + 1. */
async function freePortPair(): Promise<[number, number]> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await freePort();
    if (port < 65535 && (await portIsFree(port + 1))) return [port, port + 1];
  }
  throw new Error("no two consecutive free ports found");
}

/** One raw JSON-RPC call (for what web3.js has no typed method for); throws the node's error message. */
export async function rpcCall(url: string, method: string, params: unknown[] = []): Promise<unknown> {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }) });
  const body = (await res.json()) as { result?: unknown; error?: { message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result;
}

async function rpcHealth(url: string): Promise<string | undefined> {
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "getHealth" }),
    });
    const body = (await response.json()) as { result?: string };
    return body.result;
  } catch {
    return undefined;
  }
}

// A node must not outlive the test run, even when mocha exits without running `after` hooks.
const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function startLocalnet(options: LocalnetOptions = {}): Promise<Localnet> {
  const binary = localnetBinary();
  const [rpcPort, wsPort] = await freePortPair();
  const ownLedger = options.ledger === true;
  const ledgerDir =
    typeof options.ledger === "string" ? options.ledger : ownLedger ? mkdtempSync(join(tmpdir(), "localnet-ledger-")) : undefined;
  const args = [
    "--rpc-port", String(rpcPort),
    "--ws-port", String(wsPort),
    "--slot-ms", String(options.slotMs ?? 250),
    "--finality-lag", String(options.finalityLag ?? 4),
    ...(ledgerDir ? ["--ledger", ledgerDir] : []),
    ...(options.upgradeAuthority ? ["--upgrade-authority", options.upgradeAuthority.toBase58()] : []),
    // Test nodes serve setAccount (look-alike accounts of other programs); `npm start`'s never does.
    ...(options.testMethods === false ? [] : ["--test-methods"]),
  ];
  const rpcUrl = `http://127.0.0.1:${rpcPort}`;
  let stderr = "";
  let child: ChildProcess | undefined;
  let exited: Promise<string> = Promise.resolve("not started");

  const launch = async () => {
    const proc = spawn(binary, args, { stdio: ["ignore", "ignore", "pipe"] });
    child = proc;
    running.add(proc);
    let exitNote: string | undefined;
    exited = new Promise<string>((resolve) => {
      proc.once("exit", (code, signal) => {
        running.delete(proc);
        exitNote = `exited with ${signal ?? `code ${code}`}`;
        resolve(exitNote);
      });
      proc.once("error", (error) => {
        running.delete(proc);
        exitNote = `could not start ${binary}: ${error.message}`;
        resolve(exitNote);
      });
    });
    proc.stderr?.setEncoding("utf8");
    proc.stderr?.on("data", (chunk: string) => {
      stderr += chunk;
      if (process.env.LOCALNET_LOG) process.stderr.write(chunk);
    });
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (exitNote) throw new Error(`localnet ${exitNote}\n${stderr}`);
      if ((await rpcHealth(rpcUrl)) === "ok") return;
      await sleep(50);
    }
    proc.kill("SIGTERM");
    throw new Error(`localnet did not report getHealth "ok" within 60 s\n${stderr}`);
  };

  // The node shuts down cleanly on SIGTERM; anything else (a crash, a hang) fails the caller.
  const terminate = async () => {
    if (!child) return;
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`localnet had already ${await exited} before it was stopped\n${stderr}`);
    }
    child.kill("SIGTERM");
    const timeout = setTimeout(() => child?.kill("SIGKILL"), 15_000);
    const outcome = await exited;
    clearTimeout(timeout);
    if (outcome !== "exited with code 0") throw new Error(`localnet ${outcome} on SIGTERM\n${stderr}`);
  };

  await launch();
  return {
    rpcUrl,
    wsUrl: `ws://127.0.0.1:${wsPort}`,
    rpcPort,
    wsPort,
    ledgerDir,
    log: () => stderr,
    restart: async () => {
      await terminate();
      await launch();
    },
    stop: async () => {
      try {
        await terminate();
      } finally {
        child = undefined;
        if (ownLedger && ledgerDir) rmSync(ledgerDir, { recursive: true, force: true });
      }
    },
  };
}
