-- 002_admin: the Admin service's writes. Imports of regions, indicators and
-- targets, and token creation and revocation, each as one function the
-- server calls once per RPC, so a request is one transaction and one round
-- trip. Import functions follow hz_submit: the server checks syntax first
-- and passes NULL for a field it refused (and then validates only);
-- problem rows (kind > 0, ProblemKind) come first, then one summary row
-- (kind = 0) with the counts. Nothing is written when any problem is found
-- or p_validate_only is set.

-- Who last set a target, for ListTargets.
ALTER TABLE targets ADD COLUMN updated_by text NOT NULL DEFAULT '';

-- Revoking by name and the duplicate-name check look tokens up by name.
CREATE INDEX tokens_active_name ON tokens (name) WHERE revoked_at IS NULL;

-- Targets by indicator: frequency changes look for finer targets.
CREATE INDEX targets_indicator ON targets (indicator_code, period_type);

-- Human names of the enums, for problem reasons and audit details.
CREATE FUNCTION hz_level_name(l smallint) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE l WHEN 1 THEN 'province' WHEN 2 THEN 'city' WHEN 3 THEN 'county'
    WHEN 4 THEN 'township' WHEN 5 THEN 'village' ELSE 'unknown' END
$$;

CREATE FUNCTION hz_period_type_name(t smallint) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE t WHEN 1 THEN 'year' WHEN 2 THEN 'half year' WHEN 3 THEN 'quarter'
    WHEN 4 THEN 'month' ELSE 'unknown' END
$$;

CREATE FUNCTION hz_role_name(r smallint) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE r WHEN 1 THEN 'township' WHEN 2 THEN 'county' WHEN 3 THEN 'admin'
    ELSE 'unknown' END
$$;

-- ------------------------------------------------------------------ regions

-- (Current definition: 007_submit_serial, with the imported codes read as
-- "C" like the code columns.)
-- Creates or updates regions. A parent may come later in the batch or be
-- stored already; the parent map that results (stored regions overlaid by
-- the batch) must be a forest with levels growing downwards, which is
-- checked before anything is written, so dry runs see every problem too.
-- p_parents: '' for a root, NULL when the server refused the code.
CREATE FUNCTION hz_import_regions(
  p_lines integer[], p_codes text[], p_names text[], p_levels smallint[], p_parents text[],
  p_validate_only boolean, p_token_id bigint, p_actor text)
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
  moved text[];
  affected text[];
  now_ts timestamptz;
