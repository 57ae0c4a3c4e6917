-- Indexes for the api's discovery sort orders, so keyset pages read a few index entries instead of
-- sorting every listed skill. The rating order's expression must match the api's query exactly
-- (api/src/services/discovery.ts, RATING).
CREATE INDEX "skills_popular_order_idx" ON "skills" ("sales" DESC, "address" DESC);
CREATE INDEX "skills_newest_order_idx" ON "skills" ("created_at" DESC, "address" DESC);
CREATE INDEX "skills_rating_order_idx" ON "skills"
  ((CASE WHEN "rating_count" > 0 THEN "rating_sum" / "rating_count" ELSE 0 END) DESC, "address" DESC);
