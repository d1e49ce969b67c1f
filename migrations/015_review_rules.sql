-- 015_review_rules: the county's review (审核) over validation rules
-- (issue 12). Migration 014 owns the rules and hz_rule_violations (the
-- violations, and rules it could not evaluate, of one township's report);
-- this file only reads it:
-- * Approve is refused while a rule of severity ERROR (强制性审核) stands in
--   the township's stored values: hz_set_approval answers one row per
--   violation with the new reason 'rule_error' (api/refusal.c turns the
--   rows into a ProblemList of RULE_ERROR problems, FAILED_PRECONDITION).
-- * ApproveAllSubmitted leaves such townships SUBMITTED and lists them:
--   hz_approve_all answers rows of kind 'blocked', one per violation.
-- Validate and GetReport read hz_rule_violations through their statements
-- (service/db/sql/aggregation.def). The check runs after the report row is
-- locked, so a submission that lands meanwhile is the one checked.
-- Severity numbers are huizong.v1.Severity's: 1 ERROR, 2 WARNING.
-- Both functions change their result columns, so they are dropped and
-- created again; their bodies are 010's except for the rule check.

-- Why: the figures stored for the period break a rule of severity ERROR.
ALTER TYPE hz_refusal ADD VALUE 'rule_error';

-- The sentence a violation is refused with: its filled message, or when a
-- rule has no template the relation with its figures.
CREATE FUNCTION hz_violation_text(p_message text, p_rule_name text, p_left text, p_op text,
                                  p_right text)
RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT coalesce(nullif(p_message, ''),
                  format('%s: %s %s %s does not hold', p_rule_name, p_left, p_op, p_right))
$$;

DROP FUNCTION hz_set_approval(text, text, boolean, text, text, bigint, text);
DROP FUNCTION hz_approve_all(text, text, text, text, bigint, text);

-- Approve (p_approve) or reopen one township's period (004 has the
-- contract, 007 the locking). A refused call returns one row with its
-- refusal (unknown_region, outside_scope, not_township, nothing_submitted)
-- and message, or for rule_error one row per standing ERROR violation
-- (message filled, rule_code and indicator_code set), by rule code;
-- otherwise refusal is NULL and the row has the new state. Approving an
-- approved period is not checked again: it changes nothing.
CREATE FUNCTION hz_set_approval(p_region text, p_period text, p_approve boolean,
                                p_note text, p_actor text, p_token_id bigint, p_scope text)
RETURNS TABLE (refusal hz_refusal, message text, changed boolean, state smallint,
               last_submitted_at text, approved_by text, approved_at text, comment text,
               rule_code text, indicator_code text)
LANGUAGE plpgsql AS $$
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

-- Approves every SUBMITTED township under p_region for p_period (004 has
-- the contract, 007 the locking) whose stored values break no rule of
-- severity ERROR. A refused call returns one row of kind 'refused' with
-- its refusal (unknown_region, outside_scope) and message. Otherwise rows
-- of kind 'approved', 'already', 'blocked' (one per standing ERROR
-- violation of a township left SUBMITTED: message filled, rule_code and
-- indicator_code set) and 'missing', by kind, region code and rule code.
CREATE FUNCTION hz_approve_all(p_region text, p_period text, p_note text,
                               p_actor text, p_token_id bigint, p_scope text)
RETURNS TABLE (kind text, refusal hz_refusal, message text, region_code text,
               last_submitted_at text, approved_by text, approved_at text,
               rule_code text, indicator_code text)
LANGUAGE plpgsql AS $$
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

-- The county's view of the rules (Validate, GetReport): every violation
-- of the stored values of each township under p_region (the township
-- itself for GetReport) that has submitted for p_period, and with
-- p_skipped the rules that could not be evaluated. grp orders them as
-- huizong.v1.ValidateResponse lists them: 1 ERROR, 2 unexplained WARNING,
-- 3 explained WARNING, 4 skipped; then by township and rule code.
CREATE FUNCTION hz_review_violations(p_region text, p_period text, p_skipped boolean)
RETURNS TABLE (grp smallint, region_code text, region_name text, rule_code text,
               rule_name text, severity smallint, message text, left_value text, op text,
               right_value text, indicator_code text, explanation text, skipped boolean,
               skip_reason text)
LANGUAGE sql STABLE AS $$
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
