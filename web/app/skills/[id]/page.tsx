// A skill: its docs (the seller's SKILL.md, sanitized), API and examples, pricing, provenance and scan findings,
// versions, reviews; rendered on the server. Seller-written fields are shown as data.
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { api, ApiError, type SkillDetails } from "../../../lib/api";
import { currencies } from "../../../lib/currencies";
import { price, pricing, rating, reliability, short, utcMinute } from "../../../lib/format";
import { renderMarkdown } from "../../../lib/markdown";
import { PUBLIC_API_URL, RPC_URL, TOKEN_AUDIENCE } from "../../../lib/config";
import { skillEndpoints } from "@skill-marketplace/sdk/skillApi";
import Buy from "./buy";

type Props = { params: Promise<{ id: string }> };

async function load(id: string): Promise<SkillDetails> {
  if (!/^[1-9A-HJ-NP-Za-km-z]{32,44}$/.test(id)) notFound();
  try {
    return await api<SkillDetails>(`/skills/${id}`);
  } catch (error) {
    if (error instanceof ApiError && (error.status === 404 || error.status === 400)) notFound();
    throw error;
  }
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const skill = await load((await params).id);
  return { title: skill.slug, description: skill.docs.summary ?? undefined };
}

const json = (v: unknown) => JSON.stringify(v, null, 2);

