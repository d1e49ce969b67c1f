-- 025_summary_sets: a township's year summarised in one row (issue 15,
-- "ingest >= 0.8 of raw COPY" and "computed county rollup"; measured in
-- tests/bench/README.md, "Summaries as one row per township and year").
--
-- leaf_summaries (005) kept one row per township, indicator and year, so a
-- 200-value submission upserted 200 summary rows (a speculative insertion,
-- heap tuple and index entry each: about a fifth of a submission's
-- database time) and a county's yearly rollup read one index entry per
-- township and indicator. The same figures are now stored as one
-- leaf_summary_sets row per township and summarised period, its indicators
-- as parallel arrays: a submission rewrites one row, a rollup reads one
-- row per township and year.
--
-- * leaf_summaries becomes a view with 005's columns, the sets expanded:
--   readers (hz_rollup_values, tests, psql) see the same relation, and a
--   condition on the township, type or period start still reaches the sets'
--   primary key.
-- * hz_summaries_add / _change / _clear / _rebuild (current definitions
--   here; 005 before) keep the sets with 005's rules, element by element:
--   new values count and sum in and move the extremes and the latest
--   outwards (hz_summary_merge); changed and removed ones take the
--   difference and re-read the extremes from data_values; an indicator
--   left without values leaves its set, and a set left empty is removed.
-- * The arrays are compressed with lz4 when a row outgrows TOAST's 2 kB
--   threshold (a year of 200 indicators is about 10 kB before
--   compression): pglz, the default, costs several times the CPU both
--   ways.

CREATE TABLE leaf_summary_sets (
  region_code    text COLLATE "C" NOT NULL, -- the reporting township
  period_type    smallint NOT NULL,  -- a type in hz_summary_types
  period_start   date NOT NULL,      -- first day of the summarised period
  -- Element k of every array below belongs to indicator codes[k]. Codes do
  -- not repeat and keep no particular order: each array is built by its own
  -- aggregate over the same rows in one pass, which keeps them parallel
  -- (an ORDER BY per aggregate cost seven sorts per submission, half of
  -- the statement). No set is empty.
  codes          text[] COLLATE "C" NOT NULL,
  n              integer[] NOT NULL, -- values present (each > 0)
  total          numeric[] NOT NULL, -- their sum (SUM, AVERAGE)
  low            numeric[] NOT NULL, -- MIN
  high           numeric[] NOT NULL, -- MAX
  latest         numeric[] NOT NULL, -- the value of the latest period present (LAST)
  latest_start   date[] NOT NULL,    -- that period's first day
  PRIMARY KEY (region_code, period_type, period_start),
  CHECK (cardinality(codes) > 0)
);
ALTER TABLE leaf_summary_sets
  ALTER COLUMN codes SET COMPRESSION lz4, ALTER COLUMN n SET COMPRESSION lz4,
  ALTER COLUMN total SET COMPRESSION lz4, ALTER COLUMN low SET COMPRESSION lz4,
  ALTER COLUMN high SET COMPRESSION lz4, ALTER COLUMN latest SET COMPRESSION lz4,
  ALTER COLUMN latest_start SET COMPRESSION lz4;

-- The old rows are not copied: the sets are rebuilt from data_values at
-- the end of this file (as 005 built its rows), by the same function a
-- bulk load calls, rather than one more statement folding rows into sets.
DROP TABLE leaf_summaries;

-- One row per township, indicator and summarised period, as 005 stored them.
-- The arrays are expanded in the select list, where the unnests step
-- together without storing their results: as FROM unnest(a, b, ...) each
-- array went through a tuplestore of its own, and a county's 30 sets took
-- 2.5 ms instead of 1.0 ms (tests/bench/README.md). A condition on the
-- township, type or start still reaches the primary key; one on the
-- indicator filters the expanded rows.
CREATE VIEW leaf_summaries AS
  SELECT s.region_code, unnest(s.codes) AS indicator_code, s.period_type, s.period_start,
         unnest(s.n) AS n, unnest(s.total) AS total, unnest(s.low) AS low,
         unnest(s.high) AS high, unnest(s.latest) AS latest,
         unnest(s.latest_start) AS latest_start
  FROM leaf_summary_sets s;

