// The web app as the suites run it: the production build (`next build`, made by the web suite before its tests)
// served by `next start` against a real api, and Debian's Chromium driven by playwright-core. Screenshots go to
// the test artifacts directory ($SKILL_MARKETPLACE_CACHE/test-artifacts/web).
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import axe from "axe-core";
import { VersionedTransaction, type Keypair } from "@solana/web3.js";
import nacl from "tweetnacl";
import { freePort } from "./localnet.js";

const WEB_DIR = join(import.meta.dirname, "..", "..", "web");
export const ARTIFACTS = join(process.env.SKILL_MARKETPLACE_CACHE ?? join(homedir(), ".cache", "skill-marketplace"), "test-artifacts", "web");

export interface RunningWeb {
  url: string;
  stop(): Promise<void>;
}

/** `next start` of the built app on `port` (default a free one), reading the api at `apiUrl`; resolves once it answers. */
export async function startWeb(apiUrl: string, o: { port?: number; rpcUrl?: string; env?: Record<string, string> } = {}): Promise<RunningWeb> {
  const port = o.port ?? (await freePort());
  const child: ChildProcess = spawn(process.execPath, [join(WEB_DIR, "..", "node_modules", "next", "dist", "bin", "next"), "start", "-p", String(port), "-H", "127.0.0.1"], {
    cwd: WEB_DIR,
    env: { ...process.env, WEB_API_URL: apiUrl, ...(o.rpcUrl ? { WEB_RPC_URL: o.rpcUrl } : {}), ...o.env, NEXT_TELEMETRY_DISABLED: "1", NODE_ENV: "production" },
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

export interface TestWallet {
  /** What the wallet does when asked to sign: sign with the keypair, or refuse as a person declining would. */
  mode: "sign" | "reject";
  signed: number;
}

/**
 * Registers a wallet in `page` through the wallet standard (the `wallet-standard:register-wallet` event and the
 * app-ready handshake), as browser wallets do: connect gives the keypair's account, and signTransaction and
 * signMessage have the test process sign with the keypair (a Playwright binding), or decline.
 */
export async function installTestWallet(page: Page, keypair: Keypair, name = "Test Wallet"): Promise<TestWallet> {
  const state: TestWallet = { mode: "sign", signed: 0 };
  await page.exposeFunction("__testWalletSignMessage", (bytes: number[]) => {
    if (state.mode === "reject") throw new Error("User rejected the request.");
    return Array.from(nacl.sign.detached(Uint8Array.from(bytes), keypair.secretKey));
  });
  await page.exposeFunction("__testWalletSign", (bytes: number[]) => {
    if (state.mode === "reject") throw new Error("User rejected the request.");
    const tx = VersionedTransaction.deserialize(Uint8Array.from(bytes));
    tx.sign([keypair]);
    state.signed += 1;
    return Array.from(tx.serialize());
  });
  // A string, not a function: the test runner's transform adds helpers to functions that the page would lack.
  const config = JSON.stringify({ address: keypair.publicKey.toBase58(), publicKey: Array.from(keypair.publicKey.toBytes()), name });
  await page.addInitScript(`(() => {
    const { address, publicKey, name } = ${config};
    const chains = ["solana:mainnet", "solana:devnet", "solana:testnet", "solana:localnet"];
    const account = { address, publicKey: new Uint8Array(publicKey), chains, features: ["solana:signTransaction", "solana:signMessage"] };
    const wallet = {
      version: "1.0.0",
      name,
      icon: "data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciIHZpZXdCb3g9IjAgMCAxIDEiLz4=",
      chains,
      accounts: [],
      features: {
        "standard:connect": { version: "1.0.0", connect: async () => { wallet.accounts = [account]; return { accounts: wallet.accounts }; } },
        "standard:disconnect": { version: "1.0.0", disconnect: async () => { wallet.accounts = []; } },
        "standard:events": { version: "1.0.0", on: () => () => undefined },
        "solana:signMessage": {
          version: "1.0.0",
          signMessage: async (...inputs) =>
            Promise.all(inputs.map(async (input) => ({ signedMessage: input.message, signature: new Uint8Array(await window.__testWalletSignMessage(Array.from(input.message))) }))),
        },
        "solana:signTransaction": {
          version: "1.0.0",
          supportedTransactionVersions: ["legacy", 0],
          signTransaction: async (...inputs) =>
            Promise.all(inputs.map(async (input) => ({ signedTransaction: new Uint8Array(await window.__testWalletSign(Array.from(input.transaction))) }))),
        },
      },
    };
    const register = ({ register }) => register(wallet);
    window.addEventListener("wallet-standard:app-ready", (event) => register(event.detail));
    window.dispatchEvent(new CustomEvent("wallet-standard:register-wallet", { detail: register }));
  })();`);
  return state;
}
