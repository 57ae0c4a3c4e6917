// Runs one call of a skill in a container that can reach nothing: no network, a read-only root,
// a small non-executable /tmp, no capabilities, no privilege gain, a non-root user, private IPC,
// and limits on memory (no swap), CPU, processes, open files, time and output. Each container
// serves exactly one call and is destroyed after it. gVisor (runsc) is the runtime wherever it
// works; runc with the same settings otherwise.
import type { Duplex } from "node:stream";
import Docker from "dockerode";
import type { SandboxLimits } from "./limits.js";

export type ContainerRuntime = "runsc" | "runc";

/** How a call ended. Only "ok" is a success (and only a success is charged). */
export type RunOutcome = "ok" | "timeout" | "memory_limit" | "output_too_large" | "bad_output" | "crashed";

export interface RunResult {
  outcome: RunOutcome;
  /** The skill's answer (the JSON value of its first stdout line) when outcome is "ok". */
  output?: unknown;
  /** The bytes of that line, as written (receipts hash them). */
  outputText?: string;
  /** The process's exit status when it had exited by the time the answer was complete. */
  exitCode: number | null;
  /** From the moment the input was written to the answer (or the failure), in milliseconds. */
  durationMs: number;
  /** The last bytes of stderr, for logs. */
  stderr: string;
  /** Words for the caller when outcome is not "ok". */
  message?: string;
}

const STDERR_KEEP = 4096;

export const OUTCOME_MESSAGES: Record<Exclude<RunOutcome, "ok">, (limits: SandboxLimits) => string> = {
  timeout: (l) => `the skill did not answer within ${l.timeoutMs} ms and was stopped`,
  memory_limit: (l) => `the skill used more than its ${l.memoryMb} MiB of memory and was stopped`,
  output_too_large: (l) => `the skill wrote more than ${l.outputBytes} bytes of output and was stopped`,
  bad_output: () => "the skill's output is not one JSON value on one line",
  crashed: () => "the skill exited without an answer",
};

/** The container settings every call runs under (exported so tests can read what is enforced). */
/** An executor instance is alive while this key is in Redis (refreshed three times per period). */
export const executorAliveKey = (instance: string) => `executor:alive:${instance}`;
export const EXECUTOR_HEARTBEAT_MS = 30_000;

/** The label naming the executor instance a sandbox container belongs to (see reapOrphans). */
export const SANDBOX_OWNER_LABEL = "skill-marketplace.executor";

export function containerSpec(image: string, command: string[], limits: SandboxLimits, runtime: ContainerRuntime, owner = ""): Docker.ContainerCreateOptions {
  const memory = limits.memoryMb * 1024 * 1024;
  return {
    Image: image,
    Cmd: command,
    User: "10001:10001",
    WorkingDir: "/skill",
    // Nothing of the host's environment: only what the image itself sets.
    Env: [],
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
    OpenStdin: true,
    StdinOnce: true,
    Tty: false,
    NetworkDisabled: true,
    Labels: { "skill-marketplace.sandbox": "1", [SANDBOX_OWNER_LABEL]: owner },
    HostConfig: {
      Runtime: runtime,
      NetworkMode: "none",
      ReadonlyRootfs: true,
      Tmpfs: { "/tmp": `rw,noexec,nosuid,nodev,size=${limits.tmpMb}m,mode=1777` },
      CapDrop: ["ALL"],
      SecurityOpt: ["no-new-privileges"],
      IpcMode: "private",
      Privileged: false,
      Binds: [],
      Mounts: [],
      Devices: [],
      PidsLimit: limits.pids,
      Memory: memory,
      MemorySwap: memory,
      MemorySwappiness: 0,
      NanoCpus: Math.round(limits.cpus * 1e9),
      Ulimits: [{ Name: "nofile", Soft: limits.openFiles, Hard: limits.openFiles }],
      LogConfig: { Type: "none", Config: {} },
      AutoRemove: false,
      RestartPolicy: { Name: "no" },
    },
  };
}

/** A started container waiting on stdin for its one call. */
export interface Prepared {
  container: Docker.Container;
  stream: Duplex;
  image: string;
  limits: SandboxLimits;
  runtime: ContainerRuntime;
  /** Frames read before the call (a skill that writes before reading its input). */
  early: Buffer[];
  ended: boolean;
}

export class Sandbox {
  /** `owner`: the executor instance its containers are labelled with (an engine may serve several). */
  constructor(
    readonly docker: Docker,
    readonly runtime: ContainerRuntime,
    readonly owner = "",
  ) {}

