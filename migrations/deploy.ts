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
  ConfigError,
  type MarketplaceAccount,
} from "../sdk/src/index.js";

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


function env(name: string): string | undefined {
  const value = process.env[name]?.trim();
  return value ? value : undefined;
}

function requiredEnv(name: string, what: string): string {
  const value = env(name);
  if (!value) throw new ConfigError(`${name} is not set: expected ${what}`);
  return value;
}

function pubkeyEnv(name: string): PublicKey {
  const value = requiredEnv(name, "a base58 public key");
  try {
    return new PublicKey(value);
  } catch {
    throw new ConfigError(`${name}="${value}" is not a base58 public key`);
  }
}

function keypairFile(name: string): Keypair {
  const path = requiredEnv(name, "the path of a keypair file (JSON array of 64 bytes, as solana-keygen writes)");
  const resolved = path.startsWith("~/") ? `${homedir()}${path.slice(1)}` : path;
  let bytes: unknown;
  try {
    bytes = JSON.parse(readFileSync(resolved, "utf8"));
  } catch (error) {
    throw new ConfigError(`${name}=${path}: cannot read a JSON keypair (${(error as Error).message})`);
  }
  if (!Array.isArray(bytes) || bytes.length !== 64 || !bytes.every((b) => Number.isInteger(b) && b >= 0 && b <= 255)) {
    throw new ConfigError(`${name}=${path}: expected a JSON array of 64 bytes`);
  }
  return Keypair.fromSecretKey(Uint8Array.from(bytes));
}

function urlEnv(name: string, protocols: string[], fallback?: string): string | undefined {
  const value = env(name) ?? fallback;
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${name}="${value}" is not a URL`);
  }
  if (!protocols.includes(url.protocol)) throw new ConfigError(`${name}="${value}" must be a ${protocols.join(" or ")} URL`);
  return value;
}

function feeBpsEnv(): number {
  const value = env("FEE_BPS");
  if (value === undefined) return DEFAULT_FEE_BPS;
  const fee = Number(value);
  if (!/^\d+$/.test(value) || fee > MAX_FEE_BPS) {
    throw new ConfigError(`FEE_BPS="${value}" must be an integer from 0 to ${MAX_FEE_BPS} (basis points)`);
  }
  return fee;
}

async function main(): Promise<void> {
  let options: DeployMarketplaceOptions;
  try {
    options = {
      rpcUrl: urlEnv("SOLANA_RPC_URL", ["http:", "https:"], "http://127.0.0.1:8899"),
      wsUrl: urlEnv("SOLANA_WS_URL", ["ws:", "wss:"]),
      admin: keypairFile("ADMIN_KEYPAIR"),
      treasury: pubkeyEnv("TREASURY"),
      meterAuthority: pubkeyEnv("METER_AUTHORITY"),
      feeBps: feeBpsEnv(),
    };
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`deploy: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
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
