-- The schema and functions as a fresh `huizongd migrate` leaves them.
-- GENERATED from migrations/0*.sql: do not edit. Change a migration, then
-- run: HZ_SCHEMA_WRITE=1 meson test -C build test_schema

--
-- PostgreSQL database dump
--

--
-- Name: hz_refusal; Type: TYPE; Schema: public; Owner: -
--

CREATE TYPE public.hz_refusal AS ENUM (
    'unknown_region',
    'outside_scope',
    'not_township',
    'nothing_submitted',
    'id_reused',
    'approved',
    'window_closed',
    'role_level_mismatch',
    'name_taken',
    'unknown_token',
    'name_ambiguous',
    'not_started',
    'rule_error'
);

--
-- Name: hz_rule_violation; Type: TYPE; Schema: public; Owner: -
--

CREATE TYPE public.hz_rule_violation AS (
	rule_code text,
	rule_name text,
	severity smallint,
	message text,
	left_value text,
	op text,
	right_value text,
	indicator_code text,
	explanation text,
	skipped boolean,
	skip_reason text
);

--
-- Name: hz_approval_row(text, text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.hz_approval_row(p_region text, p_period text) RETURNS TABLE(state smallint, last_submitted_at text, approved_by text, approved_at text, comment text)
    LANGUAGE sql STABLE
    AS $$
  SELECT hz_approval_state(r.last_submitted_at, r.approved_at),
         coalesce(hz_ts(r.last_submitted_at), ''), coalesce(r.approved_by, ''),
         coalesce(hz_ts(r.approved_at), ''), coalesce(r.approval_comment, '')
  FROM (SELECT 1) one
  LEFT JOIN reports r ON r.region_code = p_region AND r.period = p_period
$$;

--
-- Name: hz_approval_state(timestamp with time zone, timestamp with time zone); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.hz_approval_state(p_last_submitted_at timestamp with time zone, p_approved_at timestamp with time zone) RETURNS smallint
    LANGUAGE sql IMMUTABLE
    AS $$
  SELECT CASE WHEN p_approved_at IS NOT NULL THEN 3
              WHEN p_last_submitted_at IS NOT NULL THEN 2 ELSE 1 END::smallint
$$;

--
-- Name: hz_approve_all(text, text, text, text, bigint, text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.hz_approve_all(p_region text, p_period text, p_note text, p_actor text, p_token_id bigint, p_scope text) RETURNS TABLE(kind text, refusal public.hz_refusal, message text, region_code text, last_submitted_at text, approved_by text, approved_at text, rule_code text, indicator_code text)
    LANGUAGE plpgsql
    AS $$
#variable_conflict use_column
DECLARE
  now_ts timestamptz;
  held text[];
BEGIN
  IF NOT EXISTS (SELECT 1 FROM regions WHERE regions.code = p_region) THEN
    RETURN QUERY SELECT 'refused', 'unknown_region'::hz_refusal,
      format('unknown region %s', p_region), '', '', '', '', '', '';
    RETURN;
  END IF;
  IF p_scope IS NOT NULL AND NOT EXISTS (SELECT 1 FROM region_paths
       WHERE ancestor = p_scope AND descendant = p_region) THEN
    RETURN QUERY SELECT 'refused', 'outside_scope'::hz_refusal,
      format('region %s is outside this token''s scope (%s)', p_region, p_scope),
      '', '', '', '', '', '';
    RETURN;
  END IF;
  SELECT coalesce(array_agg(l.region_code), '{}') INTO held
  FROM (SELECT rep.region_code FROM reports rep
        WHERE rep.period = p_period AND rep.region_code IN (
          SELECT r.code FROM region_paths p JOIN regions r ON r.code = p.descendant AND r.reporting
          WHERE p.ancestor = p_region)
        ORDER BY rep.region_code COLLATE "C"
        FOR UPDATE OF rep) l;
  now_ts := clock_timestamp();
  RETURN QUERY
  WITH leaves AS (
    SELECT r.code FROM region_paths p JOIN regions r ON r.code = p.descendant AND r.reporting
    WHERE p.ancestor = p_region
  ), locked AS (
    SELECT rep.region_code, rep.approved_at, rep.last_submitted_at FROM reports rep
    WHERE rep.period = p_period AND rep.region_code = ANY (held)
  ), blocked AS (
    -- Read after the locks: the values the approval would have covered.
    SELECT l.region_code, v.rule_code, coalesce(v.indicator_code, '') AS indicator_code,
           hz_violation_text(v.message, v.rule_name, v.left_value, v.op, v.right_value) AS msg
    FROM locked l
    CROSS JOIN LATERAL hz_rule_violations(l.region_code, p_period, NULL, NULL, NULL) v
    WHERE l.approved_at IS NULL AND l.last_submitted_at IS NOT NULL
      AND v.severity = 1 AND NOT v.skipped
  ), upd AS (
    UPDATE reports rep SET approved_by = p_actor, approved_at = now_ts,
                           approval_comment = coalesce(p_note, '')
    FROM locked l
    WHERE rep.region_code = l.region_code AND rep.period = p_period
      AND l.approved_at IS NULL AND l.last_submitted_at IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM blocked b WHERE b.region_code = l.region_code)
    RETURNING rep.region_code, rep.last_submitted_at
  ), aud AS (
    INSERT INTO audit_log (at, actor, token_id, action, region_code, period, detail)
    SELECT now_ts, p_actor, p_token_id, 'approve', u.region_code, p_period,
           'approved with all submitted' || CASE WHEN coalesce(p_note, '') <> ''
                                                 THEN ': ' || p_note ELSE '' END
    FROM upd u
  ), out (kind, refusal, message, region_code, last_submitted_at, approved_by, approved_at,
          rule_code, indicator_code) AS (
    SELECT 'approved', NULL::hz_refusal, '', u.region_code, hz_ts(u.last_submitted_at),
           p_actor, hz_ts(now_ts), '', ''
    FROM upd u
    UNION ALL
    SELECT 'already', NULL::hz_refusal, '', l.region_code, '', '', '', '', '' FROM locked l
    WHERE l.approved_at IS NOT NULL
    UNION ALL
    SELECT 'blocked', NULL::hz_refusal, b.msg, b.region_code, '', '', '', b.rule_code,
           b.indicator_code FROM blocked b
    UNION ALL
    SELECT 'missing', NULL::hz_refusal, '', lv.code, '', '', '', '', '' FROM leaves lv
    WHERE NOT EXISTS (SELECT 1 FROM locked l WHERE l.region_code = lv.code
                        AND l.last_submitted_at IS NOT NULL)
  )
  SELECT o.kind, o.refusal, o.message, o.region_code, o.last_submitted_at, o.approved_by,
         o.approved_at, o.rule_code, o.indicator_code
  FROM out o ORDER BY o.kind COLLATE "C", o.region_code COLLATE "C", o.rule_code COLLATE "C";
END
$$;

--
-- Name: hz_audit_ids(integer); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.hz_audit_ids(n integer) RETURNS bigint[]
    LANGUAGE plpgsql
    AS $$
BEGIN
  RETURN ARRAY(SELECT q.i FROM (SELECT nextval('audit_log_id_seq') AS i
                                FROM generate_series(1, n)) q ORDER BY q.i);
END
$$;

--
-- Name: hz_audit_log_insert(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.hz_audit_log_insert() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  INSERT INTO audit_events (id, at, actor, token_id, action, region_code, indicator_code,
                            period, old_value, new_value, submission_id, detail, old_comment,
                            new_comment)
  VALUES (NEW.id, NEW.at, NEW.actor, NEW.token_id, NEW.action, NEW.region_code,
          NEW.indicator_code, NEW.period, NEW.old_value, NEW.new_value, NEW.submission_id,
          NEW.detail, NEW.old_comment, NEW.new_comment);
  RETURN NEW;
END
$$;

--
-- Name: hz_change_basis_name(smallint); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.hz_change_basis_name(p_basis smallint) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
  SELECT CASE p_basis WHEN 1 THEN 'growth' WHEN 2 THEN 'points' ELSE 'unspecified' END
$$;

--
-- Name: hz_change_basis_of(boolean, text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.hz_change_basis_of(p_is_ratio boolean, p_unit text) RETURNS smallint
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
  SELECT CASE WHEN p_is_ratio OR btrim(p_unit) IN ('%', '％') THEN 2 ELSE 1 END::smallint
$$;

--
-- Name: hz_completeness(text, smallint, date, smallint, integer, integer); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.hz_completeness(p_region text, p_type smallint, p_start date, p_report smallint, p_group integer, p_level integer) RETURNS TABLE(code text, name text, level smallint, grp text, state smallint, last_submitted_at text, last_submission_id text, submitted_by text, value_count integer, approved_by text, approved_at text, exception_open boolean, expected integer, reported integer, on_time integer, late integer, reported_periods text, late_periods text, missing_periods text)
    LANGUAGE sql
    SET jit TO 'off'
    AS $$
  WITH rt AS (
    SELECT hz_report_type(p_type, p_report) AS t
  ), subs AS (
    SELECT s.* FROM rt, hz_sub_periods(p_type, p_start, rt.t) s
  ), grps AS MATERIALIZED (
    -- Once per call, not once per township (the lookup below is correlated).
    SELECT g.code FROM hz_rollup_groups(p_region, p_group, p_level, false) g
  ), units AS (
    SELECT r.code, r.name, r.level,
           (SELECT gp.ancestor FROM grps JOIN region_paths gp ON gp.ancestor = grps.code
             WHERE gp.descendant = r.code LIMIT 1) AS grp
    FROM region_paths p JOIN regions r ON r.code = p.descendant AND r.reporting
    WHERE p.ancestor = p_region
  ), cells AS MATERIALIZED (
    -- late: the first accepted submission came at or after the deadline
    -- (hz_submit_gate closes the period at that instant). Materialized so
    -- that it is looked up once per cell, not once per count below.
    SELECT u.code, s.period, s.period_start, s.started, rep.last_submitted_at,
           rep.approved_at, rep.last_submitted_at IS NOT NULL AS submitted,
           coalesce(s.deadline IS NOT NULL AND rep.last_submitted_at IS NOT NULL
             AND (SELECT min(x.committed_at) FROM submissions x
                   WHERE x.region_code = u.code AND x.period = s.period) >= s.deadline,
             false) AS late
    FROM units u CROSS JOIN subs s
    LEFT JOIN reports rep ON rep.region_code = u.code AND rep.period = s.period
  ), per AS (
    SELECT c.code,
      count(*) FILTER (WHERE c.started)::integer AS expected,
      count(*) FILTER (WHERE c.started AND c.submitted)::integer AS reported,
      count(*) FILTER (WHERE c.started AND c.submitted AND NOT c.late)::integer AS on_time,
      count(*) FILTER (WHERE c.started AND c.submitted AND c.late)::integer AS late,
      count(*) FILTER (WHERE c.started AND c.approved_at IS NOT NULL)::integer AS approved,
      string_agg(c.period, ',' ORDER BY c.period_start)
        FILTER (WHERE c.started AND c.submitted) AS reported_periods,
      string_agg(c.period, ',' ORDER BY c.period_start)
        FILTER (WHERE c.started AND c.late) AS late_periods,
      string_agg(c.period, ',' ORDER BY c.period_start)
        FILTER (WHERE c.started AND NOT c.submitted) AS missing_periods,
      (array_agg(c.period ORDER BY c.last_submitted_at DESC)
        FILTER (WHERE c.submitted))[1] AS latest,
      (array_agg(c.period ORDER BY c.approved_at DESC)
        FILTER (WHERE c.approved_at IS NOT NULL))[1] AS latest_approved,
      array_agg(c.period) AS periods
    FROM cells c GROUP BY c.code
  )
  SELECT u.code, u.name, u.level, u.grp,
         CASE WHEN rt.t = p_type THEN hz_approval_state(last.last_submitted_at, last.approved_at)
              ELSE hz_reporting_state(per.expected, per.reported, per.approved) END,
         hz_ts(last.last_submitted_at), last.last_submission_id::text, s.submitted_by,
         -- Values of the report type inside the period (the index on
         -- region and period start).
         (SELECT count(DISTINCT d.indicator_code)::integer FROM data_values d
           WHERE d.region_code = u.code AND d.period_start >= p_start
             AND d.period_start < hz_period_end(p_type, p_start) AND d.period_type = rt.t),
         appr.approved_by, hz_ts(appr.approved_at),
         -- hz_exception_open's rule (004) over every sub-period at once: a
         -- call per sub-period cost a millisecond per township.
         EXISTS (SELECT 1 FROM period_exceptions e
                  WHERE e.region_code = u.code AND e.period = ANY (per.periods)
                    AND (e.expires_at IS NULL OR e.expires_at > clock_timestamp())),
         per.expected, per.reported, per.on_time, per.late,
         coalesce(per.reported_periods, ''), coalesce(per.late_periods, ''),
         coalesce(per.missing_periods, '')
  FROM units u CROSS JOIN rt
  JOIN per ON per.code = u.code
  LEFT JOIN reports last ON last.region_code = u.code AND last.period = per.latest
  LEFT JOIN submissions s ON s.id = last.last_submission_id
  LEFT JOIN reports appr ON appr.region_code = u.code AND appr.period = per.latest_approved
    AND (rt.t = p_type OR hz_reporting_state(per.expected, per.reported, per.approved) = 3)
  ORDER BY u.code
$$;

--
-- Name: hz_count_catalog_change(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.hz_count_catalog_change() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  PERFORM hz_count_changes(ARRAY['']);
  RETURN NULL;
END
$$;

--
-- Name: hz_count_changes(text[]); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.hz_count_changes(p_regions text[]) RETURNS void
    LANGUAGE plpgsql
    AS $$
BEGIN
  -- Each township once, in key order: two transactions never wait on
  -- each other's rows crosswise (006).
  INSERT INTO change_counts AS c (region_code, n)
  SELECT x.r, 1 FROM (SELECT DISTINCT r FROM unnest(p_regions) AS r WHERE r IS NOT NULL) x
  ORDER BY x.r COLLATE "C"
  ON CONFLICT (region_code) DO UPDATE SET n = c.n + 1;
END
$$;

--
-- Name: hz_count_value_changes(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.hz_count_value_changes() RETURNS trigger
    LANGUAGE plpgsql
    SET jit TO 'off'
    AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM hz_count_changes(array_agg(region_code)) FROM hz_added;
  ELSIF TG_OP = 'UPDATE' THEN
    IF NOT EXISTS (SELECT 1 FROM hz_new) THEN
      RETURN NULL;  -- the UPDATE half of an upsert that only inserted
    END IF;
    PERFORM hz_count_changes(array_agg(region_code))
    FROM (SELECT region_code FROM hz_old UNION SELECT region_code FROM hz_new) x;
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM hz_count_changes(array_agg(region_code)) FROM hz_old;
  ELSE
    PERFORM hz_count_changes(ARRAY['']);
  END IF;
  RETURN NULL;
END
$$;

--
-- Name: hz_create_token(text, smallint, text, bytea, bigint, text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.hz_create_token(p_name text, p_role smallint, p_region text, p_hash bytea, p_token_id bigint, p_actor text) RETURNS TABLE(refusal public.hz_refusal, message text, id bigint, created_at text)
    LANGUAGE plpgsql
    AS $$
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
      RETURN QUERY SELECT 'unknown_region'::hz_refusal, format('unknown region %s', p_region),
        NULL::bigint, NULL::text;
      RETURN;
    END IF;
    IF p_role = 1 AND NOT reg.reporting THEN
      RETURN QUERY SELECT 'role_level_mismatch'::hz_refusal,
        format('a township token needs a reporting region; %s (%s) is a %s',
               reg.code, reg.name, hz_level_name(reg.level)),
        NULL::bigint, NULL::text;
      RETURN;
    END IF;
    IF p_role = 2 AND reg.reporting THEN
      RETURN QUERY SELECT 'role_level_mismatch'::hz_refusal,
        format('a county token reads a subtree; %s (%s) is a township: use role township',
               reg.code, reg.name),
        NULL::bigint, NULL::text;
      RETURN;
    END IF;
  END IF;

  IF EXISTS (SELECT 1 FROM tokens t WHERE t.name = p_name AND t.revoked_at IS NULL) THEN
    RETURN QUERY SELECT 'name_taken'::hz_refusal,
      format('an active token is already named %s; revoke it or choose another name', p_name),
      NULL::bigint, NULL::text;
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

  RETURN QUERY SELECT NULL::hz_refusal, ''::text, new_id, hz_ts(new_at);
END
$$;

--
-- Name: hz_cst(timestamp with time zone); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.hz_cst(p_at timestamp with time zone) RETURNS timestamp without time zone
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
  SELECT p_at AT TIME ZONE INTERVAL '+08:00'
$$;

--
-- Name: hz_cst_today(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.hz_cst_today() RETURNS date
    LANGUAGE sql
    AS $$
  SELECT hz_cst(clock_timestamp())::date
$$;

--
-- Name: hz_deadline(smallint, date); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.hz_deadline(p_period_type smallint, p_period_start date) RETURNS timestamp with time zone
    LANGUAGE sql STABLE
    AS $$
  SELECT (hz_period_end(p_period_type, p_period_start) + w.days_after_end)::timestamp
         AT TIME ZONE INTERVAL '+08:00'
  FROM submission_windows w
  WHERE w.period_type = p_period_type AND w.days_after_end > 0
$$;

--
-- Name: hz_exception_open(text, text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.hz_exception_open(p_region text, p_period text) RETURNS boolean
    LANGUAGE sql STABLE
    AS $$
  SELECT EXISTS (SELECT 1 FROM period_exceptions e
                 WHERE e.region_code = p_region AND e.period = p_period
                   AND (e.expires_at IS NULL OR e.expires_at > clock_timestamp()))
$$;

--
-- Name: hz_first_closed_start(smallint); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.hz_first_closed_start(p_period_type smallint) RETURNS date
    LANGUAGE sql
    AS $$
  SELECT (hz_period_floor(p_period_type, hz_cst_today())
          + (1 + coalesce((SELECT w.open_future_periods FROM submission_windows w
                           WHERE w.period_type = p_period_type), 0))
            * hz_period_interval(p_period_type))::date
$$;

--
-- Name: hz_import_indicators(integer[], text[], text[], text[], smallint[], smallint[], smallint[], text[], text[], text[], text[], text[], smallint[], text[], smallint[], boolean, bigint, text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.hz_import_indicators(p_lines integer[], p_codes text[], p_names text[], p_units text[], p_period_types smallint[], p_time_aggs smallint[], p_region_aggs smallint[], p_mins text[], p_maxs text[], p_nums text[], p_dens text[], p_factors text[], p_scales smallint[], p_descriptions text[], p_change_bases smallint[], p_validate_only boolean, p_token_id bigint, p_actor text) RETURNS TABLE(kind smallint, idx integer, field text, reason text, created integer, updated integer, unchanged integer)
    LANGUAGE plpgsql
    SET plan_cache_mode TO 'force_custom_plan'
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

--
-- Name: hz_import_indicators_banded(integer[], text[], text[], text[], smallint[], smallint[], smallint[], text[], text[], text[], text[], text[], smallint[], text[], smallint[], boolean, bigint, text, text[], text[]); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.hz_import_indicators_banded(p_lines integer[], p_codes text[], p_names text[], p_units text[], p_period_types smallint[], p_time_aggs smallint[], p_region_aggs smallint[], p_mins text[], p_maxs text[], p_nums text[], p_dens text[], p_factors text[], p_scales smallint[], p_descriptions text[], p_change_bases smallint[], p_validate_only boolean, p_token_id bigint, p_actor text, p_yoy_bands text[], p_pop_bands text[]) RETURNS TABLE(kind smallint, idx integer, field text, reason text, created integer, updated integer, unchanged integer)
    LANGUAGE plpgsql
    SET plan_cache_mode TO 'force_custom_plan'
    AS $$
#variable_conflict use_column
DECLARE
  n_bands_only integer;
  n_problems integer := 0;
  s record;
BEGIN
  SELECT count(*) INTO n_bands_only
  FROM (SELECT DISTINCT ON (t.c) t.*
        FROM hz_indicator_rows(p_codes, p_names, p_units, p_period_types, p_time_aggs,
                               p_region_aggs, p_mins, p_maxs, p_nums, p_dens, p_factors,
                               p_scales, p_descriptions, p_change_bases) t
        WHERE t.c IS NOT NULL ORDER BY t.c, t.ord) t
  JOIN indicators d ON d.code = t.c
  JOIN (SELECT DISTINCT ON (b.c) b.c, b.y::numeric AS y, b.p::numeric AS p
        FROM unnest(p_codes, p_yoy_bands, p_pop_bands) WITH ORDINALITY AS b(c, y, p, o)
        WHERE b.c IS NOT NULL ORDER BY b.c, b.o) b ON b.c = t.c
  WHERE (d.yoy_band, d.pop_band) IS DISTINCT FROM (b.y, b.p)
    AND (d.name, d.unit, d.period_type, d.time_aggregation, d.region_aggregation, d.min_value,
         d.max_value, d.ratio_numerator, d.ratio_denominator, d.ratio_factor, d.ratio_scale,
         d.description, d.change_basis) IS NOT DISTINCT FROM
        (t.n, t.u, t.pt, t.ta, t.ra, t.mn::numeric, t.mx::numeric, t.num, t.den,
         t.f::numeric, t.sc, t.ds, t.cb);

  FOR s IN SELECT * FROM hz_import_indicators(p_lines, p_codes, p_names, p_units,
             p_period_types, p_time_aggs, p_region_aggs, p_mins, p_maxs, p_nums, p_dens,
             p_factors, p_scales, p_descriptions, p_change_bases, p_validate_only, p_token_id,
             p_actor) LOOP
    kind := s.kind; idx := s.idx; field := s.field; reason := s.reason;
    created := s.created; updated := s.updated; unchanged := s.unchanged;
    IF s.kind > 0 THEN
      n_problems := n_problems + 1;
    ELSIF s.created IS NOT NULL THEN
      updated := s.updated + n_bands_only;
      unchanged := s.unchanged - n_bands_only;
    END IF;
    RETURN NEXT;
  END LOOP;
  IF n_problems > 0 OR p_validate_only THEN
    RETURN;
  END IF;

  INSERT INTO audit_log (at, actor, token_id, action, indicator_code, detail)
  SELECT clock_timestamp(), p_actor, p_token_id, 'indicator.set', d.code,
    concat_ws('; ',
      CASE WHEN d.yoy_band IS DISTINCT FROM b.y THEN format('yoy_band %s -> %s',
        coalesce(d.yoy_band::text, 'none'), coalesce(b.y::text, 'none')) END,
      CASE WHEN d.pop_band IS DISTINCT FROM b.p THEN format('pop_band %s -> %s',
        coalesce(d.pop_band::text, 'none'), coalesce(b.p::text, 'none')) END)
  FROM (SELECT DISTINCT ON (x.c) x.c, x.y::numeric AS y, x.p::numeric AS p
        FROM unnest(p_codes, p_yoy_bands, p_pop_bands) WITH ORDINALITY AS x(c, y, p, o)
        WHERE x.c IS NOT NULL ORDER BY x.c, x.o) b
  JOIN indicators d ON d.code = b.c
  WHERE (d.yoy_band, d.pop_band) IS DISTINCT FROM (b.y, b.p)
  ORDER BY d.code;

  UPDATE indicators d SET yoy_band = b.y, pop_band = b.p
  FROM (SELECT DISTINCT ON (x.c) x.c, x.y::numeric AS y, x.p::numeric AS p
        FROM unnest(p_codes, p_yoy_bands, p_pop_bands) WITH ORDINALITY AS x(c, y, p, o)
        WHERE x.c IS NOT NULL ORDER BY x.c, x.o) b
  WHERE d.code = b.c AND (d.yoy_band, d.pop_band) IS DISTINCT FROM (b.y, b.p);
END
$$;

--
-- Name: hz_import_regions(integer[], text[], text[], smallint[], text[], boolean, bigint, text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.hz_import_regions(p_lines integer[], p_codes text[], p_names text[], p_levels smallint[], p_parents text[], p_validate_only boolean, p_token_id bigint, p_actor text) RETURNS TABLE(kind smallint, idx integer, field text, reason text, created integer, updated integer, unchanged integer)
    LANGUAGE plpgsql
    SET plan_cache_mode TO 'force_custom_plan'
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
    -- Codes in byte order like the columns they meet: the walk below
    -- joins batch codes with stored ones and must have one collation.
    SELECT t.c COLLATE "C" AS c, t.n, t.l, t.p COLLATE "C" AS p, (t.ord - 1)::integer AS i,
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

--
-- Name: hz_import_rules(integer[], text[], text[], text[], text[], text[], text[], text[], text[], smallint[], text[], text[], text[], text[], boolean, bigint, text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.hz_import_rules(p_lines integer[], p_codes text[], p_names text[], p_lefts text[], p_ops text[], p_rights text[], p_left_rpn text[], p_right_rpn text[], p_msg_codes text[], p_severities smallint[], p_period_types text[], p_tolerances text[], p_messages text[], p_descriptions text[], p_validate_only boolean, p_token_id bigint, p_actor text) RETURNS TABLE(kind smallint, idx integer, field text, reason text, created integer, updated integer, unchanged integer)
    LANGUAGE plpgsql
    AS $$
#variable_conflict use_column
DECLARE
  n_problems integer := 0;
  n_new integer := 0;
  n_changed integer := 0;
  n_same integer := 0;
  now_ts timestamptz;
BEGIN
  -- Two imports of one rule take turns, so each audits the other's result.
  PERFORM pg_advisory_xact_lock(hashtextextended('huizong.rules', 0));

  RETURN QUERY
  WITH b AS (
    SELECT * FROM hz_rule_rows(p_codes, p_names, p_lefts, p_ops, p_rights, p_left_rpn,
      p_right_rpn, p_msg_codes, p_severities, p_period_types, p_tolerances, p_messages,
      p_descriptions)
  ), problems AS (
    SELECT b.i, 4 AS k, 'code' AS f,
      CASE WHEN p_lines[f.i + 1] > 0
        THEN format('rule %s is already defined on line %s', b.c, p_lines[f.i + 1])
        ELSE format('rule %s appears more than once', b.c) END AS why
    FROM b JOIN b f ON f.c = b.c AND f.nth = 1 WHERE b.nth > 1
    UNION ALL
    SELECT b.i, 3, s.f, format('unknown indicator %s in %s', x.c, s.f)
    FROM b CROSS JOIN LATERAL (VALUES ('left', b.lr), ('right', b.rr)) s(f, rpn)
    CROSS JOIN LATERAL (SELECT DISTINCT split_part(t, ':', 2) AS c
                        FROM unnest(s.rpn) t WHERE t ~ '^(v|py|pp|ytd):') x
    WHERE b.nth = 1 AND NOT EXISTS (SELECT 1 FROM indicators i WHERE i.code = x.c)
    UNION ALL
    -- A ratio has no stored value of its own: a rule on it would always
    -- be skipped. Its parts are what a rule can read.
    SELECT b.i, 7, s.f, format('indicator %s is a ratio computed from %s and %s; a rule reads'
                               ' submitted indicators: name those instead', x.c,
                               i.ratio_numerator, i.ratio_denominator)
    FROM b CROSS JOIN LATERAL (VALUES ('left', b.lr), ('right', b.rr)) s(f, rpn)
    CROSS JOIN LATERAL (SELECT DISTINCT split_part(t, ':', 2) AS c
                        FROM unnest(s.rpn) t WHERE t ~ '^(v|py|pp|ytd):') x
    JOIN indicators i ON i.code = x.c AND i.ratio_numerator IS NOT NULL
    WHERE b.nth = 1
    UNION ALL
    SELECT b.i, 1, 'left', 'the rule names no indicator on either side; it would never apply'
    FROM b WHERE b.nth = 1 AND cardinality(b.codes) = 0 AND b.lr IS NOT NULL AND b.rr IS NOT NULL
    UNION ALL
    SELECT b.i, 3, 'message', format('unknown indicator {%s} in message', x.c)
    FROM b CROSS JOIN LATERAL unnest(b.mcodes) x(c)
    WHERE b.nth = 1 AND NOT EXISTS (SELECT 1 FROM indicators i WHERE i.code = x.c)
  )
  SELECT p.k::smallint, p.i, p.f, p.why, NULL::integer, NULL::integer, NULL::integer
  FROM problems p ORDER BY p.i, p.k;
  GET DIAGNOSTICS n_problems = ROW_COUNT;

  SELECT count(*) FILTER (WHERE d.code IS NULL),
         count(*) FILTER (WHERE d.code IS NOT NULL AND hz_rule_changes(d, b.n, b.l, b.o, b.r, b.sv, b.pts, b.tol, b.msg, b.ds) <> ''),
         count(*) FILTER (WHERE d.code IS NOT NULL AND hz_rule_changes(d, b.n, b.l, b.o, b.r, b.sv, b.pts, b.tol, b.msg, b.ds) = '')
    INTO n_new, n_changed, n_same
  FROM hz_rule_rows(p_codes, p_names, p_lefts, p_ops, p_rights, p_left_rpn, p_right_rpn,
                    p_msg_codes, p_severities, p_period_types, p_tolerances, p_messages,
                    p_descriptions) b
  LEFT JOIN rules d ON d.code = b.c
  WHERE b.nth = 1;

  IF n_problems > 0 OR p_validate_only THEN
    RETURN QUERY SELECT 0::smallint, -1, ''::text, ''::text, n_new, n_changed, n_same;
    RETURN;
  END IF;

  now_ts := clock_timestamp();
  INSERT INTO audit_log (at, actor, token_id, action, indicator_code, detail)
  SELECT now_ts, p_actor, p_token_id, 'rule.set', b.concern,
    CASE WHEN d.code IS NULL THEN
      format('rule %s created: %s: %s %s %s, %s%s', b.c, b.n, b.l, b.o, b.r,
             hz_severity_name(b.sv),
             CASE WHEN b.tol IS NOT NULL THEN format(', tolerance %s', b.tol) ELSE '' END)
    ELSE format('rule %s: %s', b.c, hz_rule_changes(d, b.n, b.l, b.o, b.r, b.sv, b.pts, b.tol, b.msg, b.ds)) END
  FROM (SELECT x.*, coalesce((SELECT split_part(t, ':', 2) FROM unnest(x.lr || x.rr) t
                              WHERE t ~ '^(v|py|pp|ytd):' LIMIT 1), '') AS concern
        FROM hz_rule_rows(p_codes, p_names, p_lefts, p_ops, p_rights, p_left_rpn, p_right_rpn,
                          p_msg_codes, p_severities, p_period_types, p_tolerances, p_messages,
                          p_descriptions) x WHERE x.nth = 1) b
  LEFT JOIN rules d ON d.code = b.c
  WHERE d.code IS NULL OR hz_rule_changes(d, b.n, b.l, b.o, b.r, b.sv, b.pts, b.tol, b.msg, b.ds) <> ''
  ORDER BY b.i;

  INSERT INTO rules AS d (code, name, left_expr, op, right_expr, left_rpn, right_rpn, codes,
                          concerns, severity, period_types, tolerance, message, active,
                          description, updated_at, updated_by)
  SELECT b.c, b.n, b.l, b.o, b.r, b.lr, b.rr, b.codes,
         coalesce((SELECT split_part(t, ':', 2) FROM unnest(b.lr || b.rr) t
                   WHERE t ~ '^(v|py|pp|ytd):' LIMIT 1), ''),
         b.sv, b.pts, b.tol, b.msg, true, b.ds, now_ts, p_actor
  FROM hz_rule_rows(p_codes, p_names, p_lefts, p_ops, p_rights, p_left_rpn, p_right_rpn,
                    p_msg_codes, p_severities, p_period_types, p_tolerances, p_messages,
                    p_descriptions) b
  LEFT JOIN rules x ON x.code = b.c
  WHERE b.nth = 1 AND (x.code IS NULL OR hz_rule_changes(x, b.n, b.l, b.o, b.r, b.sv, b.pts, b.tol, b.msg, b.ds) <> '')
  ORDER BY b.c
  ON CONFLICT (code) DO UPDATE
    SET name = EXCLUDED.name, left_expr = EXCLUDED.left_expr, op = EXCLUDED.op,
        right_expr = EXCLUDED.right_expr, left_rpn = EXCLUDED.left_rpn,
        right_rpn = EXCLUDED.right_rpn, codes = EXCLUDED.codes, concerns = EXCLUDED.concerns,
        severity = EXCLUDED.severity, period_types = EXCLUDED.period_types,
        tolerance = EXCLUDED.tolerance, message = EXCLUDED.message, active = true,
        description = EXCLUDED.description, updated_at = EXCLUDED.updated_at,
        updated_by = EXCLUDED.updated_by;

  RETURN QUERY SELECT 0::smallint, -1, ''::text, ''::text, n_new, n_changed, n_same;
END
$$;

--
-- Name: hz_import_targets(integer[], text[], text[], text[], smallint[], date[], text[], boolean, bigint, text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.hz_import_targets(p_lines integer[], p_regions text[], p_indicators text[], p_periods text[], p_period_types smallint[], p_period_starts date[], p_values text[], p_validate_only boolean, p_token_id bigint, p_actor text) RETURNS TABLE(kind smallint, idx integer, field text, reason text, created integer, updated integer, unchanged integer)
    LANGUAGE plpgsql
    SET plan_cache_mode TO 'force_custom_plan'
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

--
-- Name: hz_indicator_rows(text[], text[], text[], smallint[], smallint[], smallint[], text[], text[], text[], text[], text[], smallint[], text[], smallint[]); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.hz_indicator_rows(p_codes text[], p_names text[], p_units text[], p_period_types smallint[], p_time_aggs smallint[], p_region_aggs smallint[], p_mins text[], p_maxs text[], p_nums text[], p_dens text[], p_factors text[], p_scales smallint[], p_descriptions text[], p_change_bases smallint[]) RETURNS TABLE(c text, n text, u text, pt smallint, ta smallint, ra smallint, mn text, mx text, num text, den text, f text, sc smallint, ds text, cb smallint, ord bigint)
    LANGUAGE sql IMMUTABLE
    AS $$
  SELECT t.c, t.n, t.u, t.pt, t.ta, t.ra, t.mn, t.mx, t.num, t.den, t.f, t.sc, t.ds,
         CASE WHEN coalesce(t.cb, 0) = 0 THEN hz_change_basis_of(t.num IS NOT NULL, t.u)
              ELSE t.cb END,
         t.ord
  FROM unnest(p_codes, p_names, p_units, p_period_types, p_time_aggs, p_region_aggs,
              p_mins, p_maxs, p_nums, p_dens, p_factors, p_scales, p_descriptions,
              p_change_bases)
       WITH ORDINALITY AS t(c, n, u, pt, ta, ra, mn, mx, num, den, f, sc, ds, cb, ord)
$$;

--
-- Name: hz_level_name(smallint); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.hz_level_name(l smallint) RETURNS text
    LANGUAGE sql IMMUTABLE
    AS $$
  SELECT CASE l WHEN 1 THEN 'province' WHEN 2 THEN 'city' WHEN 3 THEN 'county'
    WHEN 4 THEN 'township' WHEN 5 THEN 'village' ELSE 'unknown' END
$$;

--
-- Name: hz_lock_report(text, text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.hz_lock_report(p_region text, p_period text) RETURNS void
    LANGUAGE sql
    AS $$
  -- 1215954951: the namespace of report locks ("Hz" + 7, this migration).
  SELECT pg_advisory_xact_lock(1215954951, hashtext(p_region || '/' || p_period))
$$;

--
-- Name: hz_period_code(smallint, date); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.hz_period_code(p_type smallint, p_start date) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
  SELECT CASE p_type
    WHEN 1 THEN to_char(p_start, 'YYYY')
    WHEN 2 THEN to_char(p_start, 'YYYY') || CASE WHEN extract(month FROM p_start) <= 6
                                                 THEN 'S1' ELSE 'S2' END
    WHEN 3 THEN to_char(p_start, 'YYYY"Q"Q')
    ELSE to_char(p_start, 'YYYYMM')
  END
$$;

--
-- Name: hz_period_end(smallint, date); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.hz_period_end(p_period_type smallint, p_period_start date) RETURNS date
    LANGUAGE sql IMMUTABLE
    AS $$
  SELECT (p_period_start + CASE p_period_type WHEN 1 THEN interval '1 year'
                                              WHEN 2 THEN interval '6 months'
                                              WHEN 3 THEN interval '3 months'
                                              ELSE interval '1 month' END)::date
$$;

--
-- Name: hz_period_floor(smallint, date); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.hz_period_floor(p_type smallint, d date) RETURNS date
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
  SELECT CASE p_type
    WHEN 1 THEN date_trunc('year', d::timestamp)::date
    WHEN 2 THEN (date_trunc('year', d::timestamp)
                 + CASE WHEN date_part('month', d::timestamp) > 6
                        THEN interval '6 months' ELSE interval '0' END)::date
    WHEN 3 THEN date_trunc('quarter', d::timestamp)::date
    ELSE date_trunc('month', d::timestamp)::date
  END
$$;

--
-- Name: hz_period_interval(smallint); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.hz_period_interval(p_period_type smallint) RETURNS interval
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
  SELECT CASE p_period_type WHEN 1 THEN interval '1 year' WHEN 2 THEN interval '6 months'
                            WHEN 3 THEN interval '3 months' ELSE interval '1 month' END
$$;

--
-- Name: hz_period_parse(text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.hz_period_parse(p text) RETURNS TABLE(pt smallint, start date)
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $_$
  SELECT x.pt, make_date(left(p, 4)::integer, x.m, 1)
  FROM (SELECT CASE
      WHEN p ~ '^[12][0-9]{3}$' THEN 1
      WHEN p ~ '^[12][0-9]{3}S[12]$' THEN 2
      WHEN p ~ '^[12][0-9]{3}Q[1-4]$' THEN 3
      WHEN p ~ '^[12][0-9]{3}(0[1-9]|1[0-2])$' THEN 4 END::smallint AS pt,
    CASE
      WHEN p ~ '^[12][0-9]{3}$' THEN 1
      WHEN p ~ '^[12][0-9]{3}S[12]$' THEN (substr(p, 6, 1)::integer - 1) * 6 + 1
      WHEN p ~ '^[12][0-9]{3}Q[1-4]$' THEN (substr(p, 6, 1)::integer - 1) * 3 + 1
      WHEN p ~ '^[12][0-9]{3}(0[1-9]|1[0-2])$' THEN substr(p, 5, 2)::integer END AS m) x
  WHERE x.pt IS NOT NULL
$_$;

--
-- Name: hz_period_type_name(smallint); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.hz_period_type_name(t smallint) RETURNS text
    LANGUAGE sql IMMUTABLE
    AS $$
  SELECT CASE t WHEN 1 THEN 'year' WHEN 2 THEN 'half year' WHEN 3 THEN 'quarter'
    WHEN 4 THEN 'month' ELSE 'unknown' END
$$;

--
-- Name: hz_read_fresh(pg_lsn); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.hz_read_fresh(p_want pg_lsn) RETURNS boolean
    LANGUAGE plpgsql
    AS $$
DECLARE
  at pg_lsn := CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn()
                    ELSE pg_current_wal_insert_lsn() END;
BEGIN
  IF at IS NULL OR at < p_want THEN
    RAISE EXCEPTION 'this server has replayed WAL to %, not yet to %', at, p_want
      USING ERRCODE = 'HZ001';
  END IF;
  RETURN true;
END
$$;

--
-- Name: hz_report_type(smallint, smallint); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.hz_report_type(p_type smallint, p_requested smallint) RETURNS smallint
    LANGUAGE sql STABLE
    AS $$
  SELECT CASE WHEN p_requested BETWEEN 1 AND 4 THEN p_requested
         ELSE coalesce(
           (SELECT p_type WHERE EXISTS (SELECT 1 FROM indicators i WHERE i.period_type = p_type)),
           (SELECT min(i.period_type) FROM indicators i WHERE i.period_type > p_type),
           p_type) END::smallint
$$;

--
-- Name: hz_reporting_state(integer, integer, integer); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.hz_reporting_state(p_expected integer, p_reported integer, p_approved integer) RETURNS smallint
    LANGUAGE sql IMMUTABLE
    AS $$
  SELECT CASE WHEN p_reported = 0 THEN 1
              WHEN p_reported < p_expected THEN 4
              WHEN p_approved >= p_expected THEN 3
              ELSE 2 END::smallint
$$;

--
-- Name: hz_review_target(text, text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.hz_review_target(p_region text, p_scope text) RETURNS TABLE(refusal public.hz_refusal, message text)
    LANGUAGE plpgsql STABLE
    AS $$
DECLARE
  reg regions%ROWTYPE;
BEGIN
  SELECT * INTO reg FROM regions WHERE code = p_region;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'unknown_region'::hz_refusal, format('unknown region %s', p_region);
  ELSIF p_scope IS NOT NULL AND NOT EXISTS (SELECT 1 FROM region_paths
          WHERE ancestor = p_scope AND descendant = p_region) THEN
    RETURN QUERY SELECT 'outside_scope'::hz_refusal,
      format('region %s is outside this token''s scope (%s)', p_region, p_scope);
  ELSIF NOT reg.reporting THEN
    RETURN QUERY SELECT 'not_township'::hz_refusal,
      format('region %s (%s) is not a reporting township', p_region, reg.name);
  END IF;
END
$$;

--
-- Name: hz_review_violations(text, text, boolean); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.hz_review_violations(p_region text, p_period text, p_skipped boolean) RETURNS TABLE(grp smallint, region_code text, region_name text, rule_code text, rule_name text, severity smallint, message text, left_value text, op text, right_value text, indicator_code text, explanation text, skipped boolean, skip_reason text)
    LANGUAGE sql STABLE
    AS $$
  SELECT CASE WHEN v.skipped THEN 4 WHEN v.severity = 1 THEN 1
              WHEN coalesce(v.explanation, '') = '' THEN 2 ELSE 3 END::smallint,
         r.code, r.name, v.rule_code, v.rule_name, v.severity,
         CASE WHEN v.skipped THEN coalesce(v.message, '')
              ELSE hz_violation_text(v.message, v.rule_name, v.left_value, v.op, v.right_value)
         END,
         coalesce(v.left_value, ''), coalesce(v.op, ''), coalesce(v.right_value, ''),
         coalesce(v.indicator_code, ''), coalesce(v.explanation, ''), v.skipped,
         coalesce(v.skip_reason, '')
  FROM region_paths p
  JOIN regions r ON r.code = p.descendant AND r.reporting
  JOIN reports rep ON rep.region_code = r.code AND rep.period = p_period
                  AND rep.last_submitted_at IS NOT NULL
  CROSS JOIN LATERAL hz_rule_violations(r.code, p_period, NULL, NULL, NULL) v
  WHERE p.ancestor = p_region AND (p_skipped OR NOT v.skipped)
  ORDER BY 1, r.code COLLATE "C", v.rule_code COLLATE "C"
$$;

--
-- Name: hz_revoke_token(bigint, text, bigint, text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.hz_revoke_token(p_id bigint, p_name text, p_token_id bigint, p_actor text) RETURNS TABLE(refusal public.hz_refusal, message text, id bigint, name text, role smallint, region_code text, created_at text, created_by text, revoked_at text, last_used_at text, changed boolean)
    LANGUAGE plpgsql
    AS $$
#variable_conflict use_column
DECLARE
  tok tokens%ROWTYPE;
  n_active integer;
  did boolean := false;
BEGIN
  IF p_id IS NOT NULL THEN
    SELECT * INTO tok FROM tokens t WHERE t.id = p_id FOR UPDATE;
    IF NOT FOUND THEN
      RETURN QUERY SELECT 'unknown_token'::hz_refusal, format('unknown token id %s', p_id),
        NULL::bigint, NULL::text, NULL::smallint, NULL::text, NULL::text, NULL::text,
        NULL::text, NULL::text, NULL::boolean;
      RETURN;
    END IF;
  ELSE
    SELECT count(*) INTO n_active FROM tokens t WHERE t.name = p_name AND t.revoked_at IS NULL;
    IF n_active > 1 THEN
      RETURN QUERY SELECT 'name_ambiguous'::hz_refusal,
        format('%s active tokens are named %s; revoke them by id', n_active, p_name),
        NULL::bigint, NULL::text, NULL::smallint, NULL::text, NULL::text, NULL::text,
        NULL::text, NULL::text, NULL::boolean;
      RETURN;
    END IF;
    -- The active one, else the latest revoked one (returned unchanged).
    SELECT * INTO tok FROM tokens t WHERE t.name = p_name
    ORDER BY t.revoked_at IS NULL DESC, t.revoked_at DESC, t.id DESC LIMIT 1 FOR UPDATE;
    IF NOT FOUND THEN
      RETURN QUERY SELECT 'unknown_token'::hz_refusal, format('no token is named %s', p_name),
        NULL::bigint, NULL::text, NULL::smallint, NULL::text, NULL::text, NULL::text,
        NULL::text, NULL::text, NULL::boolean;
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

  RETURN QUERY SELECT NULL::hz_refusal, ''::text, tok.id, tok.name, tok.role,
    coalesce(tok.region_code, ''), hz_ts(tok.created_at), tok.created_by, hz_ts(tok.revoked_at),
    coalesce(hz_ts(tok.last_used_at), ''), did;
END
$$;

--
-- Name: hz_role_name(smallint); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.hz_role_name(r smallint) RETURNS text
    LANGUAGE sql IMMUTABLE
    AS $$
  SELECT CASE r WHEN 1 THEN 'township' WHEN 2 THEN 'county' WHEN 3 THEN 'admin'
    ELSE 'unknown' END
$$;

--
-- Name: hz_rollup_groups(text, integer, integer, boolean); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.hz_rollup_groups(p_region text, p_group integer, p_level integer, p_total boolean) RETURNS TABLE(code text, name text, level smallint, expected integer, is_total boolean)
    LANGUAGE sql STABLE
    AS $$
  WITH g AS (
    SELECT r.code, true AS is_total FROM regions r
     WHERE r.code = p_region AND (p_group = 1 OR p_total)
    UNION ALL
    SELECT r.code, false FROM regions r WHERE p_group = 2 AND r.parent_code = p_region
    UNION ALL
    SELECT p.descendant, false FROM region_paths p JOIN regions r ON r.code = p.descendant
     WHERE p_group = 3 AND p.ancestor = p_region AND p.depth > 0 AND r.level = p_level
    UNION ALL
    -- The country: its total row, its roots, its regions at one level.
    SELECT '', true WHERE coalesce(p_region, '') = '' AND (p_group = 1 OR p_total)
    UNION ALL
    SELECT r.code, false FROM regions r
     WHERE p_group = 2 AND coalesce(p_region, '') = '' AND r.parent_code IS NULL
    UNION ALL
    SELECT r.code, false FROM regions r
     WHERE p_group = 3 AND coalesce(p_region, '') = '' AND r.level = p_level
  )
  SELECT g.code, coalesce(r.name, '全国'), coalesce(r.level, 0::smallint),
         CASE WHEN g.code = '' THEN (SELECT count(*)::integer FROM regions x WHERE x.reporting)
           ELSE (SELECT count(*)::integer FROM region_paths p JOIN regions x ON x.code = p.descendant
                  WHERE p.ancestor = g.code AND x.reporting) END,
         g.is_total
  FROM g LEFT JOIN regions r ON r.code = g.code
  ORDER BY g.is_total DESC, g.code
$$;

--
-- Name: hz_rollup_stamp(text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.hz_rollup_stamp(p_region text) RETURNS text
    LANGUAGE sql STABLE
    AS $$
  SELECT coalesce((SELECT c.n FROM change_counts c WHERE c.region_code = ''), 0)::text || ':'
      || CASE WHEN coalesce(p_region, '') = ''
           THEN coalesce((SELECT sum(c.n) FROM change_counts c WHERE c.region_code <> ''), 0)
           ELSE coalesce((SELECT sum(c.n) FROM region_paths p
                          JOIN change_counts c ON c.region_code = p.descendant
                          WHERE p.ancestor = p_region), 0) END::text
$$;

--
-- Name: hz_rollup_values(text, integer, integer, boolean, text[], smallint, date[], date[], integer[]); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.hz_rollup_values(p_region text, p_group integer, p_level integer, p_total boolean, p_indicators text[], p_period_type smallint, p_starts date[], p_ends date[], p_bases integer[]) RETURNS TABLE(grp text, indicator text, win integer, ra smallint, n integer, value numeric, reporting integer, covered integer)
    LANGUAGE plpgsql STABLE
    SET plan_cache_mode TO 'force_generic_plan'
    SET jit TO 'off'
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

--
-- Name: rules; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.rules (
    code text NOT NULL COLLATE pg_catalog."C",
    name text NOT NULL,
    left_expr text NOT NULL,
    op text NOT NULL,
    right_expr text NOT NULL,
    left_rpn text[] NOT NULL,
    right_rpn text[] NOT NULL,
    codes text[] NOT NULL COLLATE pg_catalog."C",
    concerns text NOT NULL COLLATE pg_catalog."C",
    severity smallint NOT NULL,
    period_types smallint[] NOT NULL,
    tolerance numeric,
    message text NOT NULL,
    active boolean DEFAULT true NOT NULL,
    description text DEFAULT ''::text NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_by text DEFAULT ''::text NOT NULL,
    CONSTRAINT rules_code_check CHECK ((code ~ '^[a-z0-9_.-]{1,64}$'::text)),
    CONSTRAINT rules_name_check CHECK ((name <> ''::text)),
    CONSTRAINT rules_op_check CHECK ((op = ANY (ARRAY['<'::text, '<='::text, '=='::text, '!='::text, '>='::text, '>'::text]))),
    CONSTRAINT rules_severity_check CHECK ((severity = ANY (ARRAY[1, 2]))),
    CONSTRAINT rules_tolerance_check CHECK ((tolerance >= (0)::numeric))
);

--
-- Name: hz_rule_changes(public.rules, text, text, text, text, smallint, smallint[], numeric, text, text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.hz_rule_changes(d public.rules, n text, l text, o text, r text, sv smallint, pts smallint[], tol numeric, msg text, ds text) RETURNS text
    LANGUAGE sql IMMUTABLE
    AS $$
  SELECT concat_ws('; ',
    CASE WHEN d.name <> n THEN format('name %s -> %s', d.name, n) END,
    CASE WHEN d.left_expr <> l THEN format('left %s -> %s', d.left_expr, l) END,
    CASE WHEN d.op <> o THEN format('op %s -> %s', d.op, o) END,
    CASE WHEN d.right_expr <> r THEN format('right %s -> %s', d.right_expr, r) END,
    CASE WHEN d.severity <> sv THEN format('severity %s -> %s',
      hz_severity_name(d.severity), hz_severity_name(sv)) END,
    CASE WHEN d.period_types <> pts THEN format('period_types {%s} -> {%s}',
      array_to_string(d.period_types, ','), array_to_string(pts, ',')) END,
    CASE WHEN d.tolerance IS DISTINCT FROM tol THEN format('tolerance %s -> %s',
      coalesce(d.tolerance::text, 'none'), coalesce(tol::text, 'none')) END,
    CASE WHEN d.message <> msg THEN format('message %s -> %s', d.message, msg) END,
    CASE WHEN d.description <> ds THEN 'description changed' END,
    CASE WHEN NOT d.active THEN 'enabled' END)
$$;

--
-- Name: hz_rule_eval(text, text, smallint, date, text[], numeric[], text[]); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.hz_rule_eval(p_region text, p_period text, p_type smallint, p_start date, p_codes text[], p_values numeric[], p_comments text[]) RETURNS SETOF public.hz_rule_violation
    LANGUAGE plpgsql STABLE
    AS $$
#variable_conflict use_column
DECLARE
  need text[];     -- indicators the rules and bands read
  banded boolean;  -- some indicator has an outlier band
  cur jsonb;       -- code -> [value, comment] of the overlaid report, needed codes only
  vals jsonb;      -- operand token -> value
  missing jsonb;   -- operand token -> why it has none
  r record;
  lv record;
  rv record;
  ph record;       -- a {CODE} placeholder of the message
  msg text;
  py_code text := hz_period_code(p_type, (p_start - interval '1 year')::date);
  pp_code text := hz_period_code(p_type, (p_start - hz_period_interval(p_type))::date);
  y_start date := hz_period_floor(1::smallint, p_start); -- the year's first day (005)
BEGIN
  -- Only what the rules for this period type and the outlier bands read:
  -- their indicators (expressions and message placeholders) and the
  -- banded ones. Nothing to check (no rule, no band): nothing read.
  SELECT coalesce(array_agg(DISTINCT n.c), '{}'),
         coalesce(bool_or(n.banded), false)
    INTO need, banded
  FROM (SELECT unnest(x.codes) AS c, false AS banded FROM rules x
        WHERE x.active AND (cardinality(x.period_types) = 0 OR p_type = ANY (x.period_types))
        UNION ALL
        SELECT (regexp_matches(x.message, '\{([a-z][a-z0-9_.-]*)\}', 'g'))[1], false FROM rules x
        WHERE x.active AND (cardinality(x.period_types) = 0 OR p_type = ANY (x.period_types))
        UNION ALL
        SELECT i.code, true FROM indicators i
        WHERE i.yoy_band IS NOT NULL OR i.pop_band IS NOT NULL) n;
  IF cardinality(need) = 0 THEN
    RETURN;
  END IF;
  SELECT coalesce(jsonb_object_agg(c.code, jsonb_build_array(c.v::text, c.m)), '{}')
    INTO cur
  FROM (
    SELECT coalesce(g.c, d.indicator_code) AS code,
           CASE WHEN g.c IS NOT NULL THEN g.v ELSE d.value END AS v,
           CASE WHEN g.c IS NOT NULL THEN coalesce(g.m, '') ELSE d.comment END AS m
    FROM (SELECT x.indicator_code, x.value, x.comment FROM data_values x
          WHERE x.region_code = p_region AND x.period = p_period
            AND x.indicator_code = ANY (need)) d
    FULL JOIN (SELECT DISTINCT ON (t.c) t.c, t.v, t.m
               FROM unnest(p_codes, p_values, p_comments) WITH ORDINALITY AS t(c, v, m, o)
               WHERE t.c = ANY (need) AND t.v IS NOT NULL ORDER BY t.c, t.o) g
      ON g.c = d.indicator_code) c;
  IF cur = '{}' THEN
    RETURN;
  END IF;

  -- Every operand of the rules that apply, valued in one statement.
  WITH ru AS (
    SELECT x.left_rpn, x.right_rpn FROM rules x
    WHERE x.active AND (cardinality(x.period_types) = 0 OR p_type = ANY (x.period_types))
      AND x.codes && ARRAY(SELECT jsonb_object_keys(cur))
  ), tok AS (
    SELECT DISTINCT t AS tok, split_part(t, ':', 1) AS fn, split_part(t, ':', 2) AS code
    FROM ru, unnest(ru.left_rpn || ru.right_rpn) AS t
    WHERE t ~ '^(v|py|pp|ytd):'
  ), valued AS (
    SELECT tok.tok, tok.fn, tok.code,
      CASE tok.fn
        WHEN 'v' THEN cur -> tok.code ->> 0
        WHEN 'py' THEN (SELECT d.value::text FROM data_values d WHERE d.region_code = p_region
                          AND d.indicator_code = tok.code AND d.period = py_code)
        WHEN 'pp' THEN (SELECT d.value::text FROM data_values d WHERE d.region_code = p_region
                          AND d.indicator_code = tok.code AND d.period = pp_code)
        ELSE (
          -- Year to date as RollupRow.ytd (migration 012): the periods of
          -- the report's type from the first of its year through this one,
          -- aggregated by the indicator's time aggregation (1 SUM, 2 LAST,
          -- 3 AVERAGE, 4 MIN, 5 MAX), as hz_rollup_values' range windows
          -- do; this period's value is the overlaid one, which that function
          -- (stored values only) cannot see before the submission commits.
          SELECT CASE i.time_aggregation
                   WHEN 1 THEN sum(w.v) WHEN 2 THEN (array_agg(w.v ORDER BY w.s DESC))[1]
                   WHEN 3 THEN sum(w.v) / count(w.v) WHEN 4 THEN min(w.v) ELSE max(w.v) END::text
          FROM indicators i, (
            SELECT d.value AS v, d.period_start AS s FROM data_values d
            WHERE d.region_code = p_region AND d.indicator_code = tok.code
              AND d.period_type = p_type AND d.period_start >= y_start AND d.period_start < p_start
            UNION ALL
            SELECT (cur -> tok.code ->> 0)::numeric, p_start WHERE cur ? tok.code) w
          WHERE i.code = tok.code GROUP BY i.time_aggregation)
      END AS v
    FROM tok
  )
  SELECT coalesce(jsonb_object_agg(v.tok, v.v) FILTER (WHERE v.v IS NOT NULL), '{}'),
         coalesce(jsonb_object_agg(v.tok, CASE v.fn
           WHEN 'v' THEN format('%s has no value for %s', v.code, p_period)
           WHEN 'py' THEN format('prev_year(%s) has no value for %s', v.code, py_code)
           WHEN 'pp' THEN format('prev_period(%s) has no value for %s', v.code, pp_code)
           ELSE format('ytd(%s) has no value for %s–%s', v.code,
                       hz_period_code(p_type, y_start), p_period) END)
           FILTER (WHERE v.v IS NULL), '{}')
    INTO vals, missing
  FROM valued v;

  FOR r IN SELECT x.* FROM rules x
           WHERE x.active AND (cardinality(x.period_types) = 0 OR p_type = ANY (x.period_types))
             AND x.codes && ARRAY(SELECT jsonb_object_keys(cur))
           ORDER BY x.severity, x.code LOOP
    SELECT * INTO lv FROM hz_rule_rpn_eval(r.left_rpn, vals, missing);
    SELECT * INTO rv FROM hz_rule_rpn_eval(r.right_rpn, vals, missing);
    IF lv.skip IS NOT NULL OR rv.skip IS NOT NULL THEN
      RETURN QUERY SELECT r.code, r.name, r.severity, ''::text, ''::text, r.op, ''::text,
        r.concerns, coalesce(cur -> r.concerns ->> 1, ''), true,
        CASE WHEN lv.skip IS NOT NULL THEN 'left side: ' || lv.skip
             ELSE 'right side: ' || rv.skip END;
      CONTINUE;
    END IF;
    CONTINUE WHEN hz_rule_holds(lv.value, r.op, rv.value, r.tolerance);
    msg := replace(replace(replace(r.message, '{left}', trim_scale(lv.value)::text),
                           '{right}', trim_scale(rv.value)::text), '{name}', r.name);
    FOR ph IN SELECT DISTINCT (regexp_matches(msg, '\{([a-z][a-z0-9_.-]*)\}', 'g'))[1] AS c LOOP
      msg := replace(msg, '{' || ph.c || '}', coalesce(cur -> ph.c ->> 0, '—'));
    END LOOP;
    RETURN QUERY SELECT r.code, r.name, r.severity, msg, trim_scale(lv.value)::text, r.op,
      trim_scale(rv.value)::text, r.concerns, coalesce(cur -> r.concerns ->> 1, ''), false,
      ''::text;
  END LOOP;

  -- Outlier bands: change on the same period a year earlier and on the
  -- previous period, in % (GROWTH, base not 0) or points (POINTS), outside
  -- ±band. No base, no check (a first year is not an outlier).
  IF NOT banded THEN
    RETURN;
  END IF;
  RETURN QUERY
  WITH v AS (
    SELECT k.key AS code, (k.value ->> 0)::numeric AS val, k.value ->> 1 AS m,
           i.name, i.change_basis, i.yoy_band, i.pop_band
    FROM jsonb_each(cur) k JOIN indicators i ON i.code = k.key
    WHERE (i.yoy_band IS NOT NULL OR i.pop_band IS NOT NULL) AND k.value ->> 0 IS NOT NULL
  ), c AS (
    SELECT v.*, 'yoy' AS kind, v.yoy_band AS band, b.value AS base
    FROM v JOIN data_values b ON b.region_code = p_region AND b.indicator_code = v.code
      AND b.period = py_code
    WHERE v.yoy_band IS NOT NULL
    UNION ALL
    SELECT v.*, 'pop', v.pop_band, b.value
    FROM v JOIN data_values b ON b.region_code = p_region AND b.indicator_code = v.code
      AND b.period = pp_code
    WHERE v.pop_band IS NOT NULL
  ), ch AS (
    SELECT c.*, CASE WHEN c.change_basis = 2 THEN c.val - c.base
                     WHEN c.base <> 0 THEN round((c.val - c.base) / abs(c.base) * 100, 2) END AS d
    FROM c
  )
  SELECT format('outlier.%s.%s', ch.kind, ch.code),
    format('%s%s超出范围', ch.name, CASE ch.kind WHEN 'yoy' THEN '同比变动' ELSE '环比变动' END),
    2::smallint,
    format('%s（%s）%s%s%s%s，超出 ±%s%s（outside the band）；基数 %s（%s）', ch.name, ch.code,
           CASE ch.kind WHEN 'yoy' THEN '同比' ELSE '环比' END,
           CASE WHEN ch.d > 0 THEN '+' ELSE '' END, trim_scale(ch.d),
           CASE WHEN ch.change_basis = 2 THEN '个百分点' ELSE '%' END,
           trim_scale(ch.band), CASE WHEN ch.change_basis = 2 THEN '个百分点' ELSE '%' END,
           trim_scale(ch.base), CASE ch.kind WHEN 'yoy' THEN py_code ELSE pp_code END),
    trim_scale(ch.d)::text, '<='::text, trim_scale(ch.band)::text, ch.code, ch.m, false, ''::text
  FROM ch WHERE ch.d IS NOT NULL AND abs(ch.d) > ch.band
  ORDER BY 1;
END
$$;

--
-- Name: hz_rule_holds(numeric, text, numeric, numeric); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.hz_rule_holds(l numeric, p_op text, r numeric, tol numeric) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
  SELECT CASE p_op
    WHEN '<' THEN l < r + coalesce(tol, 0)
    WHEN '<=' THEN l <= r + coalesce(tol, 0)
    WHEN '==' THEN abs(l - r) <= coalesce(tol, 0)
    WHEN '!=' THEN abs(l - r) > coalesce(tol, 0)
    WHEN '>=' THEN l >= r - coalesce(tol, 0)
    WHEN '>' THEN l > r - coalesce(tol, 0)
  END
$$;

--
-- Name: hz_rule_rows(text[], text[], text[], text[], text[], text[], text[], text[], smallint[], text[], text[], text[], text[]); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.hz_rule_rows(p_codes text[], p_names text[], p_lefts text[], p_ops text[], p_rights text[], p_left_rpn text[], p_right_rpn text[], p_msg_codes text[], p_severities smallint[], p_period_types text[], p_tolerances text[], p_messages text[], p_descriptions text[]) RETURNS TABLE(i integer, c text, n text, l text, o text, r text, lr text[], rr text[], codes text[], mcodes text[], sv smallint, pts smallint[], tol numeric, msg text, ds text, nth bigint)
    LANGUAGE sql IMMUTABLE
    AS $$
  SELECT (t.ord - 1)::integer, t.c COLLATE "C", t.n, t.l, t.o, t.r,
         string_to_array(t.lr, ' '), string_to_array(t.rr, ' '),
         ARRAY(SELECT DISTINCT split_part(x, ':', 2) COLLATE "C"
               FROM unnest(string_to_array(t.lr || ' ' || t.rr, ' ')) x
               WHERE x ~ '^(v|py|pp|ytd):' ORDER BY 1),
         coalesce(string_to_array(nullif(t.mc, ''), ' '), '{}'),
         t.sv, ARRAY(SELECT DISTINCT x::smallint FROM unnest(string_to_array(nullif(t.pts, ''), ' ')) x
                     ORDER BY 1),
         t.tol::numeric, t.msg, coalesce(t.ds, ''),
         row_number() OVER (PARTITION BY t.c ORDER BY t.ord)
  FROM unnest(p_codes, p_names, p_lefts, p_ops, p_rights, p_left_rpn, p_right_rpn, p_msg_codes,
              p_severities, p_period_types, p_tolerances, p_messages, p_descriptions)
       WITH ORDINALITY AS t(c, n, l, o, r, lr, rr, mc, sv, pts, tol, msg, ds, ord)
  WHERE t.c IS NOT NULL
$$;

--
-- Name: hz_rule_rpn_eval(text[], jsonb, jsonb); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.hz_rule_rpn_eval(p_rpn text[], p_vals jsonb, p_missing jsonb, OUT value numeric, OUT skip text) RETURNS record
    LANGUAGE plpgsql IMMUTABLE
    AS $$
DECLARE
  st numeric[] := '{}';
  n integer := 0;
  t text;
  b numeric;
  x text;
BEGIN
  FOREACH t IN ARRAY p_rpn LOOP
    IF left(t, 1) = '#' THEN
      n := n + 1;
      st[n] := substr(t, 2)::numeric;
    ELSIF t IN ('+', '-', '*', '/') THEN
      b := st[n];
      n := n - 1;
      IF t = '+' THEN st[n] := st[n] + b;
      ELSIF t = '-' THEN st[n] := st[n] - b;
      ELSIF t = '*' THEN st[n] := st[n] * b;
      ELSIF b = 0 THEN
        skip := 'division by zero';
        RETURN;
      ELSE st[n] := st[n] / b;
      END IF;
    ELSIF t = 'neg' THEN st[n] := -st[n];
    ELSIF t = 'abs' THEN st[n] := abs(st[n]);
    ELSE
      x := p_vals ->> t;
      IF x IS NULL THEN
        skip := coalesce(p_missing ->> t, t || ' has no value');
        RETURN;
      END IF;
      n := n + 1;
      st[n] := x::numeric;
    END IF;
  END LOOP;
  value := st[1];
END
$$;

--
-- Name: hz_rule_violations(text, text, text[], numeric[], text[]); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.hz_rule_violations(p_region text, p_period text, p_codes text[], p_values numeric[], p_comments text[]) RETURNS TABLE(rule_code text, rule_name text, severity smallint, message text, left_value text, op text, right_value text, indicator_code text, explanation text, skipped boolean, skip_reason text)
    LANGUAGE sql STABLE
    AS $$
  SELECT e.* FROM hz_period_parse(p_period) p,
    LATERAL hz_rule_eval(p_region, p_period, p.pt, p.start, p_codes, p_values, p_comments) e
$$;

--
-- Name: hz_set_approval(text, text, boolean, text, text, bigint, text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.hz_set_approval(p_region text, p_period text, p_approve boolean, p_note text, p_actor text, p_token_id bigint, p_scope text) RETURNS TABLE(refusal public.hz_refusal, message text, changed boolean, state smallint, last_submitted_at text, approved_by text, approved_at text, comment text, rule_code text, indicator_code text)
    LANGUAGE plpgsql
    AS $$
DECLARE
  refused record;
  rep reports%ROWTYPE;
  did boolean := false;
  now_ts timestamptz; -- one instant for the row and its audit entry, read after the locks
BEGIN
  SELECT * INTO refused FROM hz_review_target(p_region, p_scope);
  IF FOUND THEN
    RETURN QUERY SELECT refused.refusal, refused.message, false, 0::smallint, '', '', '', '',
                        '', '';
    RETURN;
  END IF;
  PERFORM hz_lock_report(p_region, p_period);
  SELECT * INTO rep FROM reports r WHERE r.region_code = p_region AND r.period = p_period
    FOR UPDATE;
  now_ts := clock_timestamp();
  IF p_approve THEN
    IF NOT FOUND OR rep.last_submitted_at IS NULL THEN
      RETURN QUERY SELECT 'nothing_submitted'::hz_refusal,
        format('nothing has been submitted for %s %s; it cannot be approved', p_region,
               p_period), false, 1::smallint, '', '', '', '', '', '';
      RETURN;
    END IF;
    IF rep.approved_at IS NULL THEN
      RETURN QUERY SELECT 'rule_error'::hz_refusal,
        hz_violation_text(v.message, v.rule_name, v.left_value, v.op, v.right_value),
        false, 2::smallint, '', '', '', '', v.rule_code, coalesce(v.indicator_code, '')
      FROM hz_rule_violations(p_region, p_period, NULL, NULL, NULL) v
      WHERE v.severity = 1 AND NOT v.skipped ORDER BY v.rule_code COLLATE "C";
      IF FOUND THEN
        RETURN;
      END IF;
      UPDATE reports SET approved_by = p_actor, approved_at = now_ts,
                         approval_comment = coalesce(p_note, '')
       WHERE region_code = p_region AND period = p_period;
      INSERT INTO audit_log (at, actor, token_id, action, region_code, period, detail)
      VALUES (now_ts, p_actor, p_token_id, 'approve', p_region, p_period, coalesce(p_note, ''));
      did := true;
    END IF;
  ELSIF FOUND AND rep.approved_at IS NOT NULL THEN
    UPDATE reports SET approved_by = NULL, approved_at = NULL,
                       approval_comment = coalesce(p_note, '')
     WHERE region_code = p_region AND period = p_period;
    INSERT INTO audit_log (at, actor, token_id, action, region_code, period, detail)
    VALUES (now_ts, p_actor, p_token_id, 'reopen', p_region, p_period,
            format('approval by %s at %s undone%s', rep.approved_by, hz_ts(rep.approved_at),
                   CASE WHEN coalesce(p_note, '') <> '' THEN ': ' || p_note ELSE '' END));
    did := true;
  END IF;
  RETURN QUERY SELECT NULL::hz_refusal, ''::text, did, a.*, '', ''
    FROM hz_approval_row(p_region, p_period) a;
END
$$;

--
-- Name: hz_set_rule_active(text, boolean, text, bigint, text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.hz_set_rule_active(p_code text, p_active boolean, p_reason text, p_token_id bigint, p_actor text) RETURNS SETOF public.rules
    LANGUAGE plpgsql
    AS $$
DECLARE
  d rules%ROWTYPE;
BEGIN
  SELECT * INTO d FROM rules WHERE code = p_code FOR UPDATE;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  IF d.active <> p_active THEN
    INSERT INTO audit_log (at, actor, token_id, action, indicator_code, detail)
    VALUES (clock_timestamp(), p_actor, p_token_id, 'rule.set', nullif(d.concerns, ''),
            format('rule %s %s%s', p_code, CASE WHEN p_active THEN 'enabled' ELSE 'disabled' END,
                   CASE WHEN coalesce(p_reason, '') <> '' THEN ': ' || p_reason ELSE '' END));
    UPDATE rules SET active = p_active, updated_at = clock_timestamp(), updated_by = p_actor
    WHERE code = p_code RETURNING * INTO d;
  END IF;
  RETURN NEXT d;
END
$$;

--
-- Name: hz_severity_name(smallint); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.hz_severity_name(p_severity smallint) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
  SELECT CASE p_severity WHEN 1 THEN 'error' WHEN 2 THEN 'warning' ELSE 'unspecified' END
$$;

--
-- Name: hz_sub_index(smallint, date, date); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.hz_sub_index(p_type smallint, p_from date, d date) RETURNS integer
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
  -- date_part (double precision), not extract (numeric): several times
  -- faster, and exact for these small integers.
  SELECT ((date_part('year', d) - date_part('year', p_from)) * 12
          + date_part('month', d) - date_part('month', p_from))::integer
         / CASE p_type WHEN 1 THEN 12 WHEN 2 THEN 6 WHEN 3 THEN 3 ELSE 1 END
$$;

--
-- Name: hz_sub_periods(smallint, date, smallint); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.hz_sub_periods(p_type smallint, p_start date, p_sub smallint) RETURNS TABLE(period text, period_start date, started boolean, deadline timestamp with time zone)
    LANGUAGE sql ROWS 12
    AS $$
  SELECT hz_period_code(p_sub, s::date), s::date, s::date <= hz_cst_today(),
         hz_deadline(p_sub, s::date)
  FROM generate_series(p_start::timestamp, hz_period_end(p_type, p_start)::timestamp
                       - hz_period_interval(p_sub), hz_period_interval(p_sub)) AS s
$$;

--
-- Name: hz_submit(uuid, text, text, smallint, date, text[], text[], text[], text, boolean, bytea, bigint, text, text, timestamp with time zone); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.hz_submit(p_submission_id uuid, p_region text, p_period text, p_period_type smallint, p_period_start date, p_codes text[], p_values text[], p_comments text[], p_narrative text, p_validate_only boolean, p_content_hash bytea, p_token_id bigint, p_actor text, p_scope_region text, p_received_at timestamp with time zone) RETURNS TABLE(kind smallint, idx integer, field text, indicator text, reason text, refusal public.hz_refusal, message text, imported integer, updated integer, unchanged integer, narrative_updated boolean, replayed boolean, received_at text, committed_at text, rule_code text, rule_name text, severity smallint, left_value text, op text, right_value text, explanation text, skipped boolean, skip_reason text)
    LANGUAGE plpgsql
    AS $$
DECLARE
  sub submissions%ROWTYPE;
  reg regions%ROWTYPE;
  rep reports%ROWTYPE;
  closed record; -- hz_submit_gate's row, when the period is closed
  n_problems integer := 0;
  n_new integer := 0;
  n_changed integer := 0;
  n_same integer := 0;
  narr_changed boolean := false;
  now_ts timestamptz;
  viol hz_rule_violation[]; -- hz_rule_eval's rows for the report as submitted
BEGIN
  -- Same id at the same time: the second waits and then sees the first.
  -- (Taken before the report's lock, always in this order.)
  PERFORM pg_advisory_xact_lock(hashtextextended(p_submission_id::text, 0));

  SELECT * INTO sub FROM submissions s WHERE s.id = p_submission_id;
  IF FOUND THEN
    IF sub.content_hash = p_content_hash AND sub.region_code = p_region
       AND sub.period = p_period THEN
      RETURN QUERY SELECT 0::smallint, -1, ''::text, ''::text, ''::text, NULL::hz_refusal,
        ''::text, sub.imported, sub.updated, sub.unchanged, sub.narrative_updated,
        true, hz_ts(sub.received_at), hz_ts(sub.committed_at), NULL::text, NULL::text, NULL::smallint, NULL::text, NULL::text, NULL::text, NULL::text,
      NULL::boolean, NULL::text;
    ELSIF p_scope_region IS NOT NULL AND sub.region_code <> p_scope_region THEN
      -- Say nothing about another township's submission.
      RETURN QUERY SELECT 0::smallint, -1, 'submission_id'::text, ''::text, ''::text,
        'id_reused'::hz_refusal,
        format('submission id %s is already in use; choose a new id', p_submission_id),
        0, 0, 0, false, false, ''::text, ''::text, NULL::text, NULL::text, NULL::smallint, NULL::text, NULL::text, NULL::text, NULL::text,
      NULL::boolean, NULL::text;
    ELSE
      RETURN QUERY SELECT 0::smallint, -1, 'submission_id'::text, ''::text, ''::text,
        'id_reused'::hz_refusal,
        format('submission %s was already used by %s at %s for %s %s with other content',
               p_submission_id, sub.submitted_by, hz_ts(sub.committed_at),
               sub.region_code, sub.period),
        0, 0, 0, false, false, ''::text, ''::text, NULL::text, NULL::text, NULL::smallint, NULL::text, NULL::text, NULL::text, NULL::text,
      NULL::boolean, NULL::text;
    END IF;
    RETURN;
  END IF;

  SELECT * INTO reg FROM regions r WHERE r.code = p_region;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 3::smallint, -1, 'region_code'::text, ''::text,
      format('unknown region %s', p_region), NULL::hz_refusal, NULL::text, NULL::integer,
      NULL::integer, NULL::integer, NULL::boolean, NULL::boolean, NULL::text, NULL::text, NULL::text, NULL::text, NULL::smallint, NULL::text, NULL::text, NULL::text, NULL::text,
      NULL::boolean, NULL::text;
    n_problems := n_problems + 1;
  ELSIF p_scope_region IS NOT NULL AND p_scope_region <> p_region THEN
    RETURN QUERY SELECT 0::smallint, -1, 'region_code'::text, ''::text, ''::text,
      'outside_scope'::hz_refusal,
      format('this token may submit only for region %s, not %s', p_scope_region, p_region),
      0, 0, 0, false, false, ''::text, ''::text, NULL::text, NULL::text, NULL::smallint, NULL::text, NULL::text, NULL::text, NULL::text,
      NULL::boolean, NULL::text;
    RETURN;
  ELSIF NOT reg.reporting THEN
    RETURN QUERY SELECT 7::smallint, -1, 'region_code'::text, ''::text,
      format('region %s (%s) is not a reporting township; its figures are rollups', p_region, reg.name),
      NULL::hz_refusal, NULL::text, NULL::integer, NULL::integer, NULL::integer,
      NULL::boolean, NULL::boolean, NULL::text, NULL::text, NULL::text, NULL::text, NULL::smallint, NULL::text, NULL::text, NULL::text, NULL::text,
      NULL::boolean, NULL::text;
    n_problems := n_problems + 1;
  END IF;

  -- Everything below reads and writes the report as its only writer: the
  -- lock comes before the review state, the counts and the clock.
  PERFORM hz_lock_report(p_region, p_period);

  -- Review state (approval, deadlines) may close the period. The row lock
  -- (when the row exists) also orders hz_approve_all, which locks rows.
  SELECT * INTO rep FROM reports r WHERE r.region_code = p_region AND r.period = p_period
    FOR UPDATE;
  SELECT * INTO closed FROM hz_submit_gate(p_region, p_period, p_period_type, p_period_start);
  IF FOUND THEN
    -- A closed period is a CONFLICT problem, listed with any others.
    RETURN QUERY SELECT 9::smallint, -1, 'period'::text, ''::text, closed.message,
      NULL::hz_refusal, NULL::text, NULL::integer, NULL::integer, NULL::integer,
      NULL::boolean, NULL::boolean, NULL::text, NULL::text, NULL::text, NULL::text, NULL::smallint, NULL::text, NULL::text, NULL::text, NULL::text,
      NULL::boolean, NULL::text;
    n_problems := n_problems + 1;
  END IF;

  -- Per-value problems, in request order.
  RETURN QUERY
  WITH input AS (
    SELECT t.c, t.v, t.ord::integer - 1 AS i,
           count(*) OVER (PARTITION BY t.c) AS dup, row_number() OVER (PARTITION BY t.c ORDER BY t.ord) AS nth
    FROM unnest(p_codes, p_values) WITH ORDINALITY AS t(c, v, ord)
  ), checked AS (
    SELECT i.i, i.c,
      CASE
        WHEN i.dup > 1 AND i.nth > 1 THEN 4
        WHEN ind.code IS NULL THEN 3
        WHEN ind.ratio_numerator IS NOT NULL THEN 7
        WHEN ind.period_type <> p_period_type THEN 6
        WHEN i.v IS NOT NULL AND ind.min_value IS NOT NULL AND i.v::numeric < ind.min_value THEN 5
        WHEN i.v IS NOT NULL AND ind.max_value IS NOT NULL AND i.v::numeric > ind.max_value THEN 5
      END AS k,
      CASE
        WHEN i.dup > 1 AND i.nth > 1 THEN format('indicator %s appears more than once', i.c)
        WHEN ind.code IS NULL THEN format('unknown indicator %s', i.c)
        WHEN ind.ratio_numerator IS NOT NULL THEN
          format('indicator %s is a ratio computed from %s and %s; submit those instead',
                 i.c, ind.ratio_numerator, ind.ratio_denominator)
        WHEN ind.period_type <> p_period_type THEN
          format('indicator %s is reported by %s, not by %s (period %s)', i.c,
                 CASE ind.period_type WHEN 1 THEN 'year' WHEN 2 THEN 'half year'
                   WHEN 3 THEN 'quarter' ELSE 'month' END,
                 CASE p_period_type WHEN 1 THEN 'year' WHEN 2 THEN 'half year'
                   WHEN 3 THEN 'quarter' ELSE 'month' END, p_period)
        WHEN i.v IS NOT NULL AND ind.min_value IS NOT NULL AND i.v::numeric < ind.min_value THEN
          format('value %s of %s is below its minimum %s', i.v, i.c, ind.min_value)
        WHEN i.v IS NOT NULL AND ind.max_value IS NOT NULL AND i.v::numeric > ind.max_value THEN
          format('value %s of %s is above its maximum %s', i.v, i.c, ind.max_value)
      END AS why
    FROM input i LEFT JOIN indicators ind ON ind.code = i.c
  )
  SELECT c.k::smallint, c.i, CASE WHEN c.k = 5 THEN 'value' ELSE 'indicator_code' END,
         c.c, c.why, NULL::hz_refusal, NULL::text, NULL::integer, NULL::integer, NULL::integer,
         NULL::boolean, NULL::boolean, NULL::text, NULL::text, NULL::text, NULL::text, NULL::smallint, NULL::text, NULL::text, NULL::text, NULL::text,
         NULL::boolean, NULL::text
  FROM checked c WHERE c.k IS NOT NULL ORDER BY c.i;
  GET DIAGNOSTICS n_new = ROW_COUNT;
  n_problems := n_problems + n_new;
  n_new := 0;

  -- Validation rules over the report as it would stand (014): ERROR
  -- violations and unexplained WARNING ones are problems listed with the
  -- others (RULE_ERROR 10, RULE_WARNING 11); explained warnings and
  -- skipped rules are notes (kind -1) for SubmitResponse. The reason says
  -- what to do, in English and Chinese.
  IF reg.code IS NOT NULL AND reg.reporting THEN
    SELECT coalesce(array_agg(v), '{}') INTO viol
    FROM hz_rule_eval(p_region, p_period, p_period_type, p_period_start, p_codes,
                      p_values::numeric[], p_comments) v;
    RETURN QUERY
    SELECT x.k, coalesce(array_position(p_codes, v.indicator_code) - 1, -1),
      CASE x.k WHEN 11 THEN 'comment' ELSE 'value' END, v.indicator_code,
      CASE x.k
        WHEN 10 THEN format('%s (rule %s %s: %s %s %s does not hold); correct the figures '
                            '(请更正数据)', v.message, v.rule_code, v.rule_name, v.left_value,
                            v.op, v.right_value)
        WHEN 11 THEN format('%s (rule %s %s); explain the change in the comment of %s '
                            '(请在 %s 的备注中说明原因)', v.message, v.rule_code, v.rule_name,
                            v.indicator_code, v.indicator_code)
        ELSE v.message END,
      NULL::hz_refusal, NULL::text, NULL::integer, NULL::integer, NULL::integer,
      NULL::boolean, NULL::boolean, NULL::text, NULL::text, v.rule_code, v.rule_name,
      v.severity, v.left_value, v.op, v.right_value, v.explanation, v.skipped, v.skip_reason
    FROM unnest(viol) v
    CROSS JOIN LATERAL (SELECT CASE WHEN v.skipped THEN -1 WHEN v.severity = 1 THEN 10
                                    WHEN v.explanation <> '' THEN -1 ELSE 11 END::smallint) x(k)
    ORDER BY x.k DESC, v.rule_code;
    n_problems := n_problems + (SELECT count(*) FROM unnest(viol) v
      WHERE NOT v.skipped AND (v.severity = 1 OR v.explanation = ''))::integer;
  END IF;

  -- Counts, for the summary and for dry runs: a comment is part of the value.
  SELECT count(*) FILTER (WHERE d.value IS NULL),
         count(*) FILTER (WHERE d.value IS NOT NULL
                            AND (d.value <> t.v::numeric OR d.comment <> coalesce(t.m, ''))),
         count(*) FILTER (WHERE d.value IS NOT NULL
                            AND d.value = t.v::numeric AND d.comment = coalesce(t.m, ''))
    INTO n_new, n_changed, n_same
  FROM unnest(p_codes, p_values, p_comments) AS t(c, v, m)
  LEFT JOIN data_values d ON d.region_code = p_region AND d.indicator_code = t.c
                         AND d.period = p_period
  WHERE t.v IS NOT NULL;
  narr_changed := p_narrative <> '' AND p_narrative IS DISTINCT FROM coalesce(rep.narrative, '');

  IF n_problems > 0 OR p_validate_only THEN
    RETURN QUERY SELECT 0::smallint, -1, ''::text, ''::text, ''::text, NULL::hz_refusal, ''::text,
      n_new, n_changed, n_same, narr_changed, false, hz_ts(p_received_at), ''::text, NULL::text, NULL::text, NULL::smallint, NULL::text, NULL::text, NULL::text, NULL::text,
      NULL::boolean, NULL::text;
    RETURN;
  END IF;

  -- After every lock: no submission this one follows can carry a later time.
  now_ts := clock_timestamp();
  -- New values are plain INSERTs and changed ones an UPDATE, never an
  -- upsert: the report lock makes this the only submission writing these
  -- keys, and INSERT ... ON CONFLICT costs every row a speculative
  -- insertion (an arbiter index probe and one more WAL record). Audit rows
  -- come from the rows each statement wrote. Without a stored value to
  -- change or keep (the usual first submission of a report) the values
  -- are inserted as given, without reading data_values again, and no
  -- UPDATE runs, so the UPDATE triggers of data_values (summaries, change
  -- counters) do not fire. (Should a writer other than a submission store
  -- one of these keys in between, the INSERT fails with a unique
  -- violation and nothing is stored.)
  IF n_changed = 0 AND n_same = 0 THEN
    WITH inserted AS (
      INSERT INTO data_values (region_code, indicator_code, period, period_type,
                               period_start, value, comment, submission_id, updated_at)
      SELECT p_region, t.c, p_period, p_period_type, p_period_start, t.v::numeric,
             coalesce(t.m, ''), p_submission_id, now_ts
      FROM unnest(p_codes, p_values, p_comments) AS t(c, v, m)
      ORDER BY t.c COLLATE "C"
      RETURNING indicator_code, value, comment
    )
    INSERT INTO audit_value_sets (n, ids, at, actor, token_id, region_code, period,
                                  submission_id, codes, new_values, new_comments)
    SELECT s.n, hz_audit_ids(s.n), now_ts, p_actor, p_token_id, p_region, p_period, p_submission_id,
           s.codes, s.vals, s.comments
    FROM (SELECT count(*)::integer AS n,
                 array_agg(w.indicator_code ORDER BY w.indicator_code COLLATE "C") AS codes,
                 array_agg(w.value ORDER BY w.indicator_code COLLATE "C") AS vals,
                 array_agg(w.comment ORDER BY w.indicator_code COLLATE "C") AS comments
          FROM inserted w) s
    WHERE s.n > 0;
  ELSE
    WITH input AS (
      SELECT t.c, t.v::numeric AS v, coalesce(t.m, '') AS m
      FROM unnest(p_codes, p_values, p_comments) AS t(c, v, m)
    ), old AS (
      SELECT d.indicator_code, d.value, d.comment FROM data_values d
      WHERE d.region_code = p_region AND d.period = p_period AND d.indicator_code = ANY (p_codes)
      ORDER BY d.indicator_code
      FOR UPDATE
    ), changed AS (
      SELECT i.c, i.v, i.m, o.indicator_code IS NULL AS is_new, o.value AS old_value,
             o.comment AS old_comment
      FROM input i LEFT JOIN old o ON o.indicator_code = i.c
      WHERE o.indicator_code IS NULL OR o.value <> i.v OR o.comment <> i.m
    ), inserted AS (
      INSERT INTO data_values (region_code, indicator_code, period, period_type,
                               period_start, value, comment, submission_id, updated_at)
      SELECT p_region, c.c, p_period, p_period_type, p_period_start, c.v, c.m,
             p_submission_id, now_ts FROM changed c WHERE c.is_new
      ORDER BY c.c COLLATE "C"
      RETURNING indicator_code
    ), updated AS (
      UPDATE data_values d
         SET value = c.v, comment = c.m, submission_id = p_submission_id, updated_at = now_ts
        FROM changed c
       WHERE NOT c.is_new AND d.region_code = p_region AND d.indicator_code = c.c
         AND d.period = p_period
      RETURNING d.indicator_code
    )
    INSERT INTO audit_value_sets (n, ids, at, actor, token_id, region_code, period,
                                  submission_id, codes, old_values, new_values, old_comments,
                                  new_comments)
    SELECT s.n, hz_audit_ids(s.n), now_ts, p_actor, p_token_id, p_region, p_period, p_submission_id,
           s.codes, s.old_values, s.vals, s.old_comments, s.comments
    FROM (SELECT count(*)::integer AS n,
                 array_agg(c.c ORDER BY c.c COLLATE "C") AS codes,
                 array_agg(c.old_value ORDER BY c.c COLLATE "C") AS old_values,
                 array_agg(c.v ORDER BY c.c COLLATE "C") AS vals,
                 array_agg(c.old_comment ORDER BY c.c COLLATE "C") AS old_comments,
                 array_agg(c.m ORDER BY c.c COLLATE "C") AS comments
          FROM changed c
          WHERE c.c IN (SELECT indicator_code FROM inserted
                        UNION ALL SELECT indicator_code FROM updated)) s
    WHERE s.n > 0;
  END IF;

  INSERT INTO reports AS r (region_code, period, period_type, period_start, narrative,
                            last_submission_id, last_submitted_at)
  VALUES (p_region, p_period, p_period_type, p_period_start, coalesce(p_narrative, ''),
          p_submission_id, now_ts)
  ON CONFLICT (region_code, period) DO UPDATE
    SET narrative = CASE WHEN EXCLUDED.narrative <> '' THEN EXCLUDED.narrative ELSE r.narrative END,
        last_submission_id = EXCLUDED.last_submission_id,
        last_submitted_at = EXCLUDED.last_submitted_at;

  IF narr_changed THEN
    INSERT INTO audit_events (at, actor, token_id, action, region_code, period, submission_id,
                              detail)
    VALUES (now_ts, p_actor, p_token_id, 'narrative.set', p_region, p_period, p_submission_id,
            format('%s characters', length(p_narrative)));
  END IF;

  INSERT INTO submissions (id, region_code, period, content_hash, token_id, submitted_by,
                           imported, updated, unchanged, narrative_updated, narrative,
                           value_count, codes, values_text, comments, received_at, committed_at)
  VALUES (p_submission_id, p_region, p_period, p_content_hash, p_token_id, p_actor,
          n_new, n_changed, n_same, narr_changed, coalesce(p_narrative, ''),
          coalesce(array_length(p_codes, 1), 0), p_codes, p_values, p_comments,
          p_received_at, now_ts);

  RETURN QUERY SELECT 0::smallint, -1, ''::text, ''::text, ''::text, NULL::hz_refusal, ''::text,
    n_new, n_changed, n_same, narr_changed, false, hz_ts(p_received_at), hz_ts(now_ts), NULL::text, NULL::text, NULL::smallint, NULL::text, NULL::text, NULL::text, NULL::text,
      NULL::boolean, NULL::text;
END
$$;

--
-- Name: hz_submit_gate(text, text, smallint, date); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.hz_submit_gate(p_region text, p_period text, p_period_type smallint, p_period_start date) RETURNS TABLE(refusal public.hz_refusal, message text)
    LANGUAGE plpgsql STABLE
    AS $$
DECLARE
  rep reports%ROWTYPE;
  deadline timestamptz;
BEGIN
  SELECT * INTO rep FROM reports r WHERE r.region_code = p_region AND r.period = p_period;
  IF FOUND AND rep.approved_at IS NOT NULL THEN
    RETURN QUERY SELECT 'approved'::hz_refusal,
      format('period %s of region %s was approved by %s at %s; ask for it to be reopened',
             p_period, p_region, rep.approved_by, hz_ts(rep.approved_at));
    RETURN;
  END IF;
  IF p_period_start >= hz_first_closed_start(p_period_type) THEN
    RETURN QUERY SELECT 'not_started'::hz_refusal,
      format('%s starts on %s (China Standard Time); ask an administrator to open future '
             'periods', p_period, to_char(p_period_start, 'YYYY-MM-DD'));
    RETURN;
  END IF;
  deadline := hz_deadline(p_period_type, p_period_start);
  IF deadline IS NOT NULL AND clock_timestamp() >= deadline
     AND NOT hz_exception_open(p_region, p_period) THEN
    RETURN QUERY SELECT 'window_closed'::hz_refusal,
      format('submissions for period %s closed at %s (deadline); an administrator can '
             'reopen it for region %s', p_period, hz_ts(deadline), p_region);
  END IF;
END
$$;

--
-- Name: hz_summaries_add(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.hz_summaries_add() RETURNS trigger
    LANGUAGE plpgsql
    SET jit TO 'off'
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

--
-- Name: hz_summaries_change(text[], text[], smallint[], date[], integer[], numeric[]); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.hz_summaries_change(p_regions text[], p_indicators text[], p_types smallint[], p_starts date[], p_signs integer[], p_values numeric[]) RETURNS void
    LANGUAGE plpgsql
    AS $$
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

--
-- Name: hz_summaries_clear(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.hz_summaries_clear() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  TRUNCATE leaf_summary_sets;
  RETURN NULL;
END
$$;

--
-- Name: hz_summaries_rebuild(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.hz_summaries_rebuild() RETURNS bigint
    LANGUAGE plpgsql
    AS $$
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

--
-- Name: hz_summaries_recompute(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.hz_summaries_recompute() RETURNS trigger
    LANGUAGE plpgsql
    SET jit TO 'off'
    AS $$
BEGIN
  -- An upsert that inserted only still fires its UPDATE half: leave early.
  IF TG_OP = 'DELETE' THEN
    IF NOT EXISTS (SELECT 1 FROM hz_old) THEN
      RETURN NULL;
    END IF;
    PERFORM hz_summaries_change(array_agg(o.region_code), array_agg(o.indicator_code),
                                array_agg(o.period_type), array_agg(o.period_start),
                                array_agg(-1), array_agg(o.value))
    FROM hz_old o;
  ELSE
    IF NOT EXISTS (SELECT 1 FROM hz_new) THEN
      RETURN NULL;
    END IF;
    PERFORM hz_summaries_change(array_agg(m.region_code), array_agg(m.indicator_code),
                                array_agg(m.period_type), array_agg(m.period_start),
                                array_agg(m.sign), array_agg(m.value))
    FROM ((SELECT region_code, indicator_code, period, period_type, period_start, value, -1 AS sign
           FROM hz_old
           EXCEPT ALL
           SELECT region_code, indicator_code, period, period_type, period_start, value, -1
           FROM hz_new)
          UNION ALL
          (SELECT region_code, indicator_code, period, period_type, period_start, value, 1
           FROM hz_new
           EXCEPT ALL
           SELECT region_code, indicator_code, period, period_type, period_start, value, 1
           FROM hz_old)) m;
  END IF;
  RETURN NULL;
END
$$;

--
-- Name: hz_summary_keys(text[], text[], smallint[], date[], integer[], numeric[]); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.hz_summary_keys(p_regions text[], p_indicators text[], p_types smallint[], p_starts date[], p_signs integer[], p_values numeric[]) RETURNS TABLE(r text, i text, t smallint, pt smallint, ps date, dn integer, dt numeric)
    LANGUAGE sql IMMUTABLE
    AS $$
  SELECT v.r, v.i, v.t, c.pt, hz_period_floor(c.pt, v.s),
         sum(v.sign)::integer, sum(v.sign * v.val)
  FROM unnest(p_regions, p_indicators, p_types, p_starts, p_signs, p_values)
       AS v(r, i, t, s, sign, val)
  JOIN hz_summary_types c ON c.pt < v.t
  GROUP BY 1, 2, 3, 4, 5
$$;

--
-- Name: hz_summary_merge(text[], integer[], numeric[], numeric[], numeric[], numeric[], date[], text[], integer[], numeric[], numeric[], numeric[], numeric[], date[]); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.hz_summary_merge(a_codes text[], a_n integer[], a_total numeric[], a_low numeric[], a_high numeric[], a_latest numeric[], a_start date[], b_codes text[], b_n integer[], b_total numeric[], b_low numeric[], b_high numeric[], b_latest numeric[], b_start date[], OUT codes text[], OUT n integer[], OUT total numeric[], OUT low numeric[], OUT high numeric[], OUT latest numeric[], OUT latest_start date[]) RETURNS record
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
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

--
-- Name: hz_token_live(bigint); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.hz_token_live(p_id bigint) RETURNS void
    LANGUAGE plpgsql STABLE
    AS $$
BEGIN
  PERFORM 1 FROM tokens t WHERE t.id = p_id AND t.revoked_at IS NULL;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'token % is revoked or removed', p_id
      USING ERRCODE = 'invalid_authorization_specification';
  END IF;
END
$$;

--
-- Name: hz_ts(timestamp with time zone); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.hz_ts(t timestamp with time zone) RETURNS text
    LANGUAGE sql IMMUTABLE
    AS $$
  SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
$$;

--
-- Name: hz_violation_text(text, text, text, text, text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.hz_violation_text(p_message text, p_rule_name text, p_left text, p_op text, p_right text) RETURNS text
    LANGUAGE sql IMMUTABLE
    AS $$
  SELECT coalesce(nullif(p_message, ''),
                  format('%s: %s %s %s does not hold', p_rule_name, p_left, p_op, p_right))
$$;

--
-- Name: audit_events; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.audit_events (
    id bigint NOT NULL,
    at timestamp with time zone DEFAULT now() NOT NULL,
    actor text NOT NULL,
    token_id bigint,
    action text NOT NULL,
    region_code text COLLATE pg_catalog."C",
    indicator_code text COLLATE pg_catalog."C",
    period text COLLATE pg_catalog."C",
    old_value numeric,
    new_value numeric,
    submission_id uuid,
    detail text DEFAULT ''::text NOT NULL,
    old_comment text,
    new_comment text
);

--
-- Name: audit_value_sets; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.audit_value_sets (
    submission_id uuid NOT NULL,
    at timestamp with time zone NOT NULL,
    actor text NOT NULL,
    token_id bigint,
    region_code text NOT NULL COLLATE pg_catalog."C",
    period text NOT NULL COLLATE pg_catalog."C",
    n integer NOT NULL,
    ids bigint[] NOT NULL,
    codes text[] NOT NULL COLLATE pg_catalog."C",
    old_values numeric[],
    new_values numeric[] NOT NULL,
    old_comments text[],
    new_comments text[] NOT NULL
);
ALTER TABLE ONLY public.audit_value_sets ALTER COLUMN ids SET COMPRESSION lz4;
ALTER TABLE ONLY public.audit_value_sets ALTER COLUMN codes SET COMPRESSION lz4;
ALTER TABLE ONLY public.audit_value_sets ALTER COLUMN old_values SET COMPRESSION lz4;
ALTER TABLE ONLY public.audit_value_sets ALTER COLUMN new_values SET COMPRESSION lz4;
ALTER TABLE ONLY public.audit_value_sets ALTER COLUMN old_comments SET COMPRESSION lz4;
ALTER TABLE ONLY public.audit_value_sets ALTER COLUMN new_comments SET COMPRESSION lz4;

--
-- Name: audit_log; Type: VIEW; Schema: public; Owner: -
--

CREATE VIEW public.audit_log AS
 SELECT e.id,
    e.at,
    e.actor,
    e.token_id,
    e.action,
    e.region_code,
    e.indicator_code,
    e.period,
    e.old_value,
    e.new_value,
    e.submission_id,
    e.detail,
    e.old_comment,
    e.new_comment
   FROM public.audit_events e
UNION ALL
 SELECT u.id,
    s.at,
    s.actor,
    s.token_id,
    'value.set'::text AS action,
    s.region_code,
    u.code AS indicator_code,
    s.period,
    u.old_value,
    u.new_value,
    s.submission_id,
    ''::text AS detail,
    u.old_comment,
    u.new_comment
   FROM (public.audit_value_sets s
     CROSS JOIN LATERAL UNNEST(s.ids, s.codes, s.old_values, s.new_values, s.old_comments, s.new_comments) u(id, code, old_value, new_value, old_comment, new_comment));

--
-- Name: audit_log_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.audit_log_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: audit_log_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.audit_log_id_seq OWNED BY public.audit_events.id;

--
-- Name: change_counts; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.change_counts (
    region_code text NOT NULL COLLATE pg_catalog."C",
    n bigint NOT NULL
);

--
-- Name: data_values; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.data_values (
    region_code text NOT NULL COLLATE pg_catalog."C",
    indicator_code text NOT NULL COLLATE pg_catalog."C",
    period text NOT NULL COLLATE pg_catalog."C",
    period_type smallint NOT NULL,
    period_start date NOT NULL,
    value numeric NOT NULL,
    comment text DEFAULT ''::text NOT NULL,
    submission_id uuid NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL
);

--
-- Name: hz_summary_types; Type: VIEW; Schema: public; Owner: -
--

CREATE VIEW public.hz_summary_types AS
 SELECT "*VALUES*".column1 AS pt
   FROM (VALUES ((1)::smallint)) "*VALUES*";

--
-- Name: indicators; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.indicators (
    code text NOT NULL COLLATE pg_catalog."C",
    name text NOT NULL,
    unit text DEFAULT ''::text NOT NULL,
    period_type smallint NOT NULL,
    time_aggregation smallint NOT NULL,
    region_aggregation smallint NOT NULL,
    min_value numeric,
    max_value numeric,
    ratio_numerator text COLLATE pg_catalog."C",
    ratio_denominator text COLLATE pg_catalog."C",
    ratio_factor numeric,
    ratio_scale smallint,
    description text DEFAULT ''::text NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    change_basis smallint DEFAULT 1 NOT NULL,
    yoy_band numeric,
    pop_band numeric,
    CONSTRAINT indicators_change_basis_check CHECK (((change_basis >= 1) AND (change_basis <= 2))),
    CONSTRAINT indicators_check CHECK (((ratio_numerator IS NULL) = (ratio_denominator IS NULL))),
    CONSTRAINT indicators_check1 CHECK (((min_value IS NULL) OR (max_value IS NULL) OR (min_value <= max_value))),
    CONSTRAINT indicators_code_check CHECK ((code ~ '^[a-z][a-z0-9_.-]{0,63}$'::text)),
    CONSTRAINT indicators_name_check CHECK ((name <> ''::text)),
    CONSTRAINT indicators_period_type_check CHECK (((period_type >= 1) AND (period_type <= 4))),
    CONSTRAINT indicators_pop_band_check CHECK ((pop_band > (0)::numeric)),
    CONSTRAINT indicators_region_aggregation_check CHECK (((region_aggregation >= 1) AND (region_aggregation <= 5))),
    CONSTRAINT indicators_time_aggregation_check CHECK (((time_aggregation >= 1) AND (time_aggregation <= 5))),
    CONSTRAINT indicators_yoy_band_check CHECK ((yoy_band > (0)::numeric))
);

--
-- Name: leaf_summary_sets; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.leaf_summary_sets (
    region_code text NOT NULL COLLATE pg_catalog."C",
    period_type smallint NOT NULL,
    period_start date NOT NULL,
    codes text[] NOT NULL COLLATE pg_catalog."C",
    n integer[] NOT NULL,
    total numeric[] NOT NULL,
    low numeric[] NOT NULL,
    high numeric[] NOT NULL,
    latest numeric[] NOT NULL,
    latest_start date[] NOT NULL,
    CONSTRAINT leaf_summary_sets_codes_check CHECK ((cardinality(codes) > 0)),
    CONSTRAINT leaf_summary_sets_parallel CHECK (((cardinality(n) = cardinality(codes)) AND (cardinality(total) = cardinality(codes)) AND (cardinality(low) = cardinality(codes)) AND (cardinality(high) = cardinality(codes)) AND (cardinality(latest) = cardinality(codes)) AND (cardinality(latest_start) = cardinality(codes))))
);
ALTER TABLE ONLY public.leaf_summary_sets ALTER COLUMN codes SET COMPRESSION lz4;
ALTER TABLE ONLY public.leaf_summary_sets ALTER COLUMN n SET COMPRESSION lz4;
ALTER TABLE ONLY public.leaf_summary_sets ALTER COLUMN total SET COMPRESSION lz4;
ALTER TABLE ONLY public.leaf_summary_sets ALTER COLUMN low SET COMPRESSION lz4;
ALTER TABLE ONLY public.leaf_summary_sets ALTER COLUMN high SET COMPRESSION lz4;
ALTER TABLE ONLY public.leaf_summary_sets ALTER COLUMN latest SET COMPRESSION lz4;
ALTER TABLE ONLY public.leaf_summary_sets ALTER COLUMN latest_start SET COMPRESSION lz4;

--
-- Name: leaf_summaries; Type: VIEW; Schema: public; Owner: -
--

CREATE VIEW public.leaf_summaries AS
 SELECT s.region_code,
    unnest(s.codes) AS indicator_code,
    s.period_type,
    s.period_start,
    unnest(s.n) AS n,
    unnest(s.total) AS total,
    unnest(s.low) AS low,
    unnest(s.high) AS high,
    unnest(s.latest) AS latest,
    unnest(s.latest_start) AS latest_start
   FROM public.leaf_summary_sets s;

--
-- Name: period_exceptions; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.period_exceptions (
    id bigint NOT NULL,
    region_code text NOT NULL COLLATE pg_catalog."C",
    period text NOT NULL COLLATE pg_catalog."C",
    reason text NOT NULL,
    granted_by text NOT NULL,
    granted_at timestamp with time zone DEFAULT now() NOT NULL,
    expires_at timestamp with time zone,
    CONSTRAINT period_exceptions_reason_check CHECK ((reason <> ''::text))
);

--
-- Name: period_exceptions_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.period_exceptions_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: period_exceptions_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.period_exceptions_id_seq OWNED BY public.period_exceptions.id;

--
-- Name: region_paths; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.region_paths (
    ancestor text NOT NULL COLLATE pg_catalog."C",
    descendant text NOT NULL COLLATE pg_catalog."C",
    depth smallint NOT NULL
);

--
-- Name: regions; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.regions (
    code text NOT NULL COLLATE pg_catalog."C",
    name text NOT NULL,
    level smallint NOT NULL,
    parent_code text COLLATE pg_catalog."C",
    reporting boolean GENERATED ALWAYS AS ((level = 4)) STORED,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT regions_check CHECK ((parent_code IS DISTINCT FROM code)),
    CONSTRAINT regions_code_check CHECK ((code ~ '^[0-9]{2,12}$'::text)),
    CONSTRAINT regions_level_check CHECK (((level >= 1) AND (level <= 5))),
    CONSTRAINT regions_name_check CHECK ((name <> ''::text))
);

--
-- Name: reports; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.reports (
    region_code text NOT NULL COLLATE pg_catalog."C",
    period text NOT NULL COLLATE pg_catalog."C",
    period_type smallint NOT NULL,
    period_start date NOT NULL,
    narrative text DEFAULT ''::text NOT NULL,
    last_submission_id uuid,
    last_submitted_at timestamp with time zone,
    approved_by text,
    approved_at timestamp with time zone,
    approval_comment text DEFAULT ''::text NOT NULL
);

--
-- Name: schema_migrations; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.schema_migrations (
    version integer NOT NULL,
    name text NOT NULL,
    applied_at timestamp with time zone DEFAULT now() NOT NULL
);

--
-- Name: submission_windows; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.submission_windows (
    period_type smallint NOT NULL,
    days_after_end integer NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_by text DEFAULT ''::text NOT NULL,
    open_future_periods integer DEFAULT 0 NOT NULL,
    CONSTRAINT submission_windows_days_after_end_check CHECK ((days_after_end >= 0)),
    CONSTRAINT submission_windows_open_future_periods_check CHECK (((open_future_periods >= 0) AND (open_future_periods <= 12))),
    CONSTRAINT submission_windows_period_type_check CHECK (((period_type >= 1) AND (period_type <= 4)))
);

--
-- Name: submissions; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.submissions (
    id uuid NOT NULL,
    region_code text NOT NULL COLLATE pg_catalog."C",
    period text NOT NULL COLLATE pg_catalog."C",
    content_hash bytea NOT NULL,
    token_id bigint,
    submitted_by text NOT NULL,
    imported integer NOT NULL,
    updated integer NOT NULL,
    unchanged integer NOT NULL,
    narrative_updated boolean NOT NULL,
    narrative text DEFAULT ''::text NOT NULL,
    value_count integer NOT NULL,
    codes text[] NOT NULL,
    values_text text[] NOT NULL,
    comments text[] NOT NULL,
    received_at timestamp with time zone NOT NULL,
    committed_at timestamp with time zone NOT NULL
);
ALTER TABLE ONLY public.submissions ALTER COLUMN codes SET COMPRESSION lz4;
ALTER TABLE ONLY public.submissions ALTER COLUMN values_text SET COMPRESSION lz4;
ALTER TABLE ONLY public.submissions ALTER COLUMN comments SET COMPRESSION lz4;

--
-- Name: targets; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.targets (
    region_code text NOT NULL COLLATE pg_catalog."C",
    indicator_code text NOT NULL COLLATE pg_catalog."C",
    period text NOT NULL COLLATE pg_catalog."C",
    period_type smallint NOT NULL,
    period_start date NOT NULL,
    value numeric NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_by text DEFAULT ''::text NOT NULL
);

--
-- Name: tokens; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.tokens (
    id bigint NOT NULL,
    name text NOT NULL,
    role smallint NOT NULL,
    region_code text COLLATE pg_catalog."C",
    secret_hash bytea NOT NULL,
    created_by text DEFAULT ''::text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    revoked_at timestamp with time zone,
    last_used_at timestamp with time zone,
    CONSTRAINT tokens_check CHECK (((role = 3) OR (region_code IS NOT NULL))),
    CONSTRAINT tokens_name_check CHECK ((name <> ''::text)),
    CONSTRAINT tokens_role_check CHECK (((role >= 1) AND (role <= 3))),
    CONSTRAINT tokens_secret_hash_check CHECK ((length(secret_hash) = 32))
);

--
-- Name: tokens_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.tokens_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: tokens_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.tokens_id_seq OWNED BY public.tokens.id;

--
-- Name: audit_events id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.audit_events ALTER COLUMN id SET DEFAULT nextval('public.audit_log_id_seq'::regclass);

--
-- Name: audit_log id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.audit_log ALTER COLUMN id SET DEFAULT nextval('public.audit_log_id_seq'::regclass);

--
-- Name: audit_log at; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.audit_log ALTER COLUMN at SET DEFAULT now();

--
-- Name: audit_log detail; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.audit_log ALTER COLUMN detail SET DEFAULT ''::text;

--
-- Name: period_exceptions id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.period_exceptions ALTER COLUMN id SET DEFAULT nextval('public.period_exceptions_id_seq'::regclass);

--
-- Name: tokens id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.tokens ALTER COLUMN id SET DEFAULT nextval('public.tokens_id_seq'::regclass);

--
-- Name: audit_events audit_log_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.audit_events
    ADD CONSTRAINT audit_log_pkey PRIMARY KEY (id);

--
-- Name: audit_value_sets audit_value_sets_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.audit_value_sets
    ADD CONSTRAINT audit_value_sets_pkey PRIMARY KEY (submission_id);

--
-- Name: change_counts change_counts_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.change_counts
    ADD CONSTRAINT change_counts_pkey PRIMARY KEY (region_code);

--
-- Name: data_values data_values_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.data_values
    ADD CONSTRAINT data_values_pkey PRIMARY KEY (region_code, indicator_code, period);

--
-- Name: indicators indicators_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.indicators
    ADD CONSTRAINT indicators_pkey PRIMARY KEY (code);

--
-- Name: leaf_summary_sets leaf_summary_sets_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.leaf_summary_sets
    ADD CONSTRAINT leaf_summary_sets_pkey PRIMARY KEY (region_code, period_type, period_start);

--
-- Name: period_exceptions period_exceptions_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.period_exceptions
    ADD CONSTRAINT period_exceptions_pkey PRIMARY KEY (id);

--
-- Name: region_paths region_paths_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.region_paths
    ADD CONSTRAINT region_paths_pkey PRIMARY KEY (ancestor, descendant);

--
-- Name: regions regions_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.regions
    ADD CONSTRAINT regions_pkey PRIMARY KEY (code);

--
-- Name: reports reports_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.reports
    ADD CONSTRAINT reports_pkey PRIMARY KEY (region_code, period);

--
-- Name: rules rules_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.rules
    ADD CONSTRAINT rules_pkey PRIMARY KEY (code);

--
-- Name: schema_migrations schema_migrations_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.schema_migrations
    ADD CONSTRAINT schema_migrations_pkey PRIMARY KEY (version);

--
-- Name: submission_windows submission_windows_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.submission_windows
    ADD CONSTRAINT submission_windows_pkey PRIMARY KEY (period_type);

--
-- Name: submissions submissions_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.submissions
    ADD CONSTRAINT submissions_pkey PRIMARY KEY (id);

--
-- Name: targets targets_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.targets
    ADD CONSTRAINT targets_pkey PRIMARY KEY (region_code, indicator_code, period);

--
-- Name: tokens tokens_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.tokens
    ADD CONSTRAINT tokens_pkey PRIMARY KEY (id);

--
-- Name: audit_log_at; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX audit_log_at ON public.audit_events USING btree (at, id);

--
-- Name: audit_log_region_at; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX audit_log_region_at ON public.audit_events USING btree (region_code, at);

--
-- Name: audit_log_submission; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX audit_log_submission ON public.audit_events USING btree (submission_id);

--
-- Name: audit_value_sets_at; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX audit_value_sets_at ON public.audit_value_sets USING btree (at);

--
-- Name: audit_value_sets_region_at; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX audit_value_sets_region_at ON public.audit_value_sets USING btree (region_code, at);

--
-- Name: data_values_region_time; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX data_values_region_time ON public.data_values USING btree (region_code, period_start);

--
-- Name: period_exceptions_granted; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX period_exceptions_granted ON public.period_exceptions USING btree (granted_at DESC, id DESC);

--
-- Name: period_exceptions_region_period; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX period_exceptions_region_period ON public.period_exceptions USING btree (region_code, period);

--
-- Name: region_paths_descendant; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX region_paths_descendant ON public.region_paths USING btree (descendant, depth);

--
-- Name: regions_level; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX regions_level ON public.regions USING btree (level, code);

--
-- Name: regions_parent; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX regions_parent ON public.regions USING btree (parent_code);

--
-- Name: rules_active; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX rules_active ON public.rules USING btree (code) WHERE active;

--
-- Name: submissions_received; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX submissions_received ON public.submissions USING btree (received_at DESC, id);

--
-- Name: submissions_region_period; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX submissions_region_period ON public.submissions USING btree (region_code, period);

--
-- Name: targets_indicator; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX targets_indicator ON public.targets USING btree (indicator_code, period_type);

--
-- Name: tokens_active_name; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX tokens_active_name ON public.tokens USING btree (name) WHERE (revoked_at IS NULL);

--
-- Name: audit_log audit_log_insert; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER audit_log_insert INSTEAD OF INSERT ON public.audit_log FOR EACH ROW EXECUTE FUNCTION public.hz_audit_log_insert();

--
-- Name: data_values data_values_count_delete; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER data_values_count_delete AFTER DELETE ON public.data_values REFERENCING OLD TABLE AS hz_old FOR EACH STATEMENT EXECUTE FUNCTION public.hz_count_value_changes();

--
-- Name: data_values data_values_count_insert; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER data_values_count_insert AFTER INSERT ON public.data_values REFERENCING NEW TABLE AS hz_added FOR EACH STATEMENT EXECUTE FUNCTION public.hz_count_value_changes();

--
-- Name: data_values data_values_count_truncate; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER data_values_count_truncate AFTER TRUNCATE ON public.data_values FOR EACH STATEMENT EXECUTE FUNCTION public.hz_count_value_changes();

--
-- Name: data_values data_values_count_update; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER data_values_count_update AFTER UPDATE ON public.data_values REFERENCING OLD TABLE AS hz_old NEW TABLE AS hz_new FOR EACH STATEMENT EXECUTE FUNCTION public.hz_count_value_changes();

--
-- Name: data_values data_values_summaries_delete; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER data_values_summaries_delete AFTER DELETE ON public.data_values REFERENCING OLD TABLE AS hz_old FOR EACH STATEMENT EXECUTE FUNCTION public.hz_summaries_recompute();

--
-- Name: data_values data_values_summaries_insert; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER data_values_summaries_insert AFTER INSERT ON public.data_values REFERENCING NEW TABLE AS hz_added FOR EACH STATEMENT EXECUTE FUNCTION public.hz_summaries_add();

--
-- Name: data_values data_values_summaries_truncate; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER data_values_summaries_truncate AFTER TRUNCATE ON public.data_values FOR EACH STATEMENT EXECUTE FUNCTION public.hz_summaries_clear();

--
-- Name: data_values data_values_summaries_update; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER data_values_summaries_update AFTER UPDATE ON public.data_values REFERENCING OLD TABLE AS hz_old NEW TABLE AS hz_new FOR EACH STATEMENT EXECUTE FUNCTION public.hz_summaries_recompute();

--
-- Name: indicators indicators_count; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER indicators_count AFTER INSERT OR DELETE OR UPDATE OR TRUNCATE ON public.indicators FOR EACH STATEMENT EXECUTE FUNCTION public.hz_count_catalog_change();

--
-- Name: region_paths region_paths_count; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER region_paths_count AFTER INSERT OR DELETE OR UPDATE OR TRUNCATE ON public.region_paths FOR EACH STATEMENT EXECUTE FUNCTION public.hz_count_catalog_change();

--
-- Name: regions regions_count; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER regions_count AFTER INSERT OR DELETE OR UPDATE OR TRUNCATE ON public.regions FOR EACH STATEMENT EXECUTE FUNCTION public.hz_count_catalog_change();

--
-- Name: targets targets_count; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER targets_count AFTER INSERT OR DELETE OR UPDATE OR TRUNCATE ON public.targets FOR EACH STATEMENT EXECUTE FUNCTION public.hz_count_catalog_change();

--
-- Name: data_values data_values_indicator_code_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.data_values
    ADD CONSTRAINT data_values_indicator_code_fkey FOREIGN KEY (indicator_code) REFERENCES public.indicators(code);

--
-- Name: data_values data_values_region_code_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.data_values
    ADD CONSTRAINT data_values_region_code_fkey FOREIGN KEY (region_code) REFERENCES public.regions(code);

--
-- Name: indicators indicators_ratio_denominator_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.indicators
    ADD CONSTRAINT indicators_ratio_denominator_fkey FOREIGN KEY (ratio_denominator) REFERENCES public.indicators(code);

--
-- Name: indicators indicators_ratio_numerator_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.indicators
    ADD CONSTRAINT indicators_ratio_numerator_fkey FOREIGN KEY (ratio_numerator) REFERENCES public.indicators(code);

--
-- Name: period_exceptions period_exceptions_region_code_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.period_exceptions
    ADD CONSTRAINT period_exceptions_region_code_fkey FOREIGN KEY (region_code) REFERENCES public.regions(code);

--
-- Name: region_paths region_paths_ancestor_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.region_paths
    ADD CONSTRAINT region_paths_ancestor_fkey FOREIGN KEY (ancestor) REFERENCES public.regions(code) ON DELETE CASCADE;

--
-- Name: region_paths region_paths_descendant_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.region_paths
    ADD CONSTRAINT region_paths_descendant_fkey FOREIGN KEY (descendant) REFERENCES public.regions(code) ON DELETE CASCADE;

--
-- Name: regions regions_parent_code_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.regions
    ADD CONSTRAINT regions_parent_code_fkey FOREIGN KEY (parent_code) REFERENCES public.regions(code);

--
-- Name: reports reports_region_code_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.reports
    ADD CONSTRAINT reports_region_code_fkey FOREIGN KEY (region_code) REFERENCES public.regions(code);

--
-- Name: submissions submissions_region_code_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.submissions
    ADD CONSTRAINT submissions_region_code_fkey FOREIGN KEY (region_code) REFERENCES public.regions(code);

--
-- Name: submissions submissions_token_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.submissions
    ADD CONSTRAINT submissions_token_id_fkey FOREIGN KEY (token_id) REFERENCES public.tokens(id);

--
-- Name: targets targets_indicator_code_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.targets
    ADD CONSTRAINT targets_indicator_code_fkey FOREIGN KEY (indicator_code) REFERENCES public.indicators(code);

--
-- Name: targets targets_region_code_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.targets
    ADD CONSTRAINT targets_region_code_fkey FOREIGN KEY (region_code) REFERENCES public.regions(code);

--
-- Name: tokens tokens_region_code_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.tokens
    ADD CONSTRAINT tokens_region_code_fkey FOREIGN KEY (region_code) REFERENCES public.regions(code);

--
-- PostgreSQL database dump complete
--
