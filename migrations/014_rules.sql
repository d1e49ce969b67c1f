-- 014_rules: validation rules (审核公式, issue 12) as data, evaluated where
-- the data is written, and per-indicator outlier bands.
--
-- * rules: one row per rule; its expressions are stored as written and as
--   the compiled form the server's parser (service/domain/rule_expr.h)
--   produced at import: reverse Polish notation, one token per element.
--   The database is the one evaluator (hz_rule_rpn_eval): exact NUMERIC,
--   a missing operand or a division by zero skips the rule with a reason,
--   never a guess.
-- * hz_rule_violations: the stable interface (for Submit, Validate,
--   GetReport and Approve): the violations and skipped rules of one
--   township's report for one period, over its stored values overlaid with
--   given arrays.
-- * hz_submit (current definition here): evaluates them in the
--   submission's transaction; an ERROR violation refuses, a WARNING
--   violation refuses unless the value it concerns has a comment.
-- * indicators.yoy_band / pop_band: built-in WARNING checks of the change
--   on the same period a year earlier and on the previous period.

-- ------------------------------------------------------------ outlier bands

-- Allowed change, ± this many percent (GROWTH indicators) or percentage
-- points (POINTS); NULL = no check.
ALTER TABLE indicators ADD COLUMN yoy_band numeric CHECK (yoy_band > 0),
                       ADD COLUMN pop_band numeric CHECK (pop_band > 0);

-- ------------------------------------------------------------ rules

CREATE TABLE rules (
  code         text COLLATE "C" PRIMARY KEY CHECK (code ~ '^[a-z0-9_.-]{1,64}$'),
  name         text NOT NULL CHECK (name <> ''),
  left_expr    text NOT NULL,               -- as written
  op           text NOT NULL CHECK (op IN ('<', '<=', '==', '!=', '>=', '>')),
  right_expr   text NOT NULL,
  left_rpn     text[] NOT NULL,             -- compiled (rule_expr.h), e.g. {v:a,v:b,+}
  right_rpn    text[] NOT NULL,
  -- Indicators the expressions read: a report none of whose values are
  -- among them is not checked by the rule (hz_rule_eval).
  codes        text[] COLLATE "C" NOT NULL,
  -- The value the rule concerns, where its explanation goes: the first
  -- indicator of the left side, else of the right side.
  concerns     text COLLATE "C" NOT NULL,
  severity     smallint NOT NULL CHECK (severity IN (1, 2)),  -- Severity: 1 ERROR, 2 WARNING
  period_types smallint[] NOT NULL,         -- PeriodType; empty = every type
  tolerance    numeric CHECK (tolerance >= 0),
  message      text NOT NULL,               -- template: {left} {right} {name} {CODE}
  active       boolean NOT NULL DEFAULT true,
  description  text NOT NULL DEFAULT '',
  updated_at   timestamptz NOT NULL DEFAULT now(),
  updated_by   text NOT NULL DEFAULT ''
);

-- Active rules are what every submission reads.
CREATE INDEX rules_active ON rules (code) WHERE active;

-- Severity and operator as audit details and messages show them.
CREATE FUNCTION hz_severity_name(p_severity smallint) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE p_severity WHEN 1 THEN 'error' WHEN 2 THEN 'warning' ELSE 'unspecified' END
$$;

-- Type and first day of a period code (2022, 2022S1, 2022Q1, 202201);
-- no row for anything else. The server parses periods (domain/period.c);
-- this is for callers of hz_rule_violations that hold only the code.
CREATE FUNCTION hz_period_parse(p text) RETURNS TABLE (pt smallint, start date)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
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
$$;