  /** Creates, attaches and starts a container for `image`; it waits for its input. */
  async prepare(image: string, command: string[], limits: SandboxLimits): Promise<Prepared> {
    const container = await this.docker.createContainer(containerSpec(image, command, limits, this.runtime, this.owner));
    try {
      const stream = (await container.attach({ stream: true, stdin: true, stdout: true, stderr: true, hijack: true })) as Duplex;
      const prepared: Prepared = { container, stream, image, limits, runtime: this.runtime, early: [], ended: false };
      const early = (chunk: Buffer) => prepared.early.push(chunk);
      stream.on("data", early);
      stream.once("end", () => (prepared.ended = true));
      stream.once("error", () => (prepared.ended = true));
      (prepared as Prepared & { detachEarly: () => void }).detachEarly = () => stream.off("data", early);
      await container.start();
      return prepared;
    } catch (error) {
      void this.destroy(container);
      throw error;
    }
  }

  /** Sends `input` to a prepared container and reads its answer; the container is destroyed afterwards. */
  async call(prepared: Prepared, input: unknown): Promise<RunResult> {
    const { stream, container, limits } = prepared;
    (prepared as Prepared & { detachEarly: () => void }).detachEarly();
    const started = performance.now();
    const result = await new Promise<RunResult>((resolve) => {
      let header = Buffer.alloc(0);
      let pending: { type: number; left: number } | null = null;
      const stdout: Buffer[] = [];
      let stdoutBytes = 0;
      let stderr = "";
      let done = false;
      const finish = (outcome: RunOutcome, extra: Partial<RunResult> = {}) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        stream.off("data", onData);
        resolve({
          outcome,
          exitCode: null,
          durationMs: performance.now() - started,
          stderr: stderr.slice(-STDERR_KEEP),
          ...(outcome === "ok" ? {} : { message: OUTCOME_MESSAGES[outcome](limits) }),
          ...extra,
        });
      };
      const answer = (text: string) => {
        try {
          finish("ok", { output: JSON.parse(text), outputText: text });
        } catch {
          finish("bad_output");
        }
      };
      const onStdout = (bytes: Buffer) => {
        stdoutBytes += bytes.length;
        if (stdoutBytes > limits.outputBytes) return finish("output_too_large");
        const newline = bytes.indexOf(10);
        if (newline >= 0) {
          stdout.push(bytes.subarray(0, newline));
          return answer(Buffer.concat(stdout).toString("utf8"));
        }
        stdout.push(bytes);
      };
      // Docker multiplexes stdout and stderr on an attached stream: 8-byte headers (stream type, size).
      const onData = (chunk: Buffer) => {
        let data = header.length ? Buffer.concat([header, chunk]) : chunk;
        header = Buffer.alloc(0);
        while (data.length && !done) {
          if (!pending) {
            if (data.length < 8) {
              header = Buffer.from(data);
              return;
            }
            pending = { type: data[0]!, left: data.readUInt32BE(4) };
            data = data.subarray(8);
            continue;
          }
          const take = Math.min(pending.left, data.length);
          const piece = data.subarray(0, take);
          data = data.subarray(take);
          pending.left -= take;
          if (pending.type === 2) stderr = (stderr + piece.toString("utf8")).slice(-STDERR_KEEP);
          else onStdout(piece);
          if (pending.left === 0) pending = null;
        }
      };
      const timer = setTimeout(() => finish("timeout"), limits.timeoutMs);
      stream.on("data", onData);
      for (const chunk of prepared.early.splice(0)) onData(chunk);
      const onEnd = async () => {
        if (done) return;
        // The process closed its output without a newline: what it wrote is the answer, if anything.
        const text = Buffer.concat(stdout).toString("utf8");
        const state = await container.inspect().then((i) => i.State).catch(() => null);
        const exitCode = state && !state.Running ? state.ExitCode : null;
        if (state?.OOMKilled || exitCode === 137) return finish("memory_limit", { exitCode });
        if (text.trim() === "") return finish("crashed", { exitCode });
        if (exitCode !== 0 && exitCode !== null) return finish("crashed", { exitCode });
        answer(text);
      };
      stream.once("end", () => void onEnd());
      if (prepared.ended) void onEnd();
      stream.write(JSON.stringify(input) + "\n");
      stream.end();
    });
    // Answer as soon as the output is complete; the container is reaped afterwards (its exit
    // status is known only where the process had ended before the answer).
    void this.destroy(container);
    return result;
  }

  /** prepare + call: a cold start. */
  async run(image: string, command: string[], limits: SandboxLimits, input: unknown): Promise<RunResult> {
    return this.call(await this.prepare(image, command, limits), input);
  }

  async destroy(container: Docker.Container): Promise<void> {
    await container.remove({ force: true, v: true }).catch(() => undefined);
  }
}

/**
 * gVisor when the engine offers runsc and a container actually runs under it (it can be
 * registered and still fail on a kernel it does not support), else runc.
 */
