// Usage receipts: the meter's signature, and Merkle proofs of a receipt's place in a settled batch.
import { strict as assert } from "node:assert";
import { Keypair } from "@solana/web3.js";
import {
  bytesToHex,
  merkleProof,
  merkleRoot,
  receiptLeaf,
  receiptMessage,
  signReceipt,
  verifyMerkleProof,
  verifyReceiptSignature,
  type Receipt,
} from "@skill-marketplace/sdk";

const meter = Keypair.generate();
const receipt = (i: number): Receipt => ({
  id: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
  license: Keypair.generate().publicKey.toBase58(),
  skill: Keypair.generate().publicKey.toBase58(),
  version: "1.0.0",
  imageDigest: "ab".repeat(32),
  inputHash: "cd".repeat(32),
  outputHash: "ef".repeat(32),
  units: 1,
  exitStatus: "ok",
  durationMs: 12 + i,
  time: 1_800_000_000_000 + i,
  meter: meter.publicKey.toBase58(),
});

describe("sdk: usage receipts", () => {
  it("the meter's signature covers every field", () => {
    const r = receipt(1);
    const signature = signReceipt(r, meter.secretKey);
    assert.ok(verifyReceiptSignature(r, signature));
    for (const [field, value] of Object.entries({ units: 2, durationMs: 1, outputHash: "00".repeat(32), version: "1.0.1", time: r.time + 1 })) {
      assert.ok(!verifyReceiptSignature({ ...r, [field]: value }, signature), field);
    }
    // Signed by another key than the one it names.
    assert.ok(!verifyReceiptSignature(r, signReceipt(r, Keypair.generate().secretKey)));
    assert.ok(!verifyReceiptSignature(r, "not base64!"));
    assert.throws(() => receiptMessage({ ...r, version: "1\n2" }), /newline/);
  });

  it("every receipt of batches of 1 to 9 proves its place under the root, and nowhere else", () => {
    for (let n = 1; n <= 9; n++) {
      const receipts = Array.from({ length: n }, (_, i) => receipt(i));
      const leaves = receipts.map(receiptLeaf);
      const root = bytesToHex(merkleRoot(leaves));
      for (let i = 0; i < n; i++) {
        const proof = merkleProof(leaves, i);
        assert.ok(verifyMerkleProof(receipts[i]!, proof, root), `${i} of ${n}`);
        assert.ok(!verifyMerkleProof({ ...receipts[i]!, units: 5 }, proof, root), "a changed receipt");
        if (n > 1) assert.ok(!verifyMerkleProof(receipts[(i + 1) % n]!, proof, root), "another receipt with this proof");
      }
    }
    const only = receipt(0);
    assert.equal(bytesToHex(merkleRoot([receiptLeaf(only)])), bytesToHex(receiptLeaf(only)), "a batch of one: the root is its leaf");
    assert.throws(() => merkleRoot([]), /at least one/);
    assert.throws(() => merkleProof([receiptLeaf(receipt(0))], 1), /no such leaf/);
  });
});
