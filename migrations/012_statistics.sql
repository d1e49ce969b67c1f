-- 012_statistics: figures the way a statistician reads them (issue 11,
-- STATISTICS.md): how an indicator's changes are stated (百分点 for rates),
-- year-to-date windows (1–N月累计), which sub-periods a window covers, and
-- a year-earlier base restricted to the same sub-periods (同口径).

-- ------------------------------------------------------------ change basis

-- How an indicator's changes are stated: the numbers of huizong.v1.ChangeBasis
-- (1 growth in %, 2 percentage points). Rates, shares and ratios compare by
-- difference: 31.44% against 7.86% is +23.58个百分点, never +300%.
ALTER TABLE indicators ADD COLUMN change_basis smallint NOT NULL DEFAULT 1
  CHECK (change_basis BETWEEN 1 AND 2);

-- The one definition of the default: POINTS for a computed ratio or a unit
-- of percent (half- or full-width), GROWTH for every other figure. Import
-- applies it to a row that leaves the basis unspecified (0 or NULL).
CREATE FUNCTION hz_change_basis_of(p_is_ratio boolean, p_unit text) RETURNS smallint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN p_is_ratio OR btrim(p_unit) IN ('%', '％') THEN 2 ELSE 1 END::smallint
$$;

-- Its name in audit details.
CREATE FUNCTION hz_change_basis_name(p_basis smallint) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE p_basis WHEN 1 THEN 'growth' WHEN 2 THEN 'points' ELSE 'unspecified' END
$$;

UPDATE indicators SET change_basis = hz_change_basis_of(ratio_numerator IS NOT NULL, unit);

-- The rows of an indicator import in batch order, the change basis resolved
-- (hz_change_basis_of where the row leaves it unspecified).
CREATE FUNCTION hz_indicator_rows(
  p_codes text[], p_names text[], p_units text[], p_period_types smallint[],
  p_time_aggs smallint[], p_region_aggs smallint[], p_mins text[], p_maxs text[],
  p_nums text[], p_dens text[], p_factors text[], p_scales smallint[], p_descriptions text[],
  p_change_bases smallint[])
RETURNS TABLE (c text, n text, u text, pt smallint, ta smallint, ra smallint, mn text, mx text,
               num text, den text, f text, sc smallint, ds text, cb smallint, ord bigint)
LANGUAGE sql IMMUTABLE AS $$
  SELECT t.c, t.n, t.u, t.pt, t.ta, t.ra, t.mn, t.mx, t.num, t.den, t.f, t.sc, t.ds,
         CASE WHEN coalesce(t.cb, 0) = 0 THEN hz_change_basis_of(t.num IS NOT NULL, t.u)
              ELSE t.cb END,
         t.ord
  FROM unnest(p_codes, p_names, p_units, p_period_types, p_time_aggs, p_region_aggs,
              p_mins, p_maxs, p_nums, p_dens, p_factors, p_scales, p_descriptions,
              p_change_bases)
       WITH ORDINALITY AS t(c, n, u, pt, ta, ra, mn, mx, num, den, f, sc, ds, cb, ord)
$$;

-- hz_import_indicators (first defined in 002) as before, with the change
-- basis: compared, audited ("change_basis growth -> points") and stored.
-- The signature changes, so the function is dropped and created again.
DROP FUNCTION hz_import_indicators(integer[], text[], text[], text[], smallint[], smallint[],
  smallint[], text[], text[], text[], text[], text[], smallint[], text[], boolean, bigint, text);


-- Creates or updates indicators. Ratio parts may be stored or in the batch
-- and must be submitted indicators reported at least as often as the
-- ratio. A change that contradicts stored data (frequency or ratio with
-- values stored, targets finer than a new frequency) is a CONFLICT.
-- p_nums/p_dens: NULL for no ratio (or a refused code); p_mins, p_maxs,
-- p_factors: normalised decimals or NULL for none; p_change_bases: 0 derives
-- the basis (hz_change_basis_of).
CREATE FUNCTION hz_import_indicators(
  p_lines integer[], p_codes text[], p_names text[], p_units text[], p_period_types smallint[],
  p_time_aggs smallint[], p_region_aggs smallint[], p_mins text[], p_maxs text[],
  p_nums text[], p_dens text[], p_factors text[], p_scales smallint[], p_descriptions text[],
  p_change_bases smallint[], p_validate_only boolean, p_token_id bigint, p_actor text)
