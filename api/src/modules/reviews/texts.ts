// Review texts on IPFS: a review on chain carries only the CID of its text. The api stores a text a
// reviewer sends (UTF-8, as a raw block in the same store as skill docs) and reads texts back for the
// review views; a text the store lacks, or bytes that are not a review text, show as no text.
import { CidDocuments, type BlockStore } from "../../adapters/ipfs.js";
import { invalid } from "../../errors.js";

/** The longest review text, in UTF-8 bytes. */
export const MAX_REVIEW_TEXT_BYTES = 4_000;

export class ReviewTexts {
  private readonly documents: CidDocuments<string>;

  constructor(blocks: BlockStore) {
    this.documents = new CidDocuments<string>(blocks, "the review text", (bytes) => {
      if (bytes.length > MAX_REVIEW_TEXT_BYTES) return { invalid: `the review text is longer than ${MAX_REVIEW_TEXT_BYTES} bytes` };
      try {
        return { value: new TextDecoder("utf-8", { fatal: true }).decode(bytes) };
      } catch {
        return { invalid: "the review text is not UTF-8" };
      }
    });
  }

  /** Stores `text` (trimmed) and returns its CID, the `textCid` a review carries. */
  async store(text: string): Promise<string> {
    const trimmed = text.trim();
    if (trimmed.length === 0) throw invalid("invalid_review_text", "the review text is empty");
    const bytes = new TextEncoder().encode(trimmed);
    if (bytes.length > MAX_REVIEW_TEXT_BYTES) throw invalid("review_text_too_long", `the review text is ${bytes.length} bytes; at most ${MAX_REVIEW_TEXT_BYTES}`);
    return this.documents.put(bytes);
  }

  /** The text under `cid`, or null when there is none to show. Never throws. */
  async text(cid: string): Promise<string | null> {
    const read = await this.documents.read(cid);
    return read.status === "available" ? read.value : null;
  }
}
