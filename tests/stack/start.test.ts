// `npm start` as a newcomer runs it, on a data directory of its own: "ready" only once every
// service answers; it says what is embedded and what is external; a service that dies is restarted
// while the others keep serving; Ctrl-C, SIGTERM and SIGKILL leave no process behind; the next
// start resumes the same chain, database and API keys; a second stack cannot take the same data. On a new chain it
// seeds the demo (two sellers, three skills published through the pipeline, a buyer's purchases, calls and
// reviews), and a newcomer agent drives it knowing only what /SKILL.md teaches.
import { Keypair, LAMPORTS_PER_SOL, PublicKey } from "@solana/web3.js";
import { spawnSync } from "node:child_process";
import { licensePda, licenseTokenClaims, pricing, signLicenseToken, verifyReceiptSignature, type Receipt } from "@skill-marketplace/sdk";
import { fundedActor, registerAgentFor, registerSkillFor, startMarketplace } from "../helpers/marketplace.js";
import bs58 from "bs58";
import { strict as assert } from "node:assert";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
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

/**
 * A newcomer agent with a new wallet and nothing but /SKILL.md: the cluster and RPC URL from it, SOL from the
 * faucet it names, sign-in, a search, a purchase through the Solana Pay transaction request, a call with a
 * license token, then its usage and its receipt.
 */