RETURNS TABLE (kind smallint, idx integer, field text, reason text,
               created integer, updated integer, unchanged integer)
LANGUAGE plpgsql
-- Plans for the batch's size: a cached generic plan assumes a handful of
-- rows per unnest and picks nested loops that are quadratic on big imports.
SET plan_cache_mode = force_custom_plan
AS $$
#variable_conflict use_column
DECLARE
  n_problems integer := 0;
  n_new integer := 0;
  n_changed integer := 0;
  n_same integer := 0;
  now_ts timestamptz;
BEGIN
  -- Concurrent imports could each make the other's ratio parts ratios.
  PERFORM pg_advisory_xact_lock(hashtextextended('huizong.indicators', 0));

  RETURN QUERY
  WITH input AS (
    SELECT t.c, t.pt, t.num, t.den, (t.ord - 1)::integer AS i,
           row_number() OVER (PARTITION BY t.c ORDER BY t.ord) AS nth,
           first_value(t.ln) OVER (PARTITION BY t.c ORDER BY t.ord) AS first_line
    FROM unnest(p_lines, p_codes, p_period_types, p_nums, p_dens)
         WITH ORDINALITY AS t(ln, c, pt, num, den, ord)
  ), batch AS (
    SELECT i.c, i.pt, i.num, i.den, i.i FROM input i WHERE i.c IS NOT NULL AND i.nth = 1
  ), merged AS (
    SELECT b.c AS code, b.pt AS period_type, b.num IS NOT NULL AS is_ratio, b.num, b.den,
           true AS in_batch
    FROM batch b
    UNION ALL
    SELECT d.code, d.period_type, d.ratio_numerator IS NOT NULL, d.ratio_numerator,
           d.ratio_denominator, false
    FROM indicators d WHERE NOT EXISTS (SELECT 1 FROM batch b WHERE b.c = d.code)
  ), parts AS (
    SELECT b.i, b.c, b.pt, 'ratio.numerator_code' AS f, 'numerator' AS role, b.num AS part
    FROM batch b WHERE b.num IS NOT NULL
    UNION ALL
    SELECT b.i, b.c, b.pt, 'ratio.denominator_code', 'denominator', b.den
    FROM batch b WHERE b.den IS NOT NULL
  ), problems AS (
    SELECT i.i, 4 AS k, 'code' AS f,
           CASE WHEN i.first_line > 0
             THEN format('indicator %s is already defined on line %s', i.c, i.first_line)
             ELSE format('indicator %s appears more than once', i.c) END AS why
    FROM input i WHERE i.c IS NOT NULL AND i.nth > 1
    UNION ALL
    SELECT p.i, 3, p.f, format('unknown %s indicator %s', p.role, p.part)
    FROM parts p WHERE NOT EXISTS (SELECT 1 FROM merged m WHERE m.code = p.part)
    UNION ALL
    SELECT p.i, 7, p.f,
           CASE WHEN p.part = p.c THEN format('ratio %s cannot be its own %s', p.c, p.role)
             ELSE format('%s %s is itself a ratio; a ratio''s parts must be submitted indicators',
                         p.role, p.part) END
    FROM parts p JOIN merged m ON m.code = p.part WHERE m.is_ratio
    UNION ALL
    SELECT p.i, 6, 'period_type',
           format('ratio %s by %s cannot be computed from %s %s, which is reported by %s',
                  p.c, hz_period_type_name(p.pt), p.role, p.part, hz_period_type_name(m.period_type))
    FROM parts p JOIN merged m ON m.code = p.part
    WHERE NOT m.is_ratio AND p.pt > m.period_type
    UNION ALL
    -- A stored ratio outside the batch keeps its parts: they may neither
    -- become ratios nor be reported less often than it.
    SELECT x.i, 9, 'ratio',
           format('indicator %s is a part of ratio %s; a ratio part cannot be a ratio', x.c, x.code)
    FROM (SELECT DISTINCT ON (b.i) b.i, b.c, m.code
          FROM batch b JOIN merged m ON m.is_ratio AND NOT m.in_batch AND b.c IN (m.num, m.den)
          WHERE b.num IS NOT NULL ORDER BY b.i, m.code) x
    UNION ALL
    SELECT x.i, 6, 'period_type',
           format('indicator %s is a part of ratio %s reported by %s; it cannot be reported by %s',
                  x.c, x.code, hz_period_type_name(x.period_type), hz_period_type_name(x.pt))
    FROM (SELECT DISTINCT ON (b.i) b.i, b.c, b.pt, m.code, m.period_type
          FROM batch b JOIN merged m ON m.is_ratio AND NOT m.in_batch AND b.c IN (m.num, m.den)
          WHERE b.num IS NULL AND m.period_type > b.pt ORDER BY b.i, m.code) x
    UNION ALL
    SELECT b.i, 9, 'period_type',
           format('indicator %s has stored values by %s; its frequency cannot change to %s',
                  b.c, hz_period_type_name(d.period_type), hz_period_type_name(b.pt))
    FROM batch b JOIN indicators d ON d.code = b.c
    WHERE b.pt <> d.period_type
      AND EXISTS (SELECT 1 FROM data_values v WHERE v.indicator_code = b.c)
    UNION ALL
    SELECT b.i, 9, 'period_type',
           format('indicator %s has targets by %s (e.g. %s %s); they would be finer than %s',
                  b.c, hz_period_type_name(t.period_type), t.region_code, t.period,
                  hz_period_type_name(b.pt))
    FROM batch b
    CROSS JOIN LATERAL (SELECT t.region_code, t.period, t.period_type FROM targets t
                        WHERE t.indicator_code = b.c AND t.period_type > b.pt
                        ORDER BY t.period_type DESC, t.period_start LIMIT 1) t
    UNION ALL
    SELECT b.i, 9, 'ratio',
           format('indicator %s has stored values; it cannot become a computed ratio', b.c)
    FROM batch b JOIN indicators d ON d.code = b.c
    WHERE b.num IS NOT NULL AND d.ratio_numerator IS NULL
      AND EXISTS (SELECT 1 FROM data_values v WHERE v.indicator_code = b.c)
  )
  SELECT p.k::smallint, p.i, p.f, p.why, NULL::integer, NULL::integer, NULL::integer
  FROM problems p ORDER BY p.i, p.k;
  GET DIAGNOSTICS n_problems = ROW_COUNT;

  SELECT count(*) FILTER (WHERE d.code IS NULL),
         count(*) FILTER (WHERE d.code IS NOT NULL AND
           (d.name, d.unit, d.period_type, d.time_aggregation, d.region_aggregation, d.min_value,
            d.max_value, d.ratio_numerator, d.ratio_denominator, d.ratio_factor, d.ratio_scale,
            d.description, d.change_basis) IS DISTINCT FROM
           (t.n, t.u, t.pt, t.ta, t.ra, t.mn::numeric, t.mx::numeric, t.num, t.den,
            t.f::numeric, t.sc, t.ds, t.cb)),
         count(*) FILTER (WHERE d.code IS NOT NULL AND
           (d.name, d.unit, d.period_type, d.time_aggregation, d.region_aggregation, d.min_value,
            d.max_value, d.ratio_numerator, d.ratio_denominator, d.ratio_factor, d.ratio_scale,
            d.description, d.change_basis) IS NOT DISTINCT FROM
           (t.n, t.u, t.pt, t.ta, t.ra, t.mn::numeric, t.mx::numeric, t.num, t.den,
            t.f::numeric, t.sc, t.ds, t.cb))
    INTO n_new, n_changed, n_same
  FROM (SELECT DISTINCT ON (t.c) t.*
        FROM hz_indicator_rows(p_codes, p_names, p_units, p_period_types, p_time_aggs,
                               p_region_aggs, p_mins, p_maxs, p_nums, p_dens, p_factors,
                               p_scales, p_descriptions, p_change_bases) t
        WHERE t.c IS NOT NULL ORDER BY t.c, t.ord) t
  LEFT JOIN indicators d ON d.code = t.c;

  IF n_problems > 0 OR p_validate_only THEN
    RETURN QUERY SELECT 0::smallint, -1, ''::text, ''::text, n_new, n_changed, n_same;
    RETURN;
  END IF;

  now_ts := clock_timestamp();
  INSERT INTO audit_log (at, actor, token_id, action, indicator_code, detail)
  SELECT now_ts, p_actor, p_token_id, 'indicator.set', t.c,
    CASE WHEN d.code IS NULL THEN
      format('created: %s (%s), by %s%s, change_basis %s', t.n, t.u, hz_period_type_name(t.pt),
             CASE WHEN t.num IS NOT NULL THEN format(', ratio %s / %s', t.num, t.den) ELSE '' END,
             hz_change_basis_name(t.cb))
    ELSE concat_ws('; ',
      CASE WHEN d.name <> t.n THEN format('name %s -> %s', d.name, t.n) END,
      CASE WHEN d.unit <> t.u THEN format('unit %s -> %s', d.unit, t.u) END,
      CASE WHEN d.period_type <> t.pt THEN format('frequency %s -> %s',
        hz_period_type_name(d.period_type), hz_period_type_name(t.pt)) END,
      CASE WHEN d.time_aggregation <> t.ta THEN
        format('time_aggregation %s -> %s', d.time_aggregation, t.ta) END,
      CASE WHEN d.region_aggregation <> t.ra THEN
        format('region_aggregation %s -> %s', d.region_aggregation, t.ra) END,
      CASE WHEN d.min_value IS DISTINCT FROM t.mn::numeric THEN
        format('min %s -> %s', coalesce(d.min_value::text, 'none'), coalesce(t.mn, 'none')) END,
      CASE WHEN d.max_value IS DISTINCT FROM t.mx::numeric THEN
        format('max %s -> %s', coalesce(d.max_value::text, 'none'), coalesce(t.mx, 'none')) END,
      CASE WHEN (d.ratio_numerator, d.ratio_denominator, d.ratio_factor, d.ratio_scale)
                IS DISTINCT FROM (t.num, t.den, t.f::numeric, t.sc) THEN
        format('ratio %s -> %s',
               coalesce(d.ratio_numerator || ' / ' || d.ratio_denominator, 'none'),
               coalesce(t.num || ' / ' || t.den, 'none')) END,
      CASE WHEN d.description <> t.ds THEN 'description' END,
      CASE WHEN d.change_basis <> t.cb THEN format('change_basis %s -> %s',
        hz_change_basis_name(d.change_basis), hz_change_basis_name(t.cb)) END)
    END
  FROM hz_indicator_rows(p_codes, p_names, p_units, p_period_types, p_time_aggs,
                         p_region_aggs, p_mins, p_maxs, p_nums, p_dens, p_factors, p_scales,
                         p_descriptions, p_change_bases) t
  LEFT JOIN indicators d ON d.code = t.c
  WHERE d.code IS NULL OR
    (d.name, d.unit, d.period_type, d.time_aggregation, d.region_aggregation, d.min_value,
     d.max_value, d.ratio_numerator, d.ratio_denominator, d.ratio_factor, d.ratio_scale,
     d.description, d.change_basis) IS DISTINCT FROM
    (t.n, t.u, t.pt, t.ta, t.ra, t.mn::numeric, t.mx::numeric, t.num, t.den,
     t.f::numeric, t.sc, t.ds, t.cb)
  ORDER BY t.ord;

  -- As for regions: new rows without their ratio first, so a ratio may name
  -- a part defined later in the batch; the UPDATE then sets everything.
  INSERT INTO indicators (code, name, unit, period_type, time_aggregation, region_aggregation,
                          updated_at)
  SELECT t.c, t.n, t.u, t.pt, t.ta, t.ra, now_ts
  FROM unnest(p_codes, p_names, p_units, p_period_types, p_time_aggs, p_region_aggs)
       AS t(c, n, u, pt, ta, ra)
  WHERE NOT EXISTS (SELECT 1 FROM indicators d WHERE d.code = t.c);

  UPDATE indicators d SET name = t.n, unit = t.u, period_type = t.pt, time_aggregation = t.ta,
    region_aggregation = t.ra, min_value = t.mn::numeric, max_value = t.mx::numeric,
    ratio_numerator = t.num, ratio_denominator = t.den, ratio_factor = t.f::numeric,
    ratio_scale = t.sc, description = t.ds, change_basis = t.cb, updated_at = now_ts
  FROM hz_indicator_rows(p_codes, p_names, p_units, p_period_types, p_time_aggs,
                         p_region_aggs, p_mins, p_maxs, p_nums, p_dens, p_factors, p_scales,
                         p_descriptions, p_change_bases) t
  WHERE d.code = t.c AND
    (d.name, d.unit, d.period_type, d.time_aggregation, d.region_aggregation, d.min_value,
     d.max_value, d.ratio_numerator, d.ratio_denominator, d.ratio_factor, d.ratio_scale,
     d.description, d.change_basis) IS DISTINCT FROM
    (t.n, t.u, t.pt, t.ta, t.ra, t.mn::numeric, t.mx::numeric, t.num, t.den,
     t.f::numeric, t.sc, t.ds, t.cb);

  RETURN QUERY SELECT 0::smallint, -1, ''::text, ''::text, n_new, n_changed, n_same;
