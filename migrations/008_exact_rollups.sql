-- 008_exact_rollups: rollups hand the server exact parts, never a rounded
-- mean. hz_rollup_values (last defined in 005) rounded an AVERAGE to 6
-- places per township and again per region, and ratio indicators were then
-- divided from those rounded parts: a county mean of 1.833334 where the
-- exact 11/6 is 1.833333, a ratio of 599999.88 where it is 600000.00. Now
-- every row is (value, n): the sum of the townships' figures each divided
-- by n (their own number of values over time, 1 unless the indicator's
-- time aggregation is AVERAGE), and the server carries that fraction
-- exactly through region averages, ratios, growth and percentages,
-- rounding once when it writes the figure (service/domain/figures.h).
--
-- A township's own average is total / n with total its exact sum over the
-- window. Townships of one group are summed separately per n: a sum of
-- fractions with one denominator is exact in NUMERIC, and a group whose
-- townships all reported the same number of periods (nearly always) keeps
-- one row. The minimum or maximum of total / n over townships with the same
-- n is min(total) / n: also exact. Rows of one (grp, indicator, win) with
-- different n are combined by the server (hz_fig_fold), which is why each
-- row says how it is combined (ra, the indicator's region_aggregation).
--
-- Otherwise the statement is 005's, step for step: the same MATERIALIZED
-- steps and two branches per source, so the generic plan of the server's
-- prepared statement stays range scans and key lookups. The return type
-- changes, so the function is dropped and created again.
DROP FUNCTION hz_rollup_values(text, integer, integer, boolean, text[], smallint, date[], date[]);

CREATE FUNCTION hz_rollup_values(p_region text, p_group integer, p_level integer,
                                 p_total boolean, p_indicators text[],
                                 p_period_type smallint, p_starts date[], p_ends date[])
RETURNS TABLE (grp text, indicator text, win integer, ra smallint, n integer, value numeric,
               reporting integer)
LANGUAGE sql STABLE AS $$
  WITH gl AS MATERIALIZED (
    SELECT g.code AS grp, p.descendant AS leaf, count(*) OVER (PARTITION BY g.code) AS n
    FROM hz_rollup_groups(p_region, p_group, p_level, p_total) g
    JOIN region_paths p ON p.ancestor = g.code
    JOIN regions r ON r.code = p.descendant AND r.reporting
  ), need AS MATERIALIZED (
    SELECT i.code, i.period_type AS pt, i.time_aggregation AS ta, i.region_aggregation AS ra
    FROM indicators i
    WHERE i.period_type >= p_period_type AND i.ratio_numerator IS NULL AND (p_indicators IS NULL
      OR i.code = ANY (p_indicators) OR i.code IN (
        SELECT unnest(ARRAY[x.ratio_numerator, x.ratio_denominator])
        FROM indicators x WHERE x.code = ANY (p_indicators)))
  ), w AS MATERIALIZED (
    SELECT t.s, t.e, t.i::integer AS i FROM unnest(p_starts, p_ends) WITH ORDINALITY AS t(s, e, i)
    WHERE t.s < t.e
  ), sums AS MATERIALIZED (
    SELECT a.region_code, a.indicator_code, a.period_start, a.n, a.total, a.low, a.high, a.latest
    FROM leaf_summaries a
    WHERE p_indicators IS NULL
      AND a.region_code = ANY (ARRAY(SELECT DISTINCT leaf FROM gl))
      AND a.period_type = p_period_type AND a.period_start = ANY (ARRAY(SELECT DISTINCT s FROM w))
    UNION ALL
    SELECT a.region_code, a.indicator_code, a.period_start, a.n, a.total, a.low, a.high, a.latest
    FROM leaf_summaries a
    WHERE p_indicators IS NOT NULL
      AND a.region_code = ANY (ARRAY(SELECT DISTINCT leaf FROM gl))
      AND a.period_type = p_period_type AND a.period_start = ANY (ARRAY(SELECT DISTINCT s FROM w))
      AND a.indicator_code = ANY (ARRAY(SELECT code FROM need))
  ), own AS MATERIALIZED (
    SELECT d.region_code, d.indicator_code, d.period_start, d.value FROM data_values d
    WHERE p_indicators IS NULL AND d.period_type = p_period_type AND EXISTS (SELECT 1 FROM need WHERE pt = p_period_type)
      AND d.region_code = ANY (ARRAY(SELECT DISTINCT leaf FROM gl))
      AND d.period_start = ANY (ARRAY(SELECT DISTINCT s FROM w))
    UNION ALL
    SELECT d.region_code, d.indicator_code, d.period_start, d.value FROM data_values d
    WHERE p_indicators IS NOT NULL
      AND d.region_code = ANY (ARRAY(SELECT DISTINCT leaf FROM gl))
      AND d.indicator_code = ANY (ARRAY(SELECT code FROM need WHERE pt = p_period_type))
      AND d.period_start = ANY (ARRAY(SELECT DISTINCT s FROM w))
      AND d.period_type = p_period_type
  ), fine AS MATERIALIZED (
    -- Windows without summaries (half years, quarters) of finer indicators:
    -- their few rows per township, aggregated over time here. AVERAGE is
    -- left as its exact sum and count.
    SELECT w.i, d.region_code AS leaf, d.indicator_code AS ind, n.ra,
      CASE n.ta
        WHEN 1 THEN sum(d.value)
        WHEN 2 THEN (array_agg(d.value ORDER BY d.period_start DESC))[1]
        WHEN 3 THEN sum(d.value)
        WHEN 4 THEN min(d.value)
        ELSE max(d.value)
      END AS v,
      CASE n.ta WHEN 3 THEN count(*)::integer ELSE 1 END AS n
    FROM data_values d
    JOIN need n ON n.code = d.indicator_code AND n.pt > p_period_type
    JOIN w ON d.period_start >= w.s AND d.period_start < w.e
    WHERE NOT EXISTS (SELECT 1 FROM hz_summary_types x WHERE x.pt = p_period_type)
      AND d.region_code = ANY (ARRAY(SELECT DISTINCT leaf FROM gl))
      AND d.period_start >= (SELECT min(w.s) FROM w) AND d.period_start < (SELECT max(w.e) FROM w)
    GROUP BY w.i, d.region_code, d.indicator_code, n.ta, n.ra
  ), lv AS MATERIALIZED (
    -- Per township: v / n is its figure over the window, exactly.
    SELECT w.i, a.region_code AS leaf, a.indicator_code AS ind, n.ra,
      CASE n.ta WHEN 1 THEN a.total WHEN 2 THEN a.latest WHEN 3 THEN a.total
        WHEN 4 THEN a.low ELSE a.high END AS v,
      CASE n.ta WHEN 3 THEN a.n ELSE 1 END AS n
    FROM sums a JOIN need n ON n.code = a.indicator_code AND n.pt > p_period_type
    JOIN w ON w.s = a.period_start
    UNION ALL
    SELECT w.i, d.region_code, d.indicator_code, n.ra, d.value, 1
    FROM own d JOIN need n ON n.code = d.indicator_code AND n.pt = p_period_type
    JOIN w ON w.s = d.period_start
    UNION ALL
    SELECT f.i, f.leaf, f.ind, f.ra, f.v, f.n FROM fine f
  )
  SELECT lv.leaf, lv.ind, lv.i, lv.ra, lv.n, trim_scale(lv.v), 1
  FROM lv
  WHERE lv.leaf IN (SELECT gl.grp FROM gl WHERE gl.n = 1 AND gl.grp = gl.leaf)
  UNION ALL
  SELECT gl.grp, lv.ind, lv.i, lv.ra, lv.n,
    trim_scale(CASE lv.ra
      WHEN 1 THEN sum(lv.v) FILTER (WHERE lv.ra = 1)
      WHEN 2 THEN sum(lv.v) FILTER (WHERE lv.ra = 2)
      WHEN 3 THEN min(lv.v) FILTER (WHERE lv.ra = 3)
      WHEN 4 THEN max(lv.v) FILTER (WHERE lv.ra = 4)
      -- NONE: meaningful only for a reporting region itself.
      ELSE CASE WHEN bool_and(gl.grp = gl.leaf) THEN min(lv.v) END
    END),
    count(*)::integer
  FROM gl JOIN lv ON lv.leaf = gl.leaf
  WHERE NOT (gl.n = 1 AND gl.grp = gl.leaf)
  GROUP BY gl.grp, lv.ind, lv.i, lv.ra, lv.n
$$;