async function driveAsAnAgent(ports: StackPorts, guideUrl: string, ca: string): Promise<void> {
  const guide = await (await fetch(guideUrl)).text();
  const rpcUrl = /Cluster: \*\*localnet\*\*\. Send transactions to the JSON-RPC URL \*\*(\S+)\*\*/.exec(guide)?.[1];
  assert.ok(rpcUrl, "SKILL.md names the cluster's RPC URL");
  assert.match(guide, /requestAirdrop/);
  const chain = async (method: string, params: unknown[]) => {
    const res = (await (await fetch(rpcUrl, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }) })).json()) as { result: unknown; error?: unknown };
    assert.equal(res.error, undefined, JSON.stringify(res.error));
    return res.result;
  };
  const agent = Keypair.generate();
  await chain("requestAirdrop", [agent.publicKey.toBase58(), 2 * LAMPORTS_PER_SOL]);
  await waitUntil("the faucet's SOL", async () => (((await chain("getBalance", [agent.publicKey.toBase58()])) as { value: number }).value === 2 * LAMPORTS_PER_SOL ? true : undefined));
  const key = await registerAgent(ports, agent);
  const authed = (path: string, init: RequestInit = {}) =>
    api(ports, `/api/v1${path}`, { ...init, headers: { authorization: `Bearer ${key}`, "content-type": "application/json", ...(init.headers ?? {}) } });

  // Find a skill that works on text.
  const found = (await (await api(ports, "/api/v1/skills?search=text")).json()) as { skills: { id: string; slug: string; price: string }[] };
  const skill = found.skills.find((s) => s.slug === "text-stats");
  assert.ok(skill, JSON.stringify(found.skills.map((s) => s.slug)));

  // Buy through Solana Pay: the link is https (the stack's local CA), so a wallet built on @solana/pay takes it,
  // once it trusts that CA; without it, the certificate is refused and nothing is paid.
  const link = (await (await authed(`/skills/${skill.id}/purchase-link`, { method: "POST", body: "{}" })).json()) as { url: string; reference: string };
  assert.match(link.url, /^solana:https%3A%2F%2F127\.0\.0\.1%3A\d+%2Fapi%2Fv1%2Fpay%2F/);
  const wallet = (ca: string | undefined) =>
    spawnSync(process.execPath, ["--import", "tsx", "tests/fixtures/pay-wallet.ts", link.url, rpcUrl, bs58.encode(agent.secretKey)], {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: ca ?? "" },
      encoding: "utf8",
      timeout: 60_000,
    });
  const untrusting = wallet(undefined);
  assert.notEqual(untrusting.status, 0);
  assert.match(untrusting.stderr, /self[- ]signed|unable to verify|UNABLE_TO_VERIFY|SELF_SIGNED/i);
  const paying = wallet(ca);
  assert.equal(paying.status, 0, paying.stderr);
  assert.match(paying.stdout.trim(), /^[1-9A-HJ-NP-Za-km-z]{64,88}$/);
  const paid = await waitUntil("the payment confirmed", async () => {
    const status = (await (await api(ports, `/api/v1/payments/${link.reference}`)).json()) as { status: string; license: { unitsLeft: string } | null };
    return status.status === "confirmed" ? status : undefined;
  });
  assert.equal(paid.license?.unitsLeft, "100");

  // Run it with a license token the wallet signs, as SKILL.md shows.
  const origin = /Everything below is plain HTTPS \+ JSON under\s+`(\S+)\/api\/v1`/.exec(guide)?.[1];
  assert.ok(origin);
  const claims = licenseTokenClaims({ license: licensePda(new PublicKey(skill.id), agent.publicKey), skill: skill.id, holder: agent.publicKey, audience: origin });
  const ran = await authed(`/skills/${skill.id}/execute`, {
    method: "POST",
    headers: { "x-license-token": signLicenseToken(claims, agent.secretKey) },
    body: JSON.stringify({ endpoint: "stats", payload: { text: "Agents buy skills. Agents run skills!", top: 1 } }),
  });
  assert.equal(ran.status, 200, await ran.clone().text());
  const answer = (await ran.json()) as { result: { words: number; topWords: { word: string }[] }; usage: { units: number; receipt: Receipt & { signature: string } } };
  assert.deepEqual([answer.result.words, answer.result.topWords[0]?.word], [6, "agents"]);
  assert.equal(answer.usage.units, 1);
  assert.ok(verifyReceiptSignature(answer.usage.receipt, answer.usage.receipt.signature));

  // Its usage and its receipt: one unit fewer once settled, and the receipt proven.
  await waitUntil("the call settled", async () => {
    const verify = (await (await authed(`/marketplace/verify/${skill.id}`)).json()) as { unitsLeft?: string; license?: { unitsLeft: string } };
    return (verify.unitsLeft ?? verify.license?.unitsLeft) === "99" ? true : undefined;
  }, 120_000);
  const receipt = (await (await authed(`/receipts/${answer.usage.receipt.id}`)).json()) as { settlement: { status: string } };
  assert.ok(["pending", "landed"].includes(receipt.settlement.status));
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

    // The demo: two sellers, three skills published through the pipeline (one per license kind, in SOL and the
    // demo USDC), bought, run and reviewed by the demo buyer.
    assert.match(out, /^stack: demo: text-stats published by Text Tools Co/m);
    assert.match(out, /^stack: demo: ready \([\d.]+ s\)$/m);
    const demo = JSON.parse(readFileSync(join(data, "demo.json"), "utf8")) as { usdcMint: string; sellers: { wallet: string }[]; skills: { slug: string; id: string; seller: string }[] };
    assert.deepEqual(demo.skills.map((s) => s.slug), ["text-stats", "json-check", "thumbnail"]);
    assert.equal(new Set(demo.skills.map((s) => s.seller)).size, 2);
    const details = await Promise.all(demo.skills.map(async (s) => (await (await api(ports, `/api/v1/skills/${s.id}`)).json()) as { pricing: { kind: string }; currency: string; sales: string; scan: unknown; reviews: { text: string }[]; usageUnits: string }));
    assert.deepEqual(details.map((d) => [d.pricing.kind, d.currency === "SOL" ? "SOL" : d.currency === demo.usdcMint ? "USDC" : d.currency]), [["usage", "SOL"], ["subscription", "USDC"], ["oneTime", "SOL"]]);
    for (const d of details) {
      assert.equal(d.sales, "1");
      assert.ok(d.scan, "published through the pipeline: scanned");
    }
    assert.deepEqual(details.map((d) => d.reviews.length), [0, 1, 1]);

    assert.match(out, /^stack: https: https:\/\/127\.0\.0\.1:\d+ \(Solana Pay links\) with a certificate from the local CA /m);
    await driveAsAnAgent(ports, state.guide, join(data, "tls", "ca.pem"));
    // The web app's browse page lists the demo's skills.
    const page = await (await fetch((state as unknown as { web: string }).web)).text();
    for (const slug of ["text-stats", "json-check", "thumbnail"]) assert.ok(page.includes(slug), `${slug} on the browse page`);

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
      const stack = npmStart({ SKILL_MARKETPLACE_DATA: own, DATABASE_URL: database.url, REDIS_URL: redisUrl(9), SKILL_MARKETPLACE_DEMO: "0", ...ports });
      await stack.ready;
      assert.doesNotMatch(stack.output(), /^stack: demo:/m);
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

  it("works with the chain external (the marketplace already deployed there): says so, deploys and seeds nothing, and follows that chain", async () => {
    const chain = await startMarketplace();
    const own = mkdtempSync(join(tmpdir(), "stack-chain-"));
    try {
      // The executor signs as the chain's registered meter authority, given as the stack's meter key.
      mkdirSync(join(own, "keys"), { recursive: true, mode: 0o700 });
      writeFileSync(join(own, "keys", "meter-authority.json"), JSON.stringify([...chain.meter.keypair.secretKey]), { mode: 0o600 });
      const ports = await stackPorts();
      const stack = npmStart({ SKILL_MARKETPLACE_DATA: own, SOLANA_RPC_URL: chain.localnet.rpcUrl, SOLANA_WS_URL: chain.localnet.wsUrl, ...ports });
      await stack.ready;
      const out = stack.output();
      assert.match(out, new RegExp(`^stack: chain: external, ${chain.localnet.rpcUrl.replaceAll(".", "\\.")}$`, "m"));
      assert.doesNotMatch(out, /^stack: (deploy|demo):/m);
      assert.doesNotMatch(out, /localnet on a new chain|resumed from its ledger/);
      assert.equal((await healthOf({ ...ports, SOLANA_RPC_PORT: new URL(chain.localnet.rpcUrl).port })).apiHealth.status, 200);
      // A skill listed on that chain is indexed and served.
      const seller = await fundedActor(chain.connection, 5);
      await registerAgentFor(seller, "external-chain-seller");
      await registerSkillFor(seller, { slug: "on-external-chain", pricing: pricing.oneTime(), price: 1_000_000n });
      await waitUntil("the skill listed", async () => {
        const listed = (await (await api(ports, "/api/v1/skills?sort=newest")).json()) as { skills: { slug: string }[] };
        return listed.skills.some((s) => s.slug === "on-external-chain") ? true : undefined;
      }, 60_000);
      const tree = descendants(stack.child.pid!);
      assert.ok(![...tree.values()].some((cmd) => /target\/\w+\/localnet/.test(cmd)), "no node of its own");
      process.kill(stack.child.pid!, "SIGTERM");
      await assertNothingLeft(stack, tree, own);
    } finally {
      await killLeftStacks();
      removeData(own);
      await chain.stop();
    }
  });
});
