-- 001_core: the region tree, the indicator catalog, exact values, reports,
-- submissions, tokens, targets and the audit trail.

CREATE TABLE regions (
  code        text PRIMARY KEY CHECK (code ~ '^[0-9]{2,12}$'),
  name        text NOT NULL CHECK (name <> ''),
  level       smallint NOT NULL CHECK (level BETWEEN 1 AND 5),  -- RegionLevel
  parent_code text REFERENCES regions (code),
  -- Townships are the reporting leaves; every other level is a rollup.
  reporting   boolean GENERATED ALWAYS AS (level = 4) STORED,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  CHECK (parent_code IS DISTINCT FROM code)
);
CREATE INDEX regions_parent ON regions (parent_code);

-- Closure table: (ancestor, descendant) for every pair, self at depth 0, so
-- a subtree is one index range and scope checks are one lookup.
CREATE TABLE region_paths (
  ancestor   text NOT NULL REFERENCES regions (code) ON DELETE CASCADE,
  descendant text NOT NULL REFERENCES regions (code) ON DELETE CASCADE,
  depth      smallint NOT NULL,
  PRIMARY KEY (ancestor, descendant)
);
CREATE INDEX region_paths_descendant ON region_paths (descendant, depth);

CREATE TABLE indicators (
  code               text PRIMARY KEY CHECK (code ~ '^[a-z][a-z0-9_.-]{0,63}$'),
  name               text NOT NULL CHECK (name <> ''),
  unit               text NOT NULL DEFAULT '',
  period_type        smallint NOT NULL CHECK (period_type BETWEEN 1 AND 4),      -- PeriodType
  time_aggregation   smallint NOT NULL CHECK (time_aggregation BETWEEN 1 AND 5), -- TimeAggregation
  region_aggregation smallint NOT NULL CHECK (region_aggregation BETWEEN 1 AND 5), -- RegionAggregation
  min_value          numeric,
  max_value          numeric,
  ratio_numerator    text REFERENCES indicators (code),
  ratio_denominator  text REFERENCES indicators (code),
  ratio_factor       numeric,
  ratio_scale        smallint,
  description        text NOT NULL DEFAULT '',
  updated_at         timestamptz NOT NULL DEFAULT now(),
  CHECK ((ratio_numerator IS NULL) = (ratio_denominator IS NULL)),
  CHECK (min_value IS NULL OR max_value IS NULL OR min_value <= max_value)
);

CREATE TABLE tokens (
  id           bigserial PRIMARY KEY,
  name         text NOT NULL CHECK (name <> ''),
  role         smallint NOT NULL CHECK (role BETWEEN 1 AND 3),  -- Role
  region_code  text REFERENCES regions (code),
  -- SHA-256 of the secret part; the secret itself is never stored.
  secret_hash  bytea NOT NULL CHECK (length(secret_hash) = 32),
  created_by   text NOT NULL DEFAULT '',
  created_at   timestamptz NOT NULL DEFAULT now(),
  revoked_at   timestamptz,
  last_used_at timestamptz,
  CHECK (role = 3 OR region_code IS NOT NULL)
);

-- Exact values at the reporting leaves, one per region, indicator, period.
CREATE TABLE data_values (
  region_code    text NOT NULL REFERENCES regions (code),
  indicator_code text NOT NULL REFERENCES indicators (code),
  period         text NOT NULL,
  period_type    smallint NOT NULL,
  period_start   date NOT NULL,   -- first day, for range scans over time
  value          numeric NOT NULL,
  comment        text NOT NULL DEFAULT '',
  submission_id  uuid NOT NULL,
  updated_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (region_code, indicator_code, period)
);
CREATE INDEX data_values_region_time ON data_values (region_code, period_start);

