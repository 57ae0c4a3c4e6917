// A large catalogue for discovery benchmarks: `count` skills written straight into an indexed database as the
// indexer would have written them, in one statement (names from 40 words, 8 categories, the three license kinds,
// spread prices, sales, ratings and ages), then vacuumed and analyzed as autovacuum would have by now.
import pg from "pg";

export const WORDS = ["weather", "forecast", "translate", "text", "ocr", "receipt", "invoice", "summarize", "image", "caption", "sentiment", "speech",
  "audio", "video", "search", "scrape", "code", "review", "lint", "test", "sql", "query", "chart", "pdf", "email", "calendar", "route", "price",
  "stock", "crypto", "wallet", "token", "nft", "swap", "vote", "legal", "medical", "recipe", "travel", "music"];
export const CATEGORIES = ["data", "language", "vision", "audio", "code", "finance", "web", "productivity"];

export async function seedSkills(databaseUrl: string, count: number): Promise<void> {
  const db = new pg.Client({ connectionString: databaseUrl });
  db.on("error", () => undefined); // a drop at the end may cut it
  await db.connect();
  try {
    await db.query(
      `INSERT INTO skills (address, author, slug, version, pricing, price, currency, category, docs_cid, commit_sha, image_digest,
         sales, rating_sum, rating_count, created_at, updated_at, slot, commitment)
       SELECT md5('s' || i), md5('a' || (i % 5000)),
         ($1::text[])[1 + i % 40] || '-' || ($1::text[])[1 + (i / 40) % 40] || '-' || i,
         '1.0.0', (ARRAY['oneTime','subscription','usage'])[1 + i % 3], 1000 + (i * 7919) % 10000000, 'SOL',
         ($2::text[])[1 + i % 8], 'bafkrei', repeat('ab', 20), repeat('cd', 32),
         (i * 104729) % 5000, (i % 5) * ((i % 7) + 1), (i % 7) + 1, now() - (i || ' seconds')::interval, now(), i, 'confirmed'
       FROM generate_series(1::bigint, $3::bigint) AS i`,
      [WORDS, CATEGORIES, count],
    );
    await db.query("VACUUM ANALYZE skills, skill_terms");
  } finally {
    await db.end();
  }
}
