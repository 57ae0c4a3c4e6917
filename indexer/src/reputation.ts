// Seller reputation: the one place the formula lives. A seller's score is
//
//   reputation = weighted_rating × ln(sales + 1) × quality_multiplier
//
// - weighted_rating: the average rating of the (not deleted) reviews of the seller's skills, each
//   review weighed by the purchases its reviewer made of that skill (only holders of a used license
//   can review, and a buyer who keeps paying speaks louder than a one-off);
// - sales: purchases of all the seller's skills (first buys, renewals, top-ups);
// - quality_multiplier = 0.75 + 0.25 × active_share + 0.25 × repeat_buyer_share, in [0.75, 1.25],
//   where active_share = listed skills ÷ skills published (delisting counts against) and
//   repeat_buyer_share = licenses bought more than once ÷ licenses sold.
//
// A seller without reviews scores 0. The inputs are stored beside the score (seller_reputation),
// rounded to 6 decimals, and recomputed in every batch that touches one of the seller's skills.
import type pg from "pg";

/**
 * Recomputes the reputation of every seller of `skills`, inside the batch's database transaction
 * (`client`), from the rows that batch has just written.
 */
export async function writeReputation(client: pg.PoolClient, skills: string[], slot: number): Promise<void> {
  if (skills.length === 0) return;
  await client.query(
    `WITH sellers AS (SELECT DISTINCT author AS seller FROM skills WHERE address = ANY($1::text[])),
     listed AS (
       SELECT s.author AS seller, count(*)::numeric AS skills, count(*) FILTER (WHERE s.active)::numeric AS active, sum(s.sales) AS sales
       FROM skills s JOIN sellers ON s.author = sellers.seller GROUP BY s.author),
     rated AS (
       SELECT s.author AS seller,
              sum(r.rating * GREATEST(COALESCE(l.purchases, 1), 1))::numeric / sum(GREATEST(COALESCE(l.purchases, 1), 1)) AS weighted
       FROM reviews r JOIN skills s ON s.address = r.skill JOIN sellers ON s.author = sellers.seller
       LEFT JOIN licenses l ON l.skill = r.skill AND l.buyer = r.reviewer
       WHERE NOT r.deleted
       GROUP BY s.author),
     bought AS (
       SELECT s.author AS seller, count(*)::numeric AS licenses, count(*) FILTER (WHERE l.purchases > 1)::numeric AS repeat
       FROM licenses l JOIN skills s ON s.address = l.skill JOIN sellers ON s.author = sellers.seller GROUP BY s.author),
     inputs AS (
       SELECT listed.seller, COALESCE(rated.weighted, 0) AS weighted, listed.sales,
              listed.active / listed.skills AS active_share,
              COALESCE(bought.repeat / NULLIF(bought.licenses, 0), 0) AS repeat_share
       FROM listed LEFT JOIN rated USING (seller) LEFT JOIN bought USING (seller))
     INSERT INTO seller_reputation AS r
       (seller, weighted_rating, sales, active_share, repeat_buyer_share, quality_multiplier, reputation, slot, updated_at)
     SELECT seller, round(weighted, 6), sales, round(active_share, 6), round(repeat_share, 6),
            round(0.75 + 0.25 * active_share + 0.25 * repeat_share, 6),
            round(weighted * ln(sales + 1) * (0.75 + 0.25 * active_share + 0.25 * repeat_share), 6),
            $2, now()
     FROM inputs
     ON CONFLICT (seller) DO UPDATE SET
       weighted_rating = EXCLUDED.weighted_rating, sales = EXCLUDED.sales, active_share = EXCLUDED.active_share,
       repeat_buyer_share = EXCLUDED.repeat_buyer_share, quality_multiplier = EXCLUDED.quality_multiplier,
       reputation = EXCLUDED.reputation, slot = EXCLUDED.slot, updated_at = EXCLUDED.updated_at`,
    [skills, slot],
  );
}
