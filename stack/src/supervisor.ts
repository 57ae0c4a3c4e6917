// Runs the stack's services as child processes: each started once its health check answers, a
// service that dies restarted with backoff while the others keep running, and everything stopped in
// reverse order on request. Children live in their own process groups (a terminal's Ctrl-C reaches
// only the supervisor, which stops them in order) and carry a parent-death signal, so a supervisor
// killed with SIGKILL takes them with it.
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, readFileSync, type WriteStream } from "node:fs";
import { join } from "node:path";

export interface ServiceSpec {
  name: string;
  command: string;
  args?: string[];
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Run as this user (root only: PostgreSQL refuses to run as root). */
  user?: { uid: number; gid: number };
  /** Resolves true once the service answers; polled until it does. Without one: ready when started. */
  health?: () => Promise<boolean>;
  /** How long a start may take to become healthy. */
  readyTimeoutMs?: number;
  /** The signal that asks it to stop cleanly (SIGTERM unless said otherwise). */
  stopSignal?: NodeJS.Signals;
  /** How long a clean stop may take before SIGKILL. */
  stopTimeoutMs?: number;
}

export interface Restart {
  /** First delay after a crash; doubles per crash up to `maxDelayMs`. */
  initialDelayMs: number;
  maxDelayMs: number;
  /** A service that ran this long before dying starts again at the first delay. */
  resetAfterMs: number;
}

export const DEFAULT_RESTART: Restart = { initialDelayMs: 1_000, maxDelayMs: 30_000, resetAfterMs: 60_000 };

export type Say = (line: string) => void;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `setpriv` (util-linux) sets the parent-death signal and then execs the service itself. */
const SETPRIV = ["/usr/bin/setpriv", "/bin/setpriv"].find((path) => existsSync(path));

/** The command line (behind setpriv's parent-death signal) and environment a spec runs with. */
function invocation(spec: Omit<ServiceSpec, "health">): { argv: string[]; env: Record<string, string> } {
  const command = [spec.command, ...(spec.args ?? [])];
  const argv = SETPRIV ? [SETPRIV, "--pdeathsig", "KILL", "--", ...command] : command;
  const env = Object.fromEntries(Object.entries({ ...process.env, ...spec.env }).filter(([, v]) => v !== undefined)) as Record<string, string>;
  return { argv, env };
}

class Service {
  child: ChildProcess | undefined;
  restarts = 0;
  /** Once it has been ready, a death is restarted; a first start that fails is the caller's to report. */
  private wasReady = false;
  private delayMs: number;
  private exited: Promise<void> = Promise.resolve();
  private log: WriteStream;
  private restartTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly spec: ServiceSpec,
    private readonly logDir: string,
    private readonly restart: Restart,
    private readonly say: Say,
    private readonly stopping: () => boolean,
  ) {
    this.delayMs = restart.initialDelayMs;
    this.log = createWriteStream(this.logPath, { flags: "a" });
  }

  get logPath(): string {
    return join(this.logDir, `${this.spec.name}.log`);
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** The last lines the service wrote, for a crash report. */
  lastLines(count = 12): string {
    try {
      const lines = readFileSync(this.logPath, "utf8").trimEnd().split("\n");
      return lines.slice(-count).map((line) => `  ${this.spec.name}| ${line}`).join("\n");
    } catch {
      return "";
    }
  }

  /** Spawns the process and waits for its health check; throws when it exits or times out first. */
  async start(): Promise<void> {
    const { spec } = this;
    const { argv, env } = invocation(spec);
    this.log.write(`--- ${new Date().toISOString()} starting: ${spec.command} ${(spec.args ?? []).join(" ")}\n`);
    const child = spawn(argv[0]!, argv.slice(1), {
      cwd: spec.cwd,
      env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      ...(spec.user ?? {}),
    });
    this.child = child;
    child.stdout!.pipe(this.log, { end: false });
    child.stderr!.pipe(this.log, { end: false });
    const startedAt = Date.now();
    let exitedEarly: string | undefined;
    this.exited = new Promise<void>((resolve) => {
      const done = (why: string) => {
        exitedEarly ??= why;
        this.log.write(`--- ${new Date().toISOString()} exited: ${why}\n`);
        resolve();
        if (this.child === child) this.onExit(why, Date.now() - startedAt);
      };
      child.once("error", (error) => done(`could not start: ${error.message}`));
      child.once("exit", (code, signal) => done(signal ? `killed by ${signal}` : `exit status ${code}`));
    });
    const deadline = Date.now() + (spec.readyTimeoutMs ?? 60_000);
    for (;;) {
      if (exitedEarly) throw new Error(`${spec.name} ${exitedEarly} before it was ready\n${this.lastLines()}`);
      if (!spec.health || (await spec.health().catch(() => false))) {
        this.wasReady = true;
        return;
      }
      if (Date.now() > deadline) {
        await this.stop();
        throw new Error(`${spec.name} did not answer its health check within ${(spec.readyTimeoutMs ?? 60_000) / 1000} s\n${this.lastLines()}`);
      }
      await sleep(100);
    }
  }

  private onExit(why: string, ranMs: number): void {
    if (this.stopping() || this.child === undefined || !this.wasReady) return;
    this.child = undefined;
    if (ranMs >= this.restart.resetAfterMs) this.delayMs = this.restart.initialDelayMs;
    this.scheduleRestart(`died (${why})`, true);
  }

  private scheduleRestart(what: string, withLog: boolean): void {
    const delay = this.delayMs;
    this.delayMs = Math.min(this.restart.maxDelayMs, this.delayMs * 2);
    this.restarts += 1;
    const log = withLog ? `\n${this.lastLines(6)}` : "";
    this.say(`${this.spec.name} ${what}; restarting in ${(delay / 1000).toFixed(1)} s (restart ${this.restarts})${log}`);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (this.stopping()) return;
      this.start().then(
        () => this.say(`${this.spec.name} is back (pid ${this.pid})`),
        (error: Error) => {
          // An exit before it was ready has already scheduled the next try (onExit); a health
          // check that timed out has not.
          if (!this.stopping() && this.child === undefined && !this.restartTimer) {
            this.scheduleRestart(`did not come back (${error.message.split("\n")[0]})`, false);
          }
        },
      );
    }, delay);
  }

  /** Asks the process to stop, then kills it after the stop timeout. */
  async stop(): Promise<void> {
    if (this.restartTimer) clearTimeout(this.restartTimer);
    const child = this.child;
    this.child = undefined;
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill(this.spec.stopSignal ?? "SIGTERM");
      const killer = setTimeout(() => killGroup(child, "SIGKILL"), this.spec.stopTimeoutMs ?? 15_000);
      await this.exited;
      clearTimeout(killer);
    }
  }

  kill(): void {
    if (this.restartTimer) clearTimeout(this.restartTimer);
    if (this.child) killGroup(this.child, "SIGKILL");
  }

  close(): void {
    this.log.end();
  }
}

