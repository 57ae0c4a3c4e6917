// `npm start`'s demo on a new local chain, once every service answers: a demo USDC mint on the marketplace's
// allowlist, two seller agents publishing the three skills in the tree's skills/ through the real publishing
// pipeline (each copied into a git repository under the data directory's repos/, as a seller's repository would
// be), one per license kind (text-stats: usage in SOL; json-check: a 30-day subscription in the demo USDC;
// thumbnail: one-time in SOL), a buyer with SOL and USDC who buys each one, runs each a few times and reviews two,
// so every page and dashboard has something to show. Writes what it made, with the key files, to demo.json.
// Never run against a real cluster.
//
//   API_URL=… API_PUBLIC_URL=… SOLANA_RPC_URL=… SKILL_MARKETPLACE_KEYS=… DEMO_REPOS=… DEMO_OUT=… node --import tsx stack/src/demo.ts
import { execFileSync } from "node:child_process";
import { cpSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Connection, Keypair, LAMPORTS_PER_SOL, PublicKey, Transaction, VersionedTransaction, type TransactionInstruction } from "@solana/web3.js";
import { createAssociatedTokenAccountIdempotent, createMint, getAssociatedTokenAddressSync, mintTo } from "@solana/spl-token";
import { addCurrency, agentPda, awaitLanding, currencyPda, fetchAccount, licensePda, licenseTokenClaims, marketplacePda, marketplaceProgram, registerAgent, signLicenseToken, skillPda } from "@skill-marketplace/sdk";
import { MarketplaceClient, publish } from "@skill-marketplace/cli";
import { devKey } from "./keys.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`demo: ${name} is not set`);
  return value;
};
const apiUrl = env("API_URL");
const audience = env("API_PUBLIC_URL");
const rpcUrl = env("SOLANA_RPC_URL");
const keysDir = env("SKILL_MARKETPLACE_KEYS");
const reposDir = env("DEMO_REPOS");
const out = env("DEMO_OUT");

/** The demo token: 6 decimals, as USDC. */
const USDC_DECIMALS = 6;
const usdc = (whole: number) => BigInt(whole) * 10n ** BigInt(USDC_DECIMALS);

const connection = new Connection(rpcUrl, { commitment: "confirmed", wsEndpoint: process.env.SOLANA_WS_URL });
const program = marketplaceProgram({ connection });
const say = (line: string) => process.stdout.write(`demo: ${line}\n`);

async function send(payer: Keypair, instructions: TransactionInstruction[]): Promise<string> {
  const { blockhash, lastValidBlockHeight } = await connection.getLatestBlockhash("confirmed");
  const tx = new Transaction({ feePayer: payer.publicKey, blockhash, lastValidBlockHeight }).add(...instructions);
  tx.sign(payer);
  return land(tx.serialize(), blockhash);
}

/** Sends a transaction the api made after the wallet signs it. */
async function signAndSend(base64: string, signer: Keypair): Promise<string> {
  const tx = VersionedTransaction.deserialize(Buffer.from(base64, "base64"));
  tx.sign([signer]);
  return land(tx.serialize(), tx.message.recentBlockhash);
}

async function land(bytes: Uint8Array, blockhash: string): Promise<string> {
  const signature = await connection.sendRawTransaction(bytes);
  const landing = await awaitLanding(connection, signature, blockhash, { raw: bytes });
  if (!landing.landed) throw new Error(`transaction ${signature} expired before it landed`);
  if (landing.err) throw new Error(`transaction ${signature} failed: ${JSON.stringify(landing.err)}`);
  return signature;
}

