// Deploy step of the marketplace on any Solana RPC (localnet, devnet, mainnet): initializes the
// marketplace if it is not yet initialized (only the program's upgrade authority can), then
// registers the meter authorities and currencies asked for that are missing. Idempotent: run
// again, it checks the existing configuration (admin, treasury, fee, pauser, notice period) and
// refuses to go on if it differs from what was asked; what is already there is left alone.
//
//   SOLANA_RPC_URL=http://127.0.0.1:8899 ADMIN_KEYPAIR=~/.config/solana/id.json \
//   TREASURY=<pubkey> METER_AUTHORITY=<pubkey> [FEE_BPS=250] [PAUSER=<pubkey>] [NOTICE_SECS=604800] \
//   [CURRENCIES=<mint>,<mint>] [SOLANA_WS_URL=ws://…] npx tsx migrations/deploy.ts
import { AnchorProvider, Wallet } from "@coral-xyz/anchor";
import { Connection, Keypair, PublicKey, type Commitment } from "@solana/web3.js";
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { fileURLToPath } from "node:url";
import {
  addCurrency,
  addMeterAuthority,
  currencyPda,
  DEFAULT_FEE_BPS,
  DEFAULT_NOTICE_SECS,
  fetchAccount,
  initializeMarketplace,
  marketplacePda,
  marketplaceProgram,
  MAX_FEE_BPS,
  MAX_NOTICE_SECS,
  meterPda,
  programDataAddress,
  upgradeAuthorityOf,
  type MarketplaceAccount,
} from "@skill-marketplace/sdk";
import { configOrExit, parseEnv, sharedEnv, zPubkey } from "@skill-marketplace/kit";
import { z } from "zod";

export interface DeployMarketplaceOptions {
  /** Either a connection or the RPC URL to open one on. */
  connection?: Connection;
  rpcUrl?: string;
  /** Websocket endpoint when it is not the RPC URL's port + 1. */
  wsUrl?: string;
  /** The program's upgrade authority: pays for everything and becomes the marketplace admin. */
  admin: Keypair;
  feeBps?: number;
  treasury: PublicKey;
  /** May pause besides the admin; the admin when not given. */
  pauser?: PublicKey;
  /** Notice before a fee change, a new version or a price increase applies; seven days when not given. */
  noticeSecs?: number;
  /** Keys allowed to record usage (one per executor operator); missing ones are registered. */
  meterAuthorities: PublicKey[];
  /** SPL mints to accept as currencies; missing ones are added. */
  currencies?: PublicKey[];
  commitment?: Commitment;
}

export interface DeployMarketplaceResult {
  marketplace: PublicKey;
  /** True when this call created the marketplace; false when it already existed as asked. */
  initialized: boolean;
  initializeSignature?: string;
  /** Meter authorities and currencies this call registered (those already there are not listed). */
  addedMeterAuthorities: PublicKey[];
  addedCurrencies: PublicKey[];
  config: MarketplaceAccount;
}

