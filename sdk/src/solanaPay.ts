// Solana Pay transaction requests on the marketplace's side of the chain: the reference key that
// rides along in a purchase (the program accepts one extra account, read-only and not a signer),
// the link a wallet opens and the unsigned transaction it signs. A payment is found afterwards
// through the program's purchase event that carried the reference (the indexer stores it); the
// api keeps the off-chain state (which wallet a link is bound to).
import { Buffer } from "buffer";
import { Keypair, Message, PublicKey, VersionedTransaction, type AccountMeta, type TransactionInstruction } from "@solana/web3.js";

/** A fresh reference: a random public key no one holds the secret of, so it names one payment. */
export function newReference(): PublicKey {
  return Keypair.generate().publicKey;
}

/**
 * The reference as the program expects it: one extra account after the instruction's own,
 * read-only and not a signer (anything else fails with InvalidReference).
 */
export function solanaPayReference(reference: PublicKey): AccountMeta {
  return { pubkey: reference, isSigner: false, isWritable: false };
}

/** The `solana:` transaction-request URL a wallet opens for the HTTPS endpoint `endpoint`. */
export function transactionRequestLink(endpoint: string): string {
  return `solana:${encodeURIComponent(endpoint)}`;
}

/**
 * An unsigned transaction for `feePayer` to sign, base64 as Solana Pay and wallets take it. The
 * message is compiled with Message.compile: Transaction's own compiler orders accounts with a
 * locale-aware string comparison that costs about a millisecond per transaction; this order
 * (payer, signers, writable, read-only) is just as valid.
 */
export function unsignedTransaction(feePayer: PublicKey, instructions: TransactionInstruction[], recentBlockhash: string): string {
  const message = Message.compile({ payerKey: feePayer, instructions, recentBlockhash });
  // A legacy message in a VersionedTransaction has the legacy wire format, empty signatures included.
  return Buffer.from(new VersionedTransaction(message).serialize()).toString("base64");
}

/** The message bytes of a serialized transaction (what its signatures sign): everything after the signatures. */
export function messageOf(transactionBase64: string): Buffer {
  const bytes = Buffer.from(transactionBase64, "base64");
  // The signature count is a compact-u16: 7 bits a byte, high bit set while more follow.
  let count = 0;
  let offset = 0;
  for (let shift = 0; ; shift += 7) {
    const byte = bytes[offset++];
    if (byte === undefined || shift > 14) throw new Error("not a serialized transaction");
    count |= (byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) break;
  }
  if (bytes.length <= offset + 64 * count) throw new Error("not a serialized transaction");
  return bytes.subarray(offset + 64 * count);
}