async function fund(who: PublicKey, sol: number): Promise<void> {
  if ((await connection.getBalance(who, "confirmed")) >= sol * LAMPORTS_PER_SOL) return;
  const signature = await connection.requestAirdrop(who, sol * LAMPORTS_PER_SOL);
  await connection.confirmTransaction({ signature, ...(await connection.getLatestBlockhash("confirmed")) }, "confirmed");
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`demo: ${what} did not happen within ${ms / 1000} s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** A seller's repository for `skill`: the tree's copy with its publisher (and pricing) set, committed. */
function repository(skill: string, publisher: PublicKey, pricing?: Record<string, unknown>): string {
  const dir = join(reposDir, skill);
  rmSync(dir, { recursive: true, force: true });
  cpSync(join(ROOT, "skills", skill), dir, { recursive: true });
  const manifestPath = join(dir, "skill.json");
  const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as Record<string, unknown>;
  writeFileSync(manifestPath, `${JSON.stringify({ ...manifest, publisher: publisher.toBase58(), ...(pricing ? { pricing } : {}) }, null, 2)}\n`);
  const git = { ...process.env, GIT_AUTHOR_NAME: "demo seller", GIT_AUTHOR_EMAIL: "seller@demo.invalid", GIT_COMMITTER_NAME: "demo seller", GIT_COMMITTER_EMAIL: "seller@demo.invalid" };
  for (const args of [["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", `${skill} 1.0.0`]]) execFileSync("git", args, { cwd: dir, env: git });
  return pathToFileURL(dir).toString();
}

const began = performance.now();
const admin = devKey(keysDir, "admin");
const sellers = [
  { key: devKey(keysDir, "demo-seller-text"), name: "Text Tools Co" },
  { key: devKey(keysDir, "demo-seller-data"), name: "Data & Media Works" },
];
const buyer = devKey(keysDir, "demo-buyer");
await Promise.all([fund(admin.publicKey, 10), ...sellers.map((s) => fund(s.key.publicKey, 20)), fund(buyer.publicKey, 50)]);

// The demo USDC: minted by the admin, on the allowlist, with accounts for the seller who sells in it and the buyer.
// Every step is skipped when already done, so a demo that failed halfway is finished by the next start.
const mintKey = devKey(keysDir, "demo-usdc-mint");
const mint = mintKey.publicKey;
if (!(await connection.getAccountInfo(mint, "confirmed"))) await createMint(connection, admin, admin.publicKey, null, USDC_DECIMALS, mintKey, { commitment: "confirmed" });
if (!(await connection.getAccountInfo(currencyPda(mint), "confirmed"))) await send(admin, [await addCurrency(program, { admin: admin.publicKey, mint }).instruction()]);
for (const holder of [sellers[1]!.key.publicKey, buyer.publicKey]) await createAssociatedTokenAccountIdempotent(connection, admin, mint, holder, { commitment: "confirmed" });
const buyerUsdc = getAssociatedTokenAddressSync(mint, buyer.publicKey);
const held = BigInt((await connection.getTokenAccountBalance(buyerUsdc, "confirmed")).value.amount);
if (held < usdc(1_000)) await mintTo(connection, admin, mint, buyerUsdc, admin, usdc(1_000) - held, [], { commitment: "confirmed" });
say(`demo USDC ${mint.toBase58()} on the allowlist; the buyer holds 1,000`);

for (const seller of sellers) {
  if (!(await fetchAccount(connection, "agent", agentPda(seller.key.publicKey), "confirmed"))) {
    await send(seller.key, [await registerAgent(program, { wallet: seller.key.publicKey, name: seller.name, metadataUri: `${audience}/api/v1/agents/${seller.key.publicKey.toBase58()}` }).instruction()]);
  }
}

// The three skills, published as a seller publishes: a job in the api (scan, build, examples in the sandbox, docs), then the listing signed.
const listings = [
  { skill: "text-stats", seller: sellers[0]!, pricing: undefined },
  { skill: "json-check", seller: sellers[1]!, pricing: { kind: "subscription", price: usdc(2).toString(), currency: mint.toBase58(), intervalSecs: 30 * 86_400 } },
  { skill: "thumbnail", seller: sellers[1]!, pricing: undefined },
];
const quiet = { write: () => true };
const published: { slug: string; id: string; seller: string; endpoint: string; example: unknown }[] = [];
for (const listing of listings) {
  const t = performance.now();
  const id = skillPda(listing.seller.key.publicKey, listing.skill);
  const manifest = JSON.parse(readFileSync(join(ROOT, "skills", listing.skill, "skill.json"), "utf8")) as { endpoints: Record<string, { examples: { input: unknown }[] }> };
  const [endpoint, spec] = Object.entries(manifest.endpoints)[0]!;
  const entry = { slug: listing.skill, id: id.toBase58(), seller: listing.seller.key.publicKey.toBase58(), endpoint, example: spec.examples[0]!.input };
  if (await fetchAccount(connection, "skill", id, "confirmed")) {
    published.push(entry);
    continue;
  }
  const repo = repository(listing.skill, listing.seller.key.publicKey, listing.pricing);
  // A listing whose transaction expired unseen (a loaded machine) is published again: the job is repeatable.
  let signature: string | null = null;
  for (let attempt = 1; !signature; attempt++) {
    try {
      const published = await publish({ repo, ref: "main", apiUrl, rpcUrl, keypair: listing.seller.key, out: quiet });
      if (!published.signature) throw new Error(`demo: publishing ${listing.skill} failed: ${published.job.error?.code}: ${published.job.error?.message}`);
      signature = published.signature;
    } catch (error) {
      if (attempt >= 3 || !/expired before it landed/.test((error as Error).message)) throw error;
      say(`${listing.skill}: ${(error as Error).message}; publishing again`);
    }
  }
  published.push(entry);
  say(`${listing.skill} published by ${listing.seller.name} (${((performance.now() - t) / 1000).toFixed(1)} s)`);
}

// The buyer: signed in as an agent, buys each (the api's transaction, signed by the wallet), runs each, reviews two.
const client = new MarketplaceClient(apiUrl, { keyDir: join(keysDir, "api-keys") });
await client.signIn(buyer);
for (const skill of published) {
  await until(`the indexer listing ${skill.slug}`, async () => ((await client.call("GET", `/skills/${skill.id}`)) ? true : undefined));
  const license = licensePda(new PublicKey(skill.id), buyer.publicKey);
  if (!(await fetchAccount(connection, "license", license, "confirmed"))) {
    const { transaction } = await client.call<{ transaction: string }>("POST", "/marketplace/purchase", { skillId: skill.id });
    await signAndSend(transaction, buyer);
  }
  await until(`the license to ${skill.slug}`, async () => ((await fetchAccount(connection, "license", license, "confirmed")) ? true : undefined));
  for (let i = 0; i < 3; i++) {
    const token = signLicenseToken(licenseTokenClaims({ license, skill: skill.id, holder: buyer.publicKey, audience }), buyer.secretKey);
    await client.call("POST", `/skills/${skill.id}/execute`, { endpoint: skill.endpoint, payload: skill.example }, { "X-License-Token": token });
  }
}
const reviews = [
  { slug: "json-check", rating: 5, text: "Found every broken field in our tool outputs, with the exact JSON Pointer. Fast." },
  { slug: "thumbnail", rating: 4, text: "Clean thumbnails for listing images; I'd like JPEG input too." },
];
for (const review of reviews) {
  const skill = published.find((s) => s.slug === review.slug)!;
  const { transaction } = await client.call<{ transaction: string }>("POST", `/skills/${skill.id}/reviews`, { rating: review.rating, text: review.text });
  await signAndSend(transaction, buyer);
}
say(`the buyer bought all three, ran each three times and reviewed two`);

const demo = {
  cluster: "localnet",
  rpcUrl,
  api: `${apiUrl}/api/v1`,
  marketplace: marketplacePda().toBase58(),
  usdcMint: mint.toBase58(),
  sellers: sellers.map((s) => ({ name: s.name, wallet: s.key.publicKey.toBase58(), keypair: join(keysDir, `${s === sellers[0] ? "demo-seller-text" : "demo-seller-data"}.json`) })),
  buyer: { wallet: buyer.publicKey.toBase58(), keypair: join(keysDir, "demo-buyer.json") },
  skills: published.map(({ slug, id, seller }) => ({ slug, id, seller })),
};
writeFileSync(`${out}.partial`, `${JSON.stringify(demo, null, 2)}\n`);
renameSync(`${out}.partial`, out);
say(`seeded in ${((performance.now() - began) / 1000).toFixed(1)} s: two sellers, three skills, a buyer (keys in ${keysDir}, summary in ${out})`);
process.exit(0);
