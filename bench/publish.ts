// Publishing figures on this machine: the wall time of each step of a job for the text-stats skill
// (skills/text-stats) from a local git repository, through the api's publishing service, the
// executor's builder on the real Docker engine, the sandbox, localnet and IPFS (embedded store).
// - uncached: code the engine has never built (a fresh file in each run), so the image's layer is
//   built;
// - cached: the same code again from another seller (another manifest, which is not in the image),
//   so the engine reuses the layer.
// Each figure is the median of BENCH_RUNS runs (default 3). Writes bench/results/publish.json.
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Keypair } from "@solana/web3.js";
import { Redis } from "ioredis";
import pg from "pg";
import { bearer, registerAgent, startApi } from "../tests/helpers/api.js";
import { redisUrl } from "../tests/helpers/database.js";
import { testDocker } from "../tests/helpers/docker.js";
import { serveExecutor } from "../tests/helpers/executor.js";
import { freePort } from "../tests/helpers/localnet.js";
import { actor, airdrop, registerAgentFor } from "../tests/helpers/marketplace.js";

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const SKILL = join(import.meta.dirname, "..", "skills", "text-stats");
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function main() {
  const docker = testDocker();
  const roots = mkdtempSync(join(tmpdir(), "bench-publish-"));
  const port = await freePort();
  const api = await startApi({ EXECUTOR_URL: `http://127.0.0.1:${port}`, PUBLISH_LOCAL_ROOTS: roots });
  const pool = new pg.Pool({ connectionString: api.databaseUrl, max: 4 });
  const redis = new Redis(redisUrl(13));
  const executorService = await serveExecutor({ api, pool, redis, docker, port, builder: true });
  const results: Record<string, number> = {};
  try {
    const seller = async (name: string) => {
      const keypair = Keypair.generate();
      await airdrop(api.chain.connection, keypair.publicKey, 10e9);
      const who = actor(api.chain.connection, keypair);
      await registerAgentFor(who, name);
      return { who, key: (await registerAgent(api, keypair)).apiKey };
    };
    const repository = (publisher: string, slug: string, salt: string) => {
      const dir = join(roots, `${slug}-${publisher.slice(0, 6)}`);
      cpSync(SKILL, dir, { recursive: true });
      const manifest = JSON.parse(readFileSync(join(dir, "skill.json"), "utf8"));
      writeFileSync(join(dir, "skill.json"), JSON.stringify({ ...manifest, publisher, slug }, null, 2));
      writeFileSync(join(dir, "build-salt.txt"), `${salt}\n`);
      const env = { ...process.env, GIT_AUTHOR_NAME: "b", GIT_AUTHOR_EMAIL: "b@e.t", GIT_COMMITTER_NAME: "b", GIT_COMMITTER_EMAIL: "b@e.t" };
      for (const args of [["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "skill"]]) execFileSync("git", args, { cwd: dir, env });
      return pathToFileURL(dir).toString();
    };
    const job = async (key: string, repo: string) => {
      const t = performance.now();
      const started = await api.http.post("/api/v1/skills/publish").set(bearer(key)).send({ repo, ref: "main" }).expect(202);
      await api.publishing.idle();
      const done = (await api.http.get(`/api/v1/publish/${started.body.id}`).set(bearer(key)).expect(200)).body as { status: string; error: unknown; steps: { name: string; durationMs: number }[] };
      if (done.status !== "ready") throw new Error(`publishing failed: ${JSON.stringify(done.error)}`);
      return { total: performance.now() - t, steps: done.steps };
    };
    const first = await seller("bench-first");
    const second = await seller("bench-second");
    const figures: Record<string, number[]> = {};
    const add = (name: string, value: number) => (figures[name] ??= []).push(value);
    for (let i = 0; i < RUNS; i++) {
      const salt = `${Date.now()}-${Math.random()}`;
      for (const [kind, who] of [["uncached", first], ["cached", second]] as const) {
        const run = await job(who.key, repository(who.who.publicKey.toBase58(), `bench-stats-${i}`, salt));
        for (const step of run.steps) add(`publish_${kind}_${step.name}_ms`, step.durationMs);
        add(`publish_${kind}_total_ms`, run.total);
      }
    }
    for (const [name, values] of Object.entries(figures)) results[name] = Math.round(median(values));
  } finally {
    await executorService.close();
    redis.disconnect();
    await pool.end();
    await api.stop();
    rmSync(roots, { recursive: true, force: true });
  }
  for (const [name, value] of Object.entries(results)) console.log(`${name}: ${value}`);
  writeFileSync("bench/results/publish.json", `${JSON.stringify(results, null, 2)}\n`);
}

await main();
process.exit(0);
