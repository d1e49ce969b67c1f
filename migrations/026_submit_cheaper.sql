-- 026_submit_cheaper: three costs of every submission made smaller (issue
-- 15, "ingest >= 0.8 of raw COPY"; measured in tests/bench/README.md,
-- "Summaries as one row per township and year").
--
-- * hz_submit (current definition here; 022 before) counts a first
--   submission's values as new after one index probe instead of looking
--   up each of them (200 probes for a 200-value report).
-- * hz_count_changes, the change counter's upsert run by the triggers of
--   data_values, is PL/pgSQL: its statement is planned once per session,
--   where a SQL function's is planned on every call.
-- * The arrays a submission stores twice over (the submissions row's
--   codes, values and comments, and its audit_value_sets row) are
--   compressed with lz4 instead of pglz, which cost about 3 % of a
--   submission's database CPU (perf).

CREATE OR REPLACE FUNCTION hz_count_changes(p_regions text[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  -- Each township once, in key order: two transactions never wait on
  -- each other's rows crosswise (006).
  INSERT INTO change_counts AS c (region_code, n)
  SELECT x.r, 1 FROM (SELECT DISTINCT r FROM unnest(p_regions) AS r WHERE r IS NOT NULL) x
  ORDER BY x.r COLLATE "C"
  ON CONFLICT (region_code) DO UPDATE SET n = c.n + 1;
END
$$;

ALTER TABLE submissions
  ALTER COLUMN codes SET COMPRESSION lz4, ALTER COLUMN values_text SET COMPRESSION lz4,
  ALTER COLUMN comments SET COMPRESSION lz4;
ALTER TABLE audit_value_sets
  ALTER COLUMN ids SET COMPRESSION lz4, ALTER COLUMN codes SET COMPRESSION lz4,
  ALTER COLUMN old_values SET COMPRESSION lz4, ALTER COLUMN new_values SET COMPRESSION lz4,
  ALTER COLUMN old_comments SET COMPRESSION lz4, ALTER COLUMN new_comments SET COMPRESSION lz4;

-- Submit one township's values for one period, all or nothing (001 has the
-- contract of the arguments, 007 the locking, 010 the refusals, 014 the
-- validation rules, 017 the writes of values, 022 the audit entries);
-- 022's body but for the counts, as above.
CREATE OR REPLACE FUNCTION hz_submit(
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
  -- 026: a report with nothing stored yet (the usual first submission) has
  -- only new values; one probe of data_values_region_time says so, where
  -- the join below looks up every submitted code.
  IF p_period_start IS NOT NULL AND NOT EXISTS (
       SELECT 1 FROM data_values d
       WHERE d.region_code = p_region AND d.period_start = p_period_start
         AND d.period = p_period) THEN
    SELECT count(*) INTO n_new FROM unnest(p_values) AS t(v) WHERE t.v IS NOT NULL;
  ELSE
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
  END IF;
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