-- One township's report for one period: narrative, last submission, review.
CREATE TABLE reports (
  region_code        text NOT NULL REFERENCES regions (code),
  period             text NOT NULL,
  period_type        smallint NOT NULL,
  period_start       date NOT NULL,
  narrative          text NOT NULL DEFAULT '',
  last_submission_id uuid,
  last_submitted_at  timestamptz,
  approved_by        text,
  approved_at        timestamptz,
  approval_comment   text NOT NULL DEFAULT '',
  PRIMARY KEY (region_code, period)
);

-- Accepted submissions. The idempotency key is the id; content_hash tells a
-- retry (same content) from a reuse (other content).
CREATE TABLE submissions (
  id                uuid PRIMARY KEY,
  region_code       text NOT NULL REFERENCES regions (code),
  period            text NOT NULL,
  content_hash      bytea NOT NULL,
  token_id          bigint REFERENCES tokens (id),
  submitted_by      text NOT NULL,
  imported          integer NOT NULL,
  updated           integer NOT NULL,
  unchanged         integer NOT NULL,
  narrative_updated boolean NOT NULL,
  narrative         text NOT NULL DEFAULT '',
  value_count       integer NOT NULL,
  codes             text[] NOT NULL,  -- the values as submitted, in order
  values_text       text[] NOT NULL,
  comments          text[] NOT NULL,
  received_at       timestamptz NOT NULL,
  committed_at      timestamptz NOT NULL
);
CREATE INDEX submissions_region_period ON submissions (region_code, period);
CREATE INDEX submissions_received ON submissions (received_at DESC, id);

CREATE TABLE targets (
  region_code    text NOT NULL REFERENCES regions (code),
  indicator_code text NOT NULL REFERENCES indicators (code),
  period         text NOT NULL,
  period_type    smallint NOT NULL,
  period_start   date NOT NULL,
  value          numeric NOT NULL,
  updated_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (region_code, indicator_code, period)
);

