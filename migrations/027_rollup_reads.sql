-- 027_rollup_reads: two steps fewer in a computed rollup (issue 15; measured
-- in tests/bench/README.md, "Summaries as one row per township and year").
--
-- * hz_rollup_values (current definition here; 024 before) reads the
--   township summaries in ls, the step that turns them into figures,
--   instead of first copying every summary row whole (ten columns, four of
--   them numerics ls picks one of) into a MATERIALIZED CTE of their own.
--   That CTE kept 024's generic plan to key lookups on leaf_summaries;
--   since 025 the summaries are one set row per township and year, read
--   by key whatever the join around them, and the copy was a seventh of
--   the function's time: pgbench -M prepared, province 42 by county on the
--   national tree 99.4-99.9 -> 84.4-84.6 ms, the rollup benchmark's county
--   13.0-13.6 -> 10.0-10.1 ms and province 1.10 -> 0.84-0.90 s.
-- * regions_level: a rollup by level (a province by county) found its
--   groups by scanning every region for the level and hashing them, 4 ms
--   of hz_rollup_groups' 8 on the national tree; by this index, 4 ms in
--   all (it runs for AGG_GROUPS and again inside hz_rollup_values).

CREATE INDEX regions_level ON regions (level, code);

CREATE OR REPLACE FUNCTION hz_rollup_values(p_region text, p_group integer, p_level integer,
                                 p_total boolean, p_indicators text[],
                                 p_period_type smallint, p_starts date[], p_ends date[],
                                 p_bases integer[])
RETURNS TABLE (grp text, indicator text, win integer, ra smallint, n integer, value numeric,
               reporting integer, covered integer)
