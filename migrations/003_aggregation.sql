-- 003_aggregation: the two halves of every rollup. hz_rollup_groups names
-- the regions a query reports rows for; hz_rollup_values aggregates the
-- leaves under each over time (per indicator's time_aggregation) and then
-- over regions (region_aggregation), for any number of time windows.

-- Rows of a rollup: the region itself (group 1), its children (2), or its
-- descendants at one level (3); p_total adds the region itself first.
-- (Redefined by 019_nation.sql, the current definition: also the country.)
CREATE FUNCTION hz_rollup_groups(p_region text, p_group integer, p_level integer,
                                 p_total boolean)
RETURNS TABLE (code text, name text, level smallint, expected integer, is_total boolean)
LANGUAGE sql STABLE AS $$
  WITH g AS (
    SELECT r.code, true AS is_total FROM regions r
     WHERE r.code = p_region AND (p_group = 1 OR p_total)
    UNION ALL
    SELECT r.code, false FROM regions r WHERE p_group = 2 AND r.parent_code = p_region
    UNION ALL
    SELECT p.descendant, false FROM region_paths p JOIN regions r ON r.code = p.descendant
     WHERE p_group = 3 AND p.ancestor = p_region AND p.depth > 0 AND r.level = p_level
  )
  SELECT g.code, r.name, r.level,
         (SELECT count(*)::integer FROM region_paths p JOIN regions x ON x.code = p.descendant
           WHERE p.ancestor = g.code AND x.reporting),
         g.is_total
  FROM g JOIN regions r ON r.code = g.code
  ORDER BY g.is_total DESC, g.code
$$;

-- Aggregated values per (group, indicator, window). Redefined by 005 and
-- then by 008_exact_rollups.sql (the current definition: exact parts).
-- Window i covers
-- [p_starts[i], p_ends[i]). Ratio indicators contribute their numerator and
-- denominator, which the server divides after aggregation (a ratio of
-- sums). Indicators coarser than p_period_type are left out.
CREATE FUNCTION hz_rollup_values(p_region text, p_group integer, p_level integer,
                                 p_total boolean, p_indicators text[],
                                 p_period_type smallint, p_starts date[], p_ends date[])
RETURNS TABLE (grp text, indicator text, win integer, value numeric, reporting integer)
LANGUAGE sql STABLE
-- JIT compilation costs more than it saves on these short queries.
SET jit = off
AS $$
  WITH gl AS (
    SELECT g.code AS grp, p.descendant AS leaf
    FROM hz_rollup_groups(p_region, p_group, p_level, p_total) g
    JOIN region_paths p ON p.ancestor = g.code
    JOIN regions r ON r.code = p.descendant AND r.reporting
  ), req AS (
    SELECT i.code, i.ratio_numerator, i.ratio_denominator FROM indicators i
    WHERE (p_indicators IS NULL OR i.code = ANY (p_indicators)) AND i.period_type >= p_period_type
  ), need AS (
    SELECT code FROM req WHERE ratio_numerator IS NULL
    UNION SELECT ratio_numerator FROM req WHERE ratio_numerator IS NOT NULL
    UNION SELECT ratio_denominator FROM req WHERE ratio_denominator IS NOT NULL
  ), w AS (
    SELECT t.s, t.e, t.i::integer AS i FROM unnest(p_starts, p_ends) WITH ORDINALITY AS t(s, e, i)
  ), lv AS (
    SELECT w.i, d.region_code AS leaf, d.indicator_code AS ind,
      CASE ind.time_aggregation
        WHEN 1 THEN sum(d.value)
        WHEN 2 THEN (array_agg(d.value ORDER BY d.period_start DESC))[1]
        WHEN 3 THEN round(avg(d.value), 6)
        WHEN 4 THEN min(d.value)
        ELSE max(d.value)
      END AS v
    FROM w
    JOIN data_values d ON d.period_start >= w.s AND d.period_start < w.e
    JOIN indicators ind ON ind.code = d.indicator_code AND ind.period_type >= p_period_type
    WHERE d.region_code IN (SELECT leaf FROM gl) AND d.indicator_code IN (SELECT code FROM need)
    GROUP BY w.i, d.region_code, d.indicator_code, ind.time_aggregation
  )
  SELECT gl.grp, lv.ind, lv.i,
    trim_scale(CASE ind.region_aggregation
      WHEN 1 THEN sum(lv.v)
      WHEN 2 THEN round(avg(lv.v), 6)
      WHEN 3 THEN min(lv.v)
      WHEN 4 THEN max(lv.v)
      -- NONE: meaningful only for a reporting region itself.
      ELSE CASE WHEN bool_and(gl.grp = gl.leaf) THEN min(lv.v) END
    END),
    count(*)::integer
  FROM gl JOIN lv ON lv.leaf = gl.leaf JOIN indicators ind ON ind.code = lv.ind
  GROUP BY gl.grp, lv.ind, lv.i, ind.region_aggregation
$$;
