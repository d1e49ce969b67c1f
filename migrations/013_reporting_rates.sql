-- 013_reporting_rates: the office's calendar (China Standard Time), periods
-- that have not started, and reporting and on-time rates at any period
-- (issue 11). What the statisticians count: a report is expected for every
-- reporting township and every sub-period of the report type that has
-- started; it is reported when the township has an accepted submission for
-- it (a reports row with a submission); on time when its first accepted
-- submission came before the sub-period's deadline (always, without a
-- window). Submissions for a period that has not started are refused
-- unless an administrator opened future periods of its type.

-- New reason, appended (domain/refusal.h's order). ADD VALUE inside the
-- runner's transaction is safe as long as nothing below *uses* the value
-- before COMMIT (011 explains): hz_submit_gate is plpgsql, parsed at its
-- first call.
ALTER TYPE hz_refusal ADD VALUE 'not_started'; -- the period starts after today (China Standard Time)

-- How many periods after the current one are open for submission before
-- they start (Admin.SetOpenFuturePeriods). Kept with the window of the
-- same type: one row per period type says when its periods open and close.
ALTER TABLE submission_windows
  ADD COLUMN open_future_periods integer NOT NULL DEFAULT 0
    CHECK (open_future_periods BETWEEN 0 AND 12);

-- The offices' clock. China Standard Time is UTC+08:00 all year; a fixed
-- offset, not the zone 'Asia/Shanghai', whose history has summer time
-- (1940s, 1986-1991) and a local mean time before 1901 that would move
-- the deadlines of old periods by an hour or minutes. An interval offset
-- is also independent of the session's TimeZone setting.
CREATE FUNCTION hz_cst(p_at timestamptz) RETURNS timestamp
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT p_at AT TIME ZONE INTERVAL '+08:00'
$$;

-- Today's date in China Standard Time, by the clock (not the transaction
-- start), like the deadline check beside it.
CREATE FUNCTION hz_cst_today() RETURNS date
LANGUAGE sql VOLATILE AS $$
  SELECT hz_cst(clock_timestamp())::date
$$;

-- One period of a type as an interval (hz_period_end adds one of them).
CREATE FUNCTION hz_period_interval(p_period_type smallint) RETURNS interval
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE p_period_type WHEN 1 THEN interval '1 year' WHEN 2 THEN interval '6 months'
                            WHEN 3 THEN interval '3 months' ELSE interval '1 month' END
$$;

-- Deadline of a period, or NULL when its type has no window (004 has the
-- first definition, with the zone 'Asia/Shanghai'): days_after_end days
-- after the period ends, at 00:00 China Standard Time, that is 24:00 of
-- the last day open ("月后10日" is the 10th of the following month, 24:00
-- Beijing time).
CREATE OR REPLACE FUNCTION hz_deadline(p_period_type smallint, p_period_start date)
RETURNS timestamptz LANGUAGE sql STABLE AS $$
  SELECT (hz_period_end(p_period_type, p_period_start) + w.days_after_end)::timestamp
         AT TIME ZONE INTERVAL '+08:00'
  FROM submission_windows w
  WHERE w.period_type = p_period_type AND w.days_after_end > 0
$$;

-- The first day of the first period of the type that is not open yet:
-- the period after the current one (China Standard Time) and after the
-- open_future_periods the administrator opened. A period starting on or
-- after it has not started and is not open.
CREATE FUNCTION hz_first_closed_start(p_period_type smallint) RETURNS date
LANGUAGE sql VOLATILE AS $$
  SELECT (hz_period_floor(p_period_type, hz_cst_today())
          + (1 + coalesce((SELECT w.open_future_periods FROM submission_windows w
                           WHERE w.period_type = p_period_type), 0))
            * hz_period_interval(p_period_type))::date
$$;

-- Whether the review state or the calendar closes a period to submissions
-- (010 has the previous definition). No row when open, else one row:
-- approved, not_started or window_closed, and the sentence that hz_submit
-- lists as the period's CONFLICT problem (FAILED_PRECONDITION). This is
-- the one definition of "no future periods": Submit, SubmitStream and
-- their dry runs all meet it in the submission's transaction.
CREATE OR REPLACE FUNCTION hz_submit_gate(p_region text, p_period text, p_period_type smallint,
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

-- The report type Completeness counts for a period of type p_type when
-- the request names p_requested (1..4, checked by the server to be at or
-- finer than p_type) or nothing (0): the period's own type when some
-- indicator is reported at it, else the coarsest indicator frequency
-- finer than it, else the period's own type.
CREATE FUNCTION hz_report_type(p_type smallint, p_requested smallint) RETURNS smallint
LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN p_requested BETWEEN 1 AND 4 THEN p_requested
         ELSE coalesce(
           (SELECT p_type WHERE EXISTS (SELECT 1 FROM indicators i WHERE i.period_type = p_type)),
           (SELECT min(i.period_type) FROM indicators i WHERE i.period_type > p_type),
           p_type) END::smallint
$$;

-- The sub-periods of report type p_sub inside the period (p_type,
-- p_start), in time order: code, first day, whether it has started (China
-- Standard Time) and its deadline (NULL: no window). At most 12 rows (the
-- months of a year), which the planner is told.
CREATE FUNCTION hz_sub_periods(p_type smallint, p_start date, p_sub smallint)
RETURNS TABLE (period text, period_start date, started boolean, deadline timestamptz)
LANGUAGE sql VOLATILE ROWS 12 AS $$
  SELECT hz_period_code(p_sub, s::date), s::date, s::date <= hz_cst_today(),
         hz_deadline(p_sub, s::date)
  FROM generate_series(p_start::timestamp, hz_period_end(p_type, p_start)::timestamp
                       - hz_period_interval(p_sub), hz_period_interval(p_sub)) AS s
$$;

-- ApprovalState of a township over several expected reports (a year of
-- quarterly reports): 1 MISSING when none is in, 4 PARTIAL when some are,
-- 3 APPROVED when every one is approved, else 2 SUBMITTED. At the period's
-- own type the state is hz_approval_state's (010), unchanged.
CREATE FUNCTION hz_reporting_state(p_expected integer, p_reported integer, p_approved integer)
RETURNS smallint LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN p_reported = 0 THEN 1
              WHEN p_reported < p_expected THEN 4
              WHEN p_approved >= p_expected THEN 3
              ELSE 2 END::smallint
$$;

-- Every reporting township under p_region and its reports of type
-- p_report (0: hz_report_type's default) inside the period (p_type,
-- p_start), in one pass over townships x sub-periods. grp is the group
-- (hz_rollup_groups(p_region, p_group, p_level)) the township lies in,
-- NULL outside every group. Counts are over the expected (started)
-- sub-periods; state, value_count and the last_* columns follow the
-- UnitStatus contract (the latest report's submission and approval).
CREATE FUNCTION hz_completeness(p_region text, p_type smallint, p_start date, p_report smallint,
                                p_group integer, p_level integer)
RETURNS TABLE (code text, name text, level smallint, grp text, state smallint,
               last_submitted_at text, last_submission_id text, submitted_by text,
               value_count integer, approved_by text, approved_at text,
               exception_open boolean, expected integer, reported integer, on_time integer,
               late integer, reported_periods text, late_periods text, missing_periods text)
LANGUAGE sql VOLATILE
-- Why: like hz_rollup_values (003), an answer of milliseconds; compiling
-- it (JIT) cost some 280 ms a call on a 1,500-township province.
SET jit = off
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
