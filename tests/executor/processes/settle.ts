// A settlement loop as its own process, for the crash test: it settles every few milliseconds
// until it is killed (with SIGKILL, at any point).
import { readFileSync } from "node:fs";
import { Connection, Keypair } from "@solana/web3.js";
import pg from "pg";
import pino from "pino";
import { Settlement } from "@skill-marketplace/executor";

const connection = new Connection(process.env.SOLANA_RPC_URL!, "confirmed");
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL!, max: 2 });
pool.on("error", () => undefined);
const meter = Keypair.fromSecretKey(Uint8Array.from(JSON.parse(readFileSync(process.env.METER_KEYPAIR!, "utf8")) as number[]));
const settlement = new Settlement({ connection, pool, meter, logger: pino({ level: "silent" }), maxReceipts: Number(process.env.MAX_RECEIPTS ?? 1000) });
settlement.start(Number(process.env.INTERVAL_MS ?? 20));
process.stdout.write("settling\n");
