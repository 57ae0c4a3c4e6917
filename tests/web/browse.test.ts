// The web app's browse and skill pages in headless Chromium, served by `next start` from the production build
// against the real api, indexer and localnet: server-rendered (the first paint needs no JavaScript), filters and
// sort in shareable URLs, a skill's seller-written docs sanitized, errors in words, no serious or critical axe
// violations, usable on a phone-sized screen. Screenshots of every page go to the test artifacts.
import { strict as assert } from "node:assert";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Keypair, PublicKey } from "@solana/web3.js";
import type { Browser, Page } from "playwright-core";
import { fetchTransaction, parseURL, type TransactionRequestURL } from "@solana/pay";
import jsQRModule from "jsqr";
import { PNG } from "pngjs";

const jsQR: typeof jsQRModule.default = (jsQRModule as unknown as { default?: typeof jsQRModule.default }).default ?? (jsQRModule as unknown as typeof jsQRModule.default);
import { licensePda, pricing, setSkillSuspension } from "@skill-marketplace/sdk";
import { registerAgent, startApi, type TestApi } from "../helpers/api.js";
import { freePort } from "../helpers/localnet.js";
import { actor, airdrop, createUsdc, lamports, meterUsage, mintUsdc, registerAgentFor, registerSkillFor, tokenBalance, type Actor } from "../helpers/marketplace.js";
import { installTestWallet, launchBrowser, screenshot, seriousViolations, startWeb, type RunningWeb } from "../helpers/web.js";