export class Supervisor {
  private readonly services: Service[] = [];
  /** One-shot steps under way (stopped with everything else). */
  private readonly steps = new Set<ChildProcess>();
  private stopping = false;
  private stopped: Promise<void> | undefined;

  constructor(
    private readonly options: { logDir: string; say: Say; restart?: Restart },
  ) {
    mkdirSync(options.logDir, { recursive: true });
  }

  /** Starts `spec` and waits until it is healthy; its crashes from then on are restarted. */
  async start(spec: ServiceSpec): Promise<void> {
    if (this.stopping) throw new Error("the stack is stopping");
    const service = new Service(spec, this.options.logDir, this.options.restart ?? DEFAULT_RESTART, this.options.say, () => this.stopping);
    this.services.push(service);
    await service.start();
  }

  /** Runs a one-shot step to completion and returns what it wrote on stdout; throws with its last output when it fails. */
  async run(spec: Omit<ServiceSpec, "health">): Promise<string> {
    const { argv, env } = invocation(spec);
    const logPath = join(this.options.logDir, `${spec.name}.log`);
    const log = createWriteStream(logPath, { flags: "a" });
    if (this.stopping) throw new Error("the stack is stopping");
    const child = spawn(argv[0]!, argv.slice(1), { cwd: spec.cwd, env, detached: true, stdio: ["ignore", "pipe", "pipe"], ...(spec.user ?? {}) });
    this.steps.add(child);
    child.once("exit", () => this.steps.delete(child));
    let stdout = "";
    child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.stdout!.pipe(log, { end: false });
    child.stderr!.pipe(log, { end: false });
    const why = await new Promise<string | null>((resolve) => {
      child.once("error", (error) => resolve(`could not start: ${error.message}`));
      child.once("exit", (code, signal) => resolve(code === 0 ? null : signal ? `killed by ${signal}` : `exit status ${code}`));
    });
    await new Promise((resolve) => log.end(resolve));
    if (why) {
      const lines = readFileSync(logPath, "utf8").trimEnd().split("\n").slice(-12).map((line) => `  ${spec.name}| ${line}`);
      throw new Error(`${spec.name} failed (${why})\n${lines.join("\n")}`);
    }
    return stdout;
  }

  /** The current pid of each running service. */
  pids(): Record<string, number | undefined> {
    return Object.fromEntries(this.services.map((s) => [s.spec.name, s.pid]));
  }

  restarts(name: string): number {
    return this.services.find((s) => s.spec.name === name)?.restarts ?? 0;
  }

  /** Stops every service, the last started first. Idempotent. */
  stop(): Promise<void> {
    this.stopping = true;
    this.stopped ??= (async () => {
      for (const step of this.steps) killGroup(step, "SIGTERM");
      for (const service of [...this.services].reverse()) {
        await service.stop();
        service.close();
      }
    })();
    return this.stopped;
  }

  /** Kills every service at once (a second Ctrl-C). */
  kill(): void {
    this.stopping = true;
    for (const step of this.steps) killGroup(step, "SIGKILL");
    for (const service of this.services) service.kill();
  }
}

/**
 * Calls `onGone` when a process we descend from exits: our parent (we were reparented), or the
 * `npm` that ran us. A SIGKILL of `npm start` reaches only npm; its children learn of it here.
 */
export function watchAncestors(onGone: (pid: number) => void, intervalMs = 500): () => void {
  const parent = process.ppid;
  const watched = [parent];
  let pid = parent;
  for (let depth = 0; depth < 4 && pid > 1; depth++) {
    const stat = safeRead(`/proc/${pid}/stat`);
    const cmdline = safeRead(`/proc/${pid}/cmdline`).split("\0");
    // npm retitles itself ("npm start" in one argument), so the name may be followed by a space.
    if (cmdline.some((arg) => /(^|\/)npm(-cli\.js)?( |$)/.test(arg))) {
      if (!watched.includes(pid)) watched.push(pid);
      break;
    }
    // Field 4 of /proc/<pid>/stat, after the parenthesised command name.
    pid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  }
  const gone = (pid: number) => {
    clearInterval(timer);
    onGone(pid);
  };
  const timer = setInterval(() => {
    if (process.ppid !== parent) return gone(parent);
    for (const ancestor of watched) {
      try {
        process.kill(ancestor, 0);
      } catch {
        return gone(ancestor);
      }
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

/** Signals the process group a child leads (it was spawned detached), so its own children hear it too. */
function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    child.kill(signal);
  }
}

function safeRead(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}
