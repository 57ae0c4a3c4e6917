"use client";
// What a seller's wallet sells and earns, from the api's seller analytics (the last 30 days) and its public
// profile: skills with their price and sales, revenue per currency (gross and net of the marketplace's fee),
// sales and usage per day as bar charts, and the ratings its skills received.
import { useWallet } from "@solana/wallet-adapter-react";
import Link from "next/link";
import { useCallback, useEffect, useState } from "react";
import { price, short, units, utcMinute } from "../../lib/format";
import { call, ConnectButtons, explain, SignInCard, useEndpoints, useSession, WalletShell, type Endpoints } from "../wallet";
import Publish from "./publish";

type Analytics = {
  buyers: number;
  since: string;
  revenue: { currency: string; sales: number; gross: string; net: string }[];
  daily: { day: string; currency: string; sales: number; revenue: string; usageUnits: string }[];
  ratingDistribution: Record<string, number>;
};
type SkillRow = {
  id: string;
  slug: string;
  version: string;
  price: string;
  currency: string;
  sales: string;
  usageUnits: string;
  pricing: { kind: string };
  pending: { version: { version: string; effectiveAt: string } | null; price: { price: string; effectiveAt: string } | null };
};
type Currency = { mint: string; decimals: number };

/** One bar chart: a bar per day, its value in words for screen readers. */
function Bars({ label, points }: { label: string; points: { day: string; value: number }[] }) {
  const max = Math.max(1, ...points.map((p) => p.value));
  const width = Math.max(1, points.length) * 14;
  // The days with something, in words (the quiet ones are the rest).
  const busy = points.filter((p) => p.value > 0);
  const words = busy.length === 0 ? "none" : busy.map((p) => `${p.day}: ${p.value}`).join(", ");
  return (
    <figure className="chart">
      <figcaption>{label}</figcaption>
      {points.length === 0 ? (
        <p className="muted">Nothing in these days yet.</p>
      ) : (
        <svg role="img" aria-label={`${label}: ${words}`} viewBox={`0 0 ${width} 60`} preserveAspectRatio="none" width="100%" height="80">
          {points.map((p, i) => {
            const h = (p.value / max) * 56;
            return <rect key={p.day} x={i * 14 + 2} y={58 - h} width={10} height={Math.max(h, 0.5)} fill="var(--accent)" />;
          })}
        </svg>
      )}
    </figure>
  );
}

