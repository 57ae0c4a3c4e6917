// The web app as a person's browser loads it: the production build served by `next start` against the real api
// (in this process) on localnet, with 100,000 skills in the catalogue (bench/seed.ts). Per page, the JavaScript of
// a first load (every script the page fetched, gzipped as a server would send it); for the browse page, first
// contentful paint, the load event, and time to interactive (the end of the last long main-thread task before
// 5 s without one, as Lighthouse has it) over BENCH_WEB_LOADS fresh browser contexts (default 20), one at a time.
// Writes bench/results/web.json.
import { writeFileSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import { Keypair } from "@solana/web3.js";
import type { Browser } from "playwright-core";
import { pricing } from "@skill-marketplace/sdk";
import { startApi } from "../tests/helpers/api.js";
import { actor, airdrop, registerAgentFor, registerSkillFor } from "../tests/helpers/marketplace.js";
import { launchBrowser, startWeb } from "../tests/helpers/web.js";
import { seedSkills } from "./seed.js";

const SKILLS = 100_000;
const LOADS = Number(process.env.BENCH_WEB_LOADS ?? 20);
/** The quiet window that ends time to interactive. */
const QUIET_MS = 5_000;

const percentile = (xs: number[], p: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};
const round = (x: number) => Math.round(x * 100) / 100;

/** Gzipped bytes of every script a fresh context fetches loading `url`. */
async function firstLoadJs(browser: Browser, url: string): Promise<number> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const scripts: Promise<number>[] = [];
  page.on("response", (response) => {
    if (response.request().resourceType() === "script") scripts.push(response.body().then((b) => gzipSync(b, { level: 9 }).length, () => 0));
  });
  await page.goto(url, { waitUntil: "load" });
  await page.waitForLoadState("networkidle");
  const total = (await Promise.all(scripts)).reduce((a, b) => a + b, 0);
  await context.close();
  return total;
}

const api = await startApi({}, { indexer: true });
const served = await new Promise<Server>((resolve) => {
  const s = api.app.listen(0, "127.0.0.1", () => resolve(s));
});
const results: Record<string, number> = {};
try {
  await seedSkills(api.databaseUrl, SKILLS);
  // One skill on chain, with its details served (the skill page).
  const seller = actor(api.chain.connection, Keypair.generate());
  await airdrop(api.chain.connection, seller.publicKey, 10e9);
  await registerAgentFor(seller, "bench-web-seller");
  const skill = (await registerSkillFor(seller, { slug: "bench-web", pricing: pricing.oneTime(), price: 1_000_000n })).address.toBase58();
  for (let i = 0; (await api.http.get(`/api/v1/skills/${skill}`)).status !== 200; i++) {
    if (i > 100) throw new Error("the indexer did not index the skill");
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const web = await startWeb(`http://127.0.0.1:${(served.address() as AddressInfo).port}`);
  const browser = await launchBrowser();
  try {
    results.web_browse_first_load_js_gzip_kb = round((await firstLoadJs(browser, `${web.url}/`)) / 1024);
    results.web_skill_first_load_js_gzip_kb = round((await firstLoadJs(browser, `${web.url}/skills/${skill}`)) / 1024);
    // Warm the server (its first render compiles nothing, but the api's caches and the node's JIT warm up).
    for (let i = 0; i < 3; i++) await fetch(`${web.url}/`).then((r) => r.text());
    const fcp: number[] = [];
    const loaded: number[] = [];
    const interactive: number[] = [];
    for (let i = 0; i < LOADS; i++) {
      const context = await browser.newContext();
      const page = await context.newPage();
      // Long tasks (≥ 50 ms of main-thread work: script evaluation, hydration) as they happen, from the first byte.
      await page.addInitScript(
        "window.__longTasks = []; new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__longTasks.push(e.startTime + e.duration); }).observe({ type: 'longtask', buffered: true });",
      );
      // Each load a different first page of results (a search), as people arrive from different links.
      await page.goto(`${web.url}/?sort=${["popular", "newest", "rating"][i % 3]}`, { waitUntil: "load" });
      const timing = await page.evaluate(() => {
        const paint = performance.getEntriesByName("first-contentful-paint")[0];
        const nav = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming;
        return { fcp: paint?.startTime ?? NaN, load: nav.loadEventEnd };
      });
      fcp.push(timing.fcp);
      loaded.push(timing.load);
      // Time to interactive as Lighthouse defines it: after first contentful paint, the end of the last long task
      // before a quiet window of QUIET_MS with none (DOMContentLoaded at the earliest).
      let lastEnd = 0;
      for (;;) {
        const state = await page.evaluate(() => ({ now: performance.now(), tasks: (window as unknown as { __longTasks: number[] }).__longTasks, dcl: (performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming).domContentLoadedEventEnd }));
        lastEnd = Math.max(timing.fcp, state.dcl, ...state.tasks.filter((end) => end > timing.fcp));
        if (state.now - lastEnd >= QUIET_MS) break;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      interactive.push(lastEnd);
      await context.close();
    }
    results.web_browse_fcp_p50_ms = round(percentile(fcp, 50));
    results.web_browse_fcp_p95_ms = round(percentile(fcp, 95));
    results.web_browse_load_event_p50_ms = round(percentile(loaded, 50));
    results.web_browse_load_event_p95_ms = round(percentile(loaded, 95));
    results.web_browse_tti_p50_ms = round(percentile(interactive, 50));
    results.web_browse_tti_p95_ms = round(percentile(interactive, 95));
    results.web_catalogue_skills = SKILLS;
    results.web_loads = LOADS;
  } finally {
    await browser.close();
    await web.stop();
  }
} finally {
  served.closeAllConnections();
  await new Promise((resolve) => served.close(resolve));
  await api.stop();
}
for (const [name, value] of Object.entries(results)) console.log(`${name}: ${value}`);
writeFileSync("bench/results/web.json", `${JSON.stringify(results, null, 2)}\n`);
process.exit(0);