END
$$;

-- ------------------------------------------------------------ time windows

-- Periods of type p_type from p_from (a first day of that type) to d: the
-- position of d's sub-period in a window starting p_from (202203 in a
-- window from 202201 is 2; 2022Q3 from 2022Q1 is 2).
CREATE FUNCTION hz_sub_index(p_type smallint, p_from date, d date) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  -- date_part (double precision), not extract (numeric): several times
  -- faster, and exact for these small integers.
  SELECT ((date_part('year', d) - date_part('year', p_from)) * 12
          + date_part('month', d) - date_part('month', p_from))::integer
         / CASE p_type WHEN 1 THEN 12 WHEN 2 THEN 6 WHEN 3 THEN 3 ELSE 1 END
$$;

-- Rollups over any window, with coverage and like-for-like bases. Until
-- now (008) a window of the requested type read exactly one period: a year
-- from summaries, a period of the indicator's own type by key, finer
-- indicators' rows inside the window. Year to date (1–9月, Q1–Q3) needs
-- windows longer than one period of the indicator's type, and a partial
-- year must be compared with the same months a year earlier. So:
--
-- * A window [s, e) is read per indicator the cheapest exact way: by key
--   when it is one period of the indicator's own type (own), from
--   summaries when it is one summarised period (a year) of a finer
--   indicator (sums), else as a range of data_values (fine).
-- * Every row says which sub-periods of the window (periods of the
--   indicator's own type, numbered from the window's start by
--   hz_sub_index) hold a value under the group: covered, a bit mask. A
--   summary knows its count and latest period: when they say "the first n
--   sub-periods" (nearly always) the mask follows; otherwise that
--   township's rows are read (gap).
-- * p_bases[i] = j > 0 makes window i (a year earlier than j) the base of
--   window j: for a group and indicator whose coverage of j is partial,
--   window i is read over exactly the sub-periods covered in j (同口径),
--   per group, from data_values (restricted). A complete coverage keeps
--   the plain window. One statement still answers a whole rollup, and
--   the coverage work stays off the common path: a township row knows
--   whether it is complete (f) from its count, and the per-group masks
--   are aggregated only when some township is not.
--
-- (Redefined by 016_rollup_plans.sql, the current definition: the same
-- body in plpgsql, its plan kept across calls.)
--
-- Parts stay exact as in 008 (value, n). The signature and return type
-- change, so the function is dropped and created again.
DROP FUNCTION hz_rollup_values(text, integer, integer, boolean, text[], smallint, date[], date[]);

