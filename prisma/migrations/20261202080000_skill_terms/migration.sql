-- One row per (lexeme, skill) of skills.search, with the skill's rank for a search of that one
-- word: a broad one-word search (thousands of matches) reads its best-ranked page straight off
-- skill_terms_rank_idx instead of ranking every match. Kept by a trigger on skills, so it can
-- never disagree with the generated search column; the rank is the api's sort value exactly
-- (ts_rank(search, query)::numeric for the query websearch_to_tsquery('simple', word) makes).
CREATE TABLE "skill_terms" (
    "term" TEXT NOT NULL,
    "address" TEXT NOT NULL,
    "rank" NUMERIC NOT NULL,
    CONSTRAINT "skill_terms_pkey" PRIMARY KEY ("term", "address")
);

CREATE INDEX "skill_terms_rank_idx" ON "skill_terms" ("term", "rank" DESC, "address" DESC);

CREATE FUNCTION "skill_terms_sync"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    DELETE FROM skill_terms WHERE address = OLD.address;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.search IS NOT NULL THEN
    INSERT INTO skill_terms (term, address, rank)
    SELECT l.lexeme, NEW.address, ts_rank(NEW.search, to_tsquery('simple', quote_literal(l.lexeme)))::numeric
    FROM unnest(NEW.search) AS l;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER "skill_terms_sync" AFTER INSERT OR DELETE OR UPDATE OF "slug", "category", "address" ON "skills"
    FOR EACH ROW EXECUTE FUNCTION "skill_terms_sync"();

INSERT INTO "skill_terms" ("term", "address", "rank")
SELECT l.lexeme, s.address, ts_rank(s.search, to_tsquery('simple', quote_literal(l.lexeme)))::numeric
FROM "skills" s, unnest(s.search) AS l
WHERE s.search IS NOT NULL;