export default async function SkillPage({ params }: Props) {
  const skill = await load((await params).id);
  const known = await currencies();
  const decimals = Object.fromEntries(known.map((c) => [c.mint, c.decimals]));
  const endpoints = Object.entries((skill.apiSpec?.paths ?? {}) as Record<string, { post?: { summary?: string } }>);
  const pending = skill.pending;
  const totalWeight = skill.reviews.reduce((a, r) => a + BigInt(r.weight), 0n);
  const totalReviews = Object.values(skill.ratingDistribution).reduce((a, b) => a + b, 0);

  return (
    <article>
      <p>
        <Link href="/">← All skills</Link>
      </p>
      <h1>
        {skill.slug} <span className="muted">v{skill.version}</span>
      </h1>
      {skill.docs.summary ? <p className="summary">{skill.docs.summary}</p> : null}
      <div className="grid2">
        <div>
          <h2>Documentation</h2>
          {skill.skillMd ? (
            <div className="docs" dangerouslySetInnerHTML={{ __html: renderMarkdown(skill.skillMd) }} />
          ) : (
            <p className="notice">The docs cannot be shown ({skill.docs.status}{skill.docs.reason ? `: ${skill.docs.reason}` : ""}).</p>
          )}
          <p className="muted">Written by the seller, not reviewed by the marketplace.</p>

          <h2>API</h2>
          {endpoints.length === 0 ? (
            <p className="muted">No API spec in the docs.</p>
          ) : (
            <ul>
              {endpoints.map(([path, item]) => (
                <li key={path}>
                  <code>{path.replace(/^\//, "")}</code>: {String(item.post?.summary ?? "")}
                </li>
              ))}
            </ul>
          )}
          {skill.examples.length > 0 ? (
            <>
              <h2>Examples</h2>
              {skill.examples.map((x) => (
                <details key={x.title}>
                  <summary>{x.title}</summary>
                  <p className="muted">Input</p>
                  <pre className="json">{json(x.input)}</pre>
                  <p className="muted">Output</p>
                  <pre className="json">{json(x.output)}</pre>
                </details>
              ))}
            </>
          ) : null}

          <h2>Reviews</h2>
          {skill.reviews.length === 0 ? (
            <p className="muted">No reviews yet.</p>
          ) : (
            <ul className="results">
              {skill.reviews.map((r) => (
                <li key={r.id} className="card review">
                  <p>
                    <strong role="img" aria-label={`${r.rating} of 5 stars`}>
                      {"★".repeat(r.rating)}
                      {"☆".repeat(5 - r.rating)}
                    </strong>
                    <span className="muted">
                      {" "}
                      by {short(r.reviewer)} on {r.updatedAt.slice(0, 10)} · weighs {price(r.weight, skill.currency, decimals)} paid
                      {totalWeight > 0n ? ` (${((Number(BigInt(r.weight) * 1000n / totalWeight)) / 10).toFixed(1)}% of these reviews' weight)` : ""}
                    </span>
                  </p>
                  {r.text ? <p className="review-text">{r.text}</p> : <p className="muted">No text.</p>}
                </li>
              ))}
            </ul>
          )}
        </div>

        <aside aria-label="Buying and provenance">
          <section className="card">
            <h2>Price</h2>
            <p>
              <strong>{price(skill.price, skill.currency, decimals)}</strong> · {pricing(skill)}
            </p>
            {skill.x402 ? <p className="muted">Agents may also pay per call with x402: {price(skill.x402.accepts[0]!.amount, skill.x402.accepts[0]!.asset, decimals)} a call.</p> : null}
            <ul className="facts">
              <li>{rating(skill.rating)}</li>
              <li>{skill.sales} sold</li>
              <li>reliability: {reliability(skill.reliability)}</li>
            </ul>
            {totalReviews > 0 ? (
              <dl className="props" aria-label="Ratings">
                {[5, 4, 3, 2, 1].map((n) => (
                  <div key={n} style={{ display: "contents" }}>
                    <dt>{n} ★</dt>
                    <dd>
                      <div className="bar" role="img" aria-label={`${skill.ratingDistribution[String(n)] ?? 0} of ${totalReviews}`}>
                        <span style={{ width: `${((skill.ratingDistribution[String(n)] ?? 0) / totalReviews) * 100}%` }} />
                      </div>
                    </dd>
                  </div>
                ))}
              </dl>
            ) : null}
          </section>

          {skill.active ? (
            <Buy
              skillId={skill.id}
              apiUrl={PUBLIC_API_URL}
              rpcUrl={RPC_URL}
              audience={TOKEN_AUDIENCE}
              endpoints={skillEndpoints(skill.apiSpec)}
              priceText={`${price(skill.price, skill.currency, decimals)} · ${pricing(skill)}`}
            />
          ) : (
            <p className="notice">The seller has stopped selling this skill.</p>
          )}

          <section className="card">
            <h2>Provenance</h2>
            <dl className="props">
              <dt>Seller</dt>
              <dd>{skill.author}</dd>
              <dt>Commit</dt>
              <dd>{skill.scan?.repo?.startsWith("https://github.com/") ? <a href={`${skill.scan.repo}/commit/${skill.provenance.commitSha}`}>{skill.provenance.commitSha.slice(0, 12)}</a> : skill.provenance.commitSha.slice(0, 12)}</dd>
              <dt>Image</dt>
              <dd>
                <code>sha256:{skill.provenance.imageDigest.slice(0, 16)}…</code>
              </dd>
              <dt>Docs</dt>
              <dd>
                <code>{skill.docs.cid}</code>
              </dd>
              {pending.version ? (
                <>
                  <dt>Pending version</dt>
                  <dd>
                    v{pending.version.version} (commit {pending.version.commitSha.slice(0, 12)}) goes on sale {utcMinute(pending.version.effectiveAt)}
                  </dd>
                </>
              ) : null}
              {pending.price ? (
                <>
                  <dt>Price change</dt>
                  <dd>
                    {price(pending.price.price, skill.currency, decimals)} from {utcMinute(pending.price.effectiveAt)}
                  </dd>
                </>
              ) : null}
            </dl>
            <h3>Scan findings</h3>
            {!skill.scan ? (
              <p className="muted">Not published through this marketplace: no scan.</p>
            ) : skill.scan.findings.length === 0 ? (
              <p>None in {skill.scan.repo} at v{skill.scan.version}.</p>
            ) : (
              <ul>
                {skill.scan.findings.map((f, i) => (
                  <li key={i} className={`sev-${f.severity}`}>
                    {f.severity}: {f.message} ({f.file}:{f.line})
                  </li>
                ))}
              </ul>
            )}
          </section>

          <section className="card">
            <h2>Versions</h2>
            <ul>
              {skill.versions.map((v) => (
                <li key={v.version}>
                  v{v.version} · {v.publishedAt.slice(0, 10)} · {price(v.price, skill.currency, decimals)}
                </li>
              ))}
            </ul>
          </section>
        </aside>
      </div>
    </article>
  );
}