BEGIN
  -- Two imports checked against the same old tree could build a loop
  -- together: they take turns.
  PERFORM pg_advisory_xact_lock(hashtextextended('huizong.regions', 0));

  RETURN QUERY
  WITH RECURSIVE input AS (
    SELECT t.c, t.n, t.l, t.p, (t.ord - 1)::integer AS i,
           row_number() OVER (PARTITION BY t.c ORDER BY t.ord) AS nth,
           first_value(t.ln) OVER (PARTITION BY t.c ORDER BY t.ord) AS first_line
    FROM unnest(p_lines, p_codes, p_names, p_levels, p_parents)
         WITH ORDINALITY AS t(ln, c, n, l, p, ord)
  ), batch AS (
    SELECT i.c, i.n, i.l, nullif(i.p, '') AS parent, i.i
    FROM input i WHERE i.c IS NOT NULL AND i.nth = 1
  ), merged AS (
    SELECT b.c AS code, b.parent, b.l AS level FROM batch b
    UNION ALL
    SELECT r.code, r.parent_code, r.level FROM regions r
    WHERE NOT EXISTS (SELECT 1 FROM batch b WHERE b.c = r.code)
  ), walk (start, node, path) AS (
    -- Up from every imported row; a chain that comes back to its start is a
    -- loop. Valid chains are at most five levels deep, so the bound only
    -- cuts walks that the level check refuses anyway.
    SELECT b.c, b.parent, ARRAY[b.c] FROM batch b WHERE b.parent IS NOT NULL
    UNION ALL
    SELECT w.start, m.parent, w.path || w.node
    FROM walk w JOIN merged m ON m.code = w.node
    WHERE w.node <> ALL (w.path) AND m.parent IS NOT NULL AND cardinality(w.path) < 16
  ), cycles AS (
    SELECT DISTINCT ON (w.start) w.start, w.path FROM walk w WHERE w.node = w.start
  ), problems AS (
    SELECT i.i, 4 AS k, 'code' AS f,
           CASE WHEN i.first_line > 0
             THEN format('region %s is already defined on line %s', i.c, i.first_line)
             ELSE format('region %s appears more than once', i.c) END AS why
    FROM input i WHERE i.c IS NOT NULL AND i.nth > 1
    UNION ALL
    SELECT b.i, 3, 'parent_code', format('unknown parent %s', b.parent)
    FROM batch b
    WHERE b.parent IS NOT NULL AND NOT EXISTS (SELECT 1 FROM merged m WHERE m.code = b.parent)
    UNION ALL
    SELECT b.i, 8, 'parent_code',
           format('parent chain loops: %s', array_to_string(c.path || b.c, ' -> '))
    FROM batch b JOIN cycles c ON c.start = b.c
    UNION ALL
    SELECT b.i, 9, 'level',
           format('level %s (%s) is not below that of its parent %s (%s)',
                  b.l, hz_level_name(b.l), b.parent, hz_level_name(m.level))
    FROM batch b JOIN merged m ON m.code = b.parent
    WHERE b.l <= m.level AND NOT EXISTS (SELECT 1 FROM cycles c WHERE c.start = b.c)
    UNION ALL
    -- Stored children the batch leaves as they are must stay below.
    SELECT ch.i, 9, 'level',
           format('level %s (%s) is not above that of its child %s (%s)',
                  ch.l, hz_level_name(ch.l), ch.code, hz_level_name(ch.level))
    FROM (SELECT DISTINCT ON (b.i) b.i, b.l, r.code, r.level
          FROM batch b JOIN regions r ON r.parent_code = b.c AND r.level <= b.l
          WHERE NOT EXISTS (SELECT 1 FROM batch x WHERE x.c = r.code)
          ORDER BY b.i, r.code) ch
    UNION ALL
    -- Reporting is level 4: moving a region in or out of it would orphan
    -- its data or the tokens scoped to it.
    SELECT b.i, 9, 'level',
           CASE WHEN EXISTS (SELECT 1 FROM data_values d WHERE d.region_code = b.c)
                  OR EXISTS (SELECT 1 FROM reports rp WHERE rp.region_code = b.c)
             THEN format('region %s has submitted data; it cannot change from %s to %s',
                         b.c, hz_level_name(r.level), hz_level_name(b.l))
             ELSE format('region %s is the scope of active %s tokens; revoke them before changing its level to %s',
                         b.c, CASE WHEN r.level = 4 THEN 'township' ELSE 'county' END,
                         hz_level_name(b.l)) END
    FROM batch b JOIN regions r ON r.code = b.c
    WHERE (r.level = 4) <> (b.l = 4)
      AND (EXISTS (SELECT 1 FROM data_values d WHERE d.region_code = b.c)
           OR EXISTS (SELECT 1 FROM reports rp WHERE rp.region_code = b.c)
           OR EXISTS (SELECT 1 FROM tokens t WHERE t.region_code = b.c
                        AND t.revoked_at IS NULL AND t.role IN (1, 2)))
  )
  SELECT p.k::smallint, p.i, p.f, p.why, NULL::integer, NULL::integer, NULL::integer
  FROM problems p ORDER BY p.i, p.k;
  GET DIAGNOSTICS n_problems = ROW_COUNT;

  SELECT count(*) FILTER (WHERE r.code IS NULL),
         count(*) FILTER (WHERE r.code IS NOT NULL
                            AND (r.name, r.level, r.parent_code) IS DISTINCT FROM (b.n, b.l, b.parent)),
         count(*) FILTER (WHERE r.code IS NOT NULL
                            AND (r.name, r.level, r.parent_code) IS NOT DISTINCT FROM (b.n, b.l, b.parent))
    INTO n_new, n_changed, n_same
  FROM (SELECT DISTINCT ON (t.c) t.c, t.n, t.l, nullif(t.p, '') AS parent
        FROM unnest(p_codes, p_names, p_levels, p_parents) WITH ORDINALITY AS t(c, n, l, p, ord)
        WHERE t.c IS NOT NULL ORDER BY t.c, t.ord) b
  LEFT JOIN regions r ON r.code = b.c;

  IF n_problems > 0 OR p_validate_only THEN
    RETURN QUERY SELECT 0::smallint, -1, ''::text, ''::text, n_new, n_changed, n_same;
    RETURN;
  END IF;

  now_ts := clock_timestamp();
  -- The audit reads the stored values, so it goes before the writes.
  INSERT INTO audit_log (at, actor, token_id, action, region_code, detail)
  SELECT now_ts, p_actor, p_token_id, 'region.set', b.c,
    CASE WHEN r.code IS NULL THEN
      format('created: %s, %s, parent %s', b.n, hz_level_name(b.l), coalesce(b.parent, 'none'))
    ELSE concat_ws('; ',
      CASE WHEN r.name <> b.n THEN format('name %s -> %s', r.name, b.n) END,
      CASE WHEN r.level <> b.l THEN
        format('level %s -> %s', hz_level_name(r.level), hz_level_name(b.l)) END,
      CASE WHEN r.parent_code IS DISTINCT FROM b.parent THEN
        format('parent %s -> %s', coalesce(r.parent_code, 'none'), coalesce(b.parent, 'none')) END)
    END
  FROM unnest(p_codes, p_names, p_levels, p_parents) WITH ORDINALITY AS b0(c, n, l, p, ord)
  CROSS JOIN LATERAL (SELECT b0.c, b0.n, b0.l, nullif(b0.p, '') AS parent) b
  LEFT JOIN regions r ON r.code = b.c
  WHERE r.code IS NULL OR (r.name, r.level, r.parent_code) IS DISTINCT FROM (b.n, b.l, b.parent)
  ORDER BY b0.ord;

  -- Regions whose ancestors change: new ones and moved ones.
  SELECT coalesce(array_agg(t.c), '{}') INTO moved
  FROM unnest(p_codes, p_parents) AS t(c, p)
  LEFT JOIN regions r ON r.code = t.c
  WHERE r.code IS NULL OR r.parent_code IS DISTINCT FROM nullif(t.p, '');

  -- New regions first without parents, then every change in one UPDATE:
  -- its foreign key is checked when the statement ends, when every parent
  -- of the batch exists, whatever the row order.
  INSERT INTO regions (code, name, level, parent_code, created_at, updated_at)
  SELECT t.c, t.n, t.l, NULL, now_ts, now_ts
  FROM unnest(p_codes, p_names, p_levels) AS t(c, n, l)
  WHERE NOT EXISTS (SELECT 1 FROM regions r WHERE r.code = t.c);

  UPDATE regions r SET name = t.n, level = t.l, parent_code = nullif(t.p, ''), updated_at = now_ts
  FROM unnest(p_codes, p_names, p_levels, p_parents) AS t(c, n, l, p)
  WHERE r.code = t.c
    AND (r.name, r.level, r.parent_code) IS DISTINCT FROM (t.n, t.l, nullif(t.p, ''));

  IF cardinality(moved) > 0 THEN
    -- Every path ending in a moved region or below it is rebuilt.
    SELECT array_agg(DISTINCT s.code) INTO affected
    FROM (SELECT unnest(moved) AS code
          UNION ALL
          SELECT p.descendant FROM region_paths p WHERE p.ancestor = ANY (moved)) s;
    DELETE FROM region_paths p WHERE p.descendant = ANY (affected);
    INSERT INTO region_paths (ancestor, descendant, depth)
    WITH RECURSIVE up (descendant, ancestor, depth) AS (
      SELECT r.code, r.code, 0 FROM regions r WHERE r.code = ANY (affected)
      UNION ALL
      SELECT u.descendant, r.parent_code, u.depth + 1
      FROM up u JOIN regions r ON r.code = u.ancestor
      WHERE r.parent_code IS NOT NULL AND u.depth < 16
    )
    SELECT u.ancestor, u.descendant, u.depth FROM up u;
  END IF;

  RETURN QUERY SELECT 0::smallint, -1, ''::text, ''::text, n_new, n_changed, n_same;