describe("web: browse and skill pages in Chromium, against the real api on localnet", function () {
  this.timeout(240_000);
  let api: TestApi;
  let served: Server;
  let web: RunningWeb;
  let browser: Browser;
  let mint: string;
  let buyer: Actor;
  let seller: Actor;
  let buyerUsdc: PublicKey;
  const ids: Record<"stats" | "json" | "thumbs", string> = { stats: "", json: "", thumbs: "" };
  const skillMd = [
    "# Text stats",
    "",
    "Counts **words** and sentences.",
    "",
    "<script>window.__owned = 1</script>",
    "",
    "[run me](javascript:window.__owned=2) · [the docs](https://example.com/docs) · ![tracker](https://example.com/pixel.png)",
  ].join("\n");

  const licenseOf = (skill: string, who: PublicKey) => api.chain.connection.getAccountInfo(licensePda(new PublicKey(skill), who), "confirmed");
  const slugs = (page: Page) => page.locator("ul.results > li h2 a").allTextContents();

  before(async () => {
    // The web app's origin may call the api from the browser (the Buy panel does).
    const webPort = await freePort();
    api = await startApi({ API_CORS_ORIGINS: `http://127.0.0.1:${webPort}` }, { indexer: true });
    served = await new Promise<Server>((resolve) => {
      const s = api.app.listen(0, "127.0.0.1", () => resolve(s));
    });
    const apiUrl = `http://127.0.0.1:${(served.address() as AddressInfo).port}`;
    seller = actor(api.chain.connection, Keypair.generate());
    await airdrop(api.chain.connection, seller.publicKey, 10e9);
    await registerAgentFor(seller, "web-seller");
    buyer = actor(api.chain.connection, Keypair.generate());
    await airdrop(api.chain.connection, buyer.publicKey, 5e9);
    const usdc = await createUsdc(api.chain.connection, api.chain.admin.keypair, [seller.publicKey, buyer.publicKey]);
    mint = usdc.mint.toBase58();
    buyerUsdc = usdc.accounts.get(buyer.publicKey.toBase58())!;
    await mintUsdc(api.chain.connection, api.chain.admin.keypair, usdc, buyerUsdc, 20_000_000n);
    const docsCid = await api.docs.publish({
      format: "skill-docs/1",
      summary: "Counts words and sentences of a text",
      skillMd,
      apiSpec: { openapi: "3.1.0", info: { title: "text-stats", version: "1.0.0" }, paths: { "/stats": { post: { summary: "count a text" } } } },
      examples: [{ title: "stats: two sentences", input: { text: "One. Two." }, output: { words: 2, sentences: 2 } }],
    });
    ids.stats = (await registerSkillFor(seller, { slug: "text-stats", pricing: pricing.oneTime(), price: 250_000_000n, category: "analysis", docsCid })).address.toBase58();
    ids.json = (await registerSkillFor(seller, { slug: "json-check", pricing: pricing.usage(100), price: 5_000_000n, currencyMint: usdc.mint, category: "utility" })).address.toBase58();
    ids.thumbs = (await registerSkillFor(seller, { slug: "thumbnailer", pricing: pricing.subscription(30 * 86_400), price: 1_000_000_000n, category: "creative" })).address.toBase58();
    // The indexer has them (and the currency) once the api lists them.
    for (let i = 0; ; i++) {
      const listed = (await api.http.get("/api/v1/skills").expect(200)).body.skills.length;
      const currencies = (await api.http.get("/api/v1/currencies").expect(200)).body.length;
      if (listed === 3 && currencies === 1) break;
      if (i > 100) throw new Error(`the indexer shows ${listed} skills and ${currencies} currencies`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    web = await startWeb(apiUrl, { port: webPort, rpcUrl: api.chain.localnet.rpcUrl });
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await web?.stop();
    served?.closeAllConnections();
    await new Promise((resolve) => served?.close(resolve));
    await api?.stop();
  });

  it("browse is rendered on the server: without JavaScript the first paint lists every skill with price, license, rating, sales and reliability", async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    const response = await page.goto(web.url);
    assert.equal(response!.status(), 200);
    // In the api's order (newest first without a search; skills made in one second tie, broken by address).
    const listed = (await api.http.get("/api/v1/skills").expect(200)).body.skills.map((s: { slug: string }) => s.slug);
    assert.deepEqual([...listed].sort(), ["json-check", "text-stats", "thumbnailer"]);
    assert.deepEqual(await slugs(page), listed);
    const card = (slug: string) => page.locator("ul.results > li", { has: page.getByRole("link", { name: slug }) }).innerText();
    assert.match(await card("text-stats"), /0\.25 SOL · one-time license/);
    assert.match(await card("json-check"), new RegExp(`5 ${mint.slice(0, 4)}…${mint.slice(-4)} · 100 calls`), "token amounts in the mint's decimals");
    assert.match(await card("thumbnailer"), /1 SOL · subscription, 30 days/);
    assert.match(await card("text-stats"), /no ratings yet[\s\S]*0 sold[\s\S]*reliability: not run yet/);
    await screenshot(page, "browse-no-js");
    await context.close();
  });

  it("search, filters and sort live in the URL: the form submits them, and the URL alone shows the same results", async () => {
    const page = await browser.newPage();
    await page.goto(web.url);
    await page.getByRole("searchbox", { name: "Search" }).fill("json");
    await page.getByRole("button", { name: "Search" }).click();
    await page.waitForURL(/q=json/);
    assert.deepEqual(await slugs(page), ["json-check"]);
    await screenshot(page, "browse-search");

    const at = async (query: string) => {
      await page.goto(`${web.url}/?${query}`);
      return slugs(page);
    };
    assert.deepEqual(await at("category=creative"), ["thumbnailer"]);
    assert.deepEqual(await at(`kind=usage&currency=${mint}`), ["json-check"]);
    const newestSol = (await api.http.get("/api/v1/skills?currency=SOL&sort=newest").expect(200)).body.skills.map((s: { slug: string }) => s.slug);
    assert.deepEqual([...newestSol].sort(), ["text-stats", "thumbnailer"]);
    assert.deepEqual(await at("currency=SOL&sort=newest"), newestSol);
    assert.deepEqual(await at("currency=SOL&maxPrice=300000000"), ["text-stats"]);
    // The form shows the filters the URL carries.
    assert.equal(await page.getByRole("combobox", { name: "Currency" }).inputValue(), "SOL");
    assert.equal(await page.getByRole("textbox", { name: "Max price (base units)" }).inputValue(), "300000000");
    // The select's choice submits like the rest.
    await page.goto(web.url);
    await page.getByRole("combobox", { name: "Category" }).selectOption("analysis");
    await page.getByRole("button", { name: "Search" }).click();
    await page.waitForURL(/category=analysis/);
    assert.deepEqual(await slugs(page), ["text-stats"]);

    // What the api refuses is said in words, and the page stays usable.
    await page.goto(`${web.url}/?maxPrice=lots`);
    assert.match(await page.locator("main [role=alert]").innerText(), /That search cannot be run: .*maxPrice.*integer amount in base units/);
    assert.equal(await page.getByRole("button", { name: "Search" }).isEnabled(), true);
    assert.deepEqual(await at("q=nothing-matches-this"), []);
    assert.match(await page.locator(".notice").innerText(), /No skill matches/);
    await page.close();
  });

  it("a skill's page: its docs rendered and sanitized (no script runs, no javascript: link, no remote image), API, examples, pricing, provenance", async () => {
    const page = await browser.newPage();
    const response = await page.goto(`${web.url}/skills/${ids.stats}`);
    assert.equal(response!.status(), 200);
    assert.match(await page.getByRole("heading", { level: 1 }).innerText(), /text-stats v1\.0\.0/);
    assert.equal(await page.locator(".docs strong").innerText(), "words");
    assert.equal(await page.locator(".docs h3").innerText(), "Text stats", "the seller's headings nest under the page's");
    assert.equal(await page.locator(".docs script").count(), 0);
    assert.match(await page.locator(".docs").innerText(), /<script>window.__owned = 1<\/script>/, "the seller's HTML is shown as text");
    assert.equal(await page.evaluate(() => (window as unknown as { __owned?: number }).__owned), undefined);
    const links = await page.locator(".docs a").evaluateAll((as) => as.map((a) => [a.getAttribute("href"), a.getAttribute("rel")]));
    assert.deepEqual(links, [["https://example.com/docs", "nofollow noopener noreferrer ugc"]]);
    assert.equal(await page.locator(".docs img").count(), 0);
    assert.match(await page.locator("main").innerText(), /stats: count a text/);
    await page.getByText("stats: two sentences").click();
    assert.match(await page.locator("details[open]").innerText(), /"sentences": 2/);
    assert.match(await page.locator("aside").innerText(), /0\.25 SOL · one-time license/);
    assert.match(await page.locator("aside").innerText(), /Commit\s+3f786850e387/);
    await screenshot(page, "skill");

    // A skill on a token, without docs: the page says why there are none.
    await page.goto(`${web.url}/skills/${ids.json}`);
    assert.match(await page.locator("main").innerText(), /The docs cannot be shown \(invalid: the skill.s docs CID is not a CIDv1/);
    // An address with no skill, and a path that is no address: the not-found page, with a 404.
    const missing = await page.goto(`${web.url}/skills/${Keypair.generate().publicKey.toBase58()}`);
    assert.equal(missing!.status(), 404);
    assert.match(await page.getByRole("heading", { level: 1 }).innerText(), /Not found/);
    assert.equal((await page.goto(`${web.url}/skills/not-an-address`))!.status(), 404);
    await page.close();
  });

  it("no serious or critical accessibility violations (axe-core) on either page, on a desktop and on a phone-sized screen, which needs no sideways scrolling", async () => {
    for (const [device, viewport] of [["desktop", { width: 1280, height: 900 }], ["phone", { width: 390, height: 844 }]] as const) {
      const page = await browser.newPage({ viewport });
      for (const [name, path] of [["browse", "/"], ["skill", `/skills/${ids.stats}`]] as const) {
        await page.goto(`${web.url}${path}`);
        assert.deepEqual(await seriousViolations(page), [], `${name} on a ${device}`);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(overflow <= 0, `${name} on a ${device} scrolls sideways by ${overflow} px`);
        await screenshot(page, `${name}-${device}`);
      }
      await page.close();
    }
  });

  describe("buying with a wallet in the browser (wallet standard)", () => {

    it("in SOL: connect, decline (nothing paid, said so), then pay; the license appears without a reload", async () => {
      const page = await browser.newPage();
      const wallet = await installTestWallet(page, buyer.keypair);
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      await page.goto(`${web.url}/skills/${ids.stats}`);
      await page.getByRole("button", { name: "Connect Test Wallet" }).click();
      await page.getByText(`Paying from Test Wallet: ${buyer.publicKey.toBase58()}`).waitFor();
      const before = await lamports(api.chain.connection, buyer.publicKey);

      wallet.mode = "reject";
      await page.getByRole("button", { name: "Buy with Test Wallet" }).click();
      assert.equal(await page.locator("section[aria-labelledby=buy-heading] [role=alert]").innerText(), "You declined in your wallet: nothing was paid.");
      assert.equal(await lamports(api.chain.connection, buyer.publicKey), before);
      assert.equal(await licenseOf(ids.stats, buyer.publicKey), null);

      wallet.mode = "sign";
      const url = page.url();
      await page.getByRole("button", { name: "Buy with Test Wallet" }).click();
      const status = page.locator("section[aria-labelledby=buy-heading] [role=status]");
      await status.waitFor({ timeout: 30_000 });
      assert.match(await status.innerText(), /You hold a license: oneTime, valid for good\./);
      assert.equal(page.url(), url, "no navigation");
      assert.equal(wallet.signed, 1);
      assert.ok(await licenseOf(ids.stats, buyer.publicKey), "the license is on chain");
      const paid = before - (await lamports(api.chain.connection, buyer.publicKey));
      assert.ok(paid >= 250_000_000 && paid < 260_000_000, `paid ${paid} lamports: the price, the license's rent and the fee`);
      await screenshot(page, "skill-bought");
      assert.deepEqual(errors, [], "no error in the page (hydration included)");
      await page.close();
    });

    it("in a token (USDC-like, 6 decimals): a usage license with its calls; a wallet without the funds is told so, and pays nothing", async () => {
      const page = await browser.newPage();
      await installTestWallet(page, buyer.keypair);
      await page.goto(`${web.url}/skills/${ids.json}`);
      await page.getByRole("button", { name: "Connect Test Wallet" }).click();
      await page.getByRole("button", { name: "Buy with Test Wallet" }).click();
      const status = page.locator("section[aria-labelledby=buy-heading] [role=status]");
      await status.waitFor({ timeout: 30_000 });
      assert.match(await status.innerText(), /You hold a license: usage, 100 of 100 calls left\./);
      assert.equal(await tokenBalance(api.chain.connection, buyerUsdc), 15_000_000n);
      await page.close();

      // A wallet with a little SOL and no token account of the mint.
      const poor = Keypair.generate();
      await airdrop(api.chain.connection, poor.publicKey, 0.01e9);
      const poorPage = await browser.newPage();
      await installTestWallet(poorPage, poor);
      await poorPage.goto(`${web.url}/skills/${ids.thumbs}`);
      await poorPage.getByRole("button", { name: "Connect Test Wallet" }).click();
      await poorPage.getByRole("button", { name: "Buy with Test Wallet" }).click();
      const alert = poorPage.locator("section[aria-labelledby=buy-heading] [role=alert]");
      await alert.waitFor({ timeout: 30_000 });
      assert.equal(await alert.innerText(), "Your wallet does not hold enough to pay for this license (and its network fee): nothing was paid.");
      assert.equal(await lamports(api.chain.connection, poor.publicKey), 10_000_000n);
      assert.equal(await licenseOf(ids.thumbs, poor.publicKey), null);
      assert.equal(await poorPage.getByRole("button", { name: "Buy with Test Wallet" }).isEnabled(), true, "the panel stays usable");
      await screenshot(poorPage, "skill-insufficient-funds");
      await poorPage.close();
    });
    it("a skill the marketplace suspended: the purchase is refused in words before the wallet is asked, and the page stays usable", async () => {
      const suspended = (await registerSkillFor(seller, { slug: "suspended-one", pricing: pricing.oneTime(), price: 1_000_000n, category: "utility" })).address;
      for (let i = 0; (await api.http.get(`/api/v1/skills/${suspended.toBase58()}`)).status !== 200; i++) {
        if (i > 100) throw new Error("the indexer did not index the skill");
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      await setSkillSuspension(api.chain.admin.program, { admin: api.chain.admin.publicKey, skill: suspended, reasonCid: "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy" }).rpc();
      const page = await browser.newPage();
      const wallet = await installTestWallet(page, buyer.keypair);
      await page.goto(`${web.url}/skills/${suspended.toBase58()}`);
      await page.getByRole("button", { name: "Connect Test Wallet" }).click();
      await page.getByRole("button", { name: "Buy with Test Wallet" }).click();
      const alert = page.locator("section[aria-labelledby=buy-heading] [role=alert]");
      await alert.waitFor();
      assert.equal(await alert.innerText(), "The marketplace has suspended this skill: it cannot be bought now.");
      assert.equal(wallet.signed, 0, "the wallet was never asked");
      assert.equal(await licenseOf(suspended.toBase58(), buyer.publicKey), null);
      assert.equal(await page.getByRole("button", { name: "Buy with Test Wallet" }).isEnabled(), true);
      await page.close();
    });

    it("with a phone wallet: the QR code decodes to a Solana Pay link that a wallet built on @solana/pay pays; the page follows it to the license", async () => {
      const page = await browser.newPage();
      await page.goto(`${web.url}/skills/${ids.thumbs}`);
      await page.getByRole("button", { name: "Pay with a phone wallet (QR code)" }).click();
      const qr = page.getByRole("img", { name: "Solana Pay QR code of this purchase" });
      await qr.waitFor();
      await screenshot(page, "skill-qr");
      // What a phone's camera reads off the screen.
      const png = PNG.sync.read(await qr.screenshot());
      const decoded = jsQR(Uint8ClampedArray.from(png.data), png.width, png.height);
      assert.ok(decoded, "the QR code decodes");
      const parsed = parseURL(decoded.data) as TransactionRequestURL;
      assert.match(parsed.link.toString(), /^https:\/\/market\.test\/api\/v1\/pay\/[1-9A-HJ-NP-Za-km-z]{60,70}$/);
      // The wallet: @solana/pay fetches the transaction for its account, signs and sends it. (The link names the
      // api's public origin, https://market.test here; the wallet reaches the same path on the test api.)
      const phone = Keypair.generate();
      await airdrop(api.chain.connection, phone.publicKey, 2e9);
      const reachable = new URL(parsed.link.pathname, `http://127.0.0.1:${(served.address() as AddressInfo).port}`);
      const tx = await fetchTransaction(api.chain.connection, phone.publicKey, reachable);
      tx.partialSign(phone);
      await api.chain.connection.sendRawTransaction(tx.serialize());
      const status = page.locator("section[aria-labelledby=buy-heading] [role=status]");
      await status.waitFor({ timeout: 30_000 });
      assert.match(await status.innerText(), /You hold a license: subscription, valid until \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC\./);
      assert.ok(await licenseOf(ids.thumbs, phone.publicKey), "the phone wallet holds the license");
      await screenshot(page, "skill-qr-paid");
      await page.close();
    });
    it("a QR code nobody paid within the link's lifetime: the page says the link expired, and a new purchase can start", async () => {
      const page = await browser.newPage();
      await page.goto(`${web.url}/skills/${ids.stats}`);
      await page.getByRole("button", { name: "Pay with a phone wallet (QR code)" }).click();
      const qr = page.getByRole("img", { name: "Solana Pay QR code of this purchase" });
      await qr.waitFor();
      // The link's lifetime (an hour) passes: its request was made two hours ago.
      const [request] = await api.db.prisma.paymentRequest.findMany({ where: { skill: ids.stats, account: null }, orderBy: { createdAt: "desc" }, take: 1 });
      await api.db.prisma.$executeRawUnsafe(`UPDATE payment_requests SET created_at = now() - interval '2 hours' WHERE reference = $1`, request!.reference);
      const alert = page.locator("section[aria-labelledby=buy-heading] [role=alert]");
      await alert.waitFor({ timeout: 15_000 });
      assert.equal(await alert.innerText(), "This payment link expired before a payment arrived: start the purchase again.");
      assert.equal(await page.getByRole("button", { name: "Pay with a phone wallet (QR code)" }).isEnabled(), true);
      await screenshot(page, "skill-qr-expired");
      await page.close();
    });
  });

  describe("when the marketplace asks to slow down", () => {
    it("a rate-limited request is said in words with how long to wait, and the page stays usable", async () => {
      // The same marketplace with a small per-key limit, and a web app in front of it.
      const webPort = await freePort();
      const limitedApi = api.appWith({ RATE_LIMIT_PER_KEY: "3", API_CORS_ORIGINS: `http://127.0.0.1:${webPort}` });
      const limitedServer = await new Promise<Server>((resolve) => {
        const s = limitedApi.listen(0, "127.0.0.1", () => resolve(s));
      });
      const limitedWeb = await startWeb(`http://127.0.0.1:${(limitedServer.address() as AddressInfo).port}`, { port: webPort, rpcUrl: api.chain.localnet.rpcUrl });
      try {
        const page = await browser.newPage();
        await installTestWallet(page, buyer.keypair);
        await page.goto(`${limitedWeb.url}/licenses`);
        await page.getByRole("button", { name: "Connect Test Wallet" }).click();
        await page.getByRole("button", { name: "Sign in with Test Wallet" }).click();
        const list = page.locator("ul[aria-label=Licenses]");
        await list.waitFor({ timeout: 30_000 });
        // Each opening asks for the receipts (one request with the key): the limit comes within a few.
        const calls = list.locator("details", { has: page.getByText(/^Recent calls of /) }).first();
        const alert = calls.locator("[role=alert]");
        for (let i = 0; i < 5 && !(await alert.count()); i++) {
          await calls.locator("summary").click();
          await page.waitForTimeout(300);
        }
        assert.match(await alert.innerText(), /^Too many requests just now: wait \d+ seconds and try again\.$/);
        // Still usable: the licenses stay listed, their buttons work.
        assert.ok((await list.locator("> li").count()) > 0);
        assert.equal(await list.getByRole("button", { name: /^(Top up|Renew) / }).first().isEnabled(), true);
        assert.deepEqual(await seriousViolations(page), []);
        await screenshot(page, "licenses-rate-limited");
        await page.close();
      } finally {
        await limitedWeb.stop();
        limitedServer.closeAllConnections();
        await new Promise((resolve) => limitedServer.close(resolve));
      }
    });
  });

  describe("my licenses (after the purchases above)", () => {
    it("signs in with the wallet (declining is said so), lists what it holds with the calls left, tops up in place, closes a spent license for its rent, and signs out (its key revoked)", async () => {
      const page = await browser.newPage();
      const wallet = await installTestWallet(page, buyer.keypair);
      await page.goto(`${web.url}/licenses`);
      await page.getByRole("button", { name: "Connect Test Wallet" }).click();
      wallet.mode = "reject";
      await page.getByRole("button", { name: "Sign in with Test Wallet" }).click();
      assert.equal(await page.locator("main [role=alert]").innerText(), "You declined to sign in: nothing was shared.");
      wallet.mode = "sign";
      await page.getByRole("button", { name: "Sign in with Test Wallet" }).click();
      const rows = page.locator("ul[aria-label=Licenses] > li");
      await rows.first().waitFor();
      await page.getByRole("link", { name: "json-check" }).waitFor();
      assert.equal(await rows.count(), 2);
      const row = (slug: string) => page.locator("ul[aria-label=Licenses] > li", { has: page.getByRole("link", { name: slug }) });
      assert.match(await row("text-stats").innerText(), /one-time[\s\S]*valid[\s\S]*valid for good[\s\S]*bought 1 time/);
      assert.equal(await row("text-stats").getByRole("button").count(), 0, "a one-time license is not renewed");
      assert.match(await row("json-check").innerText(), /usage[\s\S]*100 of 100 calls left/);
      const bar = page.getByRole("progressbar", { name: "calls of json-check used" });
      assert.deepEqual([await bar.getAttribute("aria-valuenow"), await bar.getAttribute("aria-valuemax")], ["0", "100"]);
      assert.deepEqual(await seriousViolations(page), []);
      await screenshot(page, "licenses");

      // Top up: the same purchase again adds its calls to the license.
      const before = await tokenBalance(api.chain.connection, buyerUsdc);
      await row("json-check").getByRole("button", { name: "Top up json-check" }).click();
      await row("json-check").getByRole("status").waitFor({ timeout: 30_000 });
      assert.match(await row("json-check").getByRole("status").innerText(), /usage, 200 of 200 calls left/);
      await page.getByText("bought 2 times").waitFor();
      assert.match(await row("json-check").innerText(), /200 of 200 calls left/);
      assert.equal(before - (await tokenBalance(api.chain.connection, buyerUsdc)), 5_000_000n);

      // A license still in its term cannot be closed (the api says so before anyone signs)...
      const kept0 = JSON.parse((await page.evaluate(() => sessionStorage.getItem("skill-marketplace/session")))!) as { apiKey: string };
      const jsonLicense = licensePda(new PublicKey(ids.json), buyer.publicKey).toBase58();
      const early = await api.http.post(`/api/v1/agents/me/licenses/${jsonLicense}/close`).set("Authorization", `Bearer ${kept0.apiKey}`).expect(409);
      assert.deepEqual([early.body.error.code, early.body.error.message], ["license_active", "the license is still in its term (calls are left): only a spent license can be closed"]);
      const oneTime = licensePda(new PublicKey(ids.stats), buyer.publicKey).toBase58();
      const never = await api.http.post(`/api/v1/agents/me/licenses/${oneTime}/close`).set("Authorization", `Bearer ${kept0.apiKey}`).expect(409);
      assert.equal(never.body.error.message, "a one-time license never ends, so it cannot be closed");
      // ...another wallet's license is not found for this one...
      const stranger = Keypair.generate();
      const { apiKey: strangerKey } = await registerAgent(api, stranger);
      await api.http.post(`/api/v1/agents/me/licenses/${jsonLicense}/close`).set("Authorization", `Bearer ${strangerKey}`).expect(404);
      assert.ok(await licenseOf(ids.json, buyer.publicKey), "nothing changed");
      assert.equal(await row("json-check").getByRole("button", { name: /Close/ }).count(), 0);
      // ...and once every call is used, the page offers to close it, and the rent comes back.
      await meterUsage(api.chain.meter, { skill: new PublicKey(ids.json), buyer: buyer.publicKey, units: 200 });
      await page.reload();
      await row("json-check").getByText("all calls used").waitFor();
      const rent = BigInt((await api.chain.connection.getAccountInfo(new PublicKey(jsonLicense), "confirmed"))!.lamports);
      const lamportsBefore = await lamports(api.chain.connection, buyer.publicKey);
      await row("json-check").getByRole("button", { name: "Close json-check and get its rent back" }).click();
      const closed = page.locator("main > [role=status]");
      await closed.waitFor({ timeout: 30_000 });
      assert.match(await closed.innerText(), /^Closed the license to json-check: 0\.\d+ SOL of rent went back to your wallet\.$/);
      assert.equal(await licenseOf(ids.json, buyer.publicKey), null, "the license account is gone");
      assert.equal((await lamports(api.chain.connection, buyer.publicKey)) - lamportsBefore, rent - 5_000n, "its rent, less the fee");
      await page.getByRole("link", { name: "json-check" }).waitFor({ state: "detached" });
      assert.equal(await rows.count(), 1);
      await screenshot(page, "licenses-closed");

      // Signing out revokes the session's key.
      const kept = JSON.parse((await page.evaluate(() => sessionStorage.getItem("skill-marketplace/session")))!) as { apiKey: string };
      await api.http.get("/api/v1/agents/me").set("Authorization", `Bearer ${kept.apiKey}`).expect(200);
      await page.getByRole("button", { name: "Sign out" }).click();
      await page.getByRole("button", { name: "Sign in with Test Wallet" }).waitFor();
      await api.http.get("/api/v1/agents/me").set("Authorization", `Bearer ${kept.apiKey}`).expect(401);
      await page.close();
    });
  });

  describe("the seller dashboard (after the sales above)", () => {
    it("shows the seller's skills with their sales, revenue per currency gross and net of the fee, sales and calls per day, with no serious accessibility violation", async () => {
      const page = await browser.newPage();
      await installTestWallet(page, seller.keypair);
      await page.goto(`${web.url}/sell`);
      await page.getByRole("button", { name: "Connect Test Wallet" }).click();
      await page.getByRole("button", { name: "Sign in with Test Wallet" }).click();
      const skillsTable = page.locator("section[aria-labelledby=skills-heading] table");
      await skillsTable.waitFor();
      const rowOf = async (slug: string) => (await skillsTable.locator("tr", { has: page.getByRole("link", { name: slug }) }).innerText()).split("\t").map((c) => c.trim());
      assert.deepEqual(await rowOf("text-stats"), ["text-stats", "1.0.0", "none", "0.25 SOL", "1", "0"]);
      assert.deepEqual((await rowOf("json-check")).slice(4), ["2", "200"], "two purchases, every call used");
      assert.deepEqual((await rowOf("thumbnailer")).slice(4), ["1", "0"]);
      // What the indexer recorded of the sales: SOL 0.25 + 1, the token 5 + 5, each net of the 2.5 % fee.
      const revenue = page.getByRole("table", { name: "Revenue per currency" });
      const sol = (await revenue.locator("tr", { hasText: /^SOL/ }).innerText()).split("\t").map((c) => c.trim());
      assert.deepEqual(sol, ["SOL", "2", "1.25 SOL", "1.21875 SOL"]);
      const shortMint = `${mint.slice(0, 4)}…${mint.slice(-4)}`;
      const token = (await revenue.locator("tr", { hasText: shortMint }).innerText()).split("\t").map((c) => c.trim());
      assert.deepEqual(token, [shortMint, "2", `10 ${shortMint}`, `9.75 ${shortMint}`]);
      const today = new Date().toISOString().slice(0, 10);
      assert.match((await page.getByRole("img", { name: /^Sales per day/ }).getAttribute("aria-label"))!, new RegExp(`${today}: 4`));
      assert.match((await page.getByRole("img", { name: /^Calls per day/ }).getAttribute("aria-label"))!, new RegExp(`${today}: 200`));
      assert.match(await page.locator("section[aria-labelledby=revenue-heading]").innerText(), /2 buyers since/, "the buyer and the phone wallet");
      assert.deepEqual(await seriousViolations(page), []);
      await screenshot(page, "sell");
      await page.close();
    });
  });
});
