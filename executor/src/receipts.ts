// The executor's receipts table as the sdk's Receipt: the columns a receipt is stored in (one
// list for the insert and every read), the mapping back, and the per-license lock that orders
// holds, receipts and batches of one license.
import type pg from "pg";
import type { Receipt } from "@skill-marketplace/sdk";

export interface ReceiptRow {
  id: string;
  license: string;
  skill: string;
  buyer: string;
  version: string;
  image_digest: string;
  input_hash: string;
  output_hash: string;
  units: number;
  exit_status: string;
  duration_ms: number;
  time: string;
  meter: string;
}

/** The signed receipt a row stores. */
export function receiptOf(row: ReceiptRow): Receipt {
  return {
    id: row.id,
    license: row.license,
    skill: row.skill,
    version: row.version,
    imageDigest: row.image_digest,
    inputHash: row.input_hash,
    outputHash: row.output_hash,
    units: row.units,
    exitStatus: row.exit_status,
    durationMs: row.duration_ms,
    time: Number(row.time),
    meter: row.meter,
  };
}

export const RECEIPT_COLUMNS = "id, license, skill, buyer, version, image_digest, input_hash, output_hash, units, exit_status, duration_ms, time, meter";

/** Serializes, within a transaction, everything that counts a license's units. */
export async function lockLicense(client: pg.PoolClient, license: string): Promise<void> {
  await client.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [license]);
}