END
$$;

-- --------------------------------------------------------------- indicators

-- Creates or updates indicators. Ratio parts may be stored or in the batch
-- and must be submitted indicators reported at least as often as the
-- ratio. A change that contradicts stored data (frequency or ratio with
-- values stored, targets finer than a new frequency) is a CONFLICT.
-- p_nums/p_dens: NULL for no ratio (or a refused code); p_mins, p_maxs,
-- p_factors: normalised decimals or NULL for none.
CREATE FUNCTION hz_import_indicators(
  p_lines integer[], p_codes text[], p_names text[], p_units text[], p_period_types smallint[],
  p_time_aggs smallint[], p_region_aggs smallint[], p_mins text[], p_maxs text[],
  p_nums text[], p_dens text[], p_factors text[], p_scales smallint[], p_descriptions text[],
  p_validate_only boolean, p_token_id bigint, p_actor text)
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
            d.description) IS DISTINCT FROM
           (t.n, t.u, t.pt, t.ta, t.ra, t.mn::numeric, t.mx::numeric, t.num, t.den,
            t.f::numeric, t.sc, t.ds)),
         count(*) FILTER (WHERE d.code IS NOT NULL AND
           (d.name, d.unit, d.period_type, d.time_aggregation, d.region_aggregation, d.min_value,
            d.max_value, d.ratio_numerator, d.ratio_denominator, d.ratio_factor, d.ratio_scale,
            d.description) IS NOT DISTINCT FROM
           (t.n, t.u, t.pt, t.ta, t.ra, t.mn::numeric, t.mx::numeric, t.num, t.den,
            t.f::numeric, t.sc, t.ds))
    INTO n_new, n_changed, n_same
  FROM (SELECT DISTINCT ON (t.c) t.*
        FROM unnest(p_codes, p_names, p_units, p_period_types, p_time_aggs, p_region_aggs,
                    p_mins, p_maxs, p_nums, p_dens, p_factors, p_scales, p_descriptions)
             WITH ORDINALITY AS t(c, n, u, pt, ta, ra, mn, mx, num, den, f, sc, ds, ord)
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
      format('created: %s (%s), by %s%s', t.n, t.u, hz_period_type_name(t.pt),
             CASE WHEN t.num IS NOT NULL THEN format(', ratio %s / %s', t.num, t.den) ELSE '' END)
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
      CASE WHEN d.description <> t.ds THEN 'description' END)
    END
  FROM unnest(p_codes, p_names, p_units, p_period_types, p_time_aggs, p_region_aggs,
              p_mins, p_maxs, p_nums, p_dens, p_factors, p_scales, p_descriptions)
       WITH ORDINALITY AS t(c, n, u, pt, ta, ra, mn, mx, num, den, f, sc, ds, ord)
  LEFT JOIN indicators d ON d.code = t.c
  WHERE d.code IS NULL OR
    (d.name, d.unit, d.period_type, d.time_aggregation, d.region_aggregation, d.min_value,
     d.max_value, d.ratio_numerator, d.ratio_denominator, d.ratio_factor, d.ratio_scale,
     d.description) IS DISTINCT FROM
    (t.n, t.u, t.pt, t.ta, t.ra, t.mn::numeric, t.mx::numeric, t.num, t.den,
     t.f::numeric, t.sc, t.ds)
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
    ratio_scale = t.sc, description = t.ds, updated_at = now_ts
  FROM unnest(p_codes, p_names, p_units, p_period_types, p_time_aggs, p_region_aggs,
              p_mins, p_maxs, p_nums, p_dens, p_factors, p_scales, p_descriptions)
       AS t(c, n, u, pt, ta, ra, mn, mx, num, den, f, sc, ds)
  WHERE d.code = t.c AND
    (d.name, d.unit, d.period_type, d.time_aggregation, d.region_aggregation, d.min_value,
     d.max_value, d.ratio_numerator, d.ratio_denominator, d.ratio_factor, d.ratio_scale,
     d.description) IS DISTINCT FROM
    (t.n, t.u, t.pt, t.ta, t.ra, t.mn::numeric, t.mx::numeric, t.num, t.den,
     t.f::numeric, t.sc, t.ds);

  RETURN QUERY SELECT 0::smallint, -1, ''::text, ''::text, n_new, n_changed, n_same;
