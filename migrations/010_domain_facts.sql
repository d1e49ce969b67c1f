-- 010_domain_facts: the database answers with domain facts, not gRPC.
-- A refusal is a reason from the closed enum hz_refusal plus a sentence
-- for people; service/api/refusal.c maps each reason to a gRPC status,
-- once (tests/integration/test_migrate.py checks that the C table and this
-- enum name the same reasons). Approval state is derived in one place,
-- hz_approval_state, whose numbers are huizong.v1.ApprovalState and
-- domain/approval.h. Functions whose result columns change are dropped
-- and created again (CREATE OR REPLACE cannot change a row type); their
-- bodies are 007's, changed only where a refusal is returned.

-- Why a refusal is refused. Adding a value here needs its row in
-- service/api/refusal.c (the test above fails until it is there).
CREATE TYPE hz_refusal AS ENUM (
  'unknown_region',     -- the region code names no region
  'outside_scope',      -- the region lies outside the caller's token's scope
  'not_township',       -- the region does not report (its figures are rollups)
  'nothing_submitted',  -- approval of a period nothing was submitted for
  'id_reused',          -- a submission id already used for other content
  'approved',           -- the period is approved: no submissions until reopened
  'window_closed'       -- the period's submission window has closed
);

-- ApprovalState of a township's period from its report row's times:
-- 1 MISSING (nothing submitted), 2 SUBMITTED, 3 APPROVED.
CREATE FUNCTION hz_approval_state(p_last_submitted_at timestamptz, p_approved_at timestamptz)
RETURNS smallint LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN p_approved_at IS NOT NULL THEN 3
              WHEN p_last_submitted_at IS NOT NULL THEN 2 ELSE 1 END::smallint
$$;

-- (004 has the first definition; the state now comes from hz_approval_state.)
CREATE OR REPLACE FUNCTION hz_approval_row(p_region text, p_period text)
RETURNS TABLE (state smallint, last_submitted_at text, approved_by text, approved_at text,
               comment text)
LANGUAGE sql STABLE AS $$
  SELECT hz_approval_state(r.last_submitted_at, r.approved_at),
         coalesce(hz_ts(r.last_submitted_at), ''), coalesce(r.approved_by, ''),
         coalesce(hz_ts(r.approved_at), ''), coalesce(r.approval_comment, '')
  FROM (SELECT 1) one
  LEFT JOIN reports r ON r.region_code = p_region AND r.period = p_period
$$;

DROP FUNCTION hz_set_approval(text, text, boolean, text, text, bigint, text);
DROP FUNCTION hz_approve_all(text, text, text, text, bigint, text);
DROP FUNCTION hz_review_target(text, text);
DROP FUNCTION hz_submit_gate(text, text, smallint, date);
DROP FUNCTION hz_submit(uuid, text, text, smallint, date, text[], text[], text[], text, boolean,
                        bytea, bigint, text, text, timestamptz);

-- Checks the township and the caller's scope (p_scope NULL: no limit).
-- No row when fine, else one row: the refusal and its sentence.
CREATE FUNCTION hz_review_target(p_region text, p_scope text)
RETURNS TABLE (refusal hz_refusal, message text)
LANGUAGE plpgsql STABLE AS $$
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

-- Whether the review state closes a period to submissions (004 has the
-- first definition, which returned only the sentence). No row when open,
-- else one row: approved or window_closed, and the sentence that
-- hz_submit lists as the period's CONFLICT problem.
CREATE FUNCTION hz_submit_gate(p_region text, p_period text, p_period_type smallint,
                               p_period_start date)
RETURNS TABLE (refusal hz_refusal, message text) LANGUAGE plpgsql STABLE AS $$
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
  deadline := hz_deadline(p_period_type, p_period_start);
  IF deadline IS NOT NULL AND clock_timestamp() >= deadline
     AND NOT hz_exception_open(p_region, p_period) THEN
    RETURN QUERY SELECT 'window_closed'::hz_refusal,
      format('submissions for period %s closed at %s (deadline); an administrator can '
             'reopen it for region %s', p_period, hz_ts(deadline), p_region);
  END IF;
