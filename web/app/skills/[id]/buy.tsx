"use client";
// Buy a license from the skill's page: with a wallet in this browser (wallet standard, through the wallet
// adapter), or with a phone wallet from a Solana Pay QR code. Either way the api makes the purchase transaction
// (the sdk's preparePurchase, behind a payment link); the wallet only signs it; the page then follows the payment
// until the license is on chain and shows it, without a reload. Every failure is said in words, and the panel
// stays usable.
import { ConnectionProvider, useConnection, useWallet, WalletProvider } from "@solana/wallet-adapter-react";
import { WalletReadyState } from "@solana/wallet-adapter-base";
import { VersionedTransaction } from "@solana/web3.js";
import { useCallback, useEffect, useRef, useState } from "react";

export interface BuyProps {
  skillId: string;
  apiUrl: string;
  rpcUrl: string;
  /** The price as the page writes it ("0.25 SOL · one-time license"). */
  priceText: string;
}

type License = { address: string; kind: string; expiresAt: number | null; unitsLeft: string | null; unitsLimit: string | null; purchases: number };
type Link = { reference: string; token: string; url: string; qrSvg: string };
type Phase = { step: "idle" } | { step: "working"; what: string } | { step: "qr"; link: Link } | { step: "done"; license: License; signature: string | null } | { step: "error"; message: string };

class ApiRefusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfter: string | null,
  ) {
    super(message);
  }
}

