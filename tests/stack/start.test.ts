// `npm start` as a newcomer runs it, on a data directory of its own: "ready" only once every
// service answers; it says what is embedded and what is external; a service that dies is restarted
// while the others keep serving; Ctrl-C, SIGTERM and SIGKILL leave no process behind; the next
// start resumes the same chain, database and API keys; a second stack cannot take the same data.
import { Keypair, LAMPORTS_PER_SOL } from "@solana/web3.js";
import bs58 from "bs58";
import { strict as assert } from "node:assert";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import nacl from "tweetnacl";
import { runDirFor } from "@skill-marketplace/stack";
import { redisUrl, scratchDatabase } from "../helpers/database.js";
import { alive, descendants, killLeftStacks, npmStart, removeData, processesNaming, rpc, stackPorts, waitUntil, type RunningStack, type StackPorts } from "../helpers/stack.js";

const api = (ports: StackPorts, path: string, init?: RequestInit) => fetch(`http://127.0.0.1:${ports.API_PORT}${path}`, init);

async function healthOf(ports: StackPorts) {
  const [apiHealth, indexerHealth, chain] = await Promise.all([
    api(ports, "/api/v1/health").then(async (r) => ({ status: r.status, body: (await r.json()) as { status: string } })),
    fetch(`http://127.0.0.1:${ports.INDEXER_HEALTH_PORT}/health`).then(async (r) => ({ status: r.status, body: (await r.json()) as { phase: string } })),
    rpc(ports.SOLANA_RPC_PORT, "getHealth"),
  ]);
  return { apiHealth, indexerHealth, chain };
}

/** Signs in a new wallet through the api (nonce, ed25519 signature); its API key. */
async function registerAgent(ports: StackPorts, wallet: Keypair): Promise<string> {
  const nonce = (await (await api(ports, "/api/v1/agents/nonce", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ wallet: wallet.publicKey.toBase58() }) })).json()) as { message: string };
  const signature = bs58.encode(nacl.sign.detached(new TextEncoder().encode(nonce.message), wallet.secretKey));
  const res = await api(ports, "/api/v1/agents", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ wallet: wallet.publicKey.toBase58(), message: nonce.message, signature }),
  });
  assert.equal(res.status, 201, await res.clone().text());
  return ((await res.json()) as { apiKey: string }).apiKey;
}

/** Waits for npm to exit, then for every process it had below it (and anything naming its data) to be gone. */
async function assertNothingLeft(stack: RunningStack, tree: Map<number, string>, data: string): Promise<number | string> {
  const status = await stack.exited;
  for (const [pid, cmdline] of tree) await waitUntil(`process ${pid} (${cmdline}) gone`, () => !alive(pid), 60_000);
  const leftovers = () => new Map([...processesNaming(data), ...processesNaming(runDirFor(data))]);
  await waitUntil(`no process naming ${data}`, () => leftovers().size === 0, 30_000).catch(() => {
    throw new Error(`left behind: ${[...leftovers()].map(([pid, cmd]) => `${pid} ${cmd}`).join("; ")}`);
  });
  return status;
}