-- Evaluates one compiled expression. p_vals maps each operand token
-- (v:fai, py:fai, pp:fai, ytd:fai) to its value as text, or to nothing
-- when it has none; p_missing maps the token to the sentence saying so.
-- value is NULL when skip says why: an operand with no value, or a
-- division by zero. The one definition of the rules' arithmetic: exact
-- NUMERIC (a quotient carries PostgreSQL's numeric division scale, at
-- least 16 significant digits).
CREATE FUNCTION hz_rule_rpn_eval(p_rpn text[], p_vals jsonb, p_missing jsonb,
                                 OUT value numeric, OUT skip text)
LANGUAGE plpgsql IMMUTABLE AS $$
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

-- Whether l op r holds, within tolerance: == within ±tol, != outside it,
-- <= and < with +tol of slack, >= and > with -tol.
CREATE FUNCTION hz_rule_holds(l numeric, p_op text, r numeric, tol numeric) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE p_op
    WHEN '<' THEN l < r + coalesce(tol, 0)
    WHEN '<=' THEN l <= r + coalesce(tol, 0)
    WHEN '==' THEN abs(l - r) <= coalesce(tol, 0)
    WHEN '!=' THEN abs(l - r) > coalesce(tol, 0)
    WHEN '>=' THEN l >= r - coalesce(tol, 0)
    WHEN '>' THEN l > r - coalesce(tol, 0)
  END
$$;

-- The violations of one township's report (p_region, one period of type
-- p_type starting p_start): its stored values overlaid with the given
-- arrays (a code given with a NULL value keeps its stored value; NULL
-- arrays: stored values only). A rule is checked when it is active,
-- applies to p_type and reads at least one value the report holds;
-- outlier bands for every value of the report with a band and a base.
-- Rows: every rule that does not hold and every rule that could not be
-- evaluated (skipped, skip_reason); explanation is the comment of the
-- value the rule concerns. ERROR rules first, then by rule code.
CREATE TYPE hz_rule_violation AS (
  rule_code text, rule_name text, severity smallint, message text, left_value text, op text,
  right_value text, indicator_code text, explanation text, skipped boolean, skip_reason text);

CREATE FUNCTION hz_rule_eval(p_region text, p_period text, p_type smallint, p_start date,
                             p_codes text[], p_values numeric[], p_comments text[])
RETURNS SETOF hz_rule_violation
LANGUAGE plpgsql STABLE AS $$
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

-- THE interface for every reader of violations (Submit through hz_submit,
-- Aggregation.Validate, GetReport, Approve): the violations and skipped
-- rules of township p_region's report for period p_period (a DHIS2 code),
-- over its stored values overlaid with the given arrays (NULL arrays =
-- stored values only). Columns: rule_code ("outlier.yoy.CODE" for a
-- band), rule_name, severity (1 ERROR, 2 WARNING), message (the template
-- filled with the figures), left_value, op, right_value (exact, trailing
-- zeros trimmed; empty when skipped), indicator_code (the value the rule
-- concerns), explanation (that value's comment; a WARNING with one is
-- explained), skipped and skip_reason. No row for a malformed period.
-- Keep this signature and these columns stable.
CREATE FUNCTION hz_rule_violations(p_region text, p_period text, p_codes text[],
                                   p_values numeric[], p_comments text[])
RETURNS TABLE (rule_code text, rule_name text, severity smallint, message text,
               left_value text, op text, right_value text, indicator_code text,
               explanation text, skipped boolean, skip_reason text)
LANGUAGE sql STABLE AS $$
  SELECT e.* FROM hz_period_parse(p_period) p,
    LATERAL hz_rule_eval(p_region, p_period, p.pt, p.start, p_codes, p_values, p_comments) e
$$;

-- ------------------------------------------------------------ rule import

