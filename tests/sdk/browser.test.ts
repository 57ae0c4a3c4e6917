// The sdk is what the web app bundles: built for the browser with esbuild it must need no Node
// built-in, and the bundle must work where there is no Buffer, process or require (a vm context
// with only what a browser offers).
import { strict as assert } from "node:assert";
import { builtinModules } from "node:module";
import { webcrypto } from "node:crypto";
import { runInNewContext } from "node:vm";
import { build, type Metafile } from "esbuild";

const NODE_BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

/** What a browser page offers a script (and nothing of Node's: no Buffer, process, require). */
function browserGlobals(): Record<string, unknown> {
  const globals: Record<string, unknown> = {
    console,
    TextEncoder,
    TextDecoder,
    URL,
    crypto: webcrypto,
    structuredClone,
    setTimeout,
    clearTimeout,
    queueMicrotask,
    Uint8Array,
    ArrayBuffer,
    DataView,
  };
  globals.window = globals;
  globals.self = globals;
  globals.globalThis = globals;
  return globals;
}

describe("sdk in a browser bundle", () => {
  let code: string;
  let metafile: Metafile;

  before(async () => {
    const result = await build({
      entryPoints: [new URL("../../sdk/src/index.ts", import.meta.url).pathname],
      bundle: true,
      platform: "browser",
      format: "iife",
      globalName: "marketplaceSdk",
      write: false,
      metafile: true,
      logLevel: "silent",
    });
    code = result.outputFiles[0]!.text;
    metafile = result.metafile;
  });

  it("imports no Node built-in, directly or through a dependency", () => {
    const builtins: string[] = [];
    for (const [file, input] of Object.entries(metafile.inputs)) {
      for (const imported of input.imports) {
        // A browser field may map a built-in to nothing ("(disabled)"): bn.js does so for
        // `buffer` and copes without it; anything else reaching Node is a failure.
        const name = imported.original ?? imported.path;
        if (imported.external && NODE_BUILTINS.has(imported.path)) builtins.push(`${file} → ${imported.path}`);
        if (imported.path.startsWith("(disabled):") && !(file.includes("bn.js") && name === "buffer")) builtins.push(`${file} → ${name} (disabled)`);
      }
    }
    assert.deepEqual(builtins, []);
    assert.ok(Object.keys(metafile.inputs).some((f) => f.endsWith("sdk/src/license.ts")), "the rules are in the bundle");
  });

  it("runs without Buffer, process or require: PDAs, fee split, license status, errors, Solana Pay link", () => {
    const context = browserGlobals();
    const script = `${code}
      const sdk = marketplaceSdk;
      const author = sdk.publicKeyOrNull("11111111111111111111111111111112");
      ({
        bufferGlobal: typeof Buffer,
        processGlobal: typeof process,
        marketplace: sdk.marketplacePda().toBase58(),
        skill: sdk.skillPda(author, "pdf-summarizer").toBase58(),
        split: sdk.splitPrice(123456789n, 250),
        status: sdk.licenseStatus({ kind: { usage: {} }, expiresAt: 0, usageLimit: 5, usageUsed: 5 }, { active: true }, { paused: false }, 0),
        error: sdk.marketplaceErrorOf({ InstructionError: [0, { Custom: 6016 }] }).name,
        link: sdk.transactionRequestLink("https://market.test/api/v1/pay/x"),
        seed: sdk.SEED_SKILL,
        key: sdk.isPublicKey("not a key"),
      })`;
    const result = runInNewContext(script, context) as Record<string, unknown>;
    assert.equal(result.bufferGlobal, "undefined");
    assert.equal(result.processGlobal, "undefined");
    assert.equal(result.seed, "skill");
    assert.equal(result.status, "usedUp");
    assert.equal(result.error, "PriceAboveMaximum");
    assert.equal(result.link, "solana:https%3A%2F%2Fmarket.test%2Fapi%2Fv1%2Fpay%2Fx");
    assert.equal(result.key, false);
    // Objects of another realm: compare their fields (deepEqual would compare prototypes too).
    const split = result.split as { sellerAmount: bigint; feeAmount: bigint };
    assert.equal(split.sellerAmount, 120_370_369n);
    assert.equal(split.feeAmount, 3_086_420n);
  });

  it("derives in the browser the same addresses as in Node", async () => {
    const sdk = await import("@skill-marketplace/sdk");
    const author = sdk.publicKeyOrNull("11111111111111111111111111111112")!;
    const result = runInNewContext(
      `${code}; ({ marketplace: marketplaceSdk.marketplacePda().toBase58(), skill: marketplaceSdk.skillPda(marketplaceSdk.publicKeyOrNull("${author.toBase58()}"), "pdf-summarizer").toBase58() })`,
      browserGlobals(),
    ) as Record<string, string>;
    assert.equal(result.marketplace, sdk.marketplacePda().toBase58());
    assert.equal(result.skill, sdk.skillPda(author, "pdf-summarizer").toBase58());
  });
});
