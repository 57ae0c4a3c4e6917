"use client";
// Buy a license from the skill's page: with a wallet in this browser (wallet standard, through the wallet
// adapter), or with a phone wallet from a Solana Pay QR code (purchase.tsx). Every failure is said in words, and
// the panel stays usable.
import { useWallet } from "@solana/wallet-adapter-react";
import { PurchaseStatus, usePurchase } from "../../purchase";
import { ConnectButtons, WalletShell, type Endpoints } from "../../wallet";
import type { SkillEndpoint } from "@skill-marketplace/sdk/skillApi";
import TryIt from "./try";

export interface BuyProps extends Endpoints {
  skillId: string;
  /** The skill's endpoints (its API spec), for Try it. */
  endpoints: SkillEndpoint[];
  /** The deployment license tokens name. */
  audience: string;
  /** The price as the page writes it ("0.25 SOL · one-time license"). */
  priceText: string;
}

function Panel({ skillId, priceText }: Pick<BuyProps, "skillId" | "priceText">) {
  const { wallet, connected, publicKey, disconnect } = useWallet();
  const { phase, buy, phone, busy } = usePurchase(skillId);
  return (
    <section className="card" aria-labelledby="buy-heading">
      <h2 id="buy-heading">Buy</h2>
      <p>{priceText}</p>
      {connected && publicKey ? (
        <>
          <p className="muted">
            Paying from {wallet?.adapter.name}: <code>{publicKey.toBase58()}</code>{" "}
            <button type="button" className="link" onClick={() => void disconnect()}>
              Disconnect
            </button>
          </p>
          <button type="button" onClick={() => void buy()} disabled={busy}>
            Buy with {wallet?.adapter.name}
          </button>
        </>
      ) : (
        <ConnectButtons busy={busy} />
      )}
      <p>
        <button type="button" className="secondary" onClick={() => void phone()} disabled={busy}>
          Pay with a phone wallet (QR code)
        </button>
      </p>
      <PurchaseStatus phase={phase} />
    </section>
  );
}

export default function Buy({ apiUrl, rpcUrl, endpoints, audience, ...rest }: BuyProps) {
  return (
    <WalletShell apiUrl={apiUrl} rpcUrl={rpcUrl}>
      <Panel {...rest} />
      <TryIt skillId={rest.skillId} endpoints={endpoints} audience={audience} />
    </WalletShell>
  );
}
