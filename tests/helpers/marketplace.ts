// Shared fixtures for the localnet suites: a node with the marketplace deployed (through
// migrations/deploy.ts), funded actors, each with its own Anchor program client, agents, skills
// and a USDC-like mint. Everything goes through the standard clients and the public RPC.
import { AnchorError, AnchorProvider, Wallet } from "@coral-xyz/anchor";
import { strict as assert } from "node:assert";
import {
  createAssociatedTokenAccount,
  createMint,
  getAccount,
  mintTo,
} from "@solana/spl-token";
import {
  AddressLookupTableProgram,
  Connection,
  Keypair,
  TransactionMessage,
  VersionedTransaction,
  type AddressLookupTableAccount,
  type TransactionInstruction,
  LAMPORTS_PER_SOL,
  PublicKey,
  SystemProgram,
  type Commitment,
  type SignatureStatus,
  type VersionedTransactionResponse,
} from "@solana/web3.js";
import { randomBytes } from "node:crypto";
import { deployMarketplace } from "@skill-marketplace/migrations";
import {
  addCurrency,
  agentPda,
  eventAuthorityPda,
  feeVaultPda,
  fetchAccount,
  licensePda,
  marketplacePda,
  marketplaceProgram,
  meterPda,
  pricing,
  provenance,
  recordUsage,
  registerAgent,
  registerSkill,
  semver,
  skillPda,
  type MarketplaceProgram,
  type Pricing,
  type SkillAccount,
} from "@skill-marketplace/sdk";
import { startLocalnet, type Localnet, type LocalnetOptions } from "./localnet.js";

export const COMMITMENT = "confirmed" satisfies Commitment;
/** Lamports per signature on localnet, as on mainnet. */
export const SIGNATURE_FEE = 5_000;
export const FEE_BPS = 250;
export const USDC_DECIMALS = 6;

export interface Actor {
  keypair: Keypair;
  publicKey: PublicKey;
  /** The Anchor client with this actor's wallet as provider (fee payer of what it sends). */
  program: MarketplaceProgram;
}

export interface Chain {
  localnet: Localnet;
  connection: Connection;
  admin: Actor;
  treasury: Keypair;
  meter: Actor;
  stop(): Promise<void>;
}

export function connect(localnet: Localnet): Connection {
  return new Connection(localnet.rpcUrl, { commitment: COMMITMENT, wsEndpoint: localnet.wsUrl });
}

export function actor(connection: Connection, keypair: Keypair): Actor {
  const provider = new AnchorProvider(connection, new Wallet(keypair), {
    commitment: COMMITMENT,
    preflightCommitment: COMMITMENT,
  });
  return { keypair, publicKey: keypair.publicKey, program: marketplaceProgram(provider) };
}

export async function airdrop(connection: Connection, to: PublicKey, lamports: number): Promise<void> {
  const signature = await connection.requestAirdrop(to, lamports);
  const blockhash = await connection.getLatestBlockhash();
  const result = await connection.confirmTransaction({ signature, ...blockhash }, COMMITMENT);
  if (result.value.err) throw new Error(`airdrop ${signature} failed: ${JSON.stringify(result.value.err)}`);
}

export async function fundedActor(connection: Connection, sol = 10): Promise<Actor> {
  const keypair = Keypair.generate();
  await airdrop(connection, keypair.publicKey, sol * LAMPORTS_PER_SOL);
  return actor(connection, keypair);
}

export interface MarketplaceOptions extends LocalnetOptions {
  /** The marketplace's notice period: 0 (changes apply at once) unless a suite tests the wait. */
  noticeSecs?: number;
}

/**
 * A node with the marketplace initialized at 2.5 % by its admin (the program's upgrade
 * authority), with `meter` registered as meter authority.
 */
export async function startMarketplace(options: MarketplaceOptions = {}): Promise<Chain> {
  const adminKey = Keypair.generate();
  const localnet = await startLocalnet({ ...options, upgradeAuthority: adminKey.publicKey });
  try {
    const connection = connect(localnet);
    await airdrop(connection, adminKey.publicKey, 100 * LAMPORTS_PER_SOL);
    const admin = actor(connection, adminKey);
    const meter = await fundedActor(connection, 1);
    const treasury = Keypair.generate();
    await deployMarketplace({
      connection,
      admin: admin.keypair,
      feeBps: FEE_BPS,
      treasury: treasury.publicKey,
      meterAuthorities: [meter.publicKey],
      noticeSecs: options.noticeSecs ?? 0,
    });
    return { localnet, connection, admin, treasury, meter, stop: () => stopChain(localnet) };
  } catch (error) {
    // The set-up's failure is the one to report, not a second one from stopping.
    await localnet.stop().catch(() => undefined);
    throw error;
  }
}

/**
 * web3.js closes a Connection's websocket 500 ms after its last subscription ends, and reconnects
 * forever if the server goes away first; so let it close before the node stops.
 */
async function stopChain(localnet: Localnet): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 700));
  await localnet.stop();
}

