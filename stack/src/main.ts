// `npm start` after its set-up (scripts/start.sh): brings up the marketplace on what is configured
// and embedded defaults for the rest, one progress line per step, "ready" only once every service
// answers its health check; restarts a service that dies; Ctrl-C, SIGTERM, SIGHUP or the death of
// the npm that ran it stop everything, last started first. Chain, database, Redis, documents,
// keys and logs live together in one data directory, so the next start resumes where this one stopped.
//
//   node --import tsx stack/src/main.ts [--fresh]
//   node --import tsx stack/src/main.ts --services postgres,redis --env-out FILE   (tests: throw-away PostgreSQL and Redis)
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Connection } from "@solana/web3.js";
import { marketplacePda } from "@skill-marketplace/sdk";
import { z } from "zod";
import { configOrExit, parseEnv, sharedEnv, zUrl } from "@skill-marketplace/kit";
import { chooseEngine, engineRuntimes, type EngineChoice } from "./docker.js";
import { freePort, listening, postgresService, redisService } from "./embedded.js";
import { devKey } from "./keys.js";
import { localTls } from "./tls.js";
import { Supervisor, watchAncestors, type ServiceSpec } from "./supervisor.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const port = (fallback: number) => z.coerce.number().int().min(1).max(65_535).default(fallback);

const schema = z.object({
  SKILL_MARKETPLACE_DATA: z.string().min(1).optional(),
  // The services' own definitions, without their defaults: unset here means "embedded".
  DATABASE_URL: sharedEnv.DATABASE_URL.unwrap().optional(),
  REDIS_URL: sharedEnv.REDIS_URL.unwrap().optional(),
  SOLANA_RPC_URL: sharedEnv.SOLANA_RPC_URL.unwrap().optional(),
  SOLANA_WS_URL: sharedEnv.SOLANA_WS_URL,
  SOLANA_RPC_PORT: port(8899),
  SOLANA_WS_PORT: z.coerce.number().int().min(1).max(65_535).optional(),
  SLOT_MS: z.coerce.number().int().min(1).max(10_000).default(400),
  LOCALNET_PROFILE: z.enum(["debug", "release"]).default("debug"),
  API_PORT: port(8080),
  API_TLS_PORT: port(8443),
  INDEXER_HEALTH_PORT: port(8081),
  EXECUTOR_PORT: port(8082),
  WEB_PORT: port(3000),
  EXECUTOR_SECRET: z.string().min(16, "must be at least 16 characters").optional(),
  DOCKER_HOST: z.string().regex(/^(unix|tcp|http|https):\/\//, "must be a unix://, tcp:// or http(s):// address").optional(),
  IPFS_API_URL: zUrl(["http:", "https:"]).optional(),
  API_KEY_SECRET: z.string().min(16, "must be at least 16 characters").optional(),
  PUBLISH_LOCAL_ROOTS: z.string().optional(),
  SKILL_MARKETPLACE_DEMO: z.enum(["0", "1"]).default("1"),
  LOG_LEVEL: z.string().default("info"),
  CARGO_TARGET_DIR: z.string().default(join(homedir(), ".cache", "skill-marketplace", "target")),
});
type Config = z.infer<typeof schema>;

const say = (line: string) => process.stdout.write(`stack: ${line}\n`);
const seconds = (since: number) => `${((performance.now() - since) / 1000).toFixed(1)} s`;

/** The default data directory: root's home is closed to the `postgres` user the database runs as. */
export function defaultDataDir(): string {
  return process.getuid?.() === 0 ? "/var/lib/skill-marketplace" : join(homedir(), ".local", "share", "skill-marketplace");
}

/** A secret made once and kept in the data directory (API keys must verify after a restart). */
function keptSecret(dir: string, name: string): string {
  const path = join(dir, name);
  if (existsSync(path)) return readFileSync(path, "utf8").trim();
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const secret = randomBytes(32).toString("base64url");
  writeFileSync(path, secret + "\n", { mode: 0o600 });
  return secret;
}

/** Refuses a data directory another running stack holds; removes a lock its dead owner left. */
function lockDataDir(data: string): () => void {
  const path = join(data, "stack.pid");
  if (existsSync(path)) {
    const owner = Number(readFileSync(path, "utf8").trim());
    let alive = false;
    if (owner > 0 && owner !== process.pid) {
      try {
        process.kill(owner, 0);
        alive = true;
      } catch {
        alive = false;
      }
    }
    if (alive) throw new Error(`another stack (pid ${owner}) is running on ${data}; stop it, or choose another SKILL_MARKETPLACE_DATA`);
  }
  writeFileSync(path, `${process.pid}\n`);
  return () => rmSync(path, { force: true });
}

async function requireFree(name: string, value: number): Promise<void> {
  if (await listening(value)) throw new Error(`port ${value} is in use (${name}): is another stack running? Set ${name} to another port`);
}

const rpcAnswers = (url: string) => async () => {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "getHealth" }),
    signal: AbortSignal.timeout(1_000),
  });
  return res.ok && ((await res.json()) as { result?: string }).result === "ok";
};

