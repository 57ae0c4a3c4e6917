"use client";
// One purchase (a first license, a renewal or a top-up: the program extends a license bought again), the same for
// every page: the api makes the transaction behind a payment link (the sdk's preparePurchase), the wallet only
// signs it, and the page follows the payment until the license is on chain. Or a Solana Pay QR code for a phone
// wallet, followed the same way.
import { useWallet } from "@solana/wallet-adapter-react";
import { useCallback, useEffect, useRef, useState } from "react";
import { ApiRefusal, call, explain, useEndpoints, useSend } from "./wallet";
import { utcMinute } from "../lib/format";

export type License = {
  address: string;
  skill: string;
  kind: string;
  status: string;
  valid: boolean;
  expiresAt: number | null;
  unitsLimit: string | null;
  unitsUsed: string | null;
  unitsLeft: string | null;
  purchases: number;
};
type Link = { reference: string; token: string; url: string; qrSvg: string };
export type Phase = { step: "idle" } | { step: "working"; what: string } | { step: "qr"; link: Link } | { step: "done"; license: License; signature: string | null } | { step: "error"; message: string };

export function usePurchase(skillId: string, onDone?: (license: License) => void) {
  const { apiUrl } = useEndpoints();
  const { publicKey } = useWallet();
  const { send } = useSend();
  const [phase, setPhase] = useState<Phase>({ step: "idle" });
  const following = useRef(0);
  useEffect(() => () => void (following.current += 1), []);

  /** Follows a payment until its license is on chain (or the link expires); stops when another starts. */
  const follow = useCallback(
    async (reference: string, signature: string | null) => {
      const run = ++following.current;
      for (;;) {
        if (run !== following.current) return;
        const status = await call<{ status: string; license: License | null; signature: string | null }>(apiUrl, `/payments/${reference}`).catch((e: unknown) =>
          // A link swept away (long unused) is as expired; other failures are asked again.
          e instanceof ApiRefusal && e.status === 404 ? { status: "expired", license: null, signature: null } : null,
        );
        if (status?.status === "confirmed" && status.license) {
          setPhase({ step: "done", license: status.license, signature: status.signature ?? signature });
          onDone?.(status.license);
          return;
        }
        if (status?.status === "expired") return setPhase({ step: "error", message: "This payment link expired before a payment arrived: start the purchase again." });
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    },
    [apiUrl, onDone],
  );

  const buy = async () => {
    if (!publicKey) return;
    try {
      setPhase({ step: "working", what: "Preparing the transaction…" });
      const link = await call<Link>(apiUrl, `/skills/${skillId}/purchase-link`, { body: {} });
      const { transaction } = await call<{ transaction: string }>(apiUrl, `/pay/${link.token}`, { body: { account: publicKey.toBase58() } });
      setPhase({ step: "working", what: "Approve the purchase in your wallet…" });
      const signature = await send(transaction);
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
      const link = await call<Link>(apiUrl, `/skills/${skillId}/purchase-link`, { body: {} });
      setPhase({ step: "qr", link });
      void follow(link.reference, null);
    } catch (error) {
      setPhase({ step: "error", message: explain(error) });
    }
  };

  return { phase, buy, phone, busy: phase.step === "working" };
}

export function describe(license: Pick<License, "kind" | "expiresAt" | "unitsLeft" | "unitsLimit">): string {
  if (license.kind === "usage") return `${license.unitsLeft} of ${license.unitsLimit} calls left`;
  if (license.expiresAt !== null) return `valid until ${utcMinute(new Date(license.expiresAt * 1000).toISOString())}`;
  return "valid for good";
}

/** What a purchase is doing, for a screen reader as for the eye. */
export function PurchaseStatus({ phase }: { phase: Phase }) {
  return (
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
  );
}
