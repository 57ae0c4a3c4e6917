// Usage receipts: what the executor signs for each successful call, and the Merkle tree whose root
// `record_usage` puts on chain for a batch of them. One definition for the executor that signs,
// the api that serves proofs and the buyer who verifies. Browser-safe (no Anchor): the check against
// the chain's events is in receiptOnChain.ts.
import { nobleEd25519, type Ed25519 } from "./ed25519.js";
import { sha256 } from "@noble/hashes/sha2";
import { PublicKey } from "@solana/web3.js";

export interface Receipt {
  /** The receipt's id (a UUID). */
  id: string;
  license: string;
  skill: string;
  /** The skill version that ran ("1.2.0"). */
  version: string;
  /** sha256 of the image that ran, hex. */
  imageDigest: string;
  /** sha256 of the call's input as sent to the skill, hex. */
  inputHash: string;
  /** sha256 of the skill's output line, hex. */
  outputHash: string;
  /** Units the call used. */
  units: number;
  /** How the run ended ("ok" for every receipt that is charged). */
  exitStatus: string;
  durationMs: number;
  /** When the call ended, unix milliseconds. */
  time: number;
  /** The meter authority that signs (base58). */
  meter: string;
  /** x402 calls: the signature of the payment transaction that paid for the call (no license: `license` is ""). */
  payment?: string;
}

const DOMAIN = "skill-marketplace usage receipt v1\n";
const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
const fromHex = (text: string) => Uint8Array.from(text.match(/../g) ?? [], (h) => parseInt(h, 16));

export const sha256Hex = (bytes: Uint8Array | string) => hex(sha256(typeof bytes === "string" ? new TextEncoder().encode(bytes) : bytes));

/** The bytes a meter signs for `receipt`: a domain line, then every field in a fixed order. */
export function receiptMessage(r: Receipt): Uint8Array {
  const fields = [r.id, r.license, r.skill, r.version, r.imageDigest, r.inputHash, r.outputHash, String(r.units), r.exitStatus, String(r.durationMs), String(r.time), r.meter];
  // A paid call's receipt signs its payment too (receipts of licensed calls are unchanged).
  if (r.payment !== undefined) fields.push(`payment:${r.payment}`);
  if (fields.some((f) => f.includes("\n"))) throw new Error("a receipt field holds a newline");
  return new TextEncoder().encode(DOMAIN + fields.join("\n"));
}

/** The meter's signature of `receipt`, base64, with its secret key (64 bytes, as Keypair.secretKey). */
export function signReceipt(receipt: Receipt, secretKey: Uint8Array, ed25519: Ed25519 = nobleEd25519): string {
  return btoa(String.fromCharCode(...ed25519.sign(receiptMessage(receipt), secretKey.subarray(0, 32))));
}

export function verifyReceiptSignature(receipt: Receipt, signature: string, ed25519: Ed25519 = nobleEd25519): boolean {
  try {
    const bytes = Uint8Array.from(atob(signature), (c) => c.charCodeAt(0));
    return ed25519.verify(bytes, receiptMessage(receipt), new PublicKey(receipt.meter).toBytes());
  } catch {
    return false;
  }
}

/** The tree leaf of a receipt: sha256(0x00 ‖ message), so a leaf can never pose as an inner node. */
export function receiptLeaf(receipt: Receipt): Uint8Array {
  return sha256(new Uint8Array([0, ...receiptMessage(receipt)]));
}

const node = (left: Uint8Array, right: Uint8Array) => sha256(new Uint8Array([1, ...left, ...right]));

/** The Merkle root over `leaves` in order; a level's odd last node moves up unchanged. */
export function merkleRoot(leaves: Uint8Array[]): Uint8Array {
  if (leaves.length === 0) throw new Error("a batch has at least one receipt");
  let level = leaves;
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(i + 1 < level.length ? node(level[i]!, level[i + 1]!) : level[i]!);
    level = next;
  }
  return level[0]!;
}

/** The siblings from leaf `index` up to the root, each with the side it sits on, hex. */
export function merkleProof(leaves: Uint8Array[], index: number): { sibling: string; left: boolean }[] {
  if (index < 0 || index >= leaves.length) throw new Error("no such leaf");
  const proof: { sibling: string; left: boolean }[] = [];
  let level = leaves;
  let i = index;
  while (level.length > 1) {
    const pair = i % 2 === 0 ? i + 1 : i - 1;
    if (pair < level.length) proof.push({ sibling: hex(level[pair]!), left: pair < i });
    const next: Uint8Array[] = [];
    for (let j = 0; j < level.length; j += 2) next.push(j + 1 < level.length ? node(level[j]!, level[j + 1]!) : level[j]!);
    level = next;
    i = Math.floor(i / 2);
  }
  return proof;
}

/** Whether `receipt` with `proof` leads to `root` (hex). */
export function verifyMerkleProof(receipt: Receipt, proof: { sibling: string; left: boolean }[], root: string): boolean {
  let hash = receiptLeaf(receipt);
  for (const step of proof) hash = step.left ? node(fromHex(step.sibling), hash) : node(hash, fromHex(step.sibling));
  return hex(hash) === root.toLowerCase();
}

export const bytesToHex = hex;
export const hexToBytes = fromHex;