const httpOk = (url: string) => async () => (await fetch(url, { signal: AbortSignal.timeout(2_000) })).status === 200;

const withDatabase = (serverUrl: string, name: string) => {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
};

async function stack(config: Config, fresh: boolean): Promise<void> {
  const began = performance.now();
  const data = resolve(config.SKILL_MARKETPLACE_DATA ?? defaultDataDir());
  if (fresh && existsSync(data)) {
    say(`--fresh: removing ${data}`);
    rmSync(data, { recursive: true, force: true });
  }
  mkdirSync(data, { recursive: true });
  // The postgres user must reach its data directory below this one.
  if (process.getuid?.() === 0 && !config.DATABASE_URL) chmodSync(data, 0o755);
  let unlock: () => void;
  try {
    unlock = lockDataDir(data);
  } catch (error) {
    say(`could not start: ${(error as Error).message}`);
    process.exit(1);
  }
  const supervisor = new Supervisor({ logDir: join(data, "logs"), say });
  let stopping: Promise<void> | undefined;
  const shutdown = (why: string, status: number) => {
    // Only a second Ctrl-C means "now"; a SIGTERM or a lost parent during a stop changes nothing.
    if (stopping && why !== "SIGINT") return;
    if (stopping) {
      say("stopping at once (killing every service)");
      supervisor.kill();
      unlock();
      process.exit(130);
    }
    say(`${why}: stopping${why === "SIGINT" ? " (Ctrl-C again to kill at once)" : ""}`);
    stopping = supervisor.stop().then(() => {
      unlock();
      say("stopped");
      process.exit(status);
    });
  };
  process.on("SIGINT", () => shutdown("SIGINT", 0));
  process.on("SIGTERM", () => shutdown("SIGTERM", 0));
  process.on("SIGHUP", () => shutdown("SIGHUP", 0));
  watchAncestors((pid) => shutdown(`the process that started the stack (pid ${pid}) is gone`, 1));

  const external = (what: string, where: string) => say(`${what}: external, ${where}`);
  try {
    say(`data directory ${data} (logs in ${join(data, "logs")})`);
    const local = !config.SOLANA_RPC_URL;
    if (local) {
      await requireFree("SOLANA_RPC_PORT", config.SOLANA_RPC_PORT);
      await requireFree("SOLANA_WS_PORT", config.SOLANA_WS_PORT ?? config.SOLANA_RPC_PORT + 1);
    }
    await requireFree("API_PORT", config.API_PORT);
    await requireFree("API_TLS_PORT", config.API_TLS_PORT);
    await requireFree("INDEXER_HEALTH_PORT", config.INDEXER_HEALTH_PORT);
    await requireFree("EXECUTOR_PORT", config.EXECUTOR_PORT);
    await requireFree("WEB_PORT", config.WEB_PORT);

    // The parts that depend on nothing start side by side.
    const ledger = join(data, "chain");
    const newChain = local && (!existsSync(ledger) || readdirSync(ledger).length === 0);
    // What the demo made belongs to the chain it made it on.
    const demoFile = join(data, "demo.json");
    if (newChain) rmSync(demoFile, { force: true });
    const rpcUrl = config.SOLANA_RPC_URL ?? `http://127.0.0.1:${config.SOLANA_RPC_PORT}`;
    const wsUrl = config.SOLANA_WS_URL ?? (local ? `ws://127.0.0.1:${config.SOLANA_WS_PORT ?? config.SOLANA_RPC_PORT + 1}` : undefined);
    const startChain = async () => {
      if (!local) {
        if (!(await rpcAnswers(rpcUrl)().catch(() => false))) throw new Error(`SOLANA_RPC_URL ${rpcUrl} does not answer getHealth`);
        const marketplace = await new Connection(rpcUrl).getAccountInfo(marketplacePda());
        if (!marketplace) throw new Error(`the marketplace is not initialized on ${rpcUrl}: deploy the program and run migrations/deploy.ts first`);
        return external("chain", rpcUrl);
      }
      const t = performance.now();
      const binary = join(config.CARGO_TARGET_DIR, config.LOCALNET_PROFILE, "localnet");
      if (!existsSync(binary)) throw new Error(`${binary} is not built (npm start builds it: cargo build -p localnet)`);
      // The admin key is the program's upgrade authority there: only it can initialize the marketplace.
      const upgradeAuthority = devKey(join(data, "keys"), "admin").publicKey.toBase58();
      const args = ["--rpc-port", String(config.SOLANA_RPC_PORT), "--ledger", ledger, "--slot-ms", String(config.SLOT_MS), "--upgrade-authority", upgradeAuthority];
      if (config.SOLANA_WS_PORT) args.push("--ws-port", String(config.SOLANA_WS_PORT));
      await supervisor.start({ name: "localnet", command: binary, args, health: rpcAnswers(rpcUrl), readyTimeoutMs: 120_000 });
      say(`chain: localnet ${newChain ? "on a new chain" : "resumed from its ledger"}, JSON-RPC ${rpcUrl}, PubSub ${wsUrl} (${seconds(t)})`);
    };
    const startPostgres = async (): Promise<string> => {
      if (config.DATABASE_URL) {
        external("PostgreSQL", config.DATABASE_URL.replace(/\/\/[^@/]*@/, "//…@"));
        return config.DATABASE_URL;
      }
      const t = performance.now();
      const service = await postgresService({ dataDir: join(data, "postgres"), port: await freePort(), durable: true });
      await supervisor.start({ ...service.spec, readyTimeoutMs: 120_000 });
      const url = withDatabase(service.url, "skill_marketplace");
      say(`PostgreSQL: embedded, ${url} (${seconds(t)})`);
      return url;
    };
    const startRedis = async (): Promise<string> => {
      if (config.REDIS_URL) {
        external("Redis", config.REDIS_URL.replace(/\/\/[^@/]*@/, "//…@"));
        return config.REDIS_URL;
      }
      const t = performance.now();
      const service = redisService({ dataDir: join(data, "redis"), port: await freePort(), durable: true });
      await supervisor.start(service.spec);
      say(`Redis: embedded, ${service.url} (${seconds(t)})`);
      return service.url;
    };
    const startDocker = async (): Promise<EngineChoice> => {
      const t = performance.now();
      const engine = await chooseEngine({ dockerHost: config.DOCKER_HOST, dataDir: join(data, "docker") });
      if (engine.kind === "unavailable") {
        // Everything but running skills works without one; say so rather than refuse to start.
        say(`Docker engine: none: ${engine.why}; skills cannot run until there is one`);
        return engine;
      }
      if (engine.kind === "embedded") await supervisor.start(engine.spec);
      const info = await engineRuntimes(engine.host);
      if (!info) throw new Error(`the Docker engine at ${engine.host} does not answer GET /info`);
      const sandbox = info.runtimes.includes("runsc") ? "gVisor (runsc) registered" : "no gVisor runtime (runc with the same hardening)";
      say(`Docker engine: ${engine.kind === "embedded" ? "embedded dockerd" : `external (${engine.why})`}, ${engine.host}, ${sandbox} (${seconds(t)})`);
      // The base images skills are built on: made from Debian packages once (cached), imported where missing.
      const images = performance.now();
      await supervisor.run({ name: "images", command: "bash", args: ["scripts/images.sh"], cwd: ROOT, env: { DOCKER_HOST: engine.host } });
      say(`base images: python, node, static on the engine (${seconds(images)})`);
      return engine;
    };
    const [, databaseUrl, redisUrl, engine] = await Promise.all([startChain(), startPostgres(), startRedis(), startDocker()]);
    const ipfs = config.IPFS_API_URL ? { IPFS_API_URL: config.IPFS_API_URL } : { IPFS_BLOCKSTORE_DIR: join(data, "ipfs") };
    if (config.IPFS_API_URL) external("IPFS", `Kubo RPC ${config.IPFS_API_URL}`);
    else say(`IPFS: embedded store in ${join(data, "ipfs")}`);

    // Local git repositories sellers may publish by file:// URL: the data directory's repos/ unless told otherwise.
    const localRepos = config.PUBLISH_LOCAL_ROOTS ?? join(data, "repos");
    if (config.PUBLISH_LOCAL_ROOTS === undefined) mkdirSync(localRepos, { recursive: true });
    if (localRepos) say(`publishing: local git repositories under ${localRepos.split(":").join(", ")}`);
    const shared = {
      SOLANA_RPC_URL: rpcUrl,
      SOLANA_WS_URL: wsUrl,
      DATABASE_URL: databaseUrl,
      REDIS_URL: redisUrl,
      DOCKER_HOST: engine.kind === "unavailable" ? undefined : engine.host,
      LOG_LEVEL: config.LOG_LEVEL,
      SKILL_MARKETPLACE_KEYS: join(data, "keys"),
    };
    const tsx = (name: string, script: string, extra: Record<string, string | undefined> = {}): Omit<ServiceSpec, "health"> => ({
      name,
      command: process.execPath,
      args: ["--import", "tsx", script],
      cwd: ROOT,
      env: { ...shared, ...extra },
    });

    // The marketplace on the chain, and the database it is mirrored into: a new chain starts a new
    // mirror (the old one describes a chain that no longer exists).
    await Promise.all([
      (async () => {
        if (!local) return;
        const t = performance.now();
        const out = await supervisor.run(tsx("deploy", "scripts/dev-deploy.ts"));
        say(`${out.trim().split("\n").pop()} (${seconds(t)})`);
      })(),
      (async () => {
        const t = performance.now();
        const action = newChain ? "reset" : "migrate";
        await supervisor.run({ name: "migrate", command: "bash", args: ["scripts/db.sh", action], cwd: ROOT, env: shared });
        say(`database: ${newChain ? "new chain, so a new database" : "migrations applied"} (${seconds(t)})`);
      })(),
    ]);

    const indexerHealth = `http://127.0.0.1:${config.INDEXER_HEALTH_PORT}/health`;
    const apiUrl = `http://127.0.0.1:${config.API_PORT}`;
    // Solana Pay links must be https: the api serves https too, with a certificate from a CA kept in the data directory.
    const tls = localTls(join(data, "tls"));
    const apiTlsUrl = `https://127.0.0.1:${config.API_TLS_PORT}`;
    const apiPublicUrl = process.env.API_PUBLIC_URL ?? apiTlsUrl;
    if (!process.env.API_PUBLIC_URL) {
      say(`https: ${apiTlsUrl} (Solana Pay links) with a certificate from the local CA ${tls.ca}; to trust it: NODE_EXTRA_CA_CERTS=${tls.ca} for Node, ` +
        `cp ${tls.ca} /usr/local/share/ca-certificates/skill-marketplace.crt && update-ca-certificates for the system, or install it in a phone wallet`);
    }
    const executorUrl = engine.kind === "unavailable" ? undefined : `http://127.0.0.1:${config.EXECUTOR_PORT}`;
    const executorSecret = config.EXECUTOR_SECRET ?? keptSecret(join(data, "secrets"), "executor-secret");
    const webUrl = `http://127.0.0.1:${config.WEB_PORT}`;
    await Promise.all([
      (async () => {
        const t = performance.now();
        await supervisor.start({
          ...tsx("indexer", "indexer/src/main.ts", { INDEXER_HEALTH_PORT: String(config.INDEXER_HEALTH_PORT), INDEXER_PROGRESS: "never" }),
          health: httpOk(indexerHealth),
          readyTimeoutMs: 300_000,
        });
        say(`indexer: following the chain (health ${indexerHealth}) (${seconds(t)})`);
      })(),
      (async () => {
        const t = performance.now();
        await supervisor.start({
          ...tsx("api", "api/src/server.ts", {
            ...ipfs,
            API_PORT: String(config.API_PORT),
            API_TLS_PORT: String(config.API_TLS_PORT),
            API_TLS_CERT_FILE: tls.cert,
            API_TLS_KEY_FILE: tls.key,
            API_PUBLIC_URL: apiPublicUrl,
            API_KEY_SECRET: config.API_KEY_SECRET ?? keptSecret(join(data, "secrets"), "api-key-secret"),
            EXECUTOR_URL: executorUrl,
            EXECUTOR_SECRET: executorSecret,
            PUBLISH_LOCAL_ROOTS: localRepos,
            // The web app's pages call the api from people's browsers.
            API_CORS_ORIGINS: [webUrl, process.env.WEB_PUBLIC_URL].filter(Boolean).join(","),
          }),
          health: httpOk(`${apiUrl}/api/v1/health`),
        });
        say(`api: ${apiUrl}/api/v1 (${seconds(t)})`);
      })(),
      (async () => {
        if (!executorUrl) return say("executor: not started (no Docker engine)");
        const t = performance.now();
        await supervisor.start({
          ...tsx("executor", "executor/src/server.ts", {
            EXECUTOR_PORT: String(config.EXECUTOR_PORT),
            EXECUTOR_SECRET: executorSecret,
            API_PUBLIC_URL: apiPublicUrl,
          }),
          health: httpOk(`${executorUrl}/health`),
          readyTimeoutMs: 120_000,
        });
        const health = (await (await fetch(`${executorUrl}/health`)).json()) as { runtime: string; runtimeReason: string };
        say(`executor: ${executorUrl}, sandboxes under ${health.runtime} (${health.runtimeReason}) (${seconds(t)})`);
      })(),
      (async () => {
        // The production build start.sh made (`next build`), served by `next start` in this one process.
        const t = performance.now();
        await supervisor.start({
          name: "web",
          command: process.execPath,
          args: [join(ROOT, "node_modules", "next", "dist", "bin", "next"), "start", "-p", String(config.WEB_PORT), "-H", "127.0.0.1"],
          cwd: join(ROOT, "web"),
          env: { ...shared, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1", WEB_API_URL: apiUrl,
            // Browsers call the api where they trust its certificate (plain http on this machine unless a public URL is set);
            // license tokens name the public origin, the executor's audience.
            WEB_PUBLIC_API_URL: process.env.API_PUBLIC_URL ?? apiUrl,
            WEB_TOKEN_AUDIENCE: apiPublicUrl,
            WEB_RPC_URL: rpcUrl,
          },
          health: httpOk(`${webUrl}/health`),
        });
        say(`web: ${webUrl} (${seconds(t)})`);
      })(),
    ]);

    // The demo, once, on a local chain: sellers, skills published through the pipeline, a buyer's purchases and calls.
    if (local && config.SKILL_MARKETPLACE_DEMO === "1" && !existsSync(demoFile)) {
      if (!executorUrl) say("demo: not seeded (publishing needs the executor, which needs a Docker engine)");
      else {
        const t = performance.now();
        try {
          const out = await supervisor.run(
            tsx("demo", "stack/src/demo.ts", { API_URL: apiUrl, API_PUBLIC_URL: apiPublicUrl, DEMO_REPOS: localRepos.split(":")[0], DEMO_OUT: demoFile }),
          );
          for (const line of out.trim().split("\n")) say(line);
          say(`demo: ready (${seconds(t)})`);
        } catch (error) {
          // The marketplace works without its demo: say why there is none, and go on (the next start tries again).
          if (stopping) return;
          say(`demo: not seeded: ${(error as Error).message}`);
        }
      }
    }

    const summary = {
      web: webUrl,
      api: `${apiUrl}/api/v1`,
      apiPublic: `${apiPublicUrl}/api/v1`,
      ca: process.env.API_PUBLIC_URL ? null : tls.ca,
      guide: `${apiUrl}/SKILL.md`,
      rpc: rpcUrl,
      ws: wsUrl,
      database: databaseUrl,
      redis: redisUrl,
      docker: engine.kind === "unavailable" ? null : engine.host,
      executor: executorUrl ?? null,
      keys: join(data, "keys"),
      demo: existsSync(demoFile) ? demoFile : null,
      data,
      pids: supervisor.pids(),
    };
    writeFileSync(join(data, "stack.json"), JSON.stringify(summary, null, 2) + "\n");
    say(`ready in ${seconds(began)}: people start at ${summary.web}; agents at ${summary.guide}; api ${summary.api}; JSON-RPC ${rpcUrl}; keys in ${summary.keys}${summary.demo ? `; demo wallets and skills in ${summary.demo}` : ""}; state in ${join(data, "stack.json")} (Ctrl-C stops)`);
  } catch (error) {
    if (stopping) return; // a stop under way ends the steps it interrupts
    say(`could not start: ${(error as Error).message}`);
    {
      stopping = supervisor.stop();
      await stopping;
      unlock();
      process.exit(1);
    }
  }
}

