// The seller dashboard's publishing and Try it, in Chromium against the whole marketplace: a skill published from
// the dashboard through the real publishing pipeline (the text-stats skill from the tree, built into an image and
// run in the sandbox by the executor), bought from its page with a wallet, then run from the page: a form made from the endpoint's input schema, the call made with a
// license token the wallet signs, the skill's answer and its signed receipt on the page, one unit used. A decline
// in the wallet runs nothing. Then My licenses shows that call's receipt (signature and Merkle proof checked in the
// page), the buyer reviews the skill (the text kept on IPFS, the rating weighed by what was paid) and its page shows
// the review; a version the seller publishes ahead shows as pending on the dashboard and the skill's page.
import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import type { Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Keypair, PublicKey } from "@solana/web3.js";
import { Redis } from "ioredis";
import pg from "pg";
import type { Browser } from "playwright-core";
import { fetchAccount, licensePda, provenance, reviewPda, semver, skillPda, updateMarketplace, updateSkill } from "@skill-marketplace/sdk";
import { Settlement } from "@skill-marketplace/executor";
import pino from "pino";
import { startApi, type TestApi } from "../helpers/api.js";
import { redisUrl } from "../helpers/database.js";
import { testDocker } from "../helpers/docker.js";
import { serveExecutor, type ServedExecutor } from "../helpers/executor.js";
import { freePort } from "../helpers/localnet.js";
import { actor, airdrop, registerAgentFor, type Actor } from "../helpers/marketplace.js";
import { installTestWallet, launchBrowser, screenshot, seriousViolations, startWeb, type RunningWeb } from "../helpers/web.js";

const SKILL_SOURCE = join(import.meta.dirname, "..", "..", "skills", "text-stats");

