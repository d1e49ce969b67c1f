-- Candidate rewrites of hz_rollup_values (migrations/003_aggregation.sql),
-- measured by `HZ_BENCH_CANDIDATES=1 tests/bench/rollup_bench.sh` next to
-- the current function on the same data. Prototypes for the lead, NOT a
-- migration: they live in schema hzx of the benchmark's throw-away cluster,
-- have the same signature and must return exactly the same rows (the
-- benchmark checks that with EXCEPT ALL before timing them).
--
--   hzx.rollup_raw_cover        raw values; one index-only range scan for all
--                               leaves and the union of the windows (new
--                               covering index), each distinct window
--                               aggregated once, each group computing only
--                               its own time aggregate (FILTER)
--   hzx.rollup_leaf_year        reads a per-township summary of whole years
--                               (hzx.leaf_period) instead of the monthly rows
--   hzx.rollup_leaf_year_direct as rollup_leaf_year, and groups that are a
--                               single reporting leaf (a county's townships)
--                               skip the region aggregation
--
-- hzx.leaf_period is built here from data_values for year periods only; in
-- production hz_submit would maintain it (and half-year / quarter rows) in
-- the submission's transaction: per township, indicator and coarser period,
-- sum, count, min, max and the latest value. Month windows, for which no
-- summary exists, are not handled by the two leaf_year prototypes.

\set ON_ERROR_STOP 1
SET client_min_messages = warning;
DROP SCHEMA IF EXISTS hzx CASCADE;
CREATE SCHEMA hzx;
SET maintenance_work_mem = '512MB';
SET work_mem = '256MB';

DROP INDEX IF EXISTS hzx_data_values_cover;
CREATE INDEX hzx_data_values_cover ON data_values (region_code, period_start)
  INCLUDE (indicator_code, value);

CREATE TABLE hzx.leaf_period AS
SELECT d.region_code, d.indicator_code, 1::smallint AS period_type,
       make_date(extract(year FROM d.period_start)::integer, 1, 1) AS period_start,
       sum(d.value) AS v_sum, count(*)::integer AS v_count, min(d.value) AS v_min,
       max(d.value) AS v_max, (array_agg(d.value ORDER BY d.period_start DESC))[1] AS v_last
FROM data_values d GROUP BY 1, 2, 4;
ALTER TABLE hzx.leaf_period ADD PRIMARY KEY (region_code, period_type, period_start, indicator_code);
-- Index-only scans need the visibility map.
VACUUM ANALYZE data_values;
VACUUM ANALYZE hzx.leaf_period;

CREATE FUNCTION hzx.rollup_raw_cover(p_region text, p_group integer, p_level integer,
                                     p_total boolean, p_indicators text[],
                                     p_period_type smallint, p_starts date[], p_ends date[])
RETURNS TABLE (grp text, indicator text, win integer, value numeric, reporting integer)
LANGUAGE sql STABLE AS $$
  WITH gl AS MATERIALIZED (
    SELECT g.code AS grp, p.descendant AS leaf
    FROM hz_rollup_groups(p_region, p_group, p_level, p_total) g
    JOIN region_paths p ON p.ancestor = g.code
    JOIN regions r ON r.code = p.descendant AND r.reporting
  ), need AS MATERIALIZED (
    SELECT i.code, i.time_aggregation AS ta, i.region_aggregation AS ra FROM indicators i
    WHERE i.period_type >= p_period_type AND i.ratio_numerator IS NULL AND (p_indicators IS NULL
      OR i.code = ANY (p_indicators) OR i.code IN (
        SELECT unnest(ARRAY[x.ratio_numerator, x.ratio_denominator])
        FROM indicators x WHERE x.code = ANY (p_indicators)))
  ), w AS MATERIALIZED (
    SELECT t.s, t.e, t.i::integer AS i FROM unnest(p_starts, p_ends) WITH ORDINALITY AS t(s, e, i)
  ), dw AS MATERIALIZED (
    SELECT DISTINCT s, e FROM w
  ), raw AS MATERIALIZED (
    -- Scalars the planner can put in the index condition.
    SELECT d.region_code, d.indicator_code, d.period_start, d.value FROM data_values d
    WHERE d.region_code = ANY (ARRAY(SELECT DISTINCT leaf FROM gl))
      AND d.period_start >= (SELECT min(s) FROM unnest(p_starts) s)
      AND d.period_start < (SELECT max(e) FROM unnest(p_ends) e)
  ), lv0 AS (
    SELECT dw.s, dw.e, d.region_code AS leaf, d.indicator_code AS ind, n.ra,
      CASE n.ta
        WHEN 1 THEN sum(d.value) FILTER (WHERE n.ta = 1)
        WHEN 2 THEN (array_agg(d.value ORDER BY d.period_start DESC) FILTER (WHERE n.ta = 2))[1]
        WHEN 3 THEN round(avg(d.value) FILTER (WHERE n.ta = 3), 6)
        WHEN 4 THEN min(d.value) FILTER (WHERE n.ta = 4)
        ELSE max(d.value) FILTER (WHERE n.ta = 5)
      END AS v
    FROM raw d JOIN dw ON d.period_start >= dw.s AND d.period_start < dw.e
    JOIN need n ON n.code = d.indicator_code
    GROUP BY dw.s, dw.e, d.region_code, d.indicator_code, n.ta, n.ra
  ), lv AS (
    SELECT w.i, lv0.leaf, lv0.ind, lv0.ra, lv0.v FROM lv0 JOIN w ON w.s = lv0.s AND w.e = lv0.e
  )
  SELECT gl.grp, lv.ind, lv.i,
    trim_scale(CASE lv.ra
      WHEN 1 THEN sum(lv.v) FILTER (WHERE lv.ra = 1)
      WHEN 2 THEN round(avg(lv.v) FILTER (WHERE lv.ra = 2), 6)
      WHEN 3 THEN min(lv.v) FILTER (WHERE lv.ra = 3)
      WHEN 4 THEN max(lv.v) FILTER (WHERE lv.ra = 4)
      ELSE CASE WHEN bool_and(gl.grp = gl.leaf) THEN min(lv.v) END
    END),
    count(*)::integer
  FROM gl JOIN lv ON lv.leaf = gl.leaf
  GROUP BY gl.grp, lv.ind, lv.i, lv.ra
$$;

CREATE FUNCTION hzx.rollup_leaf_year(p_region text, p_group integer, p_level integer,
                                     p_total boolean, p_indicators text[],
                                     p_period_type smallint, p_starts date[], p_ends date[])
RETURNS TABLE (grp text, indicator text, win integer, value numeric, reporting integer)
LANGUAGE sql STABLE AS $$
  WITH gl AS MATERIALIZED (
    SELECT g.code AS grp, p.descendant AS leaf
    FROM hz_rollup_groups(p_region, p_group, p_level, p_total) g
    JOIN region_paths p ON p.ancestor = g.code
    JOIN regions r ON r.code = p.descendant AND r.reporting
  ), need AS MATERIALIZED (
    SELECT i.code, i.time_aggregation AS ta, i.region_aggregation AS ra FROM indicators i
    WHERE i.period_type >= p_period_type AND i.ratio_numerator IS NULL AND (p_indicators IS NULL
      OR i.code = ANY (p_indicators) OR i.code IN (
        SELECT unnest(ARRAY[x.ratio_numerator, x.ratio_denominator])
        FROM indicators x WHERE x.code = ANY (p_indicators)))
  ), w AS MATERIALIZED (
    SELECT t.s, t.i::integer AS i FROM unnest(p_starts, p_ends) WITH ORDINALITY AS t(s, e, i)
  ), lv AS (
    SELECT w.i, l.leaf, a.indicator_code AS ind, n.ra,
      CASE n.ta WHEN 1 THEN a.v_sum WHEN 2 THEN a.v_last
        WHEN 3 THEN round(a.v_sum / a.v_count, 6) WHEN 4 THEN a.v_min ELSE a.v_max END AS v
    FROM (SELECT DISTINCT leaf FROM gl) l CROSS JOIN w
    JOIN hzx.leaf_period a ON a.region_code = l.leaf AND a.period_type = p_period_type
                          AND a.period_start = w.s
    JOIN need n ON n.code = a.indicator_code
  )
  SELECT gl.grp, lv.ind, lv.i,
    trim_scale(CASE lv.ra
      WHEN 1 THEN sum(lv.v) FILTER (WHERE lv.ra = 1)
      WHEN 2 THEN round(avg(lv.v) FILTER (WHERE lv.ra = 2), 6)
      WHEN 3 THEN min(lv.v) FILTER (WHERE lv.ra = 3)
      WHEN 4 THEN max(lv.v) FILTER (WHERE lv.ra = 4)
      ELSE CASE WHEN bool_and(gl.grp = gl.leaf) THEN min(lv.v) END
    END),
    count(*)::integer
  FROM gl JOIN lv ON lv.leaf = gl.leaf
  GROUP BY gl.grp, lv.ind, lv.i, lv.ra
$$;

CREATE FUNCTION hzx.rollup_leaf_year_direct(p_region text, p_group integer, p_level integer,
                                            p_total boolean, p_indicators text[],
                                            p_period_type smallint, p_starts date[], p_ends date[])
RETURNS TABLE (grp text, indicator text, win integer, value numeric, reporting integer)
LANGUAGE sql STABLE AS $$
  WITH gl AS MATERIALIZED (
    SELECT g.code AS grp, p.descendant AS leaf, count(*) OVER (PARTITION BY g.code) AS n
    FROM hz_rollup_groups(p_region, p_group, p_level, p_total) g
    JOIN region_paths p ON p.ancestor = g.code
    JOIN regions r ON r.code = p.descendant AND r.reporting
  ), need AS MATERIALIZED (
    SELECT i.code, i.time_aggregation AS ta, i.region_aggregation AS ra FROM indicators i
    WHERE i.period_type >= p_period_type AND i.ratio_numerator IS NULL AND (p_indicators IS NULL
      OR i.code = ANY (p_indicators) OR i.code IN (
        SELECT unnest(ARRAY[x.ratio_numerator, x.ratio_denominator])
        FROM indicators x WHERE x.code = ANY (p_indicators)))
  ), w AS MATERIALIZED (
    SELECT t.s, t.i::integer AS i FROM unnest(p_starts, p_ends) WITH ORDINALITY AS t(s, e, i)
  ), lv AS MATERIALIZED (
    SELECT w.s, l.leaf, a.indicator_code AS ind, n.ra,
      CASE n.ta WHEN 1 THEN a.v_sum WHEN 2 THEN a.v_last
        WHEN 3 THEN round(a.v_sum / a.v_count, 6) WHEN 4 THEN a.v_min ELSE a.v_max END AS v
    FROM (SELECT DISTINCT leaf FROM gl) l CROSS JOIN (SELECT DISTINCT s FROM w) w
    JOIN hzx.leaf_period a ON a.region_code = l.leaf AND a.period_type = p_period_type
                          AND a.period_start = w.s
                          -- also as a scalar array, usable in the index condition
                          AND a.period_start = ANY (p_starts)
    JOIN need n ON n.code = a.indicator_code
  )
  -- A group that is one reporting leaf: its value is the leaf's. (A semi
  -- join, so the planner's one-row estimate of the filter on gl cannot
  -- turn into a rescan of lv per group.)
  SELECT lv.leaf, lv.ind, w.i, trim_scale(lv.v), 1
  FROM lv JOIN w ON w.s = lv.s
  WHERE lv.leaf IN (SELECT gl.grp FROM gl WHERE gl.n = 1 AND gl.grp = gl.leaf)
  UNION ALL
  SELECT gl.grp, lv.ind, w.i,
    trim_scale(CASE lv.ra
      WHEN 1 THEN sum(lv.v) FILTER (WHERE lv.ra = 1)
      WHEN 2 THEN round(avg(lv.v) FILTER (WHERE lv.ra = 2), 6)
      WHEN 3 THEN min(lv.v) FILTER (WHERE lv.ra = 3)
      WHEN 4 THEN max(lv.v) FILTER (WHERE lv.ra = 4)
      ELSE CASE WHEN bool_and(gl.grp = gl.leaf) THEN min(lv.v) END
    END),
    count(*)::integer
  FROM gl JOIN lv ON lv.leaf = gl.leaf JOIN w ON w.s = lv.s
  WHERE NOT (gl.n = 1 AND gl.grp = gl.leaf)
  GROUP BY gl.grp, lv.ind, w.i, lv.ra
$$;