-- A set with new values added (a: the stored arrays, b: the new values'
-- own summaries): count and sum add up, minimum and
-- maximum move outwards, the latest is the one with the later start (the
-- new one on a tie, as 005's upsert). Either side may lack an indicator.
CREATE FUNCTION hz_summary_merge(
  a_codes text[], a_n integer[], a_total numeric[], a_low numeric[], a_high numeric[],
  a_latest numeric[], a_start date[],
  b_codes text[], b_n integer[], b_total numeric[], b_low numeric[], b_high numeric[],
  b_latest numeric[], b_start date[],
  OUT codes text[], OUT n integer[], OUT total numeric[], OUT low numeric[],
  OUT high numeric[], OUT latest numeric[], OUT latest_start date[])
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT array_agg(m.c), array_agg(m.n), array_agg(m.t),
         array_agg(m.l), array_agg(m.h), array_agg(m.x),
         array_agg(m.s)
  FROM (
    SELECT coalesce(b.c, a.c) COLLATE "C" AS c, coalesce(a.n, 0) + coalesce(b.n, 0) AS n,
           coalesce(a.t + b.t, a.t, b.t) AS t, least(a.l, b.l) AS l, greatest(a.h, b.h) AS h,
           CASE WHEN b.s IS NOT NULL AND (a.s IS NULL OR b.s >= a.s) THEN b.x ELSE a.x END AS x,
           greatest(a.s, b.s) AS s
    -- (Expanded in select lists, as the view does.)
    FROM (SELECT unnest(a_codes) AS c, unnest(a_n) AS n, unnest(a_total) AS t,
                 unnest(a_low) AS l, unnest(a_high) AS h, unnest(a_latest) AS x,
                 unnest(a_start) AS s) a
    FULL JOIN (SELECT unnest(b_codes) AS c, unnest(b_n) AS n, unnest(b_total) AS t,
                      unnest(b_low) AS l, unnest(b_high) AS h, unnest(b_latest) AS x,
                      unnest(b_start) AS s) b ON a.c = b.c
  ) m
$$;

-- New values extend their summaries without reading data_values (005's
-- rule). Sets are written in key order so that two transactions of one
-- township cannot deadlock on them.
CREATE OR REPLACE FUNCTION hz_summaries_add() RETURNS trigger LANGUAGE plpgsql
-- A submission's few hundred rows: compiling them costs far more than it saves.
SET jit = off
AS $$
BEGIN
  INSERT INTO leaf_summary_sets AS s (region_code, period_type, period_start, codes, n, total,
                                      low, high, latest, latest_start)
  SELECT k.r, k.pt, k.ps, array_agg(k.i), array_agg(k.n),
         array_agg(k.t), array_agg(k.l), array_agg(k.h),
         array_agg(k.x), array_agg(k.s)
  FROM (
    SELECT a.region_code AS r, t.pt, hz_period_floor(t.pt, a.period_start) AS ps,
           a.indicator_code COLLATE "C" AS i, count(*)::integer AS n, sum(a.value) AS t,
           min(a.value) AS l, max(a.value) AS h,
           -- The value of the latest period: arrays compare element by element,
           -- and a township has one value per indicator and period start.
           (max(ARRAY[(a.period_start - DATE '2000-01-01')::numeric, a.value]))[2] AS x,
           max(a.period_start) AS s
    FROM hz_added a JOIN hz_summary_types t ON t.pt < a.period_type
    GROUP BY 1, 2, 3, 4
  ) k
  GROUP BY k.r, k.pt, k.ps
  ORDER BY k.r, k.pt, k.ps
  ON CONFLICT (region_code, period_type, period_start) DO UPDATE
    SET (codes, n, total, low, high, latest, latest_start) =
      (SELECT m.codes, m.n, m.total, m.low, m.high, m.latest, m.latest_start
       FROM hz_summary_merge(s.codes, s.n, s.total, s.low, s.high, s.latest, s.latest_start,
                             EXCLUDED.codes, EXCLUDED.n, EXCLUDED.total, EXCLUDED.low,
                             EXCLUDED.high, EXCLUDED.latest, EXCLUDED.latest_start) m);
  RETURN NULL;
END
$$;

-- Values that changed (005's contract, hz_summary_keys' deltas): count and
-- sum take the difference; minimum, maximum and latest are re-read from
-- data_values; an indicator without values leaves its set, an empty set
-- is removed, and a set missing while it has values (a load with the
-- triggers off) is written whole.
CREATE OR REPLACE FUNCTION hz_summaries_change(p_regions text[], p_indicators text[],
                                               p_types smallint[], p_starts date[],
                                               p_signs integer[], p_values numeric[])
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  -- Locked first, in key order (as hz_summaries_add writes them), so that
  -- the next statement's snapshot includes every transaction that held
  -- them: the extremes it re-reads are then current.
  PERFORM 1 FROM leaf_summary_sets s
  WHERE (s.region_code, s.period_type, s.period_start) IN (
    SELECT k.r, k.pt, k.ps
    FROM hz_summary_keys(p_regions, p_indicators, p_types, p_starts, p_signs, p_values) k)
  ORDER BY s.region_code, s.period_type, s.period_start
  FOR UPDATE OF s;

  WITH fresh AS (
    SELECT k.r, k.i COLLATE "C" AS i, k.pt, k.ps, k.dn, k.dt, a.*
    FROM hz_summary_keys(p_regions, p_indicators, p_types, p_starts, p_signs, p_values) k
    CROSS JOIN LATERAL (
      SELECT count(*)::integer AS cnt, sum(d.value) AS sum_all, min(d.value) AS low,
             max(d.value) AS high,
             (array_agg(d.value ORDER BY d.period_start DESC))[1] AS latest,
             max(d.period_start) AS latest_start
      FROM data_values d
      WHERE d.region_code = k.r AND d.indicator_code = k.i
        AND d.period >= hz_period_code(k.t, k.ps)
        AND d.period < hz_period_code(k.t, hz_period_end(k.pt, k.ps))) a
  ), merged AS (
    -- Each touched set as it stands after the change (NULL arrays: empty).
    SELECT k.r, k.pt, k.ps, s.region_code IS NOT NULL AS stored, e.*
    FROM (SELECT DISTINCT f.r, f.pt, f.ps FROM fresh f) k
    LEFT JOIN leaf_summary_sets s
      ON s.region_code = k.r AND s.period_type = k.pt AND s.period_start = k.ps
    CROSS JOIN LATERAL (
      SELECT array_agg(m.c) AS codes, array_agg(m.n) AS n,
             array_agg(m.t) AS total, array_agg(m.l) AS low,
             array_agg(m.h) AS high, array_agg(m.x) AS latest,
             array_agg(m.s) AS latest_start
      FROM (
        SELECT coalesce(f.i, a.c) COLLATE "C" AS c,
               CASE WHEN f.i IS NULL THEN a.n WHEN a.c IS NULL THEN f.cnt ELSE a.n + f.dn END AS n,
               CASE WHEN f.i IS NULL THEN a.t WHEN a.c IS NULL THEN f.sum_all ELSE a.t + f.dt END AS t,
               coalesce(f.low, a.l) AS l, coalesce(f.high, a.h) AS h,
               coalesce(f.latest, a.x) AS x, coalesce(f.latest_start, a.s) AS s
        FROM (SELECT unnest(s.codes) AS c, unnest(s.n) AS n, unnest(s.total) AS t,
                     unnest(s.low) AS l, unnest(s.high) AS h, unnest(s.latest) AS x,
                     unnest(s.latest_start) AS s) a
        FULL JOIN (SELECT * FROM fresh f WHERE f.r = k.r AND f.pt = k.pt AND f.ps = k.ps) f
          ON f.i = a.c
        WHERE f.i IS NULL OR f.cnt > 0
      ) m
    ) e
  ), emptied AS (
    DELETE FROM leaf_summary_sets s USING merged m
    WHERE m.stored AND m.codes IS NULL AND s.region_code = m.r AND s.period_type = m.pt
      AND s.period_start = m.ps
  ), moved AS (
    UPDATE leaf_summary_sets s
       SET codes = m.codes, n = m.n, total = m.total, low = m.low, high = m.high,
           latest = m.latest, latest_start = m.latest_start
      FROM merged m
     WHERE m.stored AND m.codes IS NOT NULL AND s.region_code = m.r AND s.period_type = m.pt
       AND s.period_start = m.ps
  )
  INSERT INTO leaf_summary_sets (region_code, period_type, period_start, codes, n, total, low,
                                 high, latest, latest_start)
  SELECT m.r, m.pt, m.ps, m.codes, m.n, m.total, m.low, m.high, m.latest, m.latest_start
  FROM merged m
  WHERE NOT m.stored AND m.codes IS NOT NULL
  ORDER BY m.r, m.pt, m.ps
  ON CONFLICT (region_code, period_type, period_start) DO NOTHING;
END
$$;

CREATE OR REPLACE FUNCTION hz_summaries_clear() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE leaf_summary_sets;
  RETURN NULL;
END
$$;

-- Every set rebuilt from data_values (005's contract: for loads that ran
-- with the triggers off). Returns the number of summaries (indicators in
-- sets) written, as 005 counted rows.
CREATE OR REPLACE FUNCTION hz_summaries_rebuild() RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  written bigint;
BEGIN
  LOCK TABLE data_values IN SHARE MODE;
  TRUNCATE leaf_summary_sets;
  INSERT INTO leaf_summary_sets (region_code, period_type, period_start, codes, n, total, low,
                                 high, latest, latest_start)
  SELECT k.r, k.pt, k.ps, array_agg(k.i), array_agg(k.n),
         array_agg(k.t), array_agg(k.l), array_agg(k.h),
         array_agg(k.x), array_agg(k.s)
  FROM (
    SELECT d.region_code AS r, t.pt, hz_period_floor(t.pt, d.period_start) AS ps,
           d.indicator_code COLLATE "C" AS i, count(*)::integer AS n, sum(d.value) AS t,
           min(d.value) AS l, max(d.value) AS h,
           (max(ARRAY[(d.period_start - DATE '2000-01-01')::numeric, d.value]))[2] AS x,
           max(d.period_start) AS s
    FROM data_values d JOIN hz_summary_types t ON t.pt < d.period_type
    GROUP BY 1, 2, 3, 4
  ) k
  GROUP BY k.r, k.pt, k.ps
  -- In key order: a rollup's townships then sit on a few pages.
  ORDER BY k.r, k.pt, k.ps;
  SELECT coalesce(sum(cardinality(s.codes)), 0) INTO written FROM leaf_summary_sets s;
  RETURN written;
END
$$;

-- Existing values (a database migrated with data in it).
SELECT hz_summaries_rebuild();