export async function registerAgentFor(who: Actor, name: string): Promise<PublicKey> {
  await registerAgent(who.program, {
    wallet: who.publicKey,
    name,
    metadataUri: `https://agents.example/${name}.json`,
  }).rpc();
  return agentPda(who.publicKey);
}

export interface SkillSpec {
  slug: string;
  pricing: Pricing;
  price: bigint;
  currencyMint?: PublicKey;
  category?: string;
  /** The docs the skill points to (default: a CID with no block behind it). */
  docsCid?: string;
}

export const DOCS_CID = "bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi";
export const COMMIT_SHA = "3f786850e387550fdab836ed7e6dc881de23001b";
export const IMAGE_DIGEST = "sha256:5b0f8d4a1f9c2a7e2d6b3c4a9e8f7d6c5b4a3928171615141312111009080706";

export async function registerSkillFor(author: Actor, spec: SkillSpec): Promise<{ address: PublicKey; skill: SkillAccount }> {
  await registerSkill(author.program, {
    author: author.publicKey,
    slug: spec.slug,
    version: semver("1.0.0"),
    category: spec.category ?? "data-analysis",
    pricing: spec.pricing,
    price: spec.price,
    provenance: provenance(spec.docsCid ?? DOCS_CID, COMMIT_SHA, IMAGE_DIGEST),
    currencyMint: spec.currencyMint,
  }).rpc();
  const address = skillPda(author.publicKey, spec.slug);
  return { address, skill: await author.program.account.skill.fetch(address) };
}

/**
 * A USDC-like mint (6 decimals) with associated token accounts for `holders`. Made by the
 * marketplace's admin, it is also accepted as a currency (skills can be priced in it).
 */
export async function createUsdc(
  connection: Connection,
  payer: Keypair,
  holders: PublicKey[],
): Promise<{ mint: PublicKey; authority: Keypair; accounts: Map<string, PublicKey> }> {
  const authority = Keypair.generate();
  const mint = await createMint(connection, payer, authority.publicKey, null, USDC_DECIMALS, undefined, {
    commitment: COMMITMENT,
  });
  const marketplace = await fetchAccount(connection, "marketplace", marketplacePda(), COMMITMENT);
  if (marketplace?.admin.equals(payer.publicKey)) {
    await addCurrency(actor(connection, payer).program, { admin: payer.publicKey, mint }).rpc();
  }
  const accounts = new Map<string, PublicKey>();
  for (const holder of holders) {
    accounts.set(holder.toBase58(), await createAssociatedTokenAccount(connection, payer, mint, holder, { commitment: COMMITMENT }));
  }
  return { mint, authority, accounts };
}

export async function mintUsdc(
  connection: Connection,
  payer: Keypair,
  usdc: { mint: PublicKey; authority: Keypair },
  to: PublicKey,
  amount: bigint,
): Promise<void> {
  await mintTo(connection, payer, usdc.mint, to, usdc.authority, amount, [], { commitment: COMMITMENT });
}

export async function tokenBalance(connection: Connection, account: PublicKey): Promise<bigint> {
  return (await getAccount(connection, account, COMMITMENT)).amount;
}

export async function lamports(connection: Connection, address: PublicKey): Promise<bigint> {
  return BigInt(await connection.getBalance(address, COMMITMENT));
}

/** A landed transaction as `getTransaction` returns it at `confirmed`; fails if it is missing. */
export async function landed(connection: Connection, signature: string): Promise<VersionedTransactionResponse> {
  const tx = await connection.getTransaction(signature, { commitment: COMMITMENT, maxSupportedTransactionVersion: 0 });
  if (!tx) throw new Error(`transaction ${signature} not found at ${COMMITMENT}`);
  return tx;
}

/** A stand-in root of a batch of signed usage receipts. */
export function receiptsRoot(): Uint8Array {
  return randomBytes(32);
}

/**
 * `meter` records `units` used under `buyer`'s license of `skill`, as one batch of one receipt,
 * expecting the usage the license holds now (read at confirmed). Returns the signature.
 */
export async function meterUsage(
  meter: Actor,
  p: { skill: PublicKey; buyer: PublicKey; units: number | bigint; root?: Uint8Array; authority?: PublicKey },
): Promise<string> {
  const license = await fetchAccount(meter.program.provider.connection, "license", licensePda(p.skill, p.buyer), COMMITMENT);
  return recordUsage(meter.program, {
    meterAuthority: p.authority ?? meter.publicKey,
    skill: p.skill,
    buyer: p.buyer,
    units: p.units,
    expectedUsageUsed: license ? BigInt(license.usageUsed.toString()) : 0n,
    receiptsRoot: p.root ?? receiptsRoot(),
    receiptCount: 1,
  }).rpc();
}

/**
 * Polls getSignatureStatuses until `signature` reaches `commitment`, and returns its status.
 * (For transactions expected to fail: web3.js's confirmTransaction either resolves with the error
 * or rejects with it, depending on whether its websocket notification or its status check wins.)
 */
