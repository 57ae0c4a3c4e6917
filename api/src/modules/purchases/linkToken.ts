// The capability in a Solana Pay link. The reference a purchase carries becomes public once a
// transaction naming it lands (failed ones too), so the transaction-request URL is not the bare
// reference but the reference with a keyed MAC: only whoever was handed the link can bind it to a
// wallet, and a reference read off the chain opens nothing. Stateless: any api instance sharing
// the secret checks a token without a lookup, and the link for a reference can be shown again.
import bs58 from "bs58";
import { createHmac, timingSafeEqual } from "node:crypto";

const MAC_BYTES = 16;
const LABEL = "skill-marketplace payment link v1\0";

export class LinkTokens {
  constructor(private readonly secret: string) {}

  private mac(reference: Uint8Array): Buffer {
    return createHmac("sha256", this.secret).update(LABEL).update(reference).digest().subarray(0, MAC_BYTES);
  }

  /** The token naming `reference` (its 32 bytes, then the MAC), base58. */
  issue(reference: string): string {
    const key = bs58.decode(reference);
    return bs58.encode(Buffer.concat([key, this.mac(key)]));
  }

  /** The reference a token names, or null when it is not one this deployment issued. */
  open(token: string): string | null {
    let bytes: Uint8Array;
    try {
      bytes = bs58.decode(token);
    } catch {
      return null;
    }
    if (bytes.length !== 32 + MAC_BYTES) return null;
    const key = bytes.subarray(0, 32);
    return timingSafeEqual(Buffer.from(bytes.subarray(32)), this.mac(key)) ? bs58.encode(key) : null;
  }
}
