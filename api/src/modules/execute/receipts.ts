// A buyer's receipt with what proves it: the batch that settled it on chain (root, transaction)
// and its Merkle path to that root (sdk receipt.ts). Receipts are the executor's rows; the api only
// reads them, for the buyer they belong to.
import type { PrismaClient } from "@skill-marketplace/db";
import { bytesToHex, merkleProof, merkleRoot, receiptLeaf, type Receipt } from "@skill-marketplace/sdk";
import { notFound } from "../../errors.js";

type Row = Awaited<ReturnType<PrismaClient["receipt"]["findMany"]>>[number];

const receiptOf = (r: Row): Receipt => ({
  id: r.id,
  license: r.license,
  skill: r.skill,
  version: r.version,
  imageDigest: r.imageDigest,
  inputHash: r.inputHash,
  outputHash: r.outputHash,
  units: r.units,
  exitStatus: r.exitStatus,
  durationMs: r.durationMs,
  time: Number(r.time),
  meter: r.meter,
  ...(r.payment === null ? {} : { payment: r.payment }),
});

/**
 * How far a receipt is on its way to the chain: a paid (x402) call is settled by its own payment
 * transaction; a metered one by its usage batch once that landed, held when the program refused it.
 */
function settlementOf(row: Pick<Row, "payment" | "batchId">, batch: { status: string; txSignature: string | null } | null | undefined) {
  if (row.payment !== null) return { status: "landed" as const, transaction: row.payment };
  if (batch?.status === "landed") return { status: "landed" as const, transaction: batch.txSignature };
  return { status: batch?.status === "failed" ? ("held" as const) : ("pending" as const), transaction: null };
}

export class Receipts {
  constructor(private readonly db: PrismaClient) {}

  /**
   * The newest `limit` receipts of the buyer's calls under `license`, with how far each is settled
   * (the proof of one is `get`). Another buyer's license lists nothing, as one with no calls.
   */
  async recent(buyer: string, license: string, limit: number) {
    const rows = await this.db.receipt.findMany({ where: { license, buyer }, orderBy: [{ createdAt: "desc" }, { id: "desc" }], take: limit });
    const batchIds = [...new Set(rows.flatMap((r) => (r.payment === null && r.batchId !== null ? [r.batchId] : [])))];
    const batches = new Map(
      (batchIds.length ? await this.db.usageBatch.findMany({ where: { id: { in: batchIds } }, select: { id: true, status: true, txSignature: true } }) : []).map((b) => [b.id, b]),
    );
    return {
      receipts: rows.map((row) => ({
        receipt: { ...receiptOf(row), signature: row.signature },
        settlement: settlementOf(row, row.batchId === null ? undefined : batches.get(row.batchId)),
      })),
    };
  }

  async get(id: string, buyer: string) {
    const row = await this.db.receipt.findUnique({ where: { id } });
    // Another buyer's receipt is as absent as one that does not exist.
    if (!row || row.buyer !== buyer) throw notFound(`receipt ${id}`);
    const receipt = { ...receiptOf(row), signature: row.signature };
    const batch = row.payment !== null || row.batchId === null ? null : await this.db.usageBatch.findUnique({ where: { id: row.batchId } });
    const settlement = settlementOf(row, batch);
    // Only a batch that landed has a root to prove the receipt against.
    if (!batch || settlement.status !== "landed") return { receipt, settlement: { ...settlement, receiptsRoot: null, proof: null } };
    const members = await this.db.receipt.findMany({ where: { batchId: batch.id }, orderBy: { batchIndex: "asc" } });
    const leaves = members.map((m) => receiptLeaf(receiptOf(m)));
    const root = bytesToHex(merkleRoot(leaves));
    return {
      receipt,
      settlement: { status: "landed", transaction: batch.txSignature, receiptsRoot: root, proof: merkleProof(leaves, row.batchIndex!) },
    };
  }
}