describe("web: Try it, on a skill published, bought and run through the whole marketplace", function () {
  this.timeout(600_000);
  const docker = testDocker();
  const roots = mkdtempSync(join(tmpdir(), "web-repos-"));
  let api: TestApi;
  let served: Server;
  let executor: ServedExecutor;
  let settlement: Settlement;
  let pool: pg.Pool;
  let redis: Redis;
  let web: RunningWeb;
  let browser: Browser;
  let skill: string;
  let seller: Actor;
  let repoUrl: string;
  const buyer = Keypair.generate();

  before(async () => {
    const [webPort, apiPort, executorPort] = [await freePort(), await freePort(), await freePort()];
    api = await startApi(
      { EXECUTOR_URL: `http://127.0.0.1:${executorPort}`, PUBLISH_LOCAL_ROOTS: roots, API_CORS_ORIGINS: `http://127.0.0.1:${webPort}` },
      { indexer: true },
    );
    pool = new pg.Pool({ connectionString: api.databaseUrl, max: 4 });
    redis = new Redis(redisUrl(13));
    await redis.flushdb();
    executor = await serveExecutor({ api, pool, redis, docker, port: executorPort, builder: true, options: { licenseCacheMs: 0 } });
    // Receipts settle on chain as the service settles them, without waiting for a batch to fill.
    settlement = new Settlement({ connection: api.chain.connection, pool, meter: api.chain.meter.keypair, logger: pino({ level: "silent" }), maxAgeMs: 0 });
    settlement.start(500);
    served = await new Promise<Server>((resolve) => {
      const s = api.app.listen(apiPort, "127.0.0.1", () => resolve(s));
    });
    // The seller publishes text-stats from a local repository, as a seller would from GitHub.
    seller = actor(api.chain.connection, Keypair.generate());
    await airdrop(api.chain.connection, seller.publicKey, 10e9);
    await registerAgentFor(seller, "web-try-seller");
    const dir = join(roots, "text-stats");
    cpSync(SKILL_SOURCE, dir, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(dir, "skill.json"), "utf8"));
    writeFileSync(join(dir, "skill.json"), JSON.stringify({ ...manifest, publisher: seller.publicKey.toBase58(), slug: "text-stats-web" }, null, 2));
    const env = { ...process.env, GIT_AUTHOR_NAME: "seller", GIT_AUTHOR_EMAIL: "s@example.test", GIT_COMMITTER_NAME: "seller", GIT_COMMITTER_EMAIL: "s@example.test" };
    for (const args of [["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "skill"]]) execFileSync("git", args, { cwd: dir, env });
    repoUrl = pathToFileURL(dir).toString();
    skill = skillPda(seller.publicKey, "text-stats-web").toBase58();
    await airdrop(api.chain.connection, buyer.publicKey, 5e9);
    // License tokens name the api's public origin (the executor's audience), whatever address the browser uses.
    web = await startWeb(`http://127.0.0.1:${apiPort}`, { port: webPort, rpcUrl: api.chain.localnet.rpcUrl, env: { WEB_TOKEN_AUDIENCE: api.config.API_PUBLIC_URL } });
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await web?.stop();
    served?.closeAllConnections();
    await new Promise((resolve) => served?.close(resolve));
    await settlement?.stop();
    await executor?.close();
    redis?.disconnect();
    await pool?.end();
    await api?.stop();
    rmSync(roots, { recursive: true, force: true });
  });

  it("the seller publishes from the dashboard: each step shown as it runs, then the listing signed in the wallet", async () => {
    const page = await browser.newPage();
    await installTestWallet(page, seller.keypair);
    await page.goto(`${web.url}/sell`);
    await page.getByRole("button", { name: "Connect Test Wallet" }).click();
    await page.getByRole("button", { name: "Sign in with Test Wallet" }).click();
    await page.getByText("This wallet sells no skill yet").waitFor();
    // A repository the marketplace may not read is refused in words.
    await page.getByLabel(/^Repository/).fill("file:///etc");
    await page.getByRole("button", { name: "Publish" }).click();
    const alert = page.locator("section[aria-labelledby=publish-heading] [role=alert]");
    await alert.waitFor({ timeout: 30_000 });
    assert.match(await alert.innerText(), /local repositories can be published only from /);
    assert.equal(await api.chain.connection.getAccountInfo(new PublicKey(skill), "confirmed"), null);

    // Seen while it runs: the steps appear and advance.
    const seen = new Set<string>();
    const watch = setInterval(() => {
      void page.locator("ol[aria-label='Publishing steps'] li[data-status=running] strong").allTextContents().then((names) => names.forEach((n) => seen.add(n)), () => undefined);
    }, 150);
    await page.getByLabel(/^Repository/).fill(repoUrl);
    await page.getByRole("button", { name: "Publish" }).click();
    const done = page.locator("section[aria-labelledby=publish-heading] [role=status]");
    await done.waitFor({ timeout: 180_000 });
    clearInterval(watch);
    assert.match(await done.innerText(), /^Published: buyers can find it now\. See its page\.$/);
    const steps = await page.locator("ol[aria-label='Publishing steps'] li").evaluateAll((lis) => lis.map((li) => [li.querySelector("strong")!.textContent, li.getAttribute("data-status")]));
    assert.deepEqual(steps, ["resolve", "manifest", "scan", "build", "examples", "docs", "transaction"].map((n) => [n, "done"]));
    assert.ok(seen.size >= 2, `steps seen running: ${[...seen].join(", ")}`);
    assert.ok(await api.chain.connection.getAccountInfo(new PublicKey(skill), "confirmed"), "listed on chain");
    await screenshot(page, "sell-published");
    for (let i = 0; (await api.http.get(`/api/v1/skills/${skill}`)).status !== 200; i++) {
      if (i > 100) throw new Error("the indexer did not index the skill");
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await page.close();
  });

  it("buys the skill, then runs it from a form made from its input schema: the answer and a signed receipt, one call used; declining the token runs nothing", async () => {
    const page = await browser.newPage();
    const wallet = await installTestWallet(page, buyer);
    await page.goto(`${web.url}/skills/${skill}`);
    await page.getByRole("button", { name: "Connect Test Wallet" }).click();
    await page.getByRole("button", { name: "Sign in to try it" }).click();
    await page.getByText("You hold no valid license to this skill: buy one above to try it.").waitFor();
    await page.getByRole("button", { name: "Buy with Test Wallet" }).click();
    await page.locator("section[aria-labelledby=buy-heading] [role=status]").waitFor({ timeout: 30_000 });
    await page.reload();
    await page.getByRole("button", { name: "Connect Test Wallet" }).click().catch(() => undefined);
    const form = page.locator("section[aria-labelledby=try-heading] form");
    await form.waitFor({ timeout: 30_000 });
    // The form is the endpoint's schema: text (required) and top.
    assert.deepEqual(await form.locator("textarea, input").evaluateAll((els) => els.map((e) => [e.getAttribute("name"), e.hasAttribute("required")])), [["text", true], ["top", false]]);
    assert.match(await form.innerText(), /100 calls left/);
    await form.getByRole("textbox", { name: /^text/ }).fill("Agents buy skills. Agents run skills on Solana!");
    await form.getByRole("textbox", { name: /^top/ }).fill("2");

    wallet.mode = "reject";
    await form.getByRole("button", { name: "Run stats" }).click();
    const alert = page.locator("section[aria-labelledby=try-heading] [role=alert]");
    await alert.waitFor();
    assert.equal(await alert.innerText(), "You declined in your wallet: nothing ran.");
    assert.equal(Number((await pool.query("SELECT count(*) FROM skill_calls WHERE skill = $1", [skill])).rows[0].count), 0);

    wallet.mode = "sign";
    await form.getByRole("button", { name: "Run stats" }).click();
    const output = page.getByLabel("Output");
    await output.waitFor({ timeout: 60_000 });
    assert.deepEqual(JSON.parse(await output.innerText()), {
      characters: 47,
      words: 8,
      sentences: 2,
      averageWordLength: 4.75,
      readingSeconds: 2,
      topWords: [
        { word: "agents", count: 2 },
        { word: "skills", count: 2 },
      ],
    });
    const receiptText = await page.locator("section[aria-labelledby=try-heading] [role=status]").innerText();
    const receiptId = /Receipt ([0-9a-f-]{36}): 1 unit, \d+ ms, ok, signed by the meter/.exec(receiptText)?.[1];
    assert.ok(receiptId, receiptText);
    const stored = await pool.query("SELECT license, units FROM receipts WHERE id = $1", [receiptId]);
    assert.deepEqual(stored.rows[0], { license: licensePda(new PublicKey(skill), buyer.publicKey).toBase58(), units: 1 });
    // The executor settles the call on chain (record_usage); the page then counts it.
    for (let i = 0; ; i++) {
      const license = await fetchAccount(api.chain.connection, "license", licensePda(new PublicKey(skill), buyer.publicKey), "confirmed");
      if (license && Number(license.usageUsed.toString()) === 1) break;
      if (i > 150) throw new Error("the call was not settled on chain");
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await page.reload();
    await page.getByText("99 calls left").waitFor({ timeout: 30_000 });
    assert.deepEqual(await seriousViolations(page), []);
    await screenshot(page, "skill-try");
    await page.close();
  });

  it("My licenses: the call's receipt with its signature and Merkle proof checked in the page; a review (declined, then posted) shown on the skill's page with its weight", async () => {
    const page = await browser.newPage();
    const wallet = await installTestWallet(page, buyer);
    await page.goto(`${web.url}/licenses`);
    await page.getByRole("button", { name: "Connect Test Wallet" }).click();
    await page.getByRole("button", { name: "Sign in with Test Wallet" }).click();
    const row = page.locator("ul[aria-label=Licenses] > li", { has: page.getByRole("link", { name: "text-stats-web" }) });
    await row.waitFor({ timeout: 30_000 });
    await row.getByText("Recent calls of text-stats-web").click();
    const receipts = row.getByRole("table", { name: "Receipts of the recent calls of text-stats-web" });
    await receipts.waitFor();
    const [listed] = await receipts.locator("tbody tr").allInnerTexts();
    assert.equal((await receipts.locator("tbody tr").count()), 1);
    const meter = api.chain.meter.keypair.publicKey.toBase58();
    assert.match(listed!, new RegExp(`v1\\.0\\.0\\t1\\t\\d+ ms\\tsigned by the meter ${meter.slice(0, 4)}…${meter.slice(-4)}\\tsettled on chain`));
    await receipts.getByRole("button", { name: "Check its proof" }).click();
    const proof = receipts.locator("[role=status]");
    await proof.filter({ hasText: /Proof holds|NOT|Not settled|refused|went wrong|did not/ }).waitFor();
    assert.match(await proof.innerText(), /^Proof holds: in the batch with root [0-9a-f]{12}…, recorded by transaction /);
    const batch = (await pool.query("SELECT b.tx_signature FROM receipts r JOIN usage_batches b ON b.id = r.batch_id WHERE r.license = $1", [licensePda(new PublicKey(skill), buyer.publicKey).toBase58()])).rows[0];
    assert.match(await proof.innerText(), new RegExp(`recorded by transaction ${batch.tx_signature.slice(0, 4)}…${batch.tx_signature.slice(-4)}\\.$`));

    // The review: declined in the wallet (nothing on chain), then posted.
    await row.getByText("Review text-stats-web").click();
    await row.getByRole("radio", { name: "4 ★" }).check();
    const text = "Counted my words right; top words are handy.\nWould buy again.";
    await row.getByLabel(/^What you found/).fill(text);
    wallet.mode = "reject";
    await row.getByRole("button", { name: "Post the review" }).click();
    await row.locator("form [role=alert]").waitFor();
    assert.equal(await row.locator("form [role=alert]").innerText(), "You declined in your wallet: nothing was paid.");
    const reviewAddress = reviewPda(new PublicKey(skill), buyer.publicKey);
    assert.equal(await api.chain.connection.getAccountInfo(reviewAddress, "confirmed"), null);
    wallet.mode = "sign";
    await row.getByRole("button", { name: "Post the review" }).click();
    await page.getByRole("status").filter({ hasText: "Your review of text-stats-web is posted: 4 of 5 stars." }).waitFor({ timeout: 30_000 });
    const review = await fetchAccount(api.chain.connection, "review", reviewAddress, "confirmed");
    assert.equal(review?.rating, 4);
    assert.deepEqual(await seriousViolations(page), []);
    await screenshot(page, "licenses-receipts-review");

    // The skill's page shows it, with its text (from IPFS) and weight (the price paid).
    const details = (await api.http.get(`/api/v1/skills/${skill}`)).body;
    for (let i = 0; (await api.http.get(`/api/v1/skills/${skill}/reviews`)).body.reviews.length === 0; i++) {
      if (i > 100) throw new Error("the review was not indexed");
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await page.goto(`${web.url}/skills/${skill}`);
    const shown = page.locator("li.review");
    await shown.waitFor();
    assert.equal(await shown.getByRole("img", { name: "4 of 5 stars" }).count(), 1);
    assert.equal(await shown.locator(".review-text").innerText(), text);
    const paid = Number(details.price) / 1e9;
    assert.match(await shown.innerText(), new RegExp(`weighs ${String(paid).replace(".", "\\.")} SOL paid \\(100\\.0% of these reviews' weight\\)`));
    await page.close();
  });

  it("a version published ahead shows as pending on the seller's dashboard and on the skill's page", async () => {
    // The marketplace gives a week's notice of new versions (the test chain starts with none).
    await updateMarketplace(api.chain.admin.program, { admin: api.chain.admin.publicKey, noticeSecs: 7 * 86_400 }).rpc();
    const current = await fetchAccount(api.chain.connection, "skill", new PublicKey(skill), "confirmed");
    const commit = "12".repeat(20);
    await updateSkill(seller.program, {
      author: seller.publicKey,
      slug: "text-stats-web",
      version: semver("1.1.0"),
      provenance: provenance(current!.provenance.docsCid, commit, Buffer.from(current!.provenance.imageDigest).toString("hex")),
    }).rpc();
    const pending = await fetchAccount(api.chain.connection, "skill", new PublicKey(skill), "confirmed");
    const effectiveAt = new Date(Number(pending!.pendingVersion!.effectiveAt.toString()) * 1000).toISOString();
    for (let i = 0; (await api.http.get(`/api/v1/skills/${skill}`)).body.pending?.version === null; i++) {
      if (i > 100) throw new Error("the pending version was not indexed");
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const page = await browser.newPage();
    await installTestWallet(page, seller.keypair);
    await page.goto(`${web.url}/sell`);
    await page.getByRole("button", { name: "Connect Test Wallet" }).click();
    await page.getByRole("button", { name: "Sign in with Test Wallet" }).click();
    const skillRow = page.locator("section[aria-labelledby=skills-heading] tr", { has: page.getByRole("link", { name: "text-stats-web" }) });
    await skillRow.waitFor({ timeout: 30_000 });
    const cells = (await skillRow.innerText()).split("\t").map((c) => c.trim());
    assert.deepEqual(cells.slice(0, 3), ["text-stats-web", "1.0.0", `v1.1.0 from ${effectiveAt.slice(0, 16).replace("T", " ")} UTC`]);
    await page.goto(`${web.url}/skills/${skill}`);
    const provenanceCard = page.locator("section", { has: page.getByRole("heading", { name: "Provenance" }) });
    assert.match(await provenanceCard.innerText(), new RegExp(`Pending version\\s+v1\\.1\\.0 \\(commit ${commit.slice(0, 12)}\\) goes on sale ${effectiveAt.slice(0, 16).replace("T", " ")} UTC`));
    await page.close();
  });
});
