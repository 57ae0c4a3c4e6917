// Reliability from evidence: every call that reached a container is recorded in skill_calls with
// its outcome and run time; skill_reliability holds, per skill version, the figures over its most
// recent calls. Discovery and skill details read that table (one row per version, joined by key),
// so a list never ranks or aggregates calls itself.
import type pg from "pg";
import type { RunOutcome } from "./sandbox.js";

/** How many of a version's most recent calls its figures cover. */
export const RELIABILITY_WINDOW = 200;

export interface CallRecord {
  id: string;
  skill: string;
  version: string;
  imageDigest: string;
  license: string;
  outcome: RunOutcome;
  durationMs: number;
  receiptId: string | null;
}

/**
 * The insert of one call, for use inside the statement that settles its units; its parameters
 * are numbered from `first` (so it can follow others in one statement).
 */
export function callInsert(call: CallRecord, first = 1): { text: string; values: unknown[] } {
  const p = (i: number) => `$${first + i}`;
  return {
    text: `INSERT INTO skill_calls (id, skill, version, image_digest, license, outcome, duration_ms, receipt_id) VALUES (${[0, 1, 2, 3, 4, 5, 6, 7].map(p).join(", ")})`,
    values: [call.id, call.skill, call.version, call.imageDigest, call.license, call.outcome, Math.round(call.durationMs), call.receiptId],
  };
}

/**
 * Recomputes the figures of every skill version with calls not yet counted, over its last
 * `window` calls, and marks those calls counted. One executor refreshes at a time (the others
 * skip the round); returns the number of versions refreshed.
 */
export async function refreshReliability(pool: pg.Pool, window = RELIABILITY_WINDOW): Promise<number> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    const { rows: lock } = await client.query<{ ok: boolean }>("SELECT pg_try_advisory_xact_lock(hashtextextended('skill_reliability', 0)) AS ok");
    if (!lock[0]!.ok) {
      await client.query("ROLLBACK");
      return 0;
    }
    const { rows: versions } = await client.query<{ skill: string; version: string }>(
      `WITH touched AS (UPDATE skill_calls SET counted = true WHERE NOT counted RETURNING skill, version)
       SELECT DISTINCT skill, version FROM touched`,
    );
    if (versions.length === 0) {
      await client.query("COMMIT");
      return 0;
    }
    const keys = [versions.map((v) => v.skill), versions.map((v) => v.version)];
    await client.query(
      `WITH recent AS (
         SELECT v.skill, v.version, c.outcome, c.duration_ms, c.created_at
         FROM unnest($1::text[], $2::text[]) AS v (skill, version)
         CROSS JOIN LATERAL (
           SELECT outcome, duration_ms, created_at FROM skill_calls c
           WHERE c.skill = v.skill AND c.version = v.version
           ORDER BY c.created_at DESC LIMIT $3
         ) c
       )
       INSERT INTO skill_reliability (skill, version, calls, successes, timeouts, p50_ms, p95_ms, last_call_at, updated_at)
       SELECT skill, version, count(*), count(*) FILTER (WHERE outcome = 'ok'), count(*) FILTER (WHERE outcome = 'timeout'),
              percentile_disc(0.5) WITHIN GROUP (ORDER BY duration_ms) FILTER (WHERE outcome = 'ok'),
              percentile_disc(0.95) WITHIN GROUP (ORDER BY duration_ms) FILTER (WHERE outcome = 'ok'),
              max(created_at), now()
       FROM recent GROUP BY skill, version
       ON CONFLICT (skill, version) DO UPDATE SET
         calls = EXCLUDED.calls, successes = EXCLUDED.successes, timeouts = EXCLUDED.timeouts,
         p50_ms = EXCLUDED.p50_ms, p95_ms = EXCLUDED.p95_ms, last_call_at = EXCLUDED.last_call_at, updated_at = EXCLUDED.updated_at`,
      [...keys, window],
    );
    // Calls older than a version's window count no more: the table stays at most `window` rows a version.
    await client.query(
      `DELETE FROM skill_calls c
       USING (
         SELECT v.skill, v.version,
                (SELECT x.created_at FROM skill_calls x WHERE x.skill = v.skill AND x.version = v.version
                 ORDER BY x.created_at DESC OFFSET $3 - 1 LIMIT 1) AS edge
         FROM unnest($1::text[], $2::text[]) AS v (skill, version)
       ) e
       WHERE c.skill = e.skill AND c.version = e.version AND c.created_at < e.edge AND c.counted`,
      [...keys, window],
    );
    await client.query("COMMIT");
    return versions.length;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