export async function chooseRuntime(docker: Docker, probeImage: string): Promise<{ runtime: ContainerRuntime; why: string }> {
  const info = (await docker.info()) as { Runtimes?: Record<string, unknown> };
  if (!info.Runtimes || !("runsc" in info.Runtimes)) return { runtime: "runc", why: "the Docker engine has no runsc runtime registered" };
  const sandbox = new Sandbox(docker, "runsc");
  try {
    const probe = await sandbox.run(probeImage, ["python3", "-c", "import sys; sys.stdin.readline(); print('1')"], {
      memoryMb: 64, cpus: 1, pids: 128, timeoutMs: 20_000, outputBytes: 1024, tmpMb: 1, openFiles: 64,
    }, {});
    if (probe.outcome === "ok" && probe.output === 1) return { runtime: "runsc", why: "gVisor runs containers on this engine" };
    return { runtime: "runc", why: `a gVisor container did not answer (${probe.outcome}: ${probe.stderr.trim().slice(0, 200)})` };
  } catch (error) {
    return { runtime: "runc", why: `gVisor could not start a container: ${(error as Error).message}` };
  }
}

/**
 * Containers started ahead of demand, per image and command: each waits on stdin for exactly one
 * call and is destroyed after it, so nothing passes from one buyer to the next. A call takes a
 * waiting container when there is one (and a new one is started behind it), else starts its own.
 * A container that waited longer than `maxIdleMs` is replaced.
 */
export class WarmPool {
  private readonly idle = new Map<string, { prepared: Prepared; since: number }[]>();
  private readonly starting = new Map<string, number>();
  private closed = false;

  constructor(
    private readonly sandbox: Sandbox,
    private readonly size: number,
    private readonly maxIdleMs = 300_000,
  ) {}

  private key(image: string, command: string[], limits: SandboxLimits): string {
    return JSON.stringify([image, command, limits]);
  }

  /** Runs one call, warm when a container is waiting; `warm` says which it was. */
  async run(image: string, command: string[], limits: SandboxLimits, input: unknown): Promise<RunResult & { warm: boolean }> {
    const key = this.key(image, command, limits);
    const list = this.idle.get(key) ?? [];
    let entry = list.shift();
    while (entry && (entry.prepared.ended || performance.now() - entry.since > this.maxIdleMs)) {
      void this.sandbox.destroy(entry.prepared.container);
      entry = list.shift();
    }
    if (entry) {
      // The replacement starts once this call has its answer: starting a container takes both
      // cores for a moment, and the call it would slow down is this one.
      try {
        return { ...(await this.sandbox.call(entry.prepared, input)), warm: true };
      } finally {
        this.refill(key, image, command, limits);
      }
    }
    this.refill(key, image, command, limits);
    return { ...(await this.sandbox.run(image, command, limits, input)), warm: false };
  }

  private refill(key: string, image: string, command: string[], limits: SandboxLimits): void {
    if (this.closed || this.size === 0) return;
    const list = this.idle.get(key) ?? [];
    this.idle.set(key, list);
    const want = this.size - list.length - (this.starting.get(key) ?? 0);
    for (let i = 0; i < want; i++) {
      this.starting.set(key, (this.starting.get(key) ?? 0) + 1);
      this.sandbox
        .prepare(image, command, limits)
        .then((prepared) => {
          if (this.closed) return void this.sandbox.destroy(prepared.container);
          list.push({ prepared, since: performance.now() });
        })
        .catch(() => undefined)
        .finally(() => this.starting.set(key, (this.starting.get(key) ?? 1) - 1));
    }
  }

  /** Starts `size` containers for an image before its first call. */
  warm(image: string, command: string[], limits: SandboxLimits): void {
    this.refill(this.key(image, command, limits), image, command, limits);
  }

  /** Containers waiting now (all images). */
  waiting(): number {
    return [...this.idle.values()].reduce((n, list) => n + list.length, 0);
  }

  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.idle.values()].flat();
    this.idle.clear();
    await Promise.all(all.map((e) => this.sandbox.destroy(e.prepared.container)));
  }
}

/**
 * Removes sandbox containers executors that died left on this engine: those whose owner (their
 * label) is not alive by `alive`, and unlabelled ones. Several executors may share an engine, each
 * saying it is alive (the service's heartbeat in Redis); their containers are left alone. The
 * dead ones' calls were never answered, so nothing was charged for them. Returns how many were removed.
 */
export async function reapOrphans(docker: Docker, alive: (owner: string) => Promise<boolean> = async () => false): Promise<number> {
  const sandboxes = await docker.listContainers({ all: true, filters: { label: ["skill-marketplace.sandbox=1"] } });
  const owners = new Map<string, boolean>();
  for (const owner of new Set(sandboxes.map((c) => c.Labels?.[SANDBOX_OWNER_LABEL] ?? ""))) owners.set(owner, owner !== "" && (await alive(owner)));
  const orphans = sandboxes.filter((c) => !owners.get(c.Labels?.[SANDBOX_OWNER_LABEL] ?? ""));
  await Promise.all(orphans.map((c) => docker.getContainer(c.Id).remove({ force: true, v: true }).catch(() => undefined)));
  return orphans.length;
}
