// Agent-protocol figures on this machine: what MCP adds to a call of a skill. The text-stats skill
// (skills/text-stats) is published through the api, registered on localnet and bought by three
// agents; then the same call runs three ways, interleaved on one steady schedule of BENCH_RATE
// calls/s in all (default 4, under the sandbox's sustained ceiling), each latency counted from
// when its call was due:
// - direct: POST /api/v1/skills/:id/execute over HTTP with an API key and a license token;
// - MCP over Streamable HTTP (/mcp on the api, the SDK's Client): tools/call execute_skill with a
//   license token (the api relays it to its own execute route);
// - MCP over stdio (`skill-marketplace mcp --keypair`, a real process): tools/call execute_skill,
//   the token signed by the server process.
// Tokens for the first two are signed before the clock starts (the caller's work). The executor
// runs with a warm pool of 4 on the engine's sandbox runtime (gVisor where present). Overhead is
// the MCP figure minus the direct one at the same percentile. BENCH_CALLS calls per way (default
// 100). Then x402: the skill sold per call in a token and paid by the unmodified @x402/fetch + @x402/svm client
// (402 → payment → result, settled on chain before the answer): one call at a time (BENCH_X402_CALLS, default 40,
// p50/p95 from the first request to the paid result), and four payers each with one payment in flight for
// BENCH_X402_SECONDS (default 20): settled calls per second. Writes bench/results/agents.json.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { execFileSync } from "node:child_process";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { Keypair, PublicKey } from "@solana/web3.js";
import { Redis } from "ioredis";
import pg from "pg";
import { licensePda, licenseTokenClaims, preparePurchase, signLicenseToken, X402_NETWORKS } from "@skill-marketplace/sdk";
import { bearer, registerAgent, startApi } from "../tests/helpers/api.js";
import { redisUrl } from "../tests/helpers/database.js";
import { testDocker } from "../tests/helpers/docker.js";
import { serveExecutor } from "../tests/helpers/executor.js";
import { freePort } from "../tests/helpers/localnet.js";
import { actor, airdrop, createUsdc, mintUsdc, registerAgentFor } from "../tests/helpers/marketplace.js";
import { SPLIT_EVERY_CALLS, VaultSplitter, X402Facilitator } from "@skill-marketplace/executor";
import pino from "pino";
import { createKeyPairSignerFromBytes } from "@solana/kit";
import { wrapFetchWithPayment, x402Client } from "@x402/fetch";
import { ExactSvmScheme } from "@x402/svm/exact/client";
import { signPublished } from "../tests/helpers/publish.js";

const CALLS = Number(process.env.BENCH_CALLS ?? 100);
const X402_CALLS = Number(process.env.BENCH_X402_CALLS ?? 40);
const RATE = Number(process.env.BENCH_RATE ?? 4);
const SKILL = join(import.meta.dirname, "..", "skills", "text-stats");
const CLI = join(import.meta.dirname, "..", "cli", "bin", "skill-marketplace.mjs");
const PAYLOAD = { text: "Agents call skills the way they already call tools.", top: 2 };

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};
const round = (ms: number) => Math.round(ms * 100) / 100;

