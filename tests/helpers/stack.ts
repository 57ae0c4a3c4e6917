// `npm start` as a user runs it, for the stack suite: spawned in a process group of its own with
// its own data directory and ports, its output collected, its process tree read from /proc so a
// test can tell that a stop left nothing behind.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { freePort } from "@skill-marketplace/stack";
import { rpcCall } from "./localnet.js";

export { sleep, waitUntil } from "./indexer.js";

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** pid → parent pid and command line, for every process. */
function processTable(): Map<number, { ppid: number; cmdline: string }> {
  const table = new Map<number, { ppid: number; cmdline: string }>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8").replaceAll("\0", " ").trim();
      table.set(Number(entry), { ppid, cmdline });
    } catch {
      // gone while we looked
    }
  }
  return table;
}

/** Every process below `pid`, with its command line. */
export function descendants(pid: number): Map<number, string> {
  const table = processTable();
  const found = new Map<number, string>();
  const walk = (parent: number) => {
    for (const [child, info] of table) {
      if (info.ppid === parent && !found.has(child)) {
        found.set(child, info.cmdline);
        walk(child);
      }
    }
  };
  walk(pid);
  return found;
}

/** Processes whose command line names `text` (a data directory: what an orphan would still carry). */
export function processesNaming(text: string): Map<number, string> {
  const found = new Map<number, string>();
  for (const [pid, info] of processTable()) if (info.cmdline.includes(text) && pid !== process.pid) found.set(pid, info.cmdline);
  return found;
}

export interface StackPorts {
  SOLANA_RPC_PORT: string;
  SOLANA_WS_PORT: string;
  API_PORT: string;
  API_TLS_PORT: string;
  INDEXER_HEALTH_PORT: string;
  EXECUTOR_PORT: string;
  WEB_PORT: string;
}

export async function stackPorts(): Promise<StackPorts> {
  return {
    SOLANA_RPC_PORT: String(await freePort()),
    SOLANA_WS_PORT: String(await freePort()),
    API_PORT: String(await freePort()),
    API_TLS_PORT: String(await freePort()),
    INDEXER_HEALTH_PORT: String(await freePort()),
    EXECUTOR_PORT: String(await freePort()),
    WEB_PORT: String(await freePort()),
  };
}

export interface RunningStack {
  child: ChildProcess;
  /** Everything it printed so far. */
  output(): string;
  /** Resolves with the exit status (or signal) once npm exits. */
  exited: Promise<number | string>;
  /** Resolves once the "ready" line is printed; rejects if npm exits first. */
  ready: Promise<void>;
}

const started: RunningStack[] = [];

/** Kills (SIGKILL, whole process group) every stack a test started and left running, e.g. after a failed assertion. */
export async function killLeftStacks(): Promise<void> {
  for (const stack of started.splice(0)) {
    // npm may be gone while its group (the shell, the supervisor) lives on: the group is signalled either way.
    const tree = descendants(stack.child.pid!);
    try {
      process.kill(-stack.child.pid!, "SIGKILL");
    } catch {
      // already gone
    }
    for (const pid of tree.keys()) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    await stack.exited;
  }
}

export function npmStart(env: Record<string, string>, args: string[] = []): RunningStack {
  const child = spawn("npm", ["start", ...(args.length ? ["--", ...args] : [])], {
    env: { ...process.env, LOG_LEVEL: "info", ...env },
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let text = "";
  child.stdout!.on("data", (d: Buffer) => (text += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (text += d.toString()));
  const exited = new Promise<number | string>((resolve) => child.once("exit", (code, signal) => resolve(code ?? signal ?? "unknown")));
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setInterval(() => {
      if (/^stack: ready in /m.test(text)) {
        clearInterval(timer);
        resolve();
      }
    }, 50);
    void exited.then((status) => {
      clearInterval(timer);
      reject(new Error(`npm start exited (${status}) before it was ready:\n${text.slice(-6_000)}`));
    });
  });
  ready.catch(() => undefined);
  const stack = { child, output: () => text, exited, ready };
  started.push(stack);
  return stack;
}

/** A JSON-RPC call to the stack's node on 127.0.0.1:`port`. */
export const rpc = (port: string, method: string, params: unknown[] = []) => rpcCall(`http://127.0.0.1:${port}`, method, params);

/** Removes a test's data directory, first unmounting what a killed dockerd may have left mounted in it. */
export function removeData(dir: string): void {
  const mounts = readFileSync("/proc/self/mountinfo", "utf8")
    .split("\n")
    .map((line) => line.split(" ")[4])
    .filter((point): point is string => !!point && point.startsWith(dir + "/"))
    .sort((a, b) => b.length - a.length);
  for (const point of mounts) execFileSync("umount", ["-l", point]);
  rmSync(dir, { recursive: true, force: true });
}
