"use client";
// The licenses of the signed-in wallet, each with its skill, kind, state on chain and what is left of it (a bar of
// the calls used), renewal or top-up in place (the same purchase as the skill page's), the receipts of its recent
// calls, a review of the skill, and closing a spent license for its rent.
import { useWallet } from "@solana/wallet-adapter-react";
import { units } from "../../lib/format";
import Link from "next/link";
import { useCallback, useEffect, useState } from "react";
import { describe, PurchaseStatus, usePurchase, type License } from "../purchase";
import { RecentCalls, ReviewForm } from "./activity";
import { call, ConnectButtons, explain, SignInCard, useEndpoints, useSend, useSession, WalletShell, type Endpoints } from "../wallet";

type SkillSummary = { id: string; slug: string; version: string; active: boolean };

const STATUS_WORDS: Record<string, string> = {
  valid: "valid",
  expired: "expired",
  usedUp: "all calls used",
  suspended: "skill suspended by the marketplace",
  inactive: "no longer sold",
  paused: "marketplace paused",
};

/** Closes a spent license: the api makes the transaction, the wallet signs it, and its rent comes back. */
function useClose(license: License, apiKey: string, onClosed: (message: string) => void) {
  const { apiUrl } = useEndpoints();
  const { sendAndLand } = useSend();
  const [state, setState] = useState<{ step: "idle" | "working" | "done" | "error"; message?: string }>({ step: "idle" });
  const close = async () => {
    try {
      setState({ step: "working", message: "Approve closing the license in your wallet; it then closes on chain…" });
      const { transaction, refundLamports } = await call<{ transaction: string; refundLamports: string }>(apiUrl, `/agents/me/licenses/${license.address}/close`, { body: {}, key: apiKey });
      await sendAndLand(transaction, "the close");
      setState({ step: "done" });
      // The row goes (the license is no more): the page says what happened.
      onClosed(`Closed the license to ${license.skill}: ${units(refundLamports, 9)} SOL of rent went back to your wallet.`);
    } catch (error) {
      setState({ step: "error", message: explain(error) });
    }
  };
  return { close, state };
}

function Row({ license, skill, apiKey, onChanged }: { license: License; skill: SkillSummary | undefined; apiKey: string; onChanged: (message?: string) => void }) {
  const { phase, buy, busy } = usePurchase(license.skill, () => onChanged());
  const { close, state: closing } = useClose(license, apiKey, (message) => onChanged(message.replace(license.skill, skill?.slug ?? license.skill)));
  const spent = license.status === "expired" || license.status === "usedUp";
  const used = license.unitsUsed === null ? null : Number(license.unitsUsed);
  const limit = license.unitsLimit === null ? null : Number(license.unitsLimit);
  const name = skill?.slug ?? license.skill;
  const renewable = license.kind !== "oneTime" && skill?.active !== false;
  return (
    <li className="card">
      <h2>
        <Link href={`/skills/${license.skill}`}>{name}</Link>
      </h2>
      <ul className="facts">
        <li>
          <strong>{license.kind === "oneTime" ? "one-time" : license.kind}</strong>
        </li>
        <li>{STATUS_WORDS[license.status] ?? license.status}</li>
        <li>{describe(license)}</li>
        <li>
          bought {license.purchases} time{license.purchases === 1 ? "" : "s"}
        </li>
      </ul>
      {used !== null && limit !== null && limit > 0 ? (
        <div className="bar" role="progressbar" aria-label={`calls of ${name} used`} aria-valuemin={0} aria-valuemax={limit} aria-valuenow={used}>
          <span style={{ width: `${Math.min(100, (used / limit) * 100)}%` }} />
        </div>
      ) : null}
      {renewable ? (
        <p>
          <button type="button" onClick={() => void buy()} disabled={busy}>
            {license.kind === "usage" ? `Top up ${name}` : `Renew ${name}`}
          </button>
        </p>
      ) : null}
      {spent ? (
        <p>
          <button type="button" className="secondary" onClick={() => void close()} disabled={closing.step === "working"}>
            Close {name} and get its rent back
          </button>
        </p>
      ) : null}
      <PurchaseStatus phase={phase} />
      <RecentCalls license={license.address} name={name} apiKey={apiKey} />
      <ReviewForm skill={license.skill} name={name} apiKey={apiKey} onPosted={(message) => onChanged(message)} />
      <div aria-live="polite">
        {closing.step === "working" ? <p>{closing.message}</p> : null}
        {closing.step === "error" ? (
          <p className="notice error" role="alert">
            {closing.message}
          </p>
        ) : null}
      </div>
    </li>
  );
}

function View() {
  const { apiUrl } = useEndpoints();
  const { connected, publicKey, wallet } = useWallet();
  const { session, signOut } = useSession();
  const [licenses, setLicenses] = useState<License[] | null>(null);
  const [skills, setSkills] = useState<Record<string, SkillSummary>>({});
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const load = useCallback(async () => {
    if (!session) return;
    try {
      // Every page of them (40 a page, the api's most).
      const all: License[] = [];
      let cursor: string | null = null;
      do {
        const page: { licenses: License[]; nextCursor: string | null } = await call(apiUrl, `/agents/me/licenses?limit=40${cursor ? `&cursor=${cursor}` : ""}`, { key: session.apiKey });
        all.push(...page.licenses);
        cursor = page.nextCursor;
      } while (cursor && all.length < 2_000);
      setLicenses(all);
      setError(null);
      const ids = [...new Set(all.map((l) => l.skill))];
      const found = await Promise.all(ids.map((id) => call<SkillSummary>(apiUrl, `/skills/${id}`).catch(() => null)));
      setSkills(Object.fromEntries(found.filter((s): s is SkillSummary => s !== null).map((s) => [s.id, s])));
    } catch (e) {
      setError(explain(e));
    }
  }, [apiUrl, session]);

  useEffect(() => {
    setLicenses(null);
    void load();
  }, [load]);

  if (!connected || !publicKey) {
    return (
      <section className="card">
        <p>Connect the wallet that holds your licenses.</p>
        <ConnectButtons />
      </section>
    );
  }
  if (!session) {
    return (
      <SignInCard
        why={
          <>
            Sign in with {wallet?.adapter.name} to see the licenses of <code>{publicKey.toBase58()}</code>: your wallet signs a message from the
            marketplace (no transaction, nothing paid).
          </>
        }
      />
    );
  }
  return (
    <>
      <p className="muted">
        Signed in as <code>{session.wallet}</code>{" "}
        <button type="button" className="link" onClick={() => void signOut()}>
          Sign out
        </button>
      </p>
      {error ? (
        <p className="notice error" role="alert">
          {error}
        </p>
      ) : null}
      {notice ? (
        <p className="notice good" role="status">
          {notice}
        </p>
      ) : null}
      {licenses === null ? (
        <p>Loading your licenses…</p>
      ) : licenses.length === 0 ? (
        <p className="notice">
          This wallet holds no license yet. <Link href="/">Find a skill</Link>.
        </p>
      ) : (
        <ul className="results" aria-label="Licenses">
          {licenses.map((l) => (
            <Row
              key={l.address}
              license={l}
              skill={skills[l.skill]}
              apiKey={session.apiKey}
              onChanged={(message) => {
                if (message) setNotice(message);
                void load();
              }}
            />
          ))}
        </ul>
      )}
    </>
  );
}

export default function Licenses(props: Endpoints) {
  return (
    <WalletShell {...props}>
      <View />
    </WalletShell>
  );
}