async function main() {
  const docker = testDocker();
  const roots = mkdtempSync(join(tmpdir(), "bench-agents-"));
  const port = await freePort();
  const api = await startApi({ EXECUTOR_URL: `http://127.0.0.1:${port}`, PUBLISH_LOCAL_ROOTS: roots }, { indexer: true });
  const pool = new pg.Pool({ connectionString: api.databaseUrl, max: 4 });
  const redis = new Redis(redisUrl(14));
  await redis.flushdb();
  const x402 = new X402Facilitator({ connection: api.chain.connection, redis, feePayer: api.chain.meter.keypair, network: X402_NETWORKS.devnet });
  // The vaults split on the service's cadence (its defaults), a round every 2 s as the service runs them.
  const vaults = new VaultSplitter({ connection: api.chain.connection, redis, payer: api.chain.meter.keypair, logger: pino({ level: "silent" }) });
  let splits = 0;
  let splitting = true;
  const splitRounds = (async () => {
    while (splitting) {
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      splits += (await vaults.tick()).length;
    }
  })();
  const executorService = await serveExecutor({ api, pool, redis, docker, port, builder: true, warm: 4, options: { licenseCacheMs: 2_000, x402, vaults } });
  const served = await new Promise<Server>((resolve) => {
    const s = api.app.listen(0, "127.0.0.1", () => resolve(s));
  });
  const apiUrl = `http://127.0.0.1:${(served.address() as AddressInfo).port}`;
  const clients: Client[] = [];
  const results: Record<string, number> = {};
  try {
    const agent = async (name: string) => {
      const keypair = Keypair.generate();
      await airdrop(api.chain.connection, keypair.publicKey, 10e9);
      const who = actor(api.chain.connection, keypair);
      await registerAgentFor(who, name);
      return { who, keypair, key: (await registerAgent(api, keypair)).apiKey };
    };
    // The skill, published from a local repository and registered by its seller.
    const seller = await agent("bench-agents-seller");
    const dir = join(roots, "text-stats");
    cpSync(SKILL, dir, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(dir, "skill.json"), "utf8"));
    writeFileSync(join(dir, "skill.json"), JSON.stringify({ ...manifest, publisher: seller.keypair.publicKey.toBase58(), slug: "bench-agents" }, null, 2));
    const env = { ...process.env, GIT_AUTHOR_NAME: "b", GIT_AUTHOR_EMAIL: "b@e.t", GIT_COMMITTER_NAME: "b", GIT_COMMITTER_EMAIL: "b@e.t" };
    for (const args of [["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "skill"]]) execFileSync("git", args, { cwd: dir, env });
    const started = await api.http.post("/api/v1/skills/publish").set(bearer(seller.key)).send({ repo: pathToFileURL(dir).toString(), ref: "main" }).expect(202);
    await api.publishing.idle();
    const job = (await api.http.get(`/api/v1/publish/${started.body.id}`).set(bearer(seller.key)).expect(200)).body;
    if (job.status !== "ready") throw new Error(`publishing failed: ${JSON.stringify(job.error)}`);
    const skill = await signPublished(api, seller.keypair, job.result);
    const skillKey = new PublicKey(skill);

    // Three buyers, one per way (the per-license call limit is per minute); units for every call.
    const buyers = await Promise.all(["direct", "http", "stdio"].map((w) => agent(`bench-agents-${w}`)));
    for (const b of buyers) for (let bought = 0; bought < CALLS + 10; bought += Number(manifest.pricing.unitsPerPurchase)) await (await preparePurchase(b.who.program, { buyer: b.keypair.publicKey, skill: skillKey })).rpc();
    const tokenFor = (b: (typeof buyers)[number]) =>
      signLicenseToken(licenseTokenClaims({ license: licensePda(skillKey, b.keypair.publicKey), skill: skillKey, holder: b.keypair.publicKey, audience: api.config.API_PUBLIC_URL }), b.keypair.secretKey);
    const [directBuyer, httpBuyer, stdioBuyer] = buyers as [(typeof buyers)[number], (typeof buyers)[number], (typeof buyers)[number]];

    const http = new Client({ name: "bench-agent", version: "1.0.0" });
    await http.connect(new StreamableHTTPClientTransport(new URL("/mcp", apiUrl), { requestInit: { headers: { Authorization: `Bearer ${httpBuyer.key}` } } }));
    clients.push(http);
    const keyFile = join(roots, "stdio-buyer.json");
    writeFileSync(keyFile, JSON.stringify(Array.from(stdioBuyer.keypair.secretKey)));
    const stdio = new Client({ name: "bench-agent", version: "1.0.0" });
    await stdio.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [CLI, "mcp", "--api", apiUrl, "--keypair", keyFile, "--rpc", api.chain.localnet.rpcUrl, "--audience", api.config.API_PUBLIC_URL],
        env: { ...process.env, SKILL_MARKETPLACE_CACHE: join(roots, "cache") } as Record<string, string>,
      }),
    );
    clients.push(stdio);

    const ways: Record<string, (token: string) => Promise<void>> = {
      direct: async (token) => {
        const answer = await fetch(`${apiUrl}/api/v1/skills/${skill}/execute`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${directBuyer.key}`, "x-license-token": token },
          body: JSON.stringify({ endpoint: "stats", payload: PAYLOAD }),
        });
        if (answer.status !== 200) throw new Error(`direct execute answered ${answer.status}: ${await answer.text()}`);
      },
      mcp_http: async (token) => {
        const r = await http.callTool({ name: "execute_skill", arguments: { id: skill, endpoint: "stats", payload: PAYLOAD, licenseToken: token } });
        if (r.isError) throw new Error(`MCP over HTTP: ${JSON.stringify(r.content)}`);
      },
      mcp_stdio: async () => {
        const r = await stdio.callTool({ name: "execute_skill", arguments: { id: skill, endpoint: "stats", payload: PAYLOAD } });
        if (r.isError) throw new Error(`MCP over stdio: ${JSON.stringify(r.content)}`);
      },
    };
    const buyerOf: Record<string, (typeof buyers)[number]> = { direct: directBuyer, mcp_http: httpBuyer, mcp_stdio: stdioBuyer };
    // Warm-up: sign-ins, first connections, a first container per way.
    for (const [name, call] of Object.entries(ways)) for (let i = 0; i < 3; i++) await call(tokenFor(buyerOf[name]!));

    const latencies: Record<string, number[]> = { direct: [], mcp_http: [], mcp_stdio: [] };
    const names = Object.keys(ways);
    const interval = 1000 / RATE;
    const start = performance.now() + 100;
    const inFlight: Promise<void>[] = [];
    for (let i = 0; i < CALLS * names.length; i++) {
      const name = names[i % names.length]!;
      const token = tokenFor(buyerOf[name]!);
      const due = start + i * interval;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      inFlight.push(ways[name]!(token).then(() => void latencies[name]!.push(performance.now() - due)));
    }
    await Promise.all(inFlight);
    for (const name of names) {
      results[`agents_${name}_execute_p50_ms`] = round(percentile(latencies[name]!, 50));
      results[`agents_${name}_execute_p95_ms`] = round(percentile(latencies[name]!, 95));
    }
    for (const name of ["mcp_http", "mcp_stdio"]) {
      results[`agents_${name}_overhead_p50_ms`] = round(results[`agents_${name}_execute_p50_ms`]! - results.agents_direct_execute_p50_ms!);
      results[`agents_${name}_overhead_p95_ms`] = round(results[`agents_${name}_execute_p95_ms`]! - results.agents_direct_execute_p95_ms!);
    }
    results.agents_rate_calls_per_s = RATE;

    // x402: the same skill sold per call in a token, paid by the unmodified client (402 → pay → result).
    const payers = await Promise.all([0, 1, 2, 3].map((i) => agent(`bench-x402-${i}`)));
    const usdc = await createUsdc(api.chain.connection, api.chain.admin.keypair, payers.map((p) => p.keypair.publicKey));
    for (const p of payers) await mintUsdc(api.chain.connection, api.chain.admin.keypair, usdc, usdc.accounts.get(p.keypair.publicKey.toBase58())!, 1_000_000_000n);
    writeFileSync(join(dir, "skill.json"), JSON.stringify({ ...manifest, publisher: seller.keypair.publicKey.toBase58(), slug: "bench-x402", pricing: { ...manifest.pricing, currency: usdc.mint.toBase58() } }, null, 2));
    for (const args of [["add", "-A"], ["commit", "-q", "-m", "per call"]]) execFileSync("git", args, { cwd: dir, env });
    const paidStarted = await api.http.post("/api/v1/skills/publish").set(bearer(seller.key)).send({ repo: pathToFileURL(dir).toString(), ref: "main" }).expect(202);
    await api.publishing.idle();
    const paidJob = (await api.http.get(`/api/v1/publish/${paidStarted.body.id}`).set(bearer(seller.key)).expect(200)).body;
    if (paidJob.status !== "ready") throw new Error(`publishing failed: ${JSON.stringify(paidJob.error)}`);
    const paidSkill = await signPublished(api, seller.keypair, paidJob.result);
    const paying = await Promise.all(
      payers.map(async (p) => {
        const client = new x402Client()
          .register("solana:*", new ExactSvmScheme(await createKeyPairSignerFromBytes(p.keypair.secretKey), { rpcUrl: api.chain.localnet.rpcUrl }))
          .setSpendControls({ allowedAssets: [{ network: X402_NETWORKS.devnet, asset: usdc.mint.toBase58() }] });
        return wrapFetchWithPayment(fetch, client);
      }),
    );
    const paidCall = async (pay: typeof fetch) => {
      const answer = await pay(`${apiUrl}/api/v1/skills/${paidSkill}/execute`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ endpoint: "stats", payload: PAYLOAD }) });
      if (answer.status !== 200) throw new Error(`x402 call answered ${answer.status}: ${await answer.text()}`);
    };
    let paidCalls = 0;
    for (let i = 0; i < 3; i++) await paidCall(paying[0]!);
    paidCalls += 3;
    // One payer, one call at a time: from the first request (402) to the paid result.
    const single: number[] = [];
    for (let i = 0; i < X402_CALLS; i++) {
      const t = performance.now();
      await paidCall(paying[i % paying.length]!);
      single.push(performance.now() - t);
    }
    paidCalls += X402_CALLS;
    results.agents_x402_paid_call_p50_ms = round(percentile(single, 50));
    results.agents_x402_paid_call_p95_ms = round(percentile(single, 95));
    // Four payers, each with one payment in flight (the facilitator's rule), for BENCH_X402_SECONDS.
    const seconds = Number(process.env.BENCH_X402_SECONDS ?? 20);
    const until = performance.now() + seconds * 1000;
    let settled = 0;
    const t0 = performance.now();
    await Promise.all(paying.map(async (pay) => {
      while (performance.now() < until) {
        await paidCall(pay);
        settled++;
      }
    }));
    results.agents_x402_settled_calls_per_s = round(settled / ((performance.now() - t0) / 1000));
    paidCalls += settled;
    // The last round sees every payment counted.
    splitting = false;
    await splitRounds;
    splits += (await vaults.tick()).length;
    results.agents_x402_paid_calls = paidCalls;
    results.agents_x402_split_every_calls = SPLIT_EVERY_CALLS;
    results.agents_x402_split_tx_per_1000_calls = round((splits / paidCalls) * 1000);
  } finally {
    splitting = false;
    await splitRounds.catch(() => undefined);
    for (const c of clients) await c.close().catch(() => undefined);
    served.closeAllConnections();
    await new Promise((resolve) => served.close(resolve));
    await executorService.close();
    redis.disconnect();
    await pool.end();
    await api.stop();
    rmSync(roots, { recursive: true, force: true });
  }
  for (const [name, value] of Object.entries(results)) console.log(`${name}: ${value}`);
  writeFileSync("bench/results/agents.json", `${JSON.stringify(results, null, 2)}\n`);
}

await main();
process.exit(0);
