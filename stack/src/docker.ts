// The Docker engine the executor runs skills on: DOCKER_HOST when given, else the machine's engine
// at /var/run/docker.sock when one answers, else a dockerd of our own (root only) with gVisor's
// runsc registered as a runtime, its images and containers in a directory of ours, no iptables
// and no bridge (skills run without a network), overlay2 storage.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import type { ServiceSpec } from "./supervisor.js";

export const SYSTEM_DOCKER_HOST = "unix:///var/run/docker.sock";

/**
 * Where our dockerd keeps its runtime state and socket: one place per data directory (two stacks
 * on one machine each have their own engine), short because containerd's socket paths must fit
 * in 108 bytes.
 */
export function runDirFor(dataDir: string): string {
  return `/run/skill-marketplace/${createHash("sha256").update(dataDir).digest("hex").slice(0, 12)}`;
}

/**
 * gVisor's arguments: ptrace works without KVM; its own network stack must be off, or containers
 * started with `--network none` fail and leave shim processes behind.
 */
export const RUNSC_RUNTIME = { path: "/usr/bin/runsc", runtimeArgs: ["--platform=ptrace", "--network=none"] };

/** GET `path` on the engine at `host` (unix:// or tcp://); the status and body, or null if nothing answers. */
export function engineGet(host: string, path: string, timeoutMs = 2_000): Promise<{ status: number; body: string } | null> {
  const url = new URL(host);
  const target =
    url.protocol === "unix:" ? { socketPath: url.pathname } : { host: url.hostname, port: Number(url.port || 2375) };
  return new Promise((resolve) => {
    const req = request({ ...target, path, method: "GET", timeout: timeoutMs }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.once("timeout", () => req.destroy());
    req.once("error", () => resolve(null));
    req.end();
  });
}

export async function engineAnswers(host: string): Promise<boolean> {
  const answer = await engineGet(host, "/_ping");
  return answer?.status === 200 && answer.body === "OK";
}

/** The runtimes the engine offers and its default, from `GET /info`. */
export async function engineRuntimes(host: string): Promise<{ runtimes: string[]; defaultRuntime: string } | null> {
  const answer = await engineGet(host, "/info", 10_000);
  if (answer?.status !== 200) return null;
  const info = JSON.parse(answer.body) as { Runtimes?: Record<string, unknown>; DefaultRuntime?: string };
  return { runtimes: Object.keys(info.Runtimes ?? {}), defaultRuntime: info.DefaultRuntime ?? "runc" };
}

export type EngineChoice =
  | { kind: "external"; host: string; why: string }
  | { kind: "embedded"; host: string; spec: ServiceSpec }
  | { kind: "unavailable"; why: string };

/** Which engine the stack uses, and the dockerd to start when it is ours. */
export async function chooseEngine(options: { dockerHost?: string; dataDir: string }): Promise<EngineChoice> {
  if (options.dockerHost) return { kind: "external", host: options.dockerHost, why: "DOCKER_HOST" };
  if (await engineAnswers(SYSTEM_DOCKER_HOST)) return { kind: "external", host: SYSTEM_DOCKER_HOST, why: "the machine's engine" };
  const dockerd = ["/usr/sbin/dockerd", "/usr/bin/dockerd"].find((path) => existsSync(path));
  if (!dockerd) return { kind: "unavailable", why: "dockerd is not installed (apt-get install docker.io runsc, or set DOCKER_HOST)" };
  if (process.getuid?.() !== 0) {
    return { kind: "unavailable", why: "no Docker engine answers and only root can start one (start docker, or set DOCKER_HOST)" };
  }
  mkdirSync(options.dataDir, { recursive: true });
  const runDir = runDirFor(options.dataDir);
  mkdirSync(join(runDir, "exec"), { recursive: true });
  const config = join(options.dataDir, "daemon.json");
  const runtimes = existsSync(RUNSC_RUNTIME.path) ? { runsc: RUNSC_RUNTIME } : {};
  writeFileSync(config, JSON.stringify({ runtimes }, null, 2) + "\n");
  const socket = join(runDir, "docker.sock");
  const host = `unix://${socket}`;
  return {
    kind: "embedded",
    host,
    spec: {
      name: "docker",
      command: dockerd,
      args: [
        "--iptables=false",
        "--ip-masq=false",
        "--bridge=none",
        "--storage-driver=overlay2",
        "--data-root",
        join(options.dataDir, "data"),
        "--exec-root",
        join(runDir, "exec"),
        "--pidfile",
        join(runDir, "docker.pid"),
        "-H",
        host,
        "--config-file",
        config,
      ],
      readyTimeoutMs: 60_000,
      stopTimeoutMs: 20_000,
      health: () => engineAnswers(host),
    },
  };
}
