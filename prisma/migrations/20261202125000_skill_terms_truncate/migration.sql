-- skill_terms follows skills through TRUNCATE too (a row trigger does not fire on TRUNCATE, so a
-- rebuild that empties skills left every old term behind and the next insert of the same skill
-- hit skill_terms_pkey). The row trigger also replaces a term it finds instead of failing, so a
-- stale row can never stop the indexer.
CREATE OR REPLACE FUNCTION "skill_terms_sync"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    DELETE FROM skill_terms WHERE address = OLD.address;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.search IS NOT NULL THEN
    INSERT INTO skill_terms (term, address, rank)
    SELECT l.lexeme, NEW.address, ts_rank(NEW.search, to_tsquery('simple', quote_literal(l.lexeme)))::numeric
    FROM unnest(NEW.search) AS l
    ON CONFLICT (term, address) DO UPDATE SET rank = EXCLUDED.rank;
  END IF;
  RETURN NULL;
END $$;

CREATE FUNCTION "skill_terms_truncate"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE skill_terms;
  RETURN NULL;
END $$;

CREATE TRIGGER "skill_terms_truncate" AFTER TRUNCATE ON "skills"
    FOR EACH STATEMENT EXECUTE FUNCTION "skill_terms_truncate"();

-- Terms left behind by an earlier TRUNCATE of skills.
DELETE FROM "skill_terms" t WHERE NOT EXISTS (SELECT 1 FROM "skills" s WHERE s.address = t.address);
