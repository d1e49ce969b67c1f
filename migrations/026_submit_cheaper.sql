-- 026_submit_cheaper: two costs of every submission made smaller (issue
-- 15, "ingest >= 0.8 of raw COPY"; measured in tests/bench/README.md,
-- "Summaries as one row per township and year").
--
-- * hz_count_changes, the change counter's upsert run by the triggers of
--   data_values, is PL/pgSQL: its statement is planned once per session,
--   where a SQL function's is planned on every call.
-- * The arrays a submission stores twice over (the submissions row's
--   codes, values and comments, and its audit_value_sets row) are
--   compressed with lz4 instead of pglz, which cost about 3 % of a
--   submission's database CPU (perf).

CREATE OR REPLACE FUNCTION hz_count_changes(p_regions text[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  -- Each township once, in key order: two transactions never wait on
  -- each other's rows crosswise (006).
  INSERT INTO change_counts AS c (region_code, n)
  SELECT x.r, 1 FROM (SELECT DISTINCT r FROM unnest(p_regions) AS r WHERE r IS NOT NULL) x
  ORDER BY x.r COLLATE "C"
  ON CONFLICT (region_code) DO UPDATE SET n = c.n + 1;
END
$$;

ALTER TABLE submissions
  ALTER COLUMN codes SET COMPRESSION lz4, ALTER COLUMN values_text SET COMPRESSION lz4,
  ALTER COLUMN comments SET COMPRESSION lz4;
ALTER TABLE audit_value_sets
  ALTER COLUMN ids SET COMPRESSION lz4, ALTER COLUMN codes SET COMPRESSION lz4,
  ALTER COLUMN old_values SET COMPRESSION lz4, ALTER COLUMN new_values SET COMPRESSION lz4,
  ALTER COLUMN old_comments SET COMPRESSION lz4, ALTER COLUMN new_comments SET COMPRESSION lz4;

-- Tried and dropped: counting a report's first submission as new after one
-- probe of data_values_region_time instead of hz_submit's lookup of every
-- code (022). Under SERIALIZABLE two writers of one report then met as a
-- unique violation (ALREADY_EXISTS, not retryable): the per-code lookups
-- leave predicate locks on the primary key, which make PostgreSQL report
-- the retryable serialization failure instead. test_db_pool's
-- SerializableWritersTest caught it; hz_submit stays 022's.