-- The rows of a rule import in batch order, compiled forms and period
-- types as arrays. p_left_rpn / p_right_rpn: the compiled forms, tokens
-- separated by spaces (rule_expr.h); p_msg_codes: the indicators the
-- message template names, space-separated; p_period_types: PeriodType
-- numbers, space-separated ('' = every type; stored sorted, without
-- duplicates). A row the server refused has
-- a NULL code and is left out.
CREATE FUNCTION hz_rule_rows(
  p_codes text[], p_names text[], p_lefts text[], p_ops text[], p_rights text[],
  p_left_rpn text[], p_right_rpn text[], p_msg_codes text[], p_severities smallint[],
  p_period_types text[], p_tolerances text[], p_messages text[], p_descriptions text[])
RETURNS TABLE (i integer, c text, n text, l text, o text, r text, lr text[], rr text[],
               codes text[], mcodes text[], sv smallint, pts smallint[], tol numeric, msg text,
               ds text, nth bigint)
LANGUAGE sql IMMUTABLE AS $$
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

-- What an import changes of a stored rule, for its audit entry ('' when
-- nothing): old and new of each field.
CREATE FUNCTION hz_rule_changes(d rules, n text, l text, o text, r text, sv smallint,
                                pts smallint[], tol numeric, msg text, ds text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
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

-- Creates or updates rules by code, all or nothing (Admin.ImportRules).
-- Problems (kind as ProblemKind, idx the row): a code twice in the batch
-- (DUPLICATE), an expression or message naming an unknown indicator
-- (UNKNOWN_REFERENCE), an expression naming a ratio indicator
-- (NOT_REPORTING), no indicator on either side (MALFORMED). Then one summary row (kind 0: created, updated,
-- unchanged). Imported rules are active. Every created or changed rule is
-- audited (rule.set, old -> new); an unchanged one writes nothing.
CREATE FUNCTION hz_import_rules(
  p_lines integer[], p_codes text[], p_names text[], p_lefts text[], p_ops text[],
  p_rights text[], p_left_rpn text[], p_right_rpn text[], p_msg_codes text[],
  p_severities smallint[], p_period_types text[], p_tolerances text[], p_messages text[],
  p_descriptions text[], p_validate_only boolean, p_token_id bigint, p_actor text)
RETURNS TABLE (kind smallint, idx integer, field text, reason text,
               created integer, updated integer, unchanged integer)
LANGUAGE plpgsql AS $$
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

-- Disables or enables one rule (Admin.SetRuleActive), audited with the
-- reason. No row: unknown code. Setting the state it has changes nothing
-- and audits nothing; the row is returned either way.
CREATE FUNCTION hz_set_rule_active(p_code text, p_active boolean, p_reason text,
                                   p_token_id bigint, p_actor text)
RETURNS SETOF rules LANGUAGE plpgsql AS $$
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

-- ------------------------------------------------------------ submission

DROP FUNCTION hz_submit(uuid, text, text, smallint, date, text[], text[], text[], text, boolean,
                        bytea, bigint, text, text, timestamptz);

-- Submit one township's values for one period, all or nothing (001 has the
-- contract of the arguments, 007 the locking, 010 the refusals); 010's
-- body, with validation rules: after the per-value problems, hz_rule_eval
-- over the submitted values overlaid on the stored report. New columns,
-- set on rule rows only: rule_code .. skip_reason as hz_rule_violations
-- names them. A rule row is a problem (kind 10 RULE_ERROR, 11
-- RULE_WARNING: reason is the filled message and what to do) or a note
-- (kind -1: an explained warning, reason its message, or a skipped rule,
-- skipped true). Problems, notes and the summary come in that order.
CREATE FUNCTION hz_submit(
  p_submission_id uuid, p_region text, p_period text, p_period_type smallint,
  p_period_start date, p_codes text[], p_values text[], p_comments text[],
  p_narrative text, p_validate_only boolean, p_content_hash bytea,
  p_token_id bigint, p_actor text, p_scope_region text, p_received_at timestamptz)
RETURNS TABLE (kind smallint, idx integer, field text, indicator text, reason text,
               refusal hz_refusal, message text, imported integer, updated integer,
               unchanged integer, narrative_updated boolean, replayed boolean,
               received_at text, committed_at text, rule_code text, rule_name text,
               severity smallint, left_value text, op text, right_value text,
               explanation text, skipped boolean, skip_reason text)
