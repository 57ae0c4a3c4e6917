// The web app as the suites run it: the production build (`next build`, made by the web suite before its tests)
// served by `next start` against a real api, and Debian's Chromium driven by playwright-core. Screenshots go to
// the test artifacts directory ($SKILL_MARKETPLACE_CACHE/test-artifacts/web).
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import axe from "axe-core";
import { freePort } from "./localnet.js";

const WEB_DIR = join(import.meta.dirname, "..", "..", "web");
export const ARTIFACTS = join(process.env.SKILL_MARKETPLACE_CACHE ?? join(homedir(), ".cache", "skill-marketplace"), "test-artifacts", "web");

export interface RunningWeb {
  url: string;
  stop(): Promise<void>;
}

/** `next start` of the built app on a free port, reading the api at `apiUrl`; resolves once it answers. */
export async function startWeb(apiUrl: string): Promise<RunningWeb> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [join(WEB_DIR, "..", "node_modules", "next", "dist", "bin", "next"), "start", "-p", String(port), "-H", "127.0.0.1"], {
    cwd: WEB_DIR,
    env: { ...process.env, WEB_API_URL: apiUrl, NEXT_TELEMETRY_DISABLED: "1", NODE_ENV: "production" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`next start exited ${child.exitCode}: ${output}`);
    const up = await fetch(`${url}/`, { signal: AbortSignal.timeout(5_000) }).then(() => true, () => false);
    if (up) break;
    if (Date.now() > deadline) throw new Error(`next start did not answer in 60 s: ${output}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return {
    url,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill("SIGTERM");
      await new Promise((resolve) => child.once("exit", resolve));
    },
  };
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"] });
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** axe-core's violations of impact serious or critical on the page as it stands. */
export async function seriousViolations(page: Page): Promise<{ id: string; impact: string; help: string; nodes: string[] }[]> {
  await page.addScriptTag({ content: axe.source });
  return page.evaluate(async () => {
    const result = await (window as unknown as { axe: typeof axe }).axe.run(document, { resultTypes: ["violations"] });
    return result.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => ({ id: v.id, impact: v.impact!, help: v.help, nodes: v.nodes.map((n) => n.target.join(" ")) }));
  });
}
