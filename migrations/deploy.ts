// Deploy step of the marketplace on any Solana RPC (localnet, devnet, mainnet): initializes the
// marketplace if it is not yet initialized, and funds the treasury to rent exemption, because
// SOL fees smaller than the rent-exempt minimum cannot land in an empty treasury.
// Idempotent: run again, it checks the existing configuration and changes nothing.
//
//   SOLANA_RPC_URL=http://127.0.0.1:8899 ADMIN_KEYPAIR=~/.config/solana/id.json \
//   TREASURY=<pubkey> METER_AUTHORITY=<pubkey> [FEE_BPS=250] [SOLANA_WS_URL=ws://…] npx tsx migrations/deploy.ts
import { AnchorProvider, Wallet } from "@coral-xyz/anchor";
import {
  Connection,
  Keypair,
  PublicKey,
  SystemProgram,
  Transaction,
  sendAndConfirmTransaction,
  type Commitment,
} from "@solana/web3.js";
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { fileURLToPath } from "node:url";
import {
  DEFAULT_FEE_BPS,
  fetchAccount,
  initializeMarketplace,
  marketplacePda,
  marketplaceProgram,
  MAX_FEE_BPS,
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
  /** Pays for everything and becomes the marketplace admin. */
  admin: Keypair;
  feeBps?: number;
  treasury: PublicKey;
  meterAuthority: PublicKey;
  commitment?: Commitment;
}

export interface DeployMarketplaceResult {
  marketplace: PublicKey;
  /** True when this call created the marketplace; false when it already existed as asked. */
  initialized: boolean;
  initializeSignature?: string;
  /** Lamports sent to the treasury to make it rent-exempt (0 when it already was). */
  treasuryTopUp: number;
  treasuryTopUpSignature?: string;
  config: MarketplaceAccount;
}

export async function deployMarketplace(options: DeployMarketplaceOptions): Promise<DeployMarketplaceResult> {
  const commitment = options.commitment ?? "confirmed";
  const feeBps = options.feeBps ?? DEFAULT_FEE_BPS;
  if (!Number.isInteger(feeBps) || feeBps < 0 || feeBps > MAX_FEE_BPS) {
    throw new Error(`feeBps must be an integer from 0 to ${MAX_FEE_BPS}, got ${feeBps}`);
  }
  let connection = options.connection;
  if (!connection) {
    if (!options.rpcUrl) throw new Error("deployMarketplace needs a connection or an rpcUrl");
    connection = new Connection(options.rpcUrl, { commitment, wsEndpoint: options.wsUrl });
  }
  const { admin, treasury, meterAuthority } = options;
  const marketplace = marketplacePda();

  let initialized = false;
  let initializeSignature: string | undefined;
  let config = await fetchAccount(connection, "marketplace", marketplace, commitment);
  if (config) {
    const differences = [
      !config.treasury.equals(treasury) && `treasury ${config.treasury.toBase58()} (asked ${treasury.toBase58()})`,
      config.feeBps !== feeBps && `fee ${config.feeBps} bps (asked ${feeBps})`,
      !config.meterAuthority.equals(meterAuthority) &&
        `meter authority ${config.meterAuthority.toBase58()} (asked ${meterAuthority.toBase58()})`,
    ].filter(Boolean);
    if (differences.length > 0) {
      throw new Error(
        `marketplace ${marketplace.toBase58()} is already initialized with ${differences.join(", ")}; ` +
          `change it with update_marketplace signed by its admin ${config.admin.toBase58()}`,
      );
    }
  } else {
    const adminBalance = await connection.getBalance(admin.publicKey, commitment);
    if (adminBalance === 0) throw new Error(`admin ${admin.publicKey.toBase58()} has no SOL to pay for the deployment`);
    const provider = new AnchorProvider(connection, new Wallet(admin), { commitment, preflightCommitment: commitment });
    initializeSignature = await initializeMarketplace(marketplaceProgram(provider), {
      admin: admin.publicKey,
      treasury,
      feeBps,
      meterAuthority,
    }).rpc();
    initialized = true;
    config = await fetchAccount(connection, "marketplace", marketplace, commitment);
    if (!config) throw new Error(`marketplace ${marketplace.toBase58()} not readable after ${initializeSignature}`);
  }

  // The system program refuses a transfer that leaves its recipient below rent exemption, so a
  // 2.5 % fee on a cheap skill would fail every purchase until the treasury holds the minimum.
  const rentExempt = await connection.getMinimumBalanceForRentExemption(0, commitment);
  const treasuryBalance = await connection.getBalance(treasury, commitment);
  let treasuryTopUp = 0;
  let treasuryTopUpSignature: string | undefined;
  if (treasuryBalance < rentExempt) {
    treasuryTopUp = rentExempt - treasuryBalance;
    const transfer = new Transaction().add(
      SystemProgram.transfer({ fromPubkey: admin.publicKey, toPubkey: treasury, lamports: treasuryTopUp }),
    );
    treasuryTopUpSignature = await sendAndConfirmTransaction(connection, transfer, [admin], { commitment });
  }

  return { marketplace, initialized, initializeSignature, treasuryTopUp, treasuryTopUpSignature, config };
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
    meterAuthority: env.METER_AUTHORITY,
    feeBps: env.FEE_BPS,
  };
  const result = await deployMarketplace(options);
  const { config } = result;
  console.log(
    JSON.stringify(
      {
        marketplace: result.marketplace.toBase58(),
        initialized: result.initialized,
        initializeSignature: result.initializeSignature ?? null,
        treasuryTopUp: result.treasuryTopUp,
        treasuryTopUpSignature: result.treasuryTopUpSignature ?? null,
        admin: config.admin.toBase58(),
        treasury: config.treasury.toBase58(),
        feeBps: config.feeBps,
        meterAuthority: config.meterAuthority.toBase58(),
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
