// Browse: search, filters and sort as a plain GET form, so every result page has its own URL and works before any
// JavaScript runs; rendered on the server from the api's discovery routes.
import Link from "next/link";
import { api, ApiError, type SkillPage } from "../lib/api";
import { currencies } from "../lib/currencies";
import { KIND_LABELS, price, pricing, rating, reliability } from "../lib/format";

type Search = Record<string, string | string[] | undefined>;

const SORTS = { relevance: "Best match", popular: "Popular", newest: "Newest", rating: "Top rated" } as const;
const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v)?.trim() || undefined;

export default async function Browse({ searchParams }: { searchParams: Promise<Search> }) {
  const params = await searchParams;
  const q = {
    search: one(params.q),
    category: one(params.category),
    kind: one(params.kind),
    currency: one(params.currency),
    maxPrice: one(params.maxPrice),
    sort: one(params.sort),
    cursor: one(params.cursor),
  };
  const [page, categories, known] = await Promise.all([
    api<SkillPage>("/skills", { query: { ...q, limit: "20" } }).catch((e: unknown) => e as ApiError),
    api<{ category: string; skills: number }[]>("/categories").catch(() => []),
    currencies(),
  ]);
  const decimals = Object.fromEntries(known.map((c) => [c.mint, c.decimals]));
  const next = page instanceof ApiError || !page.nextCursor ? null : new URLSearchParams(Object.entries({ ...q, cursor: page.nextCursor, sort: page.sort }).filter((e): e is [string, string] => !!e[1]));
  if (next) {
    // The form's names, not the api's.
    if (q.search) next.set("q", q.search);
    next.delete("search");
  }

  return (
    <>
      <h1>Skills for agents</h1>
      <form className="filters" method="get" action="/" role="search">
        <label className="search">
          Search
          <input type="search" name="q" defaultValue={q.search} placeholder="summarize, validate JSON, thumbnails…" maxLength={200} />
        </label>
        <label>
          Category
          <select name="category" defaultValue={q.category ?? ""}>
            <option value="">Any</option>
            {categories.map((c) => (
              <option key={c.category} value={c.category}>
                {c.category} ({c.skills})
              </option>
            ))}
          </select>
        </label>
        <label>
          License
          <select name="kind" defaultValue={q.kind ?? ""}>
            <option value="">Any</option>
            {Object.entries(KIND_LABELS).map(([k, label]) => (
              <option key={k} value={k}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Currency
          <select name="currency" defaultValue={q.currency ?? ""}>
            <option value="">Any</option>
            <option value="SOL">SOL</option>
            {known.map((c) => (
              <option key={c.mint} value={c.mint}>
                {c.mint}
              </option>
            ))}
          </select>
        </label>
        <label>
          Max price (base units)
          <input name="maxPrice" inputMode="numeric" pattern="\d{1,20}" defaultValue={q.maxPrice} />
        </label>
        <label>
          Sort
          <select name="sort" defaultValue={q.sort ?? ""}>
            <option value="">Default</option>
            {Object.entries(SORTS).map(([k, label]) => (
              <option key={k} value={k}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <button type="submit">Search</button>
      </form>

      {page instanceof ApiError ? (
        <p className="notice error" role="alert">
          {page.code === "validation_failed" ? `That search cannot be run: ${page.message}` : `Skills cannot be listed right now: ${page.message}`}
        </p>
      ) : page.skills.length === 0 ? (
        <p className="notice">No skill matches. Try fewer filters or other words.</p>
      ) : (
        <ul className="results" aria-label="Skills">
          {page.skills.map((s) => (
            <li key={s.id} className="card">
              <h2>
                <Link href={`/skills/${s.id}`}>{s.slug}</Link> <span className="muted">v{s.version}</span>
              </h2>
              <ul className="facts">
                <li>
                  <strong>{price(s.price, s.currency, decimals)}</strong> · {pricing(s)}
                </li>
                <li>{s.category}</li>
                <li>{rating(s.rating)}</li>
                <li>{s.sales} sold</li>
                <li>reliability: {reliability(s.reliability)}</li>
              </ul>
            </li>
          ))}
        </ul>
      )}
      <nav className="pager" aria-label="Pages">
        {q.cursor ? <Link href="/">First page</Link> : <span />}
        {next ? <Link href={`/?${next}`}>Next page</Link> : null}
      </nav>
    </>
  );
}