END
$$;

-- ------------------------------------------------------------------ targets

-- Creates or updates targets keyed by region, indicator and period. The
-- server parsed each period (type and first day) and normalised each value.
CREATE FUNCTION hz_import_targets(
  p_lines integer[], p_regions text[], p_indicators text[], p_periods text[],
  p_period_types smallint[], p_period_starts date[], p_values text[],
  p_validate_only boolean, p_token_id bigint, p_actor text)
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
  RETURN QUERY
  WITH input AS (
    SELECT t.r, t.c, t.p, t.pt, (t.ord - 1)::integer AS i,
           row_number() OVER (PARTITION BY t.r, t.c, t.p ORDER BY t.ord) AS nth,
           first_value(t.ln) OVER (PARTITION BY t.r, t.c, t.p ORDER BY t.ord) AS first_line
    FROM unnest(p_lines, p_regions, p_indicators, p_periods, p_period_types)
         WITH ORDINALITY AS t(ln, r, c, p, pt, ord)
  ), problems AS (
    SELECT i.i, 4 AS k, 'period' AS f,
           CASE WHEN i.first_line > 0
             THEN format('target %s/%s/%s is already set on line %s', i.r, i.c, i.p, i.first_line)
             ELSE format('target %s/%s/%s appears more than once', i.r, i.c, i.p) END AS why
    FROM input i
    WHERE i.r IS NOT NULL AND i.c IS NOT NULL AND i.p IS NOT NULL AND i.nth > 1
    UNION ALL
    SELECT i.i, 3, 'region_code', format('unknown region %s', i.r)
    FROM input i
    WHERE i.r IS NOT NULL AND NOT EXISTS (SELECT 1 FROM regions g WHERE g.code = i.r)
    UNION ALL
    SELECT i.i, 3, 'indicator_code', format('unknown indicator %s', i.c)
    FROM input i
    WHERE i.c IS NOT NULL AND NOT EXISTS (SELECT 1 FROM indicators d WHERE d.code = i.c)
    UNION ALL
    SELECT i.i, 6, 'period',
           format('period %s is a %s, finer than indicator %s''s frequency (%s); targets are set at or above it',
                  i.p, hz_period_type_name(i.pt), i.c, hz_period_type_name(d.period_type))
    FROM input i JOIN indicators d ON d.code = i.c
    WHERE i.pt IS NOT NULL AND i.pt > d.period_type
  )
  SELECT p.k::smallint, p.i, p.f, p.why, NULL::integer, NULL::integer, NULL::integer
  FROM problems p ORDER BY p.i, p.k;
  GET DIAGNOSTICS n_problems = ROW_COUNT;

  SELECT count(*) FILTER (WHERE g.value IS NULL),
         count(*) FILTER (WHERE g.value IS NOT NULL AND g.value <> t.v::numeric),
         count(*) FILTER (WHERE g.value IS NOT NULL AND g.value = t.v::numeric)
    INTO n_new, n_changed, n_same
  FROM unnest(p_regions, p_indicators, p_periods, p_values) AS t(r, c, p, v)
  LEFT JOIN targets g ON g.region_code = t.r AND g.indicator_code = t.c AND g.period = t.p
  WHERE t.r IS NOT NULL AND t.c IS NOT NULL AND t.p IS NOT NULL AND t.v IS NOT NULL;

  IF n_problems > 0 OR p_validate_only THEN
    RETURN QUERY SELECT 0::smallint, -1, ''::text, ''::text, n_new, n_changed, n_same;
    RETURN;
  END IF;

  now_ts := clock_timestamp();
  WITH input AS (
    SELECT t.r, t.c, t.p, t.pt, t.ps, t.v::numeric AS v, t.ord
    FROM unnest(p_regions, p_indicators, p_periods, p_period_types, p_period_starts, p_values)
         WITH ORDINALITY AS t(r, c, p, pt, ps, v, ord)
  ), old AS (
    SELECT g.region_code, g.indicator_code, g.period, g.value
    FROM targets g JOIN input i
      ON g.region_code = i.r AND g.indicator_code = i.c AND g.period = i.p
    FOR UPDATE OF g
  ), changed AS (
    SELECT i.*, o.value AS old_value
    FROM input i LEFT JOIN old o
      ON o.region_code = i.r AND o.indicator_code = i.c AND o.period = i.p
    WHERE o.value IS NULL OR o.value <> i.v
  ), upserted AS (
    INSERT INTO targets AS g (region_code, indicator_code, period, period_type, period_start,
                              value, updated_at, updated_by)
    SELECT c.r, c.c, c.p, c.pt, c.ps, c.v, now_ts, p_actor FROM changed c
    ON CONFLICT (region_code, indicator_code, period) DO UPDATE
      SET value = EXCLUDED.value, updated_at = EXCLUDED.updated_at,
          updated_by = EXCLUDED.updated_by
    RETURNING 1
  )
  INSERT INTO audit_log (at, actor, token_id, action, region_code, indicator_code, period,
                         old_value, new_value)
  SELECT now_ts, p_actor, p_token_id, 'target.set', c.r, c.c, c.p, c.old_value, c.v
  FROM changed c ORDER BY c.ord;

  RETURN QUERY SELECT 0::smallint, -1, ''::text, ''::text, n_new, n_changed, n_same;