-- Append-only history of every stored change.
CREATE TABLE audit_log (
  id             bigserial PRIMARY KEY,
  at             timestamptz NOT NULL DEFAULT now(),
  actor          text NOT NULL,       -- token name
  token_id       bigint,
  action         text NOT NULL,       -- value.set, token.create, approve, ...
  region_code    text,
  indicator_code text,
  period         text,
  old_value      numeric,
  new_value      numeric,
  submission_id  uuid,
  detail         text NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_region_at ON audit_log (region_code, at DESC);
CREATE INDEX audit_log_submission ON audit_log (submission_id);
CREATE INDEX audit_log_at ON audit_log (at DESC, id DESC);

CREATE FUNCTION hz_ts(t timestamptz) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
$$;

-- (Current definition: 010_domain_facts.)
-- Whether a township's period still takes submissions: NULL when it does,
-- else the reason (FAILED_PRECONDITION). Later migrations extend it.
CREATE FUNCTION hz_submit_gate(p_region text, p_period text, p_period_type smallint,
                               p_period_start date)
RETURNS text LANGUAGE plpgsql STABLE AS $$
DECLARE
  rep reports%ROWTYPE;
BEGIN
  SELECT * INTO rep FROM reports r WHERE r.region_code = p_region AND r.period = p_period;
  IF FOUND AND rep.approved_at IS NOT NULL THEN
    RETURN format('period %s of region %s was approved by %s at %s; ask for it to be reopened',
                  p_period, p_region, rep.approved_by, hz_ts(rep.approved_at));
  END IF;
  RETURN NULL;
END
$$;

-- (Current definition: 010_domain_facts; 007_submit_serial serializes submissions of
-- one report and counts comment changes as updates.)
-- Submit one township's values for one period, all or nothing. Syntax
-- (decimals, period, uuid) was checked by the server; NULL values mark
-- ones it refused, and p_validate_only stops before any write. Returns
-- problem rows (kind > 0, ProblemKind; a closed period is CONFLICT) and one
-- summary row (kind = 0) with a gRPC status code: 0 ok, 6 ALREADY_EXISTS,
-- 7 PERMISSION_DENIED.
CREATE FUNCTION hz_submit(
  p_submission_id uuid, p_region text, p_period text, p_period_type smallint,
  p_period_start date, p_codes text[], p_values text[], p_comments text[],
  p_narrative text, p_validate_only boolean, p_content_hash bytea,
  p_token_id bigint, p_actor text, p_scope_region text, p_received_at timestamptz)
RETURNS TABLE (kind smallint, idx integer, field text, indicator text, reason text,
               code integer, message text, imported integer, updated integer,
               unchanged integer, narrative_updated boolean, replayed boolean,
               received_at text, committed_at text)
LANGUAGE plpgsql AS $$
DECLARE
  sub submissions%ROWTYPE;
  reg regions%ROWTYPE;
  rep reports%ROWTYPE;
  refusal text;
  n_problems integer := 0;
  n_new integer := 0;
  n_changed integer := 0;
  n_same integer := 0;
  narr_changed boolean := false;
  now_ts timestamptz;
BEGIN
  -- Same id at the same time: the second waits and then sees the first.
  PERFORM pg_advisory_xact_lock(hashtextextended(p_submission_id::text, 0));

  SELECT * INTO sub FROM submissions s WHERE s.id = p_submission_id;
  IF FOUND THEN
    IF sub.content_hash = p_content_hash AND sub.region_code = p_region
       AND sub.period = p_period THEN
      RETURN QUERY SELECT 0::smallint, -1, ''::text, ''::text, ''::text, 0,
        ''::text, sub.imported, sub.updated, sub.unchanged, sub.narrative_updated,
        true, hz_ts(sub.received_at), hz_ts(sub.committed_at);
    ELSIF p_scope_region IS NOT NULL AND sub.region_code <> p_scope_region THEN
      -- Say nothing about another township's submission.
      RETURN QUERY SELECT 0::smallint, -1, 'submission_id'::text, ''::text, ''::text, 6,
        format('submission id %s is already in use; choose a new id', p_submission_id),
        0, 0, 0, false, false, ''::text, ''::text;
    ELSE
      RETURN QUERY SELECT 0::smallint, -1, 'submission_id'::text, ''::text, ''::text, 6,
        format('submission %s was already used by %s at %s for %s %s with other content',
               p_submission_id, sub.submitted_by, hz_ts(sub.committed_at),
               sub.region_code, sub.period),
        0, 0, 0, false, false, ''::text, ''::text;
    END IF;
    RETURN;
  END IF;

  SELECT * INTO reg FROM regions r WHERE r.code = p_region;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 3::smallint, -1, 'region_code'::text, ''::text,
      format('unknown region %s', p_region), NULL::integer, NULL::text, NULL::integer,
      NULL::integer, NULL::integer, NULL::boolean, NULL::boolean, NULL::text, NULL::text;
    n_problems := n_problems + 1;
  ELSIF p_scope_region IS NOT NULL AND p_scope_region <> p_region THEN
    RETURN QUERY SELECT 0::smallint, -1, 'region_code'::text, ''::text, ''::text, 7,
      format('this token may submit only for region %s, not %s', p_scope_region, p_region),
      0, 0, 0, false, false, ''::text, ''::text;
    RETURN;
  ELSIF NOT reg.reporting THEN
    RETURN QUERY SELECT 7::smallint, -1, 'region_code'::text, ''::text,
      format('region %s (%s) is not a reporting township; its figures are rollups', p_region, reg.name),
      NULL::integer, NULL::text, NULL::integer, NULL::integer, NULL::integer,
      NULL::boolean, NULL::boolean, NULL::text, NULL::text;
    n_problems := n_problems + 1;
  END IF;

  -- Review state (approval, deadlines) may close the period.
  SELECT * INTO rep FROM reports r WHERE r.region_code = p_region AND r.period = p_period
    FOR UPDATE;
  refusal := hz_submit_gate(p_region, p_period, p_period_type, p_period_start);
  IF refusal IS NOT NULL THEN
    -- A closed period is a CONFLICT problem, listed with any others.
    RETURN QUERY SELECT 9::smallint, -1, 'period'::text, ''::text, refusal,
      NULL::integer, NULL::text, NULL::integer, NULL::integer, NULL::integer,
      NULL::boolean, NULL::boolean, NULL::text, NULL::text;
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
         c.c, c.why, NULL::integer, NULL::text, NULL::integer, NULL::integer, NULL::integer,
         NULL::boolean, NULL::boolean, NULL::text, NULL::text
  FROM checked c WHERE c.k IS NOT NULL ORDER BY c.i;
  GET DIAGNOSTICS n_new = ROW_COUNT;
  n_problems := n_problems + n_new;
  n_new := 0;

  -- Counts, for the summary and for dry runs.
  SELECT count(*) FILTER (WHERE d.value IS NULL),
         count(*) FILTER (WHERE d.value IS NOT NULL AND d.value <> t.v::numeric),
         count(*) FILTER (WHERE d.value IS NOT NULL AND d.value = t.v::numeric)
    INTO n_new, n_changed, n_same
  FROM unnest(p_codes, p_values) AS t(c, v)
  LEFT JOIN data_values d ON d.region_code = p_region AND d.indicator_code = t.c
                         AND d.period = p_period
  WHERE t.v IS NOT NULL;
  narr_changed := p_narrative <> '' AND p_narrative IS DISTINCT FROM coalesce(rep.narrative, '');

  IF n_problems > 0 OR p_validate_only THEN
    RETURN QUERY SELECT 0::smallint, -1, ''::text, ''::text, ''::text, 0, ''::text,
      n_new, n_changed, n_same, narr_changed, false, hz_ts(p_received_at), ''::text;
    RETURN;
  END IF;

  now_ts := clock_timestamp();
  WITH input AS (
    SELECT t.c, t.v::numeric AS v, coalesce(t.m, '') AS m
    FROM unnest(p_codes, p_values, p_comments) AS t(c, v, m)
  ), old AS (
    SELECT d.indicator_code, d.value, d.comment FROM data_values d
    WHERE d.region_code = p_region AND d.period = p_period AND d.indicator_code = ANY (p_codes)
    FOR UPDATE
  ), changed AS (
    SELECT i.c, i.v, i.m, o.value AS old_value, o.indicator_code IS NULL AS is_new
    FROM input i LEFT JOIN old o ON o.indicator_code = i.c
    WHERE o.indicator_code IS NULL OR o.value <> i.v OR o.comment <> i.m
  ), upserted AS (
    INSERT INTO data_values AS d (region_code, indicator_code, period, period_type,
                                  period_start, value, comment, submission_id, updated_at)
    SELECT p_region, c.c, p_period, p_period_type, p_period_start, c.v, c.m,
           p_submission_id, now_ts FROM changed c
    ON CONFLICT (region_code, indicator_code, period) DO UPDATE
      SET value = EXCLUDED.value, comment = EXCLUDED.comment,
          submission_id = EXCLUDED.submission_id, updated_at = EXCLUDED.updated_at
    RETURNING 1
  )
  INSERT INTO audit_log (at, actor, token_id, action, region_code, indicator_code, period,
                         old_value, new_value, submission_id)
  SELECT now_ts, p_actor, p_token_id, 'value.set', p_region, c.c, p_period, c.old_value, c.v,
         p_submission_id
  FROM changed c WHERE c.is_new OR c.old_value <> c.v;

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

  RETURN QUERY SELECT 0::smallint, -1, ''::text, ''::text, ''::text, 0, ''::text,
    n_new, n_changed, n_same, narr_changed, false, hz_ts(p_received_at), hz_ts(now_ts);
END
$$;
