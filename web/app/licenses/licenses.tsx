"use client";
// The licenses of the signed-in wallet, each with its skill, kind, state on chain and what is left of it (a bar of
// the calls used), and renewal or top-up in place (the same purchase as the skill page's).
import { useWallet } from "@solana/wallet-adapter-react";
import Link from "next/link";
import { useCallback, useEffect, useState } from "react";
import { describe, PurchaseStatus, usePurchase, type License } from "../purchase";
import { call, ConnectButtons, explain, useEndpoints, useSession, WalletShell, type Endpoints } from "../wallet";

type SkillSummary = { id: string; slug: string; version: string; active: boolean };

const STATUS_WORDS: Record<string, string> = {
  valid: "valid",
  expired: "expired",
  used_up: "all calls used",
  suspended: "skill suspended by the marketplace",
  inactive: "no longer sold",
  paused: "marketplace paused",
};

function Row({ license, skill, onRenewed }: { license: License; skill: SkillSummary | undefined; onRenewed: () => void }) {
  const { phase, buy, busy } = usePurchase(license.skill, onRenewed);
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
      <PurchaseStatus phase={phase} />
    </li>
  );
}

function View() {
  const { apiUrl } = useEndpoints();
  const { connected, publicKey, wallet } = useWallet();
  const { session, signIn, signOut, canSign } = useSession();
  const [licenses, setLicenses] = useState<License[] | null>(null);
  const [skills, setSkills] = useState<Record<string, SkillSummary>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

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
      <section className="card">
        <p>
          Sign in with {wallet?.adapter.name} to see the licenses of <code>{publicKey.toBase58()}</code>: your wallet signs a message from the
          marketplace (no transaction, nothing paid).
        </p>
        {canSign ? (
          <button
            type="button"
            disabled={busy}
            onClick={async () => {
              setBusy(true);
              try {
                await signIn();
                setError(null);
              } catch (e) {
                const text = `${(e as Error).message ?? ""}`;
                setError(/reject|declin|denied|cancel/i.test(text) ? "You declined to sign in: nothing was shared." : explain(e));
              } finally {
                setBusy(false);
              }
            }}
          >
            Sign in with {wallet?.adapter.name}
          </button>
        ) : (
          <p className="notice">This wallet cannot sign messages, so it cannot sign in here.</p>
        )}
        {error ? (
          <p className="notice error" role="alert">
            {error}
          </p>
        ) : null}
      </section>
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
      {licenses === null ? (
        <p>Loading your licenses…</p>
      ) : licenses.length === 0 ? (
        <p className="notice">
          This wallet holds no license yet. <Link href="/">Find a skill</Link>.
        </p>
      ) : (
        <ul className="results" aria-label="Licenses">
          {licenses.map((l) => (
            <Row key={l.address} license={l} skill={skills[l.skill]} onRenewed={() => void load()} />
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