END
$$;

-- ------------------------------------------------------------------- tokens

-- (Redefined by 011_token_facts.sql, the current definition: a refusal
-- reason instead of the status code.)
-- Stores a new token's hash. Returns one row: a gRPC status code (0 ok,
-- 3 INVALID_ARGUMENT, 5 NOT_FOUND, 6 ALREADY_EXISTS) with its message, and
-- on success the new id and creation time.
CREATE FUNCTION hz_create_token(
  p_name text, p_role smallint, p_region text, p_hash bytea, p_token_id bigint, p_actor text)
RETURNS TABLE (code integer, message text, id bigint, created_at text)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  reg regions%ROWTYPE;
  new_id bigint;
  new_at timestamptz;
BEGIN
  -- Two creations of one name at once: the second sees the first.
  PERFORM pg_advisory_xact_lock(hashtextextended('huizong.token:' || p_name, 0));

  IF p_region IS NOT NULL THEN
    SELECT * INTO reg FROM regions r WHERE r.code = p_region;
    IF NOT FOUND THEN
      RETURN QUERY SELECT 5, format('unknown region %s', p_region), NULL::bigint, NULL::text;
      RETURN;
    END IF;
    IF p_role = 1 AND NOT reg.reporting THEN
      RETURN QUERY SELECT 3, format('a township token needs a reporting region; %s (%s) is a %s',
                                    reg.code, reg.name, hz_level_name(reg.level)),
        NULL::bigint, NULL::text;
      RETURN;
    END IF;
    IF p_role = 2 AND reg.reporting THEN
      RETURN QUERY SELECT 3, format('a county token reads a subtree; %s (%s) is a township: use role township',
                                    reg.code, reg.name),
        NULL::bigint, NULL::text;
      RETURN;
    END IF;
  END IF;

  IF EXISTS (SELECT 1 FROM tokens t WHERE t.name = p_name AND t.revoked_at IS NULL) THEN
    RETURN QUERY SELECT 6, format('an active token is already named %s; revoke it or choose another name',
                                  p_name), NULL::bigint, NULL::text;
    RETURN;
  END IF;

  new_at := clock_timestamp();
  INSERT INTO tokens (name, role, region_code, secret_hash, created_by, created_at)
  VALUES (p_name, p_role, p_region, p_hash, p_actor, new_at)
  RETURNING tokens.id INTO new_id;

  INSERT INTO audit_log (at, actor, token_id, action, region_code, detail)
  VALUES (new_at, p_actor, p_token_id, 'token.create', p_region,
          format('token %s %s, role %s%s', new_id, p_name, hz_role_name(p_role),
                 CASE WHEN p_region IS NOT NULL THEN ', region ' || p_region ELSE '' END));

  RETURN QUERY SELECT 0, ''::text, new_id, hz_ts(new_at);
