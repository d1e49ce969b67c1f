-- 004_review: the review workflow. Approval per township and period (the
-- columns live in reports), submission windows per period type, deadline
-- exceptions granted by an administrator, all audited.

-- How long after a period ends submissions stay open; absent or 0 = never
-- closes. Deadlines fall at midnight China Standard Time, the business day
-- of the statistics offices.
CREATE TABLE submission_windows (
  period_type    smallint PRIMARY KEY CHECK (period_type BETWEEN 1 AND 4),
  days_after_end integer NOT NULL CHECK (days_after_end >= 0),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  updated_by     text NOT NULL DEFAULT ''
);

CREATE TABLE period_exceptions (
  id          bigserial PRIMARY KEY,
  region_code text NOT NULL REFERENCES regions (code),
  period      text NOT NULL,
  reason      text NOT NULL CHECK (reason <> ''),
  granted_by  text NOT NULL,
  granted_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz
);
CREATE INDEX period_exceptions_region_period ON period_exceptions (region_code, period);
CREATE INDEX period_exceptions_granted ON period_exceptions (granted_at DESC, id DESC);

-- The first day after the period, in the business time zone.
CREATE FUNCTION hz_period_end(p_period_type smallint, p_period_start date) RETURNS date
LANGUAGE sql IMMUTABLE AS $$
  SELECT (p_period_start + CASE p_period_type WHEN 1 THEN interval '1 year'
                                              WHEN 2 THEN interval '6 months'
                                              WHEN 3 THEN interval '3 months'
                                              ELSE interval '1 month' END)::date
$$;

-- Deadline of a period, or NULL when its type has no window.
CREATE FUNCTION hz_deadline(p_period_type smallint, p_period_start date) RETURNS timestamptz
LANGUAGE sql STABLE AS $$
  SELECT (hz_period_end(p_period_type, p_period_start) + w.days_after_end)::timestamp
         AT TIME ZONE 'Asia/Shanghai'
  FROM submission_windows w
  WHERE w.period_type = p_period_type AND w.days_after_end > 0
$$;

CREATE FUNCTION hz_exception_open(p_region text, p_period text) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT EXISTS (SELECT 1 FROM period_exceptions e
                 WHERE e.region_code = p_region AND e.period = p_period
                   AND (e.expires_at IS NULL OR e.expires_at > clock_timestamp()))
$$;

-- (Current definition: 010_domain_facts, which returns the reason too.)
CREATE OR REPLACE FUNCTION hz_submit_gate(p_region text, p_period text, p_period_type smallint,
                                          p_period_start date)
RETURNS text LANGUAGE plpgsql STABLE AS $$
DECLARE
  rep reports%ROWTYPE;
  deadline timestamptz;
BEGIN
  SELECT * INTO rep FROM reports r WHERE r.region_code = p_region AND r.period = p_period;
  IF FOUND AND rep.approved_at IS NOT NULL THEN
    RETURN format('period %s of region %s was approved by %s at %s; ask for it to be reopened',
                  p_period, p_region, rep.approved_by, hz_ts(rep.approved_at));
  END IF;
  deadline := hz_deadline(p_period_type, p_period_start);
  IF deadline IS NOT NULL AND clock_timestamp() >= deadline
     AND NOT hz_exception_open(p_region, p_period) THEN
    RETURN format('submissions for period %s closed at %s (deadline); an administrator can '
                  'reopen it for region %s', p_period, hz_ts(deadline), p_region);
  END IF;
  RETURN NULL;
END
$$;

-- (Current definition: 010_domain_facts, state from hz_approval_state.)
-- One row describing a township's approval, for every approval function.
CREATE FUNCTION hz_approval_row(p_region text, p_period text)
RETURNS TABLE (state smallint, last_submitted_at text, approved_by text, approved_at text,
               comment text)
LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN r.approved_at IS NOT NULL THEN 3
              WHEN r.last_submitted_at IS NOT NULL THEN 2 ELSE 1 END::smallint,
         coalesce(hz_ts(r.last_submitted_at), ''), coalesce(r.approved_by, ''),
         coalesce(hz_ts(r.approved_at), ''), coalesce(r.approval_comment, '')
  FROM (SELECT 1) one
  LEFT JOIN reports r ON r.region_code = p_region AND r.period = p_period
$$;

-- (Current definition: 010_domain_facts, which returns a refusal reason.)
-- Checks the township and the caller's scope. Returns NULL when fine, else
-- "<grpc code>:<message>".
CREATE FUNCTION hz_review_target(p_region text, p_scope text) RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE
  reg regions%ROWTYPE;
