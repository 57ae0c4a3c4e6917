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

export class Receipts {
  constructor(private readonly db: PrismaClient) {}

  async get(id: string, buyer: string) {
    const row = await this.db.receipt.findUnique({ where: { id } });
    // Another buyer's receipt is as absent as one that does not exist.
    if (!row || row.buyer !== buyer) throw notFound(`receipt ${id}`);
    const receipt = { ...receiptOf(row), signature: row.signature };
    // A paid (x402) call is settled by its own payment transaction, not by a usage batch.
    if (row.payment !== null) return { receipt, settlement: { status: "landed", transaction: row.payment, receiptsRoot: null, proof: null } };
    const batch = row.batchId === null ? null : await this.db.usageBatch.findUnique({ where: { id: row.batchId } });
    if (!batch || batch.status !== "landed") {
      return { receipt, settlement: { status: batch?.status === "failed" ? "held" : "pending", transaction: null, receiptsRoot: null, proof: null } };
    }
    const members = await this.db.receipt.findMany({ where: { batchId: batch.id }, orderBy: { batchIndex: "asc" } });
    const leaves = members.map((m) => receiptLeaf(receiptOf(m)));
    const root = bytesToHex(merkleRoot(leaves));
    return {
      receipt,
      settlement: { status: "landed", transaction: batch.txSignature, receiptsRoot: root, proof: merkleProof(leaves, row.batchIndex!) },
    };
  }
}