export async function deployMarketplace(options: DeployMarketplaceOptions): Promise<DeployMarketplaceResult> {
  const commitment = options.commitment ?? "confirmed";
  const feeBps = options.feeBps ?? DEFAULT_FEE_BPS;
  if (!Number.isInteger(feeBps) || feeBps < 0 || feeBps > MAX_FEE_BPS) {
    throw new Error(`feeBps must be an integer from 0 to ${MAX_FEE_BPS}, got ${feeBps}`);
  }
  const noticeSecs = options.noticeSecs ?? DEFAULT_NOTICE_SECS;
  if (!Number.isInteger(noticeSecs) || noticeSecs < 0 || noticeSecs > MAX_NOTICE_SECS) {
    throw new Error(`noticeSecs must be an integer from 0 to ${MAX_NOTICE_SECS}, got ${noticeSecs}`);
  }
  let connection = options.connection;
  if (!connection) {
    if (!options.rpcUrl) throw new Error("deployMarketplace needs a connection or an rpcUrl");
    connection = new Connection(options.rpcUrl, { commitment, wsEndpoint: options.wsUrl });
  }
  const { admin, treasury } = options;
  const pauser = options.pauser ?? admin.publicKey;
  const marketplace = marketplacePda();
  const provider = new AnchorProvider(connection, new Wallet(admin), { commitment, preflightCommitment: commitment });
  const program = marketplaceProgram(provider);

  let initialized = false;
  let initializeSignature: string | undefined;
  let config = await fetchAccount(connection, "marketplace", marketplace, commitment);
  if (config) {
    const differences = [
      !config.admin.equals(admin.publicKey) && `admin ${config.admin.toBase58()} (asked ${admin.publicKey.toBase58()})`,
      !config.treasury.equals(treasury) && `treasury ${config.treasury.toBase58()} (asked ${treasury.toBase58()})`,
      config.feeBps !== feeBps && `fee ${config.feeBps} bps (asked ${feeBps})`,
      config.pendingFee && `a pending fee change to ${config.pendingFee.feeBps} bps`,
      !config.pauser.equals(pauser) && `pauser ${config.pauser.toBase58()} (asked ${pauser.toBase58()})`,
      config.noticeSecs.toNumber() !== noticeSecs && `notice ${config.noticeSecs.toString()} s (asked ${noticeSecs})`,
    ].filter(Boolean);
    if (differences.length > 0) {
      throw new Error(
        `marketplace ${marketplace.toBase58()} is already initialized with ${differences.join(", ")}; ` +
          `change it with update_marketplace signed by its admin ${config.admin.toBase58()}`,
      );
    }
  } else {
    const programData = await connection.getAccountInfo(programDataAddress(), commitment);
    if (!programData) throw new Error(`program ${program.programId.toBase58()} has no ProgramData account: is it deployed as an upgradeable program?`);
    const authority = upgradeAuthorityOf(programData.data);
    if (!authority?.equals(admin.publicKey)) {
      throw new Error(
        `only the program's upgrade authority can initialize the marketplace: it is ${authority?.toBase58() ?? "none (immutable program)"}, ` +
          `the admin keypair is ${admin.publicKey.toBase58()}`,
      );
    }
    const adminBalance = await connection.getBalance(admin.publicKey, commitment);
    if (adminBalance === 0) throw new Error(`admin ${admin.publicKey.toBase58()} has no SOL to pay for the deployment`);
    initializeSignature = await initializeMarketplace(program, { admin: admin.publicKey, treasury, feeBps, pauser, noticeSecs }).rpc();
    initialized = true;
    config = await fetchAccount(connection, "marketplace", marketplace, commitment);
    if (!config) throw new Error(`marketplace ${marketplace.toBase58()} not readable after ${initializeSignature}`);
  }

  const addedMeterAuthorities: PublicKey[] = [];
  for (const authority of options.meterAuthorities) {
    if (await connection.getAccountInfo(meterPda(authority), commitment)) continue;
    await addMeterAuthority(program, { admin: admin.publicKey, authority }).rpc();
    addedMeterAuthorities.push(authority);
  }
  const addedCurrencies: PublicKey[] = [];
  for (const mint of options.currencies ?? []) {
    if (await connection.getAccountInfo(currencyPda(mint), commitment)) continue;
    const mintAccount = await connection.getAccountInfo(mint, commitment);
    if (!mintAccount) throw new Error(`currency mint ${mint.toBase58()} does not exist`);
    await addCurrency(program, { admin: admin.publicKey, mint, tokenProgram: mintAccount.owner }).rpc();
    addedCurrencies.push(mint);
  }
  return { marketplace, initialized, initializeSignature, addedMeterAuthorities, addedCurrencies, config };
}

// ----- command line -----