END
$$;

-- (Redefined by 011_token_facts.sql, the current definition: a refusal
-- reason instead of the status code.)
-- Revokes a token by id, or the active token of a name. Revoking a revoked
-- token changes nothing. Returns one row: a gRPC status code (0 ok,
-- 5 NOT_FOUND, 9 FAILED_PRECONDITION when a name is ambiguous), and on
-- success the token's record and whether this call revoked it.
CREATE FUNCTION hz_revoke_token(p_id bigint, p_name text, p_token_id bigint, p_actor text)
RETURNS TABLE (code integer, message text, id bigint, name text, role smallint,
               region_code text, created_at text, created_by text, revoked_at text,
               last_used_at text, changed boolean)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  tok tokens%ROWTYPE;
  n_active integer;
  did boolean := false;
BEGIN
  IF p_id IS NOT NULL THEN
    SELECT * INTO tok FROM tokens t WHERE t.id = p_id FOR UPDATE;
    IF NOT FOUND THEN
      RETURN QUERY SELECT 5, format('unknown token id %s', p_id), NULL::bigint, NULL::text,
        NULL::smallint, NULL::text, NULL::text, NULL::text, NULL::text, NULL::text, NULL::boolean;
      RETURN;
    END IF;
  ELSE
    SELECT count(*) INTO n_active FROM tokens t WHERE t.name = p_name AND t.revoked_at IS NULL;
    IF n_active > 1 THEN
      RETURN QUERY SELECT 9, format('%s active tokens are named %s; revoke them by id', n_active, p_name),
        NULL::bigint, NULL::text, NULL::smallint, NULL::text, NULL::text, NULL::text, NULL::text,
        NULL::text, NULL::boolean;
      RETURN;
    END IF;
    -- The active one, else the latest revoked one (returned unchanged).
    SELECT * INTO tok FROM tokens t WHERE t.name = p_name
    ORDER BY t.revoked_at IS NULL DESC, t.revoked_at DESC, t.id DESC LIMIT 1 FOR UPDATE;
    IF NOT FOUND THEN
      RETURN QUERY SELECT 5, format('no token is named %s', p_name), NULL::bigint, NULL::text,
        NULL::smallint, NULL::text, NULL::text, NULL::text, NULL::text, NULL::text, NULL::boolean;
      RETURN;
    END IF;
  END IF;

  IF tok.revoked_at IS NULL THEN
    tok.revoked_at := clock_timestamp();
    UPDATE tokens t SET revoked_at = tok.revoked_at WHERE t.id = tok.id;
    INSERT INTO audit_log (at, actor, token_id, action, region_code, detail)
    VALUES (tok.revoked_at, p_actor, p_token_id, 'token.revoke', tok.region_code,
            format('token %s %s, role %s%s', tok.id, tok.name, hz_role_name(tok.role),
                   CASE WHEN tok.region_code IS NOT NULL THEN ', region ' || tok.region_code
                     ELSE '' END));
    did := true;
  END IF;

  RETURN QUERY SELECT 0, ''::text, tok.id, tok.name, tok.role, coalesce(tok.region_code, ''),
    hz_ts(tok.created_at), tok.created_by, hz_ts(tok.revoked_at),
    coalesce(hz_ts(tok.last_used_at), ''), did;
END
$$;