async function call<T>(apiUrl: string, path: string, body?: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(`${apiUrl}/api/v1${path}`, {
      method: body === undefined ? "GET" : "POST",
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiRefusal(0, "unreachable", "the marketplace cannot be reached: check your connection and try again", null);
  }
  const answer = (await response.json().catch(() => null)) as { error?: { code: string; message: string } } | null;
  if (!response.ok) throw new ApiRefusal(response.status, answer?.error?.code ?? "error", answer?.error?.message ?? `the marketplace answered ${response.status}`, response.headers.get("retry-after"));
  return answer as T;
}

/** What went wrong, in a person's words. */
export function explain(error: unknown): string {
  if (error instanceof ApiRefusal) {
    if (error.code === "rate_limited") return `Too many requests just now: wait ${error.retryAfter ?? "a few"} seconds and try again.`;
    if (error.code === "skill_suspended") return "The marketplace has suspended this skill: it cannot be bought now.";
    if (error.code === "skill_inactive") return "The seller has stopped selling this skill.";
    if (error.status === 410) return "This payment link has expired: start the purchase again.";
    return `The purchase could not be made: ${error.message}`;
  }
  const e = error as { name?: string; message?: string; error?: { message?: string } };
  const text = `${e.message ?? ""} ${e.error?.message ?? ""}`;
  if (/reject|declin|denied|cancel/i.test(text)) return "You declined in your wallet: nothing was paid.";
  if (/insufficient|debit an account|no record of a prior credit|0x1\b/i.test(text)) return "Your wallet does not hold enough to pay for this license (and its network fee): nothing was paid.";
  if (/blockhash/i.test(text)) return "The transaction took too long to sign and expired: nothing was paid. Try again.";
  return `The payment did not go through: ${e.message ?? String(error)}`;
}

function describe(license: License): string {
  if (license.kind === "usage") return `${license.unitsLeft} of ${license.unitsLimit} calls left`;
  if (license.expiresAt !== null) return `valid until ${new Date(license.expiresAt * 1000).toISOString().slice(0, 16).replace("T", " ")} UTC`;
  return "valid for good";
}

function Panel({ skillId, apiUrl, priceText }: Omit<BuyProps, "rpcUrl">) {
  const { wallets, select, wallet, connected, connecting, publicKey, sendTransaction, disconnect } = useWallet();
  const { connection } = useConnection();
  const [phase, setPhase] = useState<Phase>({ step: "idle" });
  const following = useRef(0);
  // Wallets announce themselves in the browser only: the server's first paint (and hydration) shows none.
  const [mounted, setMounted] = useState(false);

  useEffect(() => {
    setMounted(true);
    return () => void (following.current += 1);
  }, []);

  /** Follows a payment until its license is on chain (or the link expires); stops when another starts. */
  const follow = useCallback(
    async (reference: string, signature: string | null) => {
      const run = ++following.current;
      for (;;) {
        if (run !== following.current) return;
        const status = await call<{ status: string; license: License | null; signature: string | null }>(apiUrl, `/payments/${reference}`).catch(() => null);
        if (status?.status === "confirmed" && status.license) return setPhase({ step: "done", license: status.license, signature: status.signature ?? signature });
        if (status?.status === "expired") return setPhase({ step: "error", message: "This payment link has expired before a payment arrived: start the purchase again." });
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    },
    [apiUrl],
  );

  const buy = async () => {
    if (!publicKey) return;
    try {
      setPhase({ step: "working", what: "Preparing the transaction…" });
      const link = await call<Link>(apiUrl, `/skills/${skillId}/purchase-link`, {});
      const { transaction } = await call<{ transaction: string }>(apiUrl, `/pay/${link.token}`, { account: publicKey.toBase58() });
      setPhase({ step: "working", what: "Approve the purchase in your wallet…" });
      const tx = VersionedTransaction.deserialize(Uint8Array.from(atob(transaction), (c) => c.charCodeAt(0)));
      const signature = await sendTransaction(tx, connection);
      setPhase({ step: "working", what: "Waiting for the license on chain…" });
      await follow(link.reference, signature);
    } catch (error) {
      following.current += 1;
      setPhase({ step: "error", message: explain(error) });
    }
  };

  const phone = async () => {
    try {
      setPhase({ step: "working", what: "Making a payment link…" });
      const link = await call<Link>(apiUrl, `/skills/${skillId}/purchase-link`, {});
      setPhase({ step: "qr", link });
      void follow(link.reference, null);
    } catch (error) {
      setPhase({ step: "error", message: explain(error) });
    }
  };

  const installed = !mounted ? [] : wallets.filter((w) => w.readyState === WalletReadyState.Installed || w.readyState === WalletReadyState.Loadable);
  const busy = phase.step === "working" || connecting;
  return (
    <section className="card" aria-labelledby="buy-heading">
      <h2 id="buy-heading">Buy</h2>
      <p>{priceText}</p>
      {!mounted ? (
        <p className="muted">Looking for a wallet in this browser…</p>
      ) : connected && publicKey ? (
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
      ) : installed.length > 0 ? (
        <div className="actions">
          {installed.map((w) => (
            <button key={w.adapter.name} type="button" onClick={() => select(w.adapter.name)} disabled={busy}>
              Connect {w.adapter.name}
            </button>
          ))}
        </div>
      ) : (
        <p className="muted">No Solana wallet in this browser. Install one, or pay with a phone wallet.</p>
      )}
      <p>
        <button type="button" className="secondary" onClick={() => void phone()} disabled={busy}>
          Pay with a phone wallet (QR code)
        </button>
      </p>
      <div aria-live="polite">
        {phase.step === "working" ? <p>{phase.what}</p> : null}
        {phase.step === "qr" ? (
          <div>
            <img className="qr" src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(phase.link.qrSvg)}`} alt="Solana Pay QR code of this purchase" width={240} height={240} />
            <p className="muted">Scan it with a Solana Pay wallet. This page shows the license as soon as the payment lands.</p>
            <p className="muted">
              Or open <a href={phase.link.url}>the payment link</a> in a wallet on this device.
            </p>
          </div>
        ) : null}
        {phase.step === "done" ? (
          <div className="notice good" role="status">
            <p>
              <strong>You hold a license</strong>: {phase.license.kind}, {describe(phase.license)}.
            </p>
            <p className="muted">
              License <code>{phase.license.address}</code>
              {phase.signature ? (
                <>
                  , paid in <code>{phase.signature.slice(0, 16)}…</code>
                </>
              ) : null}
            </p>
          </div>
        ) : null}
        {phase.step === "error" ? (
          <p className="notice error" role="alert">
            {phase.message}
          </p>
        ) : null}
      </div>
    </section>
  );
}

export default function Buy({ rpcUrl, ...rest }: BuyProps) {
  return (
    <ConnectionProvider endpoint={rpcUrl} config={{ commitment: "confirmed" }}>
      <WalletProvider wallets={[]} autoConnect onError={() => undefined}>
        <Panel {...rest} />
      </WalletProvider>
    </ConnectionProvider>
  );
}