LANGUAGE plpgsql AS $$
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
  WITH input AS (
    SELECT t.c, t.v::numeric AS v, coalesce(t.m, '') AS m
    FROM unnest(p_codes, p_values, p_comments) AS t(c, v, m)
  ), old AS (
    SELECT d.indicator_code, d.value, d.comment FROM data_values d
    WHERE d.region_code = p_region AND d.period = p_period AND d.indicator_code = ANY (p_codes)
    ORDER BY d.indicator_code
    FOR UPDATE
  ), changed AS (
    SELECT i.c, i.v, i.m, o.value AS old_value, o.comment AS old_comment
    FROM input i LEFT JOIN old o ON o.indicator_code = i.c
    WHERE o.indicator_code IS NULL OR o.value <> i.v OR o.comment <> i.m
  ), upserted AS (
    INSERT INTO data_values AS d (region_code, indicator_code, period, period_type,
                                  period_start, value, comment, submission_id, updated_at)
    SELECT p_region, c.c, p_period, p_period_type, p_period_start, c.v, c.m,
           p_submission_id, now_ts FROM changed c
    ORDER BY c.c COLLATE "C"
    ON CONFLICT (region_code, indicator_code, period) DO UPDATE
      SET value = EXCLUDED.value, comment = EXCLUDED.comment,
          submission_id = EXCLUDED.submission_id, updated_at = EXCLUDED.updated_at
    RETURNING 1
  )
  INSERT INTO audit_log (at, actor, token_id, action, region_code, indicator_code, period,
                         old_value, new_value, old_comment, new_comment, submission_id)
  SELECT now_ts, p_actor, p_token_id, 'value.set', p_region, c.c, p_period, c.old_value, c.v,
         c.old_comment, c.m, p_submission_id
  FROM changed c ORDER BY c.c COLLATE "C";

  INSERT INTO reports AS r (region_code, period, period_type, period_start, narrative,
                            last_submission_id, last_submitted_at)
  VALUES (p_region, p_period, p_period_type, p_period_start, coalesce(p_narrative, ''),
          p_submission_id, now_ts)
  ON CONFLICT (region_code, period) DO UPDATE
    SET narrative = CASE WHEN EXCLUDED.narrative <> '' THEN EXCLUDED.narrative ELSE r.narrative END,
        last_submission_id = EXCLUDED.last_submission_id,
        last_submitted_at = EXCLUDED.last_submitted_at;

  IF narr_changed THEN
    INSERT INTO audit_log (at, actor, token_id, action, region_code, period, submission_id, detail)
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

-- ------------------------------------------------------------ indicator import with bands

-- ImportIndicators with the outlier bands (Indicator.yoy_band, pop_band):
-- hz_import_indicators (current definition 012) does everything else;
-- this adds the bands, as text decimals > 0 or NULL (off), per row. A row
-- that changes only its bands counts as updated, not unchanged (the same
-- comparison as 012's counts, plus the bands). Band changes are audited
-- as indicator.set ("yoy_band none -> 50").
CREATE FUNCTION hz_import_indicators_banded(
  p_lines integer[], p_codes text[], p_names text[], p_units text[], p_period_types smallint[],
  p_time_aggs smallint[], p_region_aggs smallint[], p_mins text[], p_maxs text[],
  p_nums text[], p_dens text[], p_factors text[], p_scales smallint[], p_descriptions text[],
  p_change_bases smallint[], p_validate_only boolean, p_token_id bigint, p_actor text,
  p_yoy_bands text[], p_pop_bands text[])
RETURNS TABLE (kind smallint, idx integer, field text, reason text,
               created integer, updated integer, unchanged integer)
LANGUAGE plpgsql
SET plan_cache_mode = force_custom_plan
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