const keypairFile = z.string({ error: "is not set: expected the path of a keypair file (JSON array of 64 bytes, as solana-keygen writes)" }).transform((path, ctx) => {
  const resolved = path.startsWith("~/") ? `${homedir()}${path.slice(1)}` : path;
  let bytes: unknown;
  try {
    bytes = JSON.parse(readFileSync(resolved, "utf8"));
  } catch (error) {
    ctx.issues.push({ code: "custom", input: path, message: `${path}: cannot read a JSON keypair (${(error as Error).message})` });
    return z.NEVER;
  }
  if (!Array.isArray(bytes) || bytes.length !== 64 || !bytes.every((b) => Number.isInteger(b) && b >= 0 && b <= 255)) {
    ctx.issues.push({ code: "custom", input: path, message: `${path}: expected a JSON array of 64 bytes` });
    return z.NEVER;
  }
  return Keypair.fromSecretKey(Uint8Array.from(bytes));
});

const requiredKey = z.string({ error: "is not set: expected a base58 public key" }).pipe(zPubkey).transform((v) => new PublicKey(v));

const cliEnv = z.object({
  SOLANA_RPC_URL: sharedEnv.SOLANA_RPC_URL,
  SOLANA_WS_URL: sharedEnv.SOLANA_WS_URL,
  ADMIN_KEYPAIR: keypairFile,
  TREASURY: requiredKey,
  METER_AUTHORITY: requiredKey,
  PAUSER: z.string().pipe(zPubkey).transform((v) => new PublicKey(v)).optional(),
  NOTICE_SECS: z
    .string()
    .regex(/^\d+$/, `must be a number of seconds from 0 to ${MAX_NOTICE_SECS}`)
    .transform(Number)
    .refine((secs) => secs <= MAX_NOTICE_SECS, `must be a number of seconds from 0 to ${MAX_NOTICE_SECS}`)
    .default(DEFAULT_NOTICE_SECS),
  CURRENCIES: z
    .string()
    .transform((list) => list.split(",").map((m) => m.trim()).filter(Boolean))
    .pipe(z.array(zPubkey))
    .transform((mints) => mints.map((m) => new PublicKey(m)))
    .default([]),
  FEE_BPS: z
    .string()
    .regex(/^\d+$/, `must be an integer from 0 to ${MAX_FEE_BPS} (basis points)`)
    .transform(Number)
    .refine((fee) => fee <= MAX_FEE_BPS, `must be an integer from 0 to ${MAX_FEE_BPS} (basis points)`)
    .default(DEFAULT_FEE_BPS),
});

async function main(): Promise<void> {
  const env = configOrExit("deploy", () => parseEnv(cliEnv, process.env));
  const options: DeployMarketplaceOptions = {
    rpcUrl: env.SOLANA_RPC_URL,
    wsUrl: env.SOLANA_WS_URL,
    admin: env.ADMIN_KEYPAIR,
    treasury: env.TREASURY,
    meterAuthorities: [env.METER_AUTHORITY],
    feeBps: env.FEE_BPS,
    pauser: env.PAUSER,
    noticeSecs: env.NOTICE_SECS,
    currencies: env.CURRENCIES,
  };
  const result = await deployMarketplace(options);
  const { config } = result;
  console.log(
    JSON.stringify(
      {
        marketplace: result.marketplace.toBase58(),
        initialized: result.initialized,
        initializeSignature: result.initializeSignature ?? null,
        addedMeterAuthorities: result.addedMeterAuthorities.map((k) => k.toBase58()),
        addedCurrencies: result.addedCurrencies.map((k) => k.toBase58()),
        admin: config.admin.toBase58(),
        pauser: config.pauser.toBase58(),
        treasury: config.treasury.toBase58(),
        feeBps: config.feeBps,
        noticeSecs: config.noticeSecs.toNumber(),
        paused: config.paused,
      },
      null,
      2,
    ),
  );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((error: unknown) => {
    console.error(`deploy: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