describe("stack: npm start", function () {
  this.timeout(15 * 60_000);
  const data = mkdtempSync(join(tmpdir(), "stack-test-"));
  let ports: StackPorts;
  const wallet = Keypair.generate();
  let apiKey: string;

  before(async () => {
    ports = await stackPorts();
  });
  after(async () => {
    await killLeftStacks();
    removeData(data);
  });

  it("is ready only when every service answers, says what is embedded, restarts a service that dies, and stops on Ctrl-C leaving nothing", async () => {
    const stack = npmStart({ SKILL_MARKETPLACE_DATA: data, ...ports });
    await stack.ready;
    // Asked the moment "ready" is printed, every service already answers.
    const health = await healthOf(ports);
    assert.equal(health.apiHealth.status, 200, JSON.stringify(health.apiHealth.body));
    assert.equal(health.indexerHealth.status, 200);
    assert.equal(health.indexerHealth.body.phase, "live");
    assert.equal(health.chain, "ok");
    const out = stack.output();
    for (const line of [
      /^stack: chain: localnet on a new chain, JSON-RPC http:\/\/127\.0\.0\.1:\d+, PubSub ws:\/\/127\.0\.0\.1:\d+/m,
      /^stack: PostgreSQL: embedded, postgresql:\/\/postgres@127\.0\.0\.1:\d+\/skill_marketplace/m,
      /^stack: Redis: embedded, redis:\/\/127\.0\.0\.1:\d+/m,
      /^stack: Docker engine: (embedded dockerd|external \(.*\)), \S+, gVisor \(runsc\) registered/m,
      /^stack: IPFS: embedded store in /m,
      /^stack: base images: python, node, static on the engine/m,
      /^stack: executor: http:\/\/127\.0\.0\.1:\d+, sandboxes under runsc \(gVisor runs containers on this engine\)/m,
      /^stack: deploy: marketplace \w+ initialized/m,
      /^stack: database: new chain, so a new database/m,
      /^stack: web: http:\/\/127\.0\.0\.1:\d+ /m,
      /^stack: ready in [\d.]+ s: people start at http:\/\/127\.0\.0\.1:\d+; agents at /m,
    ]) {
      assert.match(out, line);
    }
    const state = JSON.parse(readFileSync(join(data, "stack.json"), "utf8")) as { pids: Record<string, number>; guide: string };
    assert.deepEqual(Object.keys(state.pids).sort(), ["api", "docker", "executor", "indexer", "localnet", "postgres", "redis", "web"].filter((n) => n !== "docker" || state.pids.docker !== undefined).sort());
    const executorHealth = (await (await fetch(`http://127.0.0.1:${ports.EXECUTOR_PORT}/health`)).json()) as { status: string; runtime: string; meter: string };
    assert.deepEqual([executorHealth.status, executorHealth.runtime], ["ok", "runsc"]);
    // The meter authority the executor signs with was funded on the new chain.
    assert.ok(((await rpc(ports.SOLANA_RPC_PORT, "getBalance", [executorHealth.meter])) as { value: number }).value >= LAMPORTS_PER_SOL);
    const guide = await fetch(state.guide);
    assert.equal(guide.status, 200);
    assert.match(await guide.text(), /SKILL|skill/);
    // The web app answers, its browse page rendered from the api.
    const browse = await fetch((state as unknown as { web: string }).web);
    assert.equal(browse.status, 200);
    assert.match(await browse.text(), /Skills for agents/);

    // State that a restart must keep: a balance on the chain, an agent and its key in the database.
    await rpc(ports.SOLANA_RPC_PORT, "requestAirdrop", [wallet.publicKey.toBase58(), 3 * LAMPORTS_PER_SOL]);
    await waitUntil("the airdrop", async () => ((await rpc(ports.SOLANA_RPC_PORT, "getBalance", [wallet.publicKey.toBase58()])) as { value: number }).value === 3 * LAMPORTS_PER_SOL);
    apiKey = await registerAgent(ports, wallet);
    assert.equal((await api(ports, "/api/v1/agents/me", { headers: { authorization: `Bearer ${apiKey}` } })).status, 200);
    // The api relays execute calls to the executor (their shared secret works): a call without a
    // license token is told what to send.
    const noToken = await api(ports, `/api/v1/skills/${wallet.publicKey.toBase58()}/execute`, {
      method: "POST",
      headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
      body: JSON.stringify({ endpoint: "main" }),
    });
    assert.equal(noToken.status, 401);
    assert.equal(((await noToken.json()) as { error: { code: string } }).error.code, "license_token_missing");

    // The indexer dies: it is restarted, and the api keeps serving meanwhile.
    process.kill(state.pids.indexer!, "SIGKILL");
    await waitUntil("the indexer's restart", () => /^stack: indexer is back \(pid \d+\)/m.test(stack.output()), 120_000);
    assert.match(stack.output(), /^stack: indexer died \(killed by SIGKILL\); restarting in 1\.0 s \(restart 1\)/m);
    assert.ok(alive(state.pids.api!), "the api was not touched");
    assert.equal((await healthOf(ports)).apiHealth.status, 200);
    await waitUntil("the indexer live again", async () => (await healthOf(ports)).indexerHealth.status === 200);

    // Ctrl-C: the terminal signals the whole foreground process group.
    const tree = descendants(stack.child.pid!);
    assert.ok(tree.size >= 6, [...tree.values()].join("\n"));
    process.kill(-stack.child.pid!, "SIGINT");
    const status = await assertNothingLeft(stack, tree, data);
    assert.match(stack.output(), /^stack: SIGINT: stopping/m);
    await waitUntil("the last line", () => /^stack: stopped$/m.test(stack.output()), 5_000);
    // npm passes a Ctrl-C on by ending the same way (killed by SIGINT) once its child has stopped.
    assert.ok(status === 0 || status === 130 || status === "SIGINT", `${status}\n${stack.output().slice(-3_000)}`);
  });

  it("resumes where it stopped (same chain, database and API keys), refuses a second stack on the same data, and a SIGKILL of npm leaves nothing", async () => {
    const stack = npmStart({ SKILL_MARKETPLACE_DATA: data, ...ports });
    await stack.ready;
    assert.match(stack.output(), /^stack: chain: localnet resumed from its ledger/m);
    assert.match(stack.output(), /^stack: deploy: marketplace \w+ already initialized/m);
    assert.match(stack.output(), /^stack: database: migrations applied/m);
    const balance = (await rpc(ports.SOLANA_RPC_PORT, "getBalance", [wallet.publicKey.toBase58()])) as { value: number };
    assert.equal(balance.value, 3 * LAMPORTS_PER_SOL);
    const me = await api(ports, "/api/v1/agents/me", { headers: { authorization: `Bearer ${apiKey}` } });
    assert.equal(me.status, 200);
    assert.equal(((await me.json()) as { wallet: string }).wallet, wallet.publicKey.toBase58());

    const second = npmStart({ SKILL_MARKETPLACE_DATA: data, ...(await stackPorts()) });
    assert.equal(await second.exited, 1);
    assert.match(second.output(), new RegExp(`^stack: could not start: another stack \\(pid \\d+\\) is running on ${data}; stop it, or choose another SKILL_MARKETPLACE_DATA`, "m"));
    assert.equal((await healthOf(ports)).apiHealth.status, 200, "the running stack is untouched");

    const tree = descendants(stack.child.pid!);
    process.kill(stack.child.pid!, "SIGKILL");
    assert.equal(await assertNothingLeft(stack, tree, data), "SIGKILL");
  });

  it("works with PostgreSQL and Redis external, says so, and stops on SIGTERM of npm leaving nothing", async () => {
    const own = mkdtempSync(join(tmpdir(), "stack-external-"));
    const database = await scratchDatabase("stack_external");
    try {
      const ports = await stackPorts();
      const stack = npmStart({ SKILL_MARKETPLACE_DATA: own, DATABASE_URL: database.url, REDIS_URL: redisUrl(9), ...ports });
      await stack.ready;
      assert.match(stack.output(), /^stack: PostgreSQL: external, postgresql:\/\/…@127\.0\.0\.1:\d+\/stack_external/m);
      assert.match(stack.output(), /^stack: Redis: external, redis:\/\/127\.0\.0\.1:\d+\/9/m);
      assert.doesNotMatch(stack.output(), /PostgreSQL: embedded|Redis: embedded/);
      assert.equal((await healthOf(ports)).apiHealth.status, 200);
      const tree = descendants(stack.child.pid!);
      assert.ok(![...tree.values()].some((cmd) => /redis-server|bin\/postgres/.test(cmd)), "nothing embedded runs");
      process.kill(stack.child.pid!, "SIGTERM");
      const status = await assertNothingLeft(stack, tree, own);
      await waitUntil("the last line", () => /^stack: stopped$/m.test(stack.output()), 5_000).catch((error: Error) => {
        throw new Error(`${error.message}\n${stack.output().slice(-2_000)}`);
      });
      assert.ok(status === 0 || status === 143 || status === "SIGTERM", String(status));
    } finally {
      await database.drop();
      await killLeftStacks();
      removeData(own);
    }
  });
});