END
$$;

-- Submit one township's values for one period, all or nothing (001 has the
-- contract of the arguments and rows, 007 the locking). Column `refusal`
-- (was `code`, a gRPC status) is set on the one row of a refused call:
-- id_reused or outside_scope; problem rows and the summary leave it NULL.
CREATE FUNCTION hz_submit(
  p_submission_id uuid, p_region text, p_period text, p_period_type smallint,
  p_period_start date, p_codes text[], p_values text[], p_comments text[],
  p_narrative text, p_validate_only boolean, p_content_hash bytea,
  p_token_id bigint, p_actor text, p_scope_region text, p_received_at timestamptz)
RETURNS TABLE (kind smallint, idx integer, field text, indicator text, reason text,
               refusal hz_refusal, message text, imported integer, updated integer,
               unchanged integer, narrative_updated boolean, replayed boolean,
               received_at text, committed_at text)
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
        true, hz_ts(sub.received_at), hz_ts(sub.committed_at);
    ELSIF p_scope_region IS NOT NULL AND sub.region_code <> p_scope_region THEN
      -- Say nothing about another township's submission.
      RETURN QUERY SELECT 0::smallint, -1, 'submission_id'::text, ''::text, ''::text,
        'id_reused'::hz_refusal,
        format('submission id %s is already in use; choose a new id', p_submission_id),
        0, 0, 0, false, false, ''::text, ''::text;
    ELSE
      RETURN QUERY SELECT 0::smallint, -1, 'submission_id'::text, ''::text, ''::text,
        'id_reused'::hz_refusal,
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
      format('unknown region %s', p_region), NULL::hz_refusal, NULL::text, NULL::integer,
      NULL::integer, NULL::integer, NULL::boolean, NULL::boolean, NULL::text, NULL::text;
    n_problems := n_problems + 1;
  ELSIF p_scope_region IS NOT NULL AND p_scope_region <> p_region THEN
    RETURN QUERY SELECT 0::smallint, -1, 'region_code'::text, ''::text, ''::text,
      'outside_scope'::hz_refusal,
      format('this token may submit only for region %s, not %s', p_scope_region, p_region),
      0, 0, 0, false, false, ''::text, ''::text;
    RETURN;
  ELSIF NOT reg.reporting THEN
    RETURN QUERY SELECT 7::smallint, -1, 'region_code'::text, ''::text,
      format('region %s (%s) is not a reporting township; its figures are rollups', p_region, reg.name),
      NULL::hz_refusal, NULL::text, NULL::integer, NULL::integer, NULL::integer,
      NULL::boolean, NULL::boolean, NULL::text, NULL::text;
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
         c.c, c.why, NULL::hz_refusal, NULL::text, NULL::integer, NULL::integer, NULL::integer,
         NULL::boolean, NULL::boolean, NULL::text, NULL::text
  FROM checked c WHERE c.k IS NOT NULL ORDER BY c.i;
  GET DIAGNOSTICS n_new = ROW_COUNT;
  n_problems := n_problems + n_new;
  n_new := 0;

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
      n_new, n_changed, n_same, narr_changed, false, hz_ts(p_received_at), ''::text;
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
    n_new, n_changed, n_same, narr_changed, false, hz_ts(p_received_at), hz_ts(now_ts);
END
$$;

-- Approve (p_approve) or reopen one township's period (004 has the
-- contract, 007 the locking). A refused call returns one row with its
-- refusal (unknown_region, outside_scope, not_township, nothing_submitted)
-- and message; otherwise refusal is NULL and the row has the new state.
CREATE FUNCTION hz_set_approval(p_region text, p_period text, p_approve boolean,
                                           p_note text, p_actor text, p_token_id bigint,
                                           p_scope text)
RETURNS TABLE (refusal hz_refusal, message text, changed boolean, state smallint,
               last_submitted_at text, approved_by text, approved_at text, comment text)
LANGUAGE plpgsql AS $$
DECLARE
  refused record;
  rep reports%ROWTYPE;
  did boolean := false;
  now_ts timestamptz; -- one instant for the row and its audit entry, read after the locks