CREATE FUNCTION hz_rollup_values(p_region text, p_group integer, p_level integer,
                                 p_total boolean, p_indicators text[],
                                 p_period_type smallint, p_starts date[], p_ends date[],
                                 p_bases integer[])
RETURNS TABLE (grp text, indicator text, win integer, ra smallint, n integer, value numeric,
               reporting integer, covered integer)
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
  ), sums AS MATERIALIZED (
    SELECT a.region_code, a.indicator_code, a.period_type, a.period_start, a.n, a.total, a.low,
      a.high, a.latest, a.latest_start
    FROM leaf_summaries a
    WHERE p_indicators IS NULL
      AND a.region_code = ANY (ARRAY(SELECT DISTINCT leaf FROM gl))
      AND a.period_type = ANY (ARRAY(SELECT DISTINCT sw.pt FROM sw))
      AND a.period_start = ANY (ARRAY(SELECT DISTINCT sw.s FROM sw))
    UNION ALL
    SELECT a.region_code, a.indicator_code, a.period_type, a.period_start, a.n, a.total, a.low,
      a.high, a.latest, a.latest_start
    FROM leaf_summaries a
    WHERE p_indicators IS NOT NULL
      AND a.region_code = ANY (ARRAY(SELECT DISTINCT leaf FROM gl))
      AND a.period_type = ANY (ARRAY(SELECT DISTINCT sw.pt FROM sw))
      AND a.period_start = ANY (ARRAY(SELECT DISTINCT sw.s FROM sw))
      AND a.indicator_code = ANY (ARRAY(SELECT code FROM need))
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
        WHEN 1 THEN sum(d.value)
        WHEN 2 THEN (array_agg(d.value ORDER BY d.period_start DESC))[1]
        WHEN 3 THEN sum(d.value)
        WHEN 4 THEN min(d.value)
        ELSE max(d.value)
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
    -- when the latest is the n-th, else NULL (gap: read below).
    SELECT w.i, w.s, w.e, n.pt, a.region_code AS leaf, a.indicator_code AS ind, n.ra,
      CASE n.ta WHEN 1 THEN a.total WHEN 2 THEN a.latest WHEN 3 THEN a.total
        WHEN 4 THEN a.low ELSE a.high END AS v,
      CASE n.ta WHEN 3 THEN a.n ELSE 1 END AS n,
      CASE WHEN a.n = w.tot THEN (1 << a.n) - 1
           WHEN a.n = hz_sub_index(n.pt, w.s, a.latest_start) + 1 THEN (1 << a.n) - 1 END AS m,
      a.n = w.tot AS f
    FROM sums a JOIN need n ON n.code = a.indicator_code AND n.pt > a.period_type
    JOIN wt w ON w.s = a.period_start AND w.wpt = a.period_type AND w.pt = n.pt
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
        WHEN 1 THEN sum(d.value)
        WHEN 2 THEN (array_agg(d.value ORDER BY d.period_start DESC))[1]
        WHEN 3 THEN sum(d.value)
        WHEN 4 THEN min(d.value)
        ELSE max(d.value)
      END AS v,
      CASE p.ta WHEN 3 THEN count(*)::integer ELSE 1 END AS n,
      bit_or(1 << hz_sub_index(p.pt, p.s, d.period_start)) AS m
    FROM part p JOIN gl ON gl.grp = p.grp
    JOIN data_values d ON d.region_code = gl.leaf AND d.indicator_code = p.ind
      AND d.period_start >= p.s AND d.period_start < p.e
    WHERE p.m & (1 << hz_sub_index(p.pt, p.s, d.period_start)) <> 0
    GROUP BY p.grp, p.i, d.region_code, p.ind, p.ta, p.ra
  )
  SELECT lv.leaf, lv.ind, lv.i, lv.ra, lv.n, trim_scale(lv.v), 1, lv.m
  FROM lv
  WHERE lv.leaf IN (SELECT gl.grp FROM gl WHERE gl.n = 1 AND gl.grp = gl.leaf)
    AND NOT EXISTS (SELECT 1 FROM part p WHERE p.grp = lv.leaf AND p.ind = lv.ind AND p.i = lv.i)
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
    count(*)::integer, bit_or(lv.m)
  FROM gl JOIN lv ON lv.leaf = gl.leaf
  WHERE NOT (gl.n = 1 AND gl.grp = gl.leaf)
    AND NOT EXISTS (SELECT 1 FROM part p WHERE p.grp = gl.grp AND p.ind = lv.ind AND p.i = lv.i)
  GROUP BY gl.grp, lv.ind, lv.i, lv.ra, lv.n
  UNION ALL
  SELECT r.grp, r.ind, r.i, r.ra, r.n,
    trim_scale(CASE r.ra
      WHEN 1 THEN sum(r.v) WHEN 2 THEN sum(r.v) WHEN 3 THEN min(r.v) WHEN 4 THEN max(r.v)
      ELSE CASE WHEN bool_and(r.grp = r.leaf) THEN min(r.v) END
    END),
    count(*)::integer, bit_or(r.m)
  FROM rv r
  GROUP BY r.grp, r.ind, r.i, r.ra, r.n
$$;