LANGUAGE plpgsql STABLE
-- Why: one plan per connection, built on the first call and kept (see above).
SET plan_cache_mode = force_generic_plan
-- Why: a generic plan's estimates may pass jit_above_cost on a province;
-- compiling costs more than the milliseconds the answer takes (as in 013).
SET jit = off
AS $$
#variable_conflict use_column
BEGIN
  -- use_column: the query names its columns; the result columns (grp, n,
  -- value...) are only ever assigned by RETURN QUERY.
  RETURN QUERY
  WITH gl AS MATERIALIZED (
    -- 024: the groups' paths by index, from an InitPlan's array like every
    -- other row source here (a join with the groups was kept as a merge
    -- join over all of region_paths and a hash of all of regions). 027:
    -- groups at a level found by regions_level.
    SELECT p.ancestor AS grp, p.descendant AS leaf
    FROM region_paths p
    JOIN regions r ON r.code = p.descendant AND r.reporting
    WHERE p.ancestor = ANY (ARRAY(
      SELECT g.code FROM hz_rollup_groups(p_region, p_group, p_level, p_total) g))
    UNION ALL
    -- 019: the country's total row ('') has every reporting region under
    -- it; region_paths has no row for the country.
    SELECT '', r.code FROM regions r
    WHERE r.reporting AND coalesce(p_region, '') = '' AND (p_group = 1 OR p_total)
  ), need AS MATERIALIZED (
    SELECT i.code, i.period_type AS pt, i.time_aggregation AS ta, i.region_aggregation AS ra
    FROM indicators i
    WHERE i.period_type >= p_period_type AND i.ratio_numerator IS NULL AND (p_indicators IS NULL
      OR i.code = ANY (p_indicators) OR i.code IN (
        SELECT unnest(ARRAY[x.ratio_numerator, x.ratio_denominator])
        FROM indicators x WHERE x.code = ANY (p_indicators)))
  ), w AS MATERIALIZED (
    -- pt: the type of which [s, e) is exactly one period (NULL: none, e.g. 1–9月).
    SELECT t.s, t.e, t.i::integer AS i, coalesce(t.b, 0) AS b,
      (SELECT x.pt FROM (VALUES (1::smallint), (2::smallint), (3::smallint), (4::smallint)) x(pt)
       WHERE hz_period_floor(x.pt, t.s) = t.s AND hz_period_end(x.pt, t.s) = t.e) AS pt
    FROM unnest(p_starts, p_ends, p_bases) WITH ORDINALITY AS t(s, e, b, i)
    WHERE t.s < t.e
  ), wt AS MATERIALIZED (
    -- How many sub-periods each window has at each indicator type read.
    SELECT w.i, w.s, w.e, w.pt AS wpt, t.pt, hz_sub_index(t.pt, w.s, w.e) AS tot
    FROM w CROSS JOIN (SELECT DISTINCT need.pt FROM need) t
  ), sw AS MATERIALIZED (
    SELECT w.i, w.s, w.e, w.pt FROM w JOIN hz_summary_types x ON x.pt = w.pt
  ), fw AS MATERIALIZED (
    -- Windows read as ranges, per indicator type: neither one period of
    -- that type nor a summarised period above it.
    SELECT wt.i, wt.s, wt.e, wt.pt, wt.tot FROM wt
    WHERE wt.pt IS DISTINCT FROM wt.wpt
      AND NOT (wt.pt > coalesce(wt.wpt, 99) AND EXISTS (SELECT 1 FROM sw WHERE sw.i = wt.i))
  ), own AS MATERIALIZED (
    SELECT d.region_code, d.indicator_code, d.period_type, d.period_start, d.value
    FROM data_values d
    WHERE p_indicators IS NULL AND EXISTS (SELECT 1 FROM need JOIN w ON w.pt = need.pt)
      AND d.region_code = ANY (ARRAY(SELECT DISTINCT leaf FROM gl))
      AND d.period_start = ANY (ARRAY(SELECT DISTINCT w.s FROM w WHERE w.pt IS NOT NULL))
      AND d.period_type = ANY (ARRAY(SELECT DISTINCT w.pt FROM w WHERE w.pt IS NOT NULL))
    UNION ALL
    SELECT d.region_code, d.indicator_code, d.period_type, d.period_start, d.value
    FROM data_values d
    WHERE p_indicators IS NOT NULL
      AND d.region_code = ANY (ARRAY(SELECT DISTINCT leaf FROM gl))
      AND d.indicator_code = ANY (ARRAY(SELECT need.code FROM need JOIN w ON w.pt = need.pt))
      AND d.period_start = ANY (ARRAY(SELECT DISTINCT w.s FROM w WHERE w.pt IS NOT NULL))
  ), fine AS MATERIALIZED (
    -- Range windows: each township's rows, aggregated over time here.
    -- AVERAGE is left as its exact sum and count.
    SELECT f.i, d.region_code AS leaf, d.indicator_code AS ind, n.ra,
      CASE n.ta
        WHEN 1 THEN sum(d.value) FILTER (WHERE n.ta = 1)
        WHEN 2 THEN (max(ARRAY[(d.period_start - DATE '2000-01-01')::numeric, d.value])
                     FILTER (WHERE n.ta = 2))[2]
        WHEN 3 THEN sum(d.value) FILTER (WHERE n.ta = 3)
        WHEN 4 THEN min(d.value) FILTER (WHERE n.ta = 4)
        ELSE max(d.value) FILTER (WHERE n.ta NOT IN (1, 2, 3, 4))
      END AS v,
      CASE n.ta WHEN 3 THEN count(*)::integer ELSE 1 END AS n,
      bit_or(1 << hz_sub_index(n.pt, f.s, d.period_start)) AS m, f.tot
    FROM data_values d
    JOIN need n ON n.code = d.indicator_code
    JOIN fw f ON f.pt = n.pt AND d.period_start >= f.s AND d.period_start < f.e
    WHERE EXISTS (SELECT 1 FROM fw)
      AND d.region_code = ANY (ARRAY(SELECT DISTINCT leaf FROM gl))
      AND d.period_start >= (SELECT min(fw.s) FROM fw) AND d.period_start < (SELECT max(fw.e) FROM fw)
    GROUP BY f.i, d.region_code, d.indicator_code, n.ta, n.ra, f.tot
  ), ls AS MATERIALIZED (
    -- Per township from its summary: v / n is its figure, exactly; m its
    -- sub-periods: all of them (f) when it counts them all, the first n
    -- when the latest is the n-th, else NULL (gap: read below). 027: the
    -- summaries are read here, from their sets, not stored first in a CTE
    -- of their own.
    SELECT w.i, w.s, w.e, n.pt, a.region_code AS leaf, a.indicator_code AS ind, n.ra,
      CASE n.ta WHEN 1 THEN a.total WHEN 2 THEN a.latest WHEN 3 THEN a.total
        WHEN 4 THEN a.low ELSE a.high END AS v,
      CASE n.ta WHEN 3 THEN a.n ELSE 1 END AS n,
      CASE WHEN a.n = w.tot THEN (1 << a.n) - 1
           WHEN a.n = hz_sub_index(n.pt, w.s, a.latest_start) + 1 THEN (1 << a.n) - 1 END AS m,
      a.n = w.tot AS f
    FROM leaf_summaries a JOIN need n ON n.code = a.indicator_code AND n.pt > a.period_type
    JOIN wt w ON w.s = a.period_start AND w.wpt = a.period_type AND w.pt = n.pt
    WHERE a.region_code = ANY (ARRAY(SELECT DISTINCT leaf FROM gl))
      AND a.period_type = ANY (ARRAY(SELECT DISTINCT sw.pt FROM sw))
      AND a.period_start = ANY (ARRAY(SELECT DISTINCT sw.s FROM sw))
  ), gap AS MATERIALIZED (
    SELECT l.i, l.leaf, l.ind, bit_or(1 << hz_sub_index(l.pt, l.s, d.period_start)) AS m
    FROM ls l JOIN data_values d ON d.region_code = l.leaf AND d.indicator_code = l.ind
      AND d.period_start >= l.s AND d.period_start < l.e
    WHERE l.m IS NULL
    GROUP BY l.i, l.leaf, l.ind
  ), lv AS MATERIALIZED (
    -- f: the township covers every sub-period of the window.
    SELECT l.i, l.leaf, l.ind, l.ra, l.v, l.n, coalesce(l.m, g.m) AS m, l.f
    FROM ls l LEFT JOIN gap g ON l.m IS NULL AND g.i = l.i AND g.leaf = l.leaf AND g.ind = l.ind
    UNION ALL
    SELECT w.i, d.region_code, d.indicator_code, n.ra, d.value, 1, 1, true
    FROM own d JOIN need n ON n.code = d.indicator_code AND n.pt = d.period_type
    JOIN w ON w.s = d.period_start AND w.pt = n.pt
    UNION ALL
    SELECT f.i, f.leaf, f.ind, f.ra, f.v, f.n, f.m, f.m = (1 << f.tot) - 1 FROM fine f
  ), gm AS MATERIALIZED (
    -- Coverage per group of the windows another one is restricted to;
    -- none to compute when every township covers them whole (a group is
    -- complete when one of its townships is).
    SELECT gl.grp, lv.ind, lv.i AS j, bit_or(lv.m) AS m
    FROM gl JOIN lv ON lv.leaf = gl.leaf
    WHERE lv.i IN (SELECT w.b FROM w WHERE w.b > 0)
      AND EXISTS (SELECT 1 FROM lv x WHERE NOT x.f AND x.i IN (SELECT w.b FROM w WHERE w.b > 0))
    GROUP BY gl.grp, lv.ind, lv.i
  ), part AS MATERIALIZED (
    -- Partial ones: their base window is read over the covered sub-periods only.
    SELECT gm.grp, gm.ind, w.i, w.s, w.e, n.pt, n.ta, n.ra, gm.m
    FROM gm JOIN need n ON n.code = gm.ind JOIN wt ON wt.i = gm.j AND wt.pt = n.pt
    JOIN w ON w.b = gm.j
    WHERE gm.m <> (1 << wt.tot) - 1
  ), rv AS MATERIALIZED (
    SELECT p.grp, p.i, d.region_code AS leaf, p.ind, p.ra,
      CASE p.ta
        WHEN 1 THEN sum(d.value) FILTER (WHERE p.ta = 1)
        WHEN 2 THEN (max(ARRAY[(d.period_start - DATE '2000-01-01')::numeric, d.value])
                     FILTER (WHERE p.ta = 2))[2]
        WHEN 3 THEN sum(d.value) FILTER (WHERE p.ta = 3)
        WHEN 4 THEN min(d.value) FILTER (WHERE p.ta = 4)
        ELSE max(d.value) FILTER (WHERE p.ta NOT IN (1, 2, 3, 4))
      END AS v,
      CASE p.ta WHEN 3 THEN count(*)::integer ELSE 1 END AS n,
      bit_or(1 << hz_sub_index(p.pt, p.s, d.period_start)) AS m
    FROM part p JOIN gl ON gl.grp = p.grp
    JOIN data_values d ON d.region_code = gl.leaf AND d.indicator_code = p.ind
      AND d.period_start >= p.s AND d.period_start < p.e
    WHERE p.m & (1 << hz_sub_index(p.pt, p.s, d.period_start)) <> 0
    GROUP BY p.grp, p.i, d.region_code, p.ind, p.ta, p.ra
  )
  SELECT gl.grp, lv.ind, lv.i, lv.ra, lv.n,
    trim_scale(CASE lv.ra
      WHEN 1 THEN sum(lv.v) FILTER (WHERE lv.ra = 1)
      WHEN 2 THEN sum(lv.v) FILTER (WHERE lv.ra = 2)
      WHEN 3 THEN min(lv.v) FILTER (WHERE lv.ra = 3)
      WHEN 4 THEN max(lv.v) FILTER (WHERE lv.ra = 4)
      -- NONE: meaningful only for a reporting region itself.
      ELSE CASE WHEN bool_and(gl.grp = gl.leaf) THEN min(lv.v) END
    END),
    count(*)::integer, bit_or(lv.m)
  FROM gl JOIN lv ON lv.leaf = gl.leaf
  WHERE NOT EXISTS (SELECT 1 FROM part p WHERE p.grp = gl.grp AND p.ind = lv.ind AND p.i = lv.i)
  GROUP BY gl.grp, lv.ind, lv.i, lv.ra, lv.n
  UNION ALL
  SELECT r.grp, r.ind, r.i, r.ra, r.n,
    trim_scale(CASE r.ra
      WHEN 1 THEN sum(r.v) WHEN 2 THEN sum(r.v) WHEN 3 THEN min(r.v) WHEN 4 THEN max(r.v)
      ELSE CASE WHEN bool_and(r.grp = r.leaf) THEN min(r.v) END
    END),
    count(*)::integer, bit_or(r.m)
  FROM rv r
  GROUP BY r.grp, r.ind, r.i, r.ra, r.n;
END
$$;