BEGIN
  SELECT * INTO refused FROM hz_review_target(p_region, p_scope);
  IF FOUND THEN
    RETURN QUERY SELECT refused.refusal, refused.message, false, 0::smallint, '', '', '', '';
    RETURN;
  END IF;
  PERFORM hz_lock_report(p_region, p_period);
  SELECT * INTO rep FROM reports r WHERE r.region_code = p_region AND r.period = p_period
    FOR UPDATE;
  now_ts := clock_timestamp();
  IF p_approve THEN
    IF NOT FOUND OR rep.last_submitted_at IS NULL THEN
      RETURN QUERY SELECT 'nothing_submitted'::hz_refusal, format('nothing has been submitted for %s %s; it cannot be approved',
                                    p_region, p_period), false, 1::smallint, '', '', '', '';
      RETURN;
    END IF;
    IF rep.approved_at IS NULL THEN
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
  RETURN QUERY SELECT NULL::hz_refusal, ''::text, did, a.* FROM hz_approval_row(p_region, p_period) a;
END
$$;

-- Approves every SUBMITTED township under p_region for p_period (004 has
-- the contract, 007 the locking). A refused call returns one row of kind
-- 'refused' with its refusal (unknown_region, outside_scope) and message.
CREATE FUNCTION hz_approve_all(p_region text, p_period text, p_note text,
                                          p_actor text, p_token_id bigint, p_scope text)
RETURNS TABLE (kind text, refusal hz_refusal, message text, region_code text,
               last_submitted_at text, approved_by text, approved_at text)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  now_ts timestamptz;
  held text[];
BEGIN
  IF NOT EXISTS (SELECT 1 FROM regions WHERE regions.code = p_region) THEN
    RETURN QUERY SELECT 'refused', 'unknown_region'::hz_refusal, format('unknown region %s', p_region), '', '', '', '';
    RETURN;
  END IF;
  IF p_scope IS NOT NULL AND NOT EXISTS (SELECT 1 FROM region_paths
       WHERE ancestor = p_scope AND descendant = p_region) THEN
    RETURN QUERY SELECT 'refused', 'outside_scope'::hz_refusal,
      format('region %s is outside this token''s scope (%s)', p_region, p_scope), '', '', '', '';
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
  ), upd AS (
    UPDATE reports rep SET approved_by = p_actor, approved_at = now_ts,
                           approval_comment = coalesce(p_note, '')
    FROM locked l
    WHERE rep.region_code = l.region_code AND rep.period = p_period
      AND l.approved_at IS NULL AND l.last_submitted_at IS NOT NULL
    RETURNING rep.region_code, rep.last_submitted_at
  ), aud AS (
    INSERT INTO audit_log (at, actor, token_id, action, region_code, period, detail)
    SELECT now_ts, p_actor, p_token_id, 'approve', u.region_code, p_period,
           'approved with all submitted' || CASE WHEN coalesce(p_note, '') <> ''
                                                 THEN ': ' || p_note ELSE '' END
    FROM upd u
  ), out (kind, refusal, message, region_code, last_submitted_at, approved_by, approved_at) AS (
    SELECT 'approved', NULL::hz_refusal, '', u.region_code, hz_ts(u.last_submitted_at), p_actor, hz_ts(now_ts)
    FROM upd u
    UNION ALL
    SELECT 'already', NULL::hz_refusal, '', l.region_code, '', '', '' FROM locked l
    WHERE l.approved_at IS NOT NULL
    UNION ALL
    SELECT 'missing', NULL::hz_refusal, '', lv.code, '', '', '' FROM leaves lv
    WHERE NOT EXISTS (SELECT 1 FROM locked l WHERE l.region_code = lv.code
                        AND l.last_submitted_at IS NOT NULL)
  )
  SELECT o.kind, o.refusal, o.message, o.region_code, o.last_submitted_at, o.approved_by,
         o.approved_at
  FROM out o ORDER BY o.kind COLLATE "C", o.region_code COLLATE "C";
END
$$;
