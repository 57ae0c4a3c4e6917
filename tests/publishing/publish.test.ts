// Publishing from a repository, against the real parts: a local git repository (the git path),
// the api with its publishing jobs, the executor's builder on the Docker engine, the sandbox,
// the node and the indexer. From a repository to a skill a buyer runs; and every way publishing
// can refuse, each with its own code, leaving no skill, image or running job behind.
import assert from "node:assert/strict";
import { execFile, execFileSync, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { Keypair, PublicKey, VersionedTransaction } from "@solana/web3.js";
import { getAssociatedTokenAddressSync } from "@solana/spl-token";
import pg from "pg";
import { Redis } from "ioredis";
import {
  checkManifest,
  decodeX402Header,
  licensePda,
  licenseTokenClaims,
  preparePurchase,
  signLicenseToken,
  skillPda,
  skillVault,
  skillVaultAuthorityPda,
  splitPrice,
  verifyReceiptSignature,
  X402_NETWORKS,
} from "@skill-marketplace/sdk";
import { createKeyPairSignerFromBytes } from "@solana/kit";
import { wrapFetchWithPayment, x402Client } from "@x402/fetch";
import { ExactSvmScheme } from "@x402/svm/exact/client";
import { BUILD_LABEL, buildSkillImage, VaultSplitter, X402Facilitator } from "@skill-marketplace/executor";
import pino from "pino";
import { bearer, registerAgent, startApi, type TestApi } from "../helpers/api.js";
import { testDocker } from "../helpers/docker.js";
import { serveExecutor, type ServedExecutor } from "../helpers/executor.js";
import { freePort } from "../helpers/localnet.js";
import { actor, airdrop, createUsdc, mintUsdc, registerAgentFor, tokenBalance, type Actor } from "../helpers/marketplace.js";
import { redisUrl } from "../helpers/database.js";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { LICENSE_TOKEN_META } from "@skill-marketplace/mcp";
import { createRequire } from "node:module";
import Ajv2020Module from "ajv/dist/2020.js";
import { promisify } from "node:util";
import { githubRecordings, githubReplay, type GitHubReplay } from "../helpers/github.js";
import { signPublished } from "../helpers/publish.js";

const Ajv2020 = Ajv2020Module.default ?? Ajv2020Module;
const SKILL_SOURCE = join(import.meta.dirname, "..", "..", "skills", "text-stats");
const CLI = join(import.meta.dirname, "..", "..", "cli", "bin", "skill-marketplace.mjs");
const execFileAsync = promisify(execFile);
const INSPECTOR = createRequire(import.meta.url).resolve("@modelcontextprotocol/inspector-cli/build/index.js");

type Job = {
  id: string;
  status: string;
  steps: { name: string; status: string; detail: string | null }[];
  findings: { rule: string; severity: string; file: string; line: number; excerpt: string }[];
  result: { action: string; skill: string; transaction: string; docsCid: string; commitSha: string; imageDigest: string } | null;
  error: { code: string; message: string; details?: Record<string, unknown> } | null;
};

describe("publishing: from a repository to a skill buyers run", function () {
  this.timeout(600_000);
  const docker = testDocker();
  const roots = mkdtempSync(join(tmpdir(), "publish-repos-"));
  let api: TestApi;
  let executorService: ServedExecutor;
  let pool: pg.Pool;
  let redis: Redis;
  let vaults: VaultSplitter;
  let seller: Actor;
  let sellerKey: string;
  let stranger: Actor;
  let strangerKey: string;
  let repoCount = 0;
  const recorded = githubRecordings();
  let github: GitHubReplay;
  /** The api on a real port, for clients that are processes or speak MCP over HTTP. */
  let served: Server;
  let apiUrl: string;

  /** A real git repository holding the text-stats skill, changed by `edit`, committed; its file:// URL. */
  const repository = (edit: (dir: string, manifest: Record<string, unknown>) => void = () => undefined, publisher = seller.publicKey.toBase58()) => {
    const dir = join(roots, `repo-${++repoCount}`);
    cpSync(SKILL_SOURCE, dir, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(dir, "skill.json"), "utf8"));
    manifest.publisher = publisher;
    manifest.slug = `text-stats-${repoCount}`;
    edit(dir, manifest);
    writeFileSync(join(dir, "skill.json"), JSON.stringify(manifest, null, 2));
    const git = (...args: string[]) => execFileSync("git", args, { cwd: dir, env: { ...process.env, GIT_AUTHOR_NAME: "seller", GIT_AUTHOR_EMAIL: "s@example.test", GIT_COMMITTER_NAME: "seller", GIT_COMMITTER_EMAIL: "s@example.test" } });
    git("init", "-q", "-b", "main");
    git("add", "-A");
    git("commit", "-q", "-m", "skill");
    git("tag", "v1");
    return { url: pathToFileURL(dir).toString(), dir, slug: manifest.slug as string, sha: git("rev-parse", "HEAD").toString().trim() };
  };
  const publish = (key: string, repo: string, ref = "main") => api.http.post("/api/v1/skills/publish").set(bearer(key)).send({ repo, ref });
  /** Starts a job and waits for it to end. */
  const published = async (key: string, repo: string, ref = "main"): Promise<Job> => {
    const started = await publish(key, repo, ref).expect(202);
    assert.equal(started.body.status, "queued");
    await api.publishing.idle();
    return (await api.http.get(`/api/v1/publish/${started.body.id}`).set(bearer(key)).expect(200)).body as Job;
  };
  const builtImages = async () => (await docker.listImages({ filters: JSON.stringify({ label: [BUILD_LABEL] }) })).length;
  const onChain = async (slug: string) => (await api.chain.connection.getAccountInfo(skillPda(seller.publicKey, slug), "confirmed")) !== null;
  /** The job failed at `step` with `code`, and left no skill and no image. */
  const refused = async (job: Job, step: string, code: string, slug: string, imagesBefore: number) => {
    assert.equal(job.status, "failed", JSON.stringify(job.error));
    assert.equal(job.error?.code, code, job.error?.message);
    assert.deepEqual(job.steps.filter((s) => s.status === "failed").map((s) => s.name), [step]);
    assert.ok(job.steps.slice(job.steps.findIndex((s) => s.name === step) + 1).every((s) => s.status === "waiting"), "nothing ran after the failed step");
    assert.equal(job.result, null);
    assert.equal(await builtImages(), imagesBefore, "no image left behind");
    assert.equal(await onChain(slug), false, "no skill on chain");
  };
  /** Publishes `repo`, signs and sends its transaction as the seller, and waits until discovery shows the skill. */
  const registered = async (repo: { url: string; slug: string }) => {
    const job = await published(sellerKey, repo.url);
    assert.equal(job.status, "ready", JSON.stringify(job.error));
    assert.equal(job.result!.skill, skillPda(seller.publicKey, repo.slug).toBase58());
    return signPublished(api, seller.keypair, job.result!);
  };
  const fundedActor = async () => {
    const keypair = Keypair.generate();
    await airdrop(api.chain.connection, keypair.publicKey, 10e9);
    return actor(api.chain.connection, keypair);
  };

  before(async () => {
    const port = await freePort();
    github = await githubReplay([recorded.commit, ...recorded.archive], recorded.notFound);
    api = await startApi({ EXECUTOR_URL: `http://127.0.0.1:${port}`, PUBLISH_LOCAL_ROOTS: roots, GITHUB_API_URL: github.url }, { indexer: true });
    pool = new pg.Pool({ connectionString: api.databaseUrl, max: 4 });
    redis = new Redis(redisUrl(11));
    await redis.flushdb();
    // The executor takes x402 payments too, its meter authority paying their fees (as the service runs it).
    const x402 = new X402Facilitator({ connection: api.chain.connection, redis, feePayer: api.chain.meter.keypair, network: X402_NETWORKS.devnet });
    // Its vaults split after every landed payment here (the service's default is every 100), when a round runs.
    vaults = new VaultSplitter({ connection: api.chain.connection, redis, payer: api.chain.meter.keypair, logger: pino({ level: "silent" }), everyCalls: 1 });
    executorService = await serveExecutor({ api, pool, redis, docker, port, builder: true, options: { licenseCacheMs: 0, x402, vaults } });
    seller = await fundedActor();
    stranger = await fundedActor();
    await registerAgentFor(seller, "publishing-seller");
    await registerAgentFor(stranger, "publishing-stranger");
    sellerKey = (await registerAgent(api, seller.keypair)).apiKey;
    strangerKey = (await registerAgent(api, stranger.keypair)).apiKey;
    served = await new Promise<Server>((resolve) => {
      const s = api.app.listen(0, "127.0.0.1", () => resolve(s));
    });
    apiUrl = `http://127.0.0.1:${(served.address() as AddressInfo).port}`;
  });

  after(async () => {
    await api?.publishing.idle();
    await executorService?.close();
    redis?.disconnect();
    await pool?.end();
    await api?.stop();
    await github?.close();
    served?.closeAllConnections();
    await new Promise((resolve) => (served ? served.close(resolve) : resolve(undefined)));
    rmSync(roots, { recursive: true, force: true });
  });

  it("publishes a repository: pinned commit, docs, scan, image, examples, a transaction the seller signs; then buyers find it and run it", async () => {
    const repo = repository();
    const job = await published(sellerKey, repo.url, "v1");
    assert.equal(job.status, "ready", JSON.stringify(job.error));
    assert.deepEqual(job.steps.map((s) => [s.name, s.status]), [
      ["resolve", "done"], ["manifest", "done"], ["scan", "done"], ["build", "done"], ["examples", "done"], ["docs", "done"], ["transaction", "done"],
    ]);
    const result = job.result!;
    assert.equal(result.action, "register_skill");
    assert.equal(result.commitSha, repo.sha);
    const skill = skillPda(seller.publicKey, repo.slug);
    assert.equal(result.skill, skill.toBase58());
    // Nothing is on chain before the seller signs.
    assert.equal(await onChain(repo.slug), false);
    const tx = VersionedTransaction.deserialize(Buffer.from(result.transaction, "base64"));
    tx.sign([seller.keypair]);
    const signature = await api.chain.connection.sendRawTransaction(tx.serialize());
    await api.chain.connection.confirmTransaction(signature, "confirmed");

    // The indexer sees it: discovery shows its provenance and scan report.
    let details: Record<string, any> | null = null;
    for (let i = 0; i < 100 && !details; i++) {
      const answer = await api.http.get(`/api/v1/skills/${skill.toBase58()}`);
      if (answer.status === 200) details = answer.body;
      else await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(details, "the skill was indexed");
    assert.deepEqual(details!.provenance, { docsCid: result.docsCid, commitSha: repo.sha, imageDigest: result.imageDigest });
    assert.equal(details!.category, "analysis");
    assert.equal(details!.docs.status, "available");
    assert.match(details!.skillMd, /# Text statistics/);
    assert.equal(details!.examples.length, 2);
    assert.deepEqual(details!.scan, { repo: repo.url, commitSha: repo.sha, version: "1.0.0", findings: job.findings, scannedAt: details!.scan.scannedAt });
    assert.ok(details!.apiSpec.paths["/stats"].post.requestBody);

    // A buyer buys and runs it: the skill's real output.
    const buyer = await fundedActor();
    const buyerKey = (await registerAgent(api, buyer.keypair)).apiKey;
    await (await preparePurchase(buyer.program, { buyer: buyer.publicKey, skill })).rpc();
    const token = signLicenseToken(licenseTokenClaims({ license: licensePda(skill, buyer.publicKey), skill, holder: buyer.publicKey, audience: api.config.API_PUBLIC_URL }), buyer.keypair.secretKey);
    const run = await api.http
      .post(`/api/v1/skills/${skill.toBase58()}/execute`)
      .set({ ...bearer(buyerKey), "X-License-Token": token })
      .send({ endpoint: "stats", payload: { text: "Sellers publish. Buyers run what sellers publish.", top: 1 } })
      .expect(200);
    assert.deepEqual(run.body.result, { characters: 49, words: 7, sentences: 2, averageWordLength: 5.86, readingSeconds: 2, topWords: [{ word: "publish", count: 2 }] });
    assert.equal(`sha256:${run.body.usage.receipt.imageDigest}`, `sha256:${result.imageDigest}`);

    // An update must raise the version.
    const again = await published(sellerKey, repo.url, "main");
    const images = await builtImages();
    assert.equal(again.status, "failed");
    assert.equal(again.error!.code, "version_not_newer");
    assert.deepEqual(again.steps.filter((s) => s.status === "failed").map((s) => s.name), ["manifest"]);
    assert.match(again.error!.message, /1\.0\.0 is not above 1\.0\.0/);
    assert.equal(await builtImages(), images);
  });

  it("agents find, buy, run and check receipts over MCP: stdio with a keypair, Streamable HTTP with a key, the skill's own server, and the MCP inspector", async () => {
    const repo = repository();
    const skill = await registered(repo);
    const buyer = await fundedActor();
    const keyFile = join(roots, "buyer.json");
    writeFileSync(keyFile, JSON.stringify(Array.from(buyer.keypair.secretKey)));
    const stdioArgs = (...extra: string[]) => [CLI, "mcp", "--api", apiUrl, "--keypair", keyFile, "--rpc", api.chain.localnet.rpcUrl, "--audience", api.config.API_PUBLIC_URL, ...extra];
    const env = { ...process.env, SKILL_MARKETPLACE_CACHE: join(roots, "mcp-cache") } as Record<string, string>;
    const input = { text: "Agents buy. Agents run what they buy.", top: 1 };
    const output = { characters: 37, words: 7, sentences: 2, averageWordLength: 4.14, readingSeconds: 2, topWords: [{ word: "agents", count: 2 }] };

    // stdio with the buyer's keypair: search → details → buy (signed, sent, seen) → run → receipt → licenses.
    const stdio = new Client({ name: "buyer-agent", version: "1.0.0" });
    await stdio.connect(new StdioClientTransport({ command: process.execPath, args: stdioArgs(), env }));
    let receiptId: string;
    try {
      const found = await stdio.callTool({ name: "search_skills", arguments: { category: "analysis", sort: "newest", limit: 50 } });
      assert.ok((found.structuredContent as { skills: { id: string }[] }).skills.some((s) => s.id === skill), "search finds the skill");
      const details = (await stdio.callTool({ name: "get_skill", arguments: { id: skill } })).structuredContent as { provenance: { commitSha: string }; scan: unknown };
      assert.equal(details.provenance.commitSha, repo.sha);
      assert.ok(details.scan, "the scan report is in the details");
      const bought = await stdio.callTool({ name: "buy_skill", arguments: { id: skill } });
      assert.equal(bought.isError, undefined, JSON.stringify(bought.content));
      const purchase = bought.structuredContent as { status: string; license: { address: string; kind: string; unitsLeft: string; valid: boolean } };
      assert.equal(purchase.status, "confirmed");
      assert.deepEqual([purchase.license.address, purchase.license.kind, purchase.license.unitsLeft, purchase.license.valid], [licensePda(new PublicKey(skill), buyer.publicKey).toBase58(), "usage", "100", true]);
      const run = await stdio.callTool({ name: "execute_skill", arguments: { id: skill, endpoint: "stats", payload: input } });
      assert.equal(run.isError, undefined, JSON.stringify(run.content));
      const ran = run.structuredContent as { result: unknown; usage: { units: number; receipt: { id: string; skill: string; license: string } } };
      assert.deepEqual(ran.result, output);
      assert.deepEqual([ran.usage.units, ran.usage.receipt.skill, ran.usage.receipt.license], [1, skill, licensePda(new PublicKey(skill), buyer.publicKey).toBase58()]);
      receiptId = ran.usage.receipt.id;
      const receipt = await stdio.callTool({ name: "get_receipt", arguments: { id: receiptId } });
      assert.equal((receipt.structuredContent as { receipt: { id: string } }).receipt.id, receiptId);
      // (units used reach the chain when the receipt is settled, in a later batch)
      const licenses = (await stdio.callTool({ name: "list_licenses", arguments: {} })).structuredContent as { licenses: { skill: string; unitsLimit: string; valid: boolean }[] };
      assert.deepEqual(licenses.licenses.map((l) => [l.skill, l.unitsLimit, l.valid]), [[skill, "100", true]]);
    } finally {
      await stdio.close();
    }

    // Streamable HTTP with the buyer's API key: the same tools; the license token is signed by the agent.
    const buyerKey = (await registerAgent(api, buyer.keypair)).apiKey;
    const token = () => signLicenseToken(licenseTokenClaims({ license: licensePda(new PublicKey(skill), buyer.publicKey), skill, holder: buyer.publicKey, audience: api.config.API_PUBLIC_URL }), buyer.keypair.secretKey);
    const http = new Client({ name: "buyer-agent", version: "1.0.0" });
    await http.connect(new StreamableHTTPClientTransport(new URL("/mcp", apiUrl), { requestInit: { headers: { Authorization: `Bearer ${buyerKey}` } } }));
    try {
      const run = await http.callTool({ name: "execute_skill", arguments: { id: skill, endpoint: "stats", payload: input, licenseToken: token() } });
      assert.deepEqual((run.structuredContent as { result: unknown }).result, output);
      // A token is good for one call: the executor's refusal comes back as the tool error.
      const used = token();
      await http.callTool({ name: "execute_skill", arguments: { id: skill, endpoint: "stats", payload: input, licenseToken: used } });
      const replay = await http.callTool({ name: "execute_skill", arguments: { id: skill, endpoint: "stats", payload: input, licenseToken: used } });
      assert.equal(replay.isError, true);
      assert.match((replay.content as { text: string }[])[0]!.text, /^license_token_replayed: /);
      const receipt = await http.callTool({ name: "get_receipt", arguments: { id: receiptId } });
      assert.equal((receipt.structuredContent as { receipt: { id: string } }).receipt.id, receiptId);
    } finally {
      await http.close();
    }

    // The skill as a server of its own: one tool per endpoint with the manifest's input schema; a call is an execute.
    const manifest = JSON.parse(readFileSync(join(repo.dir, "skill.json"), "utf8"));
    const own = new Client({ name: "buyer-agent", version: "1.0.0" });
    await own.connect(new StreamableHTTPClientTransport(new URL(`/mcp/skills/${skill}`, apiUrl), { requestInit: { headers: { Authorization: `Bearer ${buyerKey}` } } }));
    try {
      const { tools } = await own.listTools();
      assert.deepEqual(tools.map((t) => [t.name, t.inputSchema]), [["stats", manifest.endpoints.stats.input]]);
      const run = await own.callTool({ name: "stats", arguments: input, _meta: { [LICENSE_TOKEN_META]: token() } });
      assert.deepEqual(JSON.parse((run.content as { text: string }[])[0]!.text), output);
      assert.equal((run._meta as { "skill-marketplace/usage": { units: number } })["skill-marketplace/usage"].units, 1);
      const without = await own.callTool({ name: "stats", arguments: input });
      assert.equal(without.isError, true);
      assert.match((without.content as { text: string }[])[0]!.text, /^license_token_required: /);
    } finally {
      await own.close();
    }
    // A stranger's license does not exist: their call is refused and nothing is counted for them.
    const strangerOwn = new Client({ name: "stranger", version: "1.0.0" });
    await strangerOwn.connect(new StreamableHTTPClientTransport(new URL(`/mcp/skills/${skill}`, apiUrl), { requestInit: { headers: { Authorization: `Bearer ${strangerKey}` } } }));
    try {
      const claims = licenseTokenClaims({ license: licensePda(new PublicKey(skill), stranger.publicKey), skill, holder: stranger.publicKey, audience: api.config.API_PUBLIC_URL });
      const refused = await strangerOwn.callTool({ name: "stats", arguments: input, _meta: { [LICENSE_TOKEN_META]: signLicenseToken(claims, stranger.keypair.secretKey) } });
      assert.equal(refused.isError, true);
      assert.match((refused.content as { text: string }[])[0]!.text, /^license_not_found: /);
      assert.equal(Number((await pool.query("SELECT count(*) FROM skill_calls WHERE license = $1", [licensePda(new PublicKey(skill), stranger.publicKey).toBase58()])).rows[0].count), 0);
    } finally {
      await strangerOwn.close();
    }

    // The unmodified MCP inspector CLI against the stdio server: tools/list, then tools/call.
    // (asynchronously: this process serves the api the tools call; run from the inspector's own folder, where it
    // looks for its package.json)
    const inspector = async (...args: string[]) =>
      JSON.parse((await execFileAsync(process.execPath, [INSPECTOR, process.execPath, ...stdioArgs(), ...args], { cwd: dirname(INSPECTOR), env, encoding: "utf8", timeout: 60_000 })).stdout);
    const listed = (await inspector("--method", "tools/list")) as { tools: { name: string }[] };
    assert.ok(listed.tools.some((t) => t.name === "buy_skill"));
    const called = (await inspector("--method", "tools/call", "--tool-name", "get_receipt", "--tool-arg", `id=${receiptId}`)) as { structuredContent: { receipt: { id: string } } };
    assert.equal(called.structuredContent.receipt.id, receiptId);
  });

  it("x402: an agent with the unmodified x402 client pays per call and gets the result; paid only on success; a payment runs once", async () => {
    const payer = await fundedActor();
    const usdc = await createUsdc(api.chain.connection, api.chain.admin.keypair, [payer.publicKey]);
    const payerToken = usdc.accounts.get(payer.publicKey.toBase58())!;
    await mintUsdc(api.chain.connection, api.chain.admin.keypair, usdc, payerToken, 1_000_000n);
    // The text-stats skill priced in that token: 500,000 base units for 100 calls, so 5,000 a call.
    const repo = repository((_dir, m) => Object.assign(m.pricing as Record<string, unknown>, { currency: usdc.mint.toBase58(), price: "500000" }));
    const skill = await registered(repo);
    const url = `${apiUrl}/api/v1/skills/${skill}/execute`;
    const call = (payload: unknown, headers: Record<string, string> = {}) => ({ method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify({ endpoint: "stats", payload }) });
    const input = { text: "Pay per call. Get the answer.", top: 1 };
    const vault = skillVault(new PublicKey(skill), usdc.mint);
    const calls = async () => Number((await pool.query("SELECT count(*) FROM skill_calls WHERE skill = $1", [skill])).rows[0].count);

    // Without a payment (and without a key): 402, and what to pay in PAYMENT-REQUIRED.
    const bare = await fetch(url, call(input));
    assert.equal(bare.status, 402);
    assert.equal(((await bare.json()) as { error: { code: string } }).error.code, "payment_required");
    const required = decodeX402Header<{ x402Version: number; resource: { url: string }; accepts: Record<string, unknown>[] }>(bare.headers.get("payment-required")!);
    assert.equal(required.x402Version, 2);
    assert.equal(required.resource.url, `${api.config.API_PUBLIC_URL}/api/v1/skills/${skill}/execute`);
    assert.deepEqual(required.accepts, [{ scheme: "exact", network: X402_NETWORKS.devnet, amount: "5000", asset: usdc.mint.toBase58(), payTo: skillVaultAuthorityPda(new PublicKey(skill)).toBase58(), maxTimeoutSeconds: 60, extra: { feePayer: api.chain.meter.keypair.publicKey.toBase58() } }]);
    // Discovery metadata in x402's bazaar shape, from the skill's API spec: a worked call (the first documented
    // example), and a JSON Schema every call's description fits, one branch per endpoint with its payload schema.
    type Bazaar = { info: { input: { body: { endpoint: string; payload: unknown } } & Record<string, unknown>; output: Record<string, unknown> }; schema: object };
    const bazaar = (required as unknown as { extensions: { bazaar: Bazaar } }).extensions.bazaar;
    const documented = JSON.parse(readFileSync(join(SKILL_SOURCE, "skill.json"), "utf8")).endpoints.stats.examples[0];
    assert.deepEqual(bazaar.info.input, { type: "http", method: "POST", bodyType: "json", body: { endpoint: "stats", payload: documented.input } });
    assert.deepEqual(bazaar.info.output, { type: "json", example: { result: documented.output } });
    const fits = new Ajv2020({ strict: false }).compile(bazaar.schema);
    assert.equal(fits(bazaar.info), true, JSON.stringify(fits.errors));
    const asking = (body: unknown) => fits({ ...bazaar.info, input: { ...bazaar.info.input, body } });
    assert.equal(asking({ endpoint: "stats", payload: { text: "x", top: 3 } }), true);
    assert.equal(asking({ endpoint: "translate", payload: { text: "x" } }), false, "an endpoint the skill does not have");
    assert.equal(asking({ endpoint: "stats", payload: { text: 42 } }), false, "a payload its schema refuses");
    // The skill's details offer the same payment and metadata (the 402's document without its error).
    const details = (await (await fetch(`${apiUrl}/api/v1/skills/${skill}`)).json()) as { x402: unknown };
    const { error: why, ...offer } = required as typeof required & { error: string };
    assert.match(why, /this call costs 5000 of /);
    assert.deepEqual(details.x402, offer);

    // The official client: on the 402 it pays (signing with the payer's key) and retries.
    const sent: string[] = [];
    const recording = async (input: RequestInfo | URL, init?: RequestInit) => {
      const header = (input instanceof Request ? input.headers : new Headers(init?.headers)).get("payment-signature");
      if (header) sent.push(header);
      return fetch(input, init);
    };
    const signer = await createKeyPairSignerFromBytes(payer.keypair.secretKey);
    const client = new x402Client()
      .register("solana:*", new ExactSvmScheme(signer, { rpcUrl: api.chain.localnet.rpcUrl }))
      .setSpendControls({ allowedAssets: [{ network: X402_NETWORKS.devnet, asset: usdc.mint.toBase58() }] });
    const payingFetch = wrapFetchWithPayment(recording as typeof fetch, client);
    const paid = await payingFetch(url, call(input));
    assert.equal(paid.status, 200, await paid.clone().text());
    const body = (await paid.json()) as { result: unknown; usage: { receipt: { payment: string; license: string; signature: string } & Record<string, unknown> }; payment: { transaction: string; payer: string; amount: string } };
    assert.deepEqual(body.result, { characters: 29, words: 6, sentences: 2, averageWordLength: 3.67, readingSeconds: 2, topWords: [{ word: "answer", count: 1 }] });
    assert.deepEqual([body.payment.payer, body.payment.amount], [payer.publicKey.toBase58(), "5000"]);
    assert.deepEqual([body.usage.receipt.payment, body.usage.receipt.license], [body.payment.transaction, ""]);
    assert.ok(verifyReceiptSignature(body.usage.receipt as never, body.usage.receipt.signature), "the receipt signs the payment");
    const response = decodeX402Header<{ success: boolean; transaction: string }>(paid.headers.get("payment-response")!);
    assert.deepEqual(response, { success: true, transaction: body.payment.transaction, network: X402_NETWORKS.devnet, payer: payer.publicKey.toBase58() });
    assert.equal(await tokenBalance(api.chain.connection, vault), 5_000n);
    assert.equal(await tokenBalance(api.chain.connection, payerToken), 995_000n);
    assert.equal(sent.length, 1);

    // The same payment again runs nothing and moves nothing.
    const before = await calls();
    const replay = await fetch(url, call(input, { "payment-signature": sent[0]! }));
    assert.equal(replay.status, 402);
    const refusal = ((await replay.json()) as { error: { code: string; details: { reason: string } } }).error;
    assert.deepEqual([refusal.code, refusal.details.reason], ["payment_invalid", "duplicate_settlement"]);
    assert.equal(await calls(), before);
    assert.equal(await tokenBalance(api.chain.connection, vault), 5_000n);

    // A run that fails is never paid: the skill crashes on a text that is not text.
    const failed = await payingFetch(url, call({ text: 5 }));
    assert.equal(failed.status, 422);
    const failure = ((await failed.json()) as { error: { code: string; message: string } }).error;
    assert.equal(failure.code, "skill_failed");
    assert.match(failure.message, /the payment was not sent$/);
    assert.equal(await tokenBalance(api.chain.connection, payerToken), 995_000n, "nothing charged for the failed run");
    assert.equal(await tokenBalance(api.chain.connection, vault), 5_000n);

    // The executor counted the one payment that landed: the next split round moves it to the seller and the treasury.
    assert.equal((await vaults.tick()).length, 1);
    assert.equal(await tokenBalance(api.chain.connection, vault), 0n);
    const { sellerAmount } = splitPrice(5_000n, 250);
    assert.equal(await tokenBalance(api.chain.connection, getAssociatedTokenAddressSync(usdc.mint, seller.publicKey)), sellerAmount);
  });

  it("lists every manifest problem at once, each with its path", async () => {
    const images = await builtImages();
    const repo = repository((_dir, m) => {
      (m.pricing as Record<string, unknown>).price = "0";
      m.category = "games";
      m.version = "1.0";
      m.runtime = "java";
    });
    const job = await published(sellerKey, repo.url);
    await refused(job, "manifest", "invalid_manifest", repo.slug, images);
    assert.deepEqual(job.error!.details!.problems, [
      "version: must be major.minor.patch (each at most 65535)",
      "category: must be one of communication, automation, analysis, creative, utility, integration",
      "pricing.price: must be greater than 0",
      "runtime: must be one of python, node, static",
    ]);
    // Examples that do not fit the endpoint's own schemas are problems too.
    const bad = repository((_dir, m) => {
      const stats = (m.endpoints as Record<string, { examples: { input: unknown }[] }>).stats;
      stats!.examples[1]!.input = { text: 42 };
    });
    const second = await published(sellerKey, bad.url);
    await refused(second, "manifest", "invalid_manifest", bad.slug, images);
    assert.deepEqual(second.error!.details!.problems, ["endpoints.stats.examples.1.input.text: must be string"]);
    // A token the marketplace does not accept is refused before anything is built.
    const mint = Keypair.generate().publicKey.toBase58();
    const unlisted = repository((_dir, m) => {
      (m.pricing as Record<string, unknown>).currency = mint;
    });
    const third = await published(sellerKey, unlisted.url);
    await refused(third, "manifest", "invalid_manifest", unlisted.slug, images);
    assert.deepEqual(third.error!.details!.problems, [`pricing.currency: ${mint} is not a currency this marketplace accepts (the admin adds currencies with add_currency)`]);
  });

  it("refuses a repository that names another publisher, a ref that does not exist, and a repository without a manifest", async () => {
    const images = await builtImages();
    const theirs = repository(undefined, stranger.publicKey.toBase58());
    const job = await published(sellerKey, theirs.url);
    await refused(job, "manifest", "publisher_mismatch", theirs.slug, images);
    assert.match(job.error!.message, new RegExp(`names ${stranger.publicKey.toBase58()} as its publisher, but you are ${seller.publicKey.toBase58()}`));

    const repo = repository();
    const missing = await published(sellerKey, repo.url, "no-such-branch");
    await refused(missing, "resolve", "ref_not_found", repo.slug, images);
    const missingSha = await published(sellerKey, repo.url, "0".repeat(40));
    await refused(missingSha, "resolve", "ref_not_found", repo.slug, images);

    const bare = repository((dir) => rmSync(join(dir, "skill.json")));
    // (the helper writes skill.json back: remove it in a second commit)
    execFileSync("git", ["rm", "-q", "skill.json"], { cwd: bare.dir });
    execFileSync("git", ["-c", "user.name=s", "-c", "user.email=s@e.t", "commit", "-q", "-m", "no manifest"], { cwd: bare.dir });
    const noManifest = await published(sellerKey, bare.url);
    await refused(noManifest, "manifest", "manifest_missing", bare.slug, images);
  });

  it("a blocking scan finding stops publishing before any build, and says where", async () => {
    const images = await builtImages();
    const repo = repository((dir) => {
      writeFileSync(join(dir, "deploy.json"), JSON.stringify(Array.from(Keypair.generate().secretKey)));
      writeFileSync(join(dir, "helper.py"), "import base64\nexec(base64.b64decode('cHJpbnQoMSk='))\n");
    });
    const job = await published(sellerKey, repo.url);
    await refused(job, "scan", "scan_blocked", repo.slug, images);
    const findings = job.error!.details!.findings as Job["findings"];
    assert.deepEqual(findings.map((f) => [f.rule, f.severity, f.file, f.line]), [
      ["secret.solana-keypair", "block", "deploy.json", 1],
      ["obfuscation.eval-decoded", "block", "helper.py", 2],
    ]);
    assert.ok(!findings[0]!.excerpt.match(/\d+,\d+,\d+,\d+,\d+,\d+,\d+,\d+,\d+/), "the secret is not repeated in the report");
  });

  it("an example that answers something else stops publishing with its output, and the image is removed", async () => {
    const images = await builtImages();
    const repo = repository((_dir, m) => {
      const stats = (m.endpoints as Record<string, { examples: { output?: unknown }[] }>).stats;
      (stats!.examples[0]!.output as Record<string, unknown>).words = 9;
    });
    const job = await published(sellerKey, repo.url);
    await refused(job, "examples", "example_failed", repo.slug, images);
    assert.equal(job.error!.details!.title, "Two sentences");
    assert.equal((job.error!.details!.output as { words: number }).words, 8);
    assert.match(job.error!.message, /answered something else than its documented output/);
    // A skill that crashes on its example is refused the same way.
    const crashing = repository((dir) => writeFileSync(join(dir, "main.py"), "import sys\nsys.exit(3)\n"));
    const crashed = await published(sellerKey, crashing.url);
    await refused(crashed, "examples", "example_failed", crashing.slug, images);
    assert.equal(crashed.error!.details!.outcome, "crashed");
  });

  it("refuses links, oversized sources and repositories outside the allowed folders", async () => {
    const images = await builtImages();
    const linked = repository((dir) => symlinkSync("/etc/passwd", join(dir, "passwd")));
    const job = await published(sellerKey, linked.url);
    await refused(job, "resolve", "archive_refused", linked.slug, images);
    assert.match(job.error!.message, /"passwd" is a symlink: only regular files are accepted/);

    const big = repository((dir) => {
      mkdirSync(join(dir, "data"));
      // Random bytes do not compress: git archive hands over all of them.
      writeFileSync(join(dir, "data", "blob.bin"), Buffer.from(Array.from({ length: 17 * 1024 * 1024 }, () => Math.floor(Math.random() * 256))));
    });
    const oversized = await published(sellerKey, big.url);
    await refused(oversized, "resolve", "archive_refused", big.slug, images);
    assert.match(oversized.error!.message, /more than 16777216 bytes/);

    const outside = mkdtempSync(join(tmpdir(), "not-allowed-"));
    const refusedAnswer = await publish(sellerKey, pathToFileURL(outside).toString()).expect(400);
    assert.equal(refusedAnswer.body.error.code, "source_not_allowed");
    rmSync(outside, { recursive: true, force: true });
    assert.equal((await publish(sellerKey, "not a repo").expect(400)).body.error.code, "source_not_allowed");
    assert.equal((await publish(sellerKey, linked.url, "../etc").expect(400)).body.error.code, "validation_failed");
  });

  it("the CLI signs in, prints every step, signs and sends; a failure prints each problem and exits 1", async () => {
    const listening = await new Promise<Server>((resolve) => {
      const s = api.app.listen(0, "127.0.0.1", () => resolve(s));
    });
    const apiUrl = `http://127.0.0.1:${(listening.address() as AddressInfo).port}`;
    const keyFile = join(roots, "seller.json");
    writeFileSync(keyFile, JSON.stringify(Array.from(seller.keypair.secretKey)));
    const cli = (repo: string) =>
      new Promise<{ code: number; out: string }>((resolve) => {
        const child = spawn(process.execPath, [join(import.meta.dirname, "..", "..", "cli", "bin", "skill-marketplace.mjs"), "publish", repo, "--ref", "main", "--keypair", keyFile, "--api", apiUrl, "--rpc", api.chain.localnet.rpcUrl], {
          env: { ...process.env, SKILL_MARKETPLACE_CACHE: join(roots, "cli-cache") },
        });
        let out = "";
        child.stdout.on("data", (c) => (out += c));
        child.stderr.on("data", (c) => (out += c));
        child.on("close", (code) => resolve({ code: code ?? 1, out }));
      });
    try {
      const repo = repository();
      const ok = await cli(repo.url);
      assert.equal(ok.code, 0, ok.out);
      for (const step of ["resolve", "manifest", "scan", "build", "examples", "docs", "transaction"]) assert.match(ok.out, new RegExp(`✓ ${step}\\s+\\d+ ms`));
      assert.match(ok.out, /✓ signed and sent: \w+/);
      assert.equal(await onChain(repo.slug), true, "the CLI's transaction registered the skill");

      const bad = repository((_dir, m) => {
        m.category = "games";
        (m.pricing as Record<string, unknown>).price = "0";
      });
      const failed = await cli(bad.url);
      assert.equal(failed.code, 1);
      assert.match(failed.out, /✗ manifest/);
      assert.match(failed.out, /failed: invalid_manifest: skill.json has 2 problem\(s\)/);
      assert.match(failed.out, /\n  category: must be one of communication/);
      assert.match(failed.out, /\n  pricing.price: must be greater than 0/);
      assert.equal(await onChain(bad.slug), false);
    } finally {
      await new Promise((resolve) => listening.close(resolve));
    }
  });

  it("a job whose runner died ends failed (interrupted) on the next request, and the image it had built is removed", async () => {
    const manifest = checkManifest({ ...JSON.parse(readFileSync(join(SKILL_SOURCE, "skill.json"), "utf8")), publisher: seller.publicKey.toBase58(), slug: "orphaned" });
    assert.ok(manifest.ok);
    const { imageId } = await buildSkillImage(docker, manifest.manifest, [{ path: "main.py", mode: 0o644, data: readFileSync(join(SKILL_SOURCE, "main.py")) }]);
    const id = randomUUID();
    await pool.query(
      `INSERT INTO publish_jobs (id, publisher, repo, ref, status, steps, image_digest, lease_until)
       VALUES ($1, $2, 'file:///gone', 'main', 'running', '[]', $3, now() - interval '1 minute')`,
      [id, seller.publicKey.toBase58(), imageId.replace(/^sha256:/, "")],
    );
    const job = (await api.http.get(`/api/v1/publish/${id}`).set(bearer(sellerKey)).expect(200)).body as Job;
    assert.equal(job.status, "failed");
    assert.equal(job.error!.code, "interrupted");
    await assert.rejects(docker.getImage(imageId).inspect(), (e: { statusCode?: number }) => e.statusCode === 404);
    assert.equal((await pool.query("SELECT image_digest FROM publish_jobs WHERE id = $1", [id])).rows[0].image_digest, null);
  });

  it("a job is its publisher's alone, and publishing needs an API key", async () => {
    const repo = repository();
    const started = await publish(sellerKey, repo.url).expect(202);
    await api.publishing.idle();
    assert.equal((await api.http.get(`/api/v1/publish/${started.body.id}`).set(bearer(strangerKey)).expect(404)).body.error.code, "not_found");
    await api.http.get(`/api/v1/publish/${started.body.id}`).expect(401);
    await api.http.post("/api/v1/skills/publish").send({ repo: repo.url, ref: "main" }).expect(401);
    assert.equal(new PublicKey(seller.publicKey).toBase58(), seller.publicKey.toBase58());
  });

  // Last: once GitHub has limited this api, publishing from GitHub stays refused for a minute.
  it("from GitHub (recorded answers): a commit GitHub lacks fails the job at resolve; a rate limit fails it with when to retry, and later publishes are refused at once without asking GitHub", async () => {
    const images = await builtImages();
    const missing = await published(sellerKey, "PyGithub/PyGithub", "0".repeat(40));
    await refused(missing, "resolve", "ref_not_found", "pygithub", images);
    assert.deepEqual(github.requests, [`GET /repos/PyGithub/PyGithub/commits/${"0".repeat(40)}`]);

    github.answerAll(recorded.secondaryLimit);
    const limited = await published(sellerKey, "https://github.com/PyGithub/PyGithub", "main");
    await refused(limited, "resolve", "github_rate_limited", "pygithub", images);
    assert.equal(limited.error!.message, "GitHub's rate limit was reached while resolving the ref for PyGithub/PyGithub; retry in 60 s (set GITHUB_TOKEN for a higher limit)");
    assert.deepEqual(limited.error!.details, { retryAfter: 60 });
    assert.equal(github.requests.length, 2);

    const jobs = Number((await pool.query("SELECT count(*) FROM publish_jobs")).rows[0].count);
    const again = await publish(sellerKey, "octokit-fixture-org/get-archive", "main").expect(429);
    assert.equal(again.body.error.code, "github_rate_limited");
    assert.match(again.body.error.message, /^GitHub's rate limit is still in force for octokit-fixture-org\/get-archive; retry in (59|60) s/);
    assert.match(again.headers["retry-after"] ?? "", /^(59|60)$/);
    assert.equal(Number((await pool.query("SELECT count(*) FROM publish_jobs")).rows[0].count), jobs, "no job was created");
    assert.equal(github.requests.length, 2, "GitHub was not asked again");
    // A git repository does not wait for GitHub.
    await publish(sellerKey, repository().url).expect(202);
    await api.publishing.idle();
  });
});