export async function statusAt(
  connection: Connection,
  signature: string,
  commitment: "confirmed" | "finalized" = COMMITMENT,
  timeoutMs = 30_000,
): Promise<SignatureStatus> {
  const rank = { processed: 0, confirmed: 1, finalized: 2 } as const;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [status] = (await connection.getSignatureStatuses([signature], { searchTransactionHistory: true })).value;
    if (status?.confirmationStatus && rank[status.confirmationStatus] >= rank[commitment]) return status;
    if (Date.now() > deadline) throw new Error(`${signature} did not reach ${commitment} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The only element of `items`; fails when there are none or several. */
export function single<T>(items: readonly T[], what = "item"): T {
  if (items.length !== 1) throw new Error(`expected exactly one ${what}, got ${items.length}`);
  return items[0] as T;
}

/**
 * Awaits a call the program must refuse, and checks that Anchor's client decoded the refusal
 * into an AnchorError with this exact code (name as in the IDL / Rust enum) and number.
 */
export async function expectAnchorError(call: Promise<unknown>, code: string, number: number): Promise<AnchorError> {
  let caught: unknown;
  try {
    await call;
  } catch (error) {
    caught = error;
  }
  assert.ok(caught !== undefined, `expected AnchorError ${code}, but the call succeeded`);
  if (!(caught instanceof AnchorError)) {
    const logs = (caught as { logs?: string[] }).logs;
    assert.fail(`expected AnchorError ${code} (${number}), got ${String(caught)}${logs ? `\nlogs:\n${logs.join("\n")}` : ""}`);
  }
  assert.equal(caught.error.errorCode.code, code);
  assert.equal(caught.error.errorCode.number, number);
  return caught;
}

/**
 * An address lookup table made as a wallet makes one on a cluster (`recentSlot` from `getSlot()`),
 * holding `addresses`, returned once they are usable (from the slot after the extension).
 */
export async function lookupTable(connection: Connection, authority: Actor, addresses: PublicKey[]): Promise<AddressLookupTableAccount> {
  const recentSlot = await connection.getSlot();
  const [create, address] = AddressLookupTableProgram.createLookupTable({ authority: authority.publicKey, payer: authority.publicKey, recentSlot });
  const extend = AddressLookupTableProgram.extendLookupTable({ payer: authority.publicKey, authority: authority.publicKey, lookupTable: address, addresses });
  await sendV0(connection, authority, [create, extend], []);
  const extendedAt = await connection.getSlot();
  while ((await connection.getSlot()) <= extendedAt) await new Promise((resolve) => setTimeout(resolve, 50));
  const table = (await connection.getAddressLookupTable(address)).value;
  if (!table) throw new Error(`lookup table ${address.toBase58()} not found`);
  return table;
}

/** Sends `instructions` as one v0 transaction paid and signed by `payer`, accounts looked up in `tables`; waits for `confirmed`. */
export async function sendV0(connection: Connection, payer: Actor, instructions: TransactionInstruction[], tables: AddressLookupTableAccount[]): Promise<string> {
  const { blockhash } = await connection.getLatestBlockhash(COMMITMENT);
  const message = new TransactionMessage({ payerKey: payer.publicKey, recentBlockhash: blockhash, instructions }).compileToV0Message(tables);
  if (tables.length > 0 && message.addressTableLookups.length === 0) throw new Error("the message does not use the lookup tables");
  const tx = new VersionedTransaction(message);
  tx.sign([payer.keypair]);
  const signature = await connection.sendTransaction(tx);
  const status = await statusAt(connection, signature, COMMITMENT);
  if (status.err) throw new Error(`v0 transaction ${signature} failed: ${JSON.stringify(status.err)}`);
  return signature;
}

/**
 * A seller with a subscription skill and a usage skill, a funded buyer, and a lookup table (made
 * by the buyer) holding every account their purchases and usage records name beyond the signers.
 */
export async function lookupTableMarket(
  chain: Chain,
  p: { agent: string; subscriptionSlug: string; usageSlug: string; price: bigint; unitsPerPurchase: number },
): Promise<{ seller: Actor; buyer: Actor; subscription: PublicKey; metered: PublicKey; table: AddressLookupTableAccount }> {
  const seller = await fundedActor(chain.connection);
  const buyer = await fundedActor(chain.connection);
  await registerAgentFor(seller, p.agent);
  const subscription = (await registerSkillFor(seller, { slug: p.subscriptionSlug, pricing: pricing.subscription(3_600), price: p.price })).address;
  const metered = (await registerSkillFor(seller, { slug: p.usageSlug, pricing: pricing.usage(p.unitsPerPurchase), price: p.price })).address;
  const table = await lookupTable(chain.connection, buyer, [
    seller.publicKey,
    feeVaultPda(),
    eventAuthorityPda(),
    meterPda(chain.meter.publicKey),
    marketplacePda(),
    subscription,
    metered,
    licensePda(subscription, buyer.publicKey),
    licensePda(metered, buyer.publicKey),
    SystemProgram.programId,
  ]);
  return { seller, buyer, subscription, metered, table };
}
