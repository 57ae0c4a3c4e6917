// Whether a receipt was settled on chain: the transaction that carried its batch, and the
// UsageRecorded event whose receipts root its Merkle proof leads to (receipt.ts holds the rest).
import { type Connection, PublicKey } from "@solana/web3.js";
import { locateEvents, type EventSource } from "./events.js";
import { PROGRAM_ID } from "./program.js";
import { bytesToHex, verifyMerkleProof, type Receipt } from "./receipt.js";

/**
 * Whether `receipt` was settled on chain by the transaction `signature`: the transaction succeeded
 * and emitted a UsageRecorded event for the receipt's license whose receipts root is the one
 * `proof` leads to from the receipt.
 */
export async function receiptSettled(
  connection: Connection,
  receipt: Receipt,
  proof: { sibling: string; left: boolean }[],
  signature: string,
  programId: PublicKey = PROGRAM_ID,
): Promise<boolean> {
  const tx = await connection.getTransaction(signature, { commitment: "confirmed", maxSupportedTransactionVersion: 0 });
  if (!tx || tx.meta?.err !== null) return false;
  const keys = tx.transaction.message.getAccountKeys({ accountKeysFromLookups: tx.meta?.loadedAddresses });
  const accountKeys = [...keys.staticAccountKeys, ...(keys.accountKeysFromLookups?.writable ?? []), ...(keys.accountKeysFromLookups?.readonly ?? [])].map((k) => k.toBase58());
  const { events } = locateEvents({ accountKeys, innerInstructions: tx.meta?.innerInstructions as EventSource["innerInstructions"] }, programId);
  return events.some(
    ({ event }) =>
      event.name === "usageRecorded" &&
      event.data.license.toBase58() === receipt.license &&
      verifyMerkleProof(receipt, proof, bytesToHex(Uint8Array.from(event.data.receiptsRoot))),
  );
}