function View() {
  const { apiUrl } = useEndpoints();
  const { connected, publicKey, wallet } = useWallet();
  const { session } = useSession();
  const [data, setData] = useState<{ analytics: Analytics; skills: SkillRow[]; decimals: Record<string, number> } | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    if (!session) return;
    try {
      const [analytics, profile, currencies] = await Promise.all([
        call<Analytics>(apiUrl, "/analytics/seller?days=30", { key: session.apiKey }),
        call<{ skills: SkillRow[] }>(apiUrl, `/agents/${session.wallet}`).catch(() => ({ skills: [] })),
        call<Currency[]>(apiUrl, "/currencies").catch(() => []),
      ]);
      setData({ analytics, skills: profile.skills, decimals: Object.fromEntries(currencies.map((c) => [c.mint, c.decimals])) });
      setError(null);
    } catch (e) {
      setError(explain(e));
    }
  }, [apiUrl, session]);
  useEffect(() => void load(), [load]);

  if (!connected || !publicKey) {
    return (
      <section className="card">
        <p>Connect the wallet you sell from.</p>
        <ConnectButtons />
      </section>
    );
  }
  if (!session) return <SignInCard why={<>Sign in with {wallet?.adapter.name}: your wallet signs a message from the marketplace (no transaction, nothing paid).</>} />;
  if (error) {
    return (
      <p className="notice error" role="alert">
        {error}
      </p>
    );
  }
  if (!data) return <p>Loading your figures…</p>;
  const { analytics, skills, decimals } = data;
  // Every day of the window, the quiet ones at zero, so a bar's width means a day.
  const days: string[] = [];
  for (let t = Date.parse(analytics.since.slice(0, 10)); t <= Date.now(); t += 86_400_000) days.push(new Date(t).toISOString().slice(0, 10));
  for (const d of analytics.daily) if (!days.includes(d.day.slice(0, 10))) days.push(d.day.slice(0, 10));
  days.sort();
  const per = (pick: (d: Analytics["daily"][number]) => number) => days.map((day) => ({ day, value: analytics.daily.filter((d) => d.day.slice(0, 10) === day).reduce((a, d) => a + pick(d), 0) }));
  const ratings = [5, 4, 3, 2, 1].map((n) => ({ n, count: analytics.ratingDistribution[String(n)] ?? 0 }));
  const totalRatings = ratings.reduce((a, r) => a + r.count, 0);
  const amount = (value: string, currency: string) => (currency === "SOL" ? `${units(value, 9)} SOL` : decimals[currency] === undefined ? `${value} base units of ${short(currency)}` : `${units(value, decimals[currency]!)} ${short(currency)}`);

  return (
    <>
      <Publish apiKey={session.apiKey} onPublished={() => void load()} />
      <section className="card" aria-labelledby="skills-heading">
        <h2 id="skills-heading">My skills</h2>
        {skills.length === 0 ? (
          <p className="muted">This wallet sells no skill yet: publish one above (or with `npx skill-marketplace publish`).</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">Skill</th>
                <th scope="col">Version</th>
                <th scope="col">Pending</th>
                <th scope="col">Price</th>
                <th scope="col">Sales</th>
                <th scope="col">Calls</th>
              </tr>
            </thead>
            <tbody>
              {skills.map((s) => (
                <tr key={s.id}>
                  <td>
                    <Link href={`/skills/${s.id}`}>{s.slug}</Link>
                  </td>
                  <td>{s.version}</td>
                  <td>
                    {s.pending.version ? `v${s.pending.version.version} from ${utcMinute(s.pending.version.effectiveAt)}` : null}
                    {s.pending.version && s.pending.price ? "; " : null}
                    {s.pending.price ? `${price(s.pending.price.price, s.currency, decimals)} from ${utcMinute(s.pending.price.effectiveAt)}` : null}
                    {!s.pending.version && !s.pending.price ? <span className="muted">none</span> : null}
                  </td>
                  <td>{price(s.price, s.currency, decimals)}</td>
                  <td>{s.sales}</td>
                  <td>{s.usageUnits}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <section className="card" aria-labelledby="revenue-heading">
        <h2 id="revenue-heading">Last 30 days</h2>
        <p>
          {analytics.buyers} buyer{analytics.buyers === 1 ? "" : "s"} since {analytics.since.slice(0, 10)}.
        </p>
        {analytics.revenue.length === 0 ? (
          <p className="muted">No sales in these days yet.</p>
        ) : (
          <table aria-label="Revenue per currency">
            <thead>
              <tr>
                <th scope="col">Currency</th>
                <th scope="col">Sales</th>
                <th scope="col">Gross</th>
                <th scope="col">Net (after the fee)</th>
              </tr>
            </thead>
            <tbody>
              {analytics.revenue.map((r) => (
                <tr key={r.currency}>
                  <td>{r.currency === "SOL" ? "SOL" : <code title={r.currency}>{short(r.currency)}</code>}</td>
                  <td>{r.sales}</td>
                  <td>{amount(r.gross, r.currency)}</td>
                  <td>{amount(r.net, r.currency)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <Bars label="Sales per day" points={per((d) => d.sales)} />
        <Bars label="Calls per day" points={per((d) => Number(d.usageUnits))} />
      </section>

      <section className="card" aria-labelledby="ratings-heading">
        <h2 id="ratings-heading">Ratings</h2>
        {totalRatings === 0 ? (
          <p className="muted">No reviews yet.</p>
        ) : (
          <dl className="props">
            {ratings.map((r) => (
              <div key={r.n} style={{ display: "contents" }}>
                <dt>{r.n} ★</dt>
                <dd>
                  {r.count}
                </dd>
              </div>
            ))}
          </dl>
        )}
      </section>
    </>
  );
}

export default function Dashboard(props: Endpoints) {
  return (
    <WalletShell {...props}>
      <View />
    </WalletShell>
  );
}