BEGIN
  SELECT * INTO reg FROM regions WHERE code = p_region;
  IF NOT FOUND THEN
    RETURN '5:' || format('unknown region %s', p_region);
  END IF;
  IF p_scope IS NOT NULL AND NOT EXISTS (SELECT 1 FROM region_paths
       WHERE ancestor = p_scope AND descendant = p_region) THEN
    RETURN '7:' || format('region %s is outside this token''s scope (%s)', p_region, p_scope);
  END IF;
  IF NOT reg.reporting THEN
    RETURN '9:' || format('region %s (%s) is not a reporting township', p_region, reg.name);
  END IF;
  RETURN NULL;
END
$$;

-- (Current definition: 010_domain_facts; 007 reads the clock after the
-- report's lock.)
-- Approve (p_approve) or reopen one township's period. Returns code 0 with
-- the new state, or a refusal code and message.
CREATE FUNCTION hz_set_approval(p_region text, p_period text, p_approve boolean, p_note text,
                                p_actor text, p_token_id bigint, p_scope text)
RETURNS TABLE (code integer, message text, changed boolean, state smallint,
               last_submitted_at text, approved_by text, approved_at text, comment text)
LANGUAGE plpgsql AS $$
DECLARE
  refusal text;
  rep reports%ROWTYPE;
  did boolean := false;
  now_ts timestamptz := clock_timestamp(); -- one instant for the row and its audit entry
BEGIN
  refusal := hz_review_target(p_region, p_scope);
  IF refusal IS NOT NULL THEN
    RETURN QUERY SELECT split_part(refusal, ':', 1)::integer,
      substr(refusal, position(':' IN refusal) + 1), false, 0::smallint, '', '', '', '';
    RETURN;
  END IF;
  SELECT * INTO rep FROM reports r WHERE r.region_code = p_region AND r.period = p_period
    FOR UPDATE;
  IF p_approve THEN
    IF NOT FOUND OR rep.last_submitted_at IS NULL THEN
      RETURN QUERY SELECT 9, format('nothing has been submitted for %s %s; it cannot be approved',
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
  RETURN QUERY SELECT 0, ''::text, did, a.* FROM hz_approval_row(p_region, p_period) a;
END
$$;

-- (Current definition: 010_domain_facts; 007 locks rows in byte order and
-- reads the clock after them.)
-- Approves every SUBMITTED township under p_region for p_period in one
-- transaction. Rows: kind 'approved' (with its approval), 'already',
-- 'missing'; or a single 'refused' row with code and message.
CREATE FUNCTION hz_approve_all(p_region text, p_period text, p_note text, p_actor text,
                               p_token_id bigint, p_scope text)
RETURNS TABLE (kind text, code integer, message text, region_code text,
               last_submitted_at text, approved_by text, approved_at text)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  now_ts timestamptz := clock_timestamp();
BEGIN
  IF NOT EXISTS (SELECT 1 FROM regions WHERE regions.code = p_region) THEN
    RETURN QUERY SELECT 'refused', 5, format('unknown region %s', p_region), '', '', '', '';
    RETURN;
  END IF;
  IF p_scope IS NOT NULL AND NOT EXISTS (SELECT 1 FROM region_paths
       WHERE ancestor = p_scope AND descendant = p_region) THEN
    RETURN QUERY SELECT 'refused', 7,
      format('region %s is outside this token''s scope (%s)', p_region, p_scope), '', '', '', '';
    RETURN;
  END IF;
  RETURN QUERY
  WITH leaves AS (
    SELECT r.code FROM region_paths p JOIN regions r ON r.code = p.descendant AND r.reporting
    WHERE p.ancestor = p_region
  ), locked AS (
    SELECT rep.region_code, rep.approved_at, rep.last_submitted_at FROM reports rep
    WHERE rep.period = p_period AND rep.region_code IN (SELECT code FROM leaves)
    FOR UPDATE
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
  )
  SELECT 'approved', 0, '', u.region_code, hz_ts(u.last_submitted_at), p_actor, hz_ts(now_ts)
  FROM upd u
  UNION ALL
  SELECT 'already', 0, '', l.region_code, '', '', '' FROM locked l WHERE l.approved_at IS NOT NULL
  UNION ALL
  SELECT 'missing', 0, '', lv.code, '', '', '' FROM leaves lv
  WHERE NOT EXISTS (SELECT 1 FROM locked l WHERE l.region_code = lv.code
                      AND l.last_submitted_at IS NOT NULL)
  ORDER BY 1, 4;
END
$$;