/** Tests' PostgreSQL and Redis: throw-away data, fast settings, URLs written to `envOut` once both answer. */
async function testServices(names: string[], envOut: string): Promise<void> {
  const data = mkdtempSync(join(tmpdir(), "skill-marketplace-services-"));
  chmodSync(data, 0o755); // the postgres user must reach its data directory
  const supervisor = new Supervisor({ logDir: join(data, "logs"), say: (line) => process.stderr.write(`services: ${line}\n`) });
  let stopping = false;
  const stop = (status: number) => {
    if (stopping) return;
    stopping = true;
    void supervisor.stop().then(() => {
      rmSync(data, { recursive: true, force: true });
      process.exit(status);
    });
  };
  process.on("SIGTERM", () => stop(0));
  process.on("SIGINT", () => stop(0));
  watchAncestors(() => stop(1));
  try {
    const lines: string[] = [];
    if (names.includes("postgres")) {
      const postgres = await postgresService({ dataDir: join(data, "postgres"), port: await freePort(), durable: false });
      await supervisor.start(postgres.spec);
      lines.push(`EMBEDDED_POSTGRES_URL=${postgres.url}`);
    }
    if (names.includes("redis")) {
      const redis = redisService({ dataDir: join(data, "redis"), port: await freePort(), durable: false });
      await supervisor.start(redis.spec);
      lines.push(`EMBEDDED_REDIS_URL=${redis.url}`);
    }
    if (names.includes("docker")) {
      // Images outlive a run (building them takes minutes): the engine's data stays in the cache.
      const cache = process.env.SKILL_MARKETPLACE_CACHE ?? join(homedir(), ".cache", "skill-marketplace");
      const engine = await chooseEngine({ dockerHost: process.env.DOCKER_HOST, dataDir: join(cache, "test-docker") });
      if (engine.kind === "unavailable") throw new Error(`no Docker engine: ${engine.why}`);
      if (engine.kind === "embedded") await supervisor.start(engine.spec);
      lines.push(`EMBEDDED_DOCKER_HOST=${engine.host}`);
    }
    writeFileSync(`${envOut}.partial`, lines.join("\n") + "\n");
    renameSync(`${envOut}.partial`, envOut);
  } catch (error) {
    process.stderr.write(`services: ${(error as Error).message}\n`);
    stop(1);
  }
}

function main(): void {
  const argv = process.argv.slice(2);
  const value = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const services = value("--services");
  if (services !== undefined) {
    const envOut = value("--env-out");
    if (!envOut) throw new Error("usage: main.ts --services postgres,redis --env-out FILE");
    void testServices(services.split(","), envOut);
    return;
  }
  const unknown = argv.filter((arg) => arg !== "--fresh");
  if (unknown.length > 0) {
    process.stderr.write(`stack: unknown argument ${unknown[0]} (npm start [-- --fresh])\n`);
    process.exit(2);
  }
  const config = configOrExit("stack", () => parseEnv(schema, process.env));
  void stack(config, argv.includes("--fresh"));
}

main();
