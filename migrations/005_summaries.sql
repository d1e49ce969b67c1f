-- 005_summaries: what makes a county's annual rollup cheap. A year of a
-- monthly indicator is twelve rows per township; leaf_summaries keeps, per
-- township, indicator and year, the figures each time aggregation needs
-- (count, sum, min, max, latest), so a rollup of a year reads one row per
-- township and indicator. Triggers on data_values keep it exact in the
-- writing transaction: a Submit that returns is already in every rollup.
--
-- Only years are summarised: every summary costs each submitted value one
-- more row write (the ingest budget), and a half year or quarter is at most
-- six or three rows per township and indicator, read as they are.

CREATE TABLE leaf_summaries (
  region_code    text NOT NULL,      -- the reporting township
  indicator_code text NOT NULL,
  period_type    smallint NOT NULL,  -- a type in hz_summary_types, coarser than the indicator's
  period_start   date NOT NULL,      -- first day of the summarised period
  n              integer NOT NULL CHECK (n > 0),  -- values present
  total          numeric NOT NULL,   -- their sum (SUM, AVERAGE)
  low            numeric NOT NULL,   -- MIN
  high           numeric NOT NULL,   -- MAX
  latest         numeric NOT NULL,   -- the value of the latest period present (LAST)
  latest_start   date NOT NULL,      -- that period's first day
  -- A rollup reads every indicator of one township and window as one range.
  PRIMARY KEY (region_code, period_type, period_start, indicator_code)
) WITH (fillfactor = 80);  -- room for in-page (HOT) updates as months arrive

-- The period types summaries are kept for: years. A value of type t goes
-- into every listed pt < t. A view of constant rows, so the planner knows
-- how few rows the join adds.
CREATE VIEW hz_summary_types (pt) AS VALUES (1::smallint);

-- First day of the period of type p_type that contains d. (On timestamp,
-- not timestamptz: no time zone work, some thirty times faster.)
CREATE FUNCTION hz_period_floor(p_type smallint, d date) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE p_type
    WHEN 1 THEN date_trunc('year', d::timestamp)::date
    WHEN 2 THEN (date_trunc('year', d::timestamp)
                 + CASE WHEN date_part('month', d::timestamp) > 6
                        THEN interval '6 months' ELSE interval '0' END)::date
    WHEN 3 THEN date_trunc('quarter', d::timestamp)::date
    ELSE date_trunc('month', d::timestamp)::date
  END
$$;

-- The DHIS2 code of the period of type p_type starting on p_start (as the
-- server writes them: 2022, 2022S1, 2022Q1, 202201). Codes of one type sort
-- as their periods do, so a coarser period is one range of finer codes.
CREATE FUNCTION hz_period_code(p_type smallint, p_start date) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE p_type
    WHEN 1 THEN to_char(p_start, 'YYYY')
    WHEN 2 THEN to_char(p_start, 'YYYY') || CASE WHEN extract(month FROM p_start) <= 6
                                                 THEN 'S1' ELSE 'S2' END
    WHEN 3 THEN to_char(p_start, 'YYYY"Q"Q')
    ELSE to_char(p_start, 'YYYYMM')
  END
$$;

-- New values extend their summaries: counted and summed in, and the
-- minimum, maximum and latest moved outwards, without reading data_values.
-- Keys are written in one order so that two transactions of one township
-- cannot deadlock on them.
CREATE FUNCTION hz_summaries_add() RETURNS trigger LANGUAGE plpgsql
-- A submission's few hundred rows: compiling them costs far more than it saves.
SET jit = off
AS $$
BEGIN
  INSERT INTO leaf_summaries AS s (region_code, indicator_code, period_type, period_start,
                                   n, total, low, high, latest, latest_start)
  SELECT a.region_code, a.indicator_code, t.pt, hz_period_floor(t.pt, a.period_start),
         count(*), sum(a.value), min(a.value), max(a.value),
         -- The value of the latest period: arrays compare element by element,
         -- and a township has one value per indicator and period start.
         (max(ARRAY[(a.period_start - DATE '2000-01-01')::numeric, a.value]))[2],
         max(a.period_start)
  FROM hz_added a JOIN hz_summary_types t ON t.pt < a.period_type
  GROUP BY 1, 2, 3, 4
  -- Byte order: cheap to sort, and the same in every transaction.
  ORDER BY a.region_code COLLATE "C", t.pt, hz_period_floor(t.pt, a.period_start),
           a.indicator_code COLLATE "C"
  ON CONFLICT (region_code, period_type, period_start, indicator_code) DO UPDATE
    SET n = s.n + EXCLUDED.n,
        total = s.total + EXCLUDED.total,
        low = least(s.low, EXCLUDED.low),
        high = greatest(s.high, EXCLUDED.high),
        latest = CASE WHEN EXCLUDED.latest_start >= s.latest_start
                      THEN EXCLUDED.latest ELSE s.latest END,
        latest_start = greatest(s.latest_start, EXCLUDED.latest_start);
  RETURN NULL;
END
$$;

-- Values that changed (sign +1 for the new version, -1 for the old or a
-- removed one). Count and sum take the difference; a minimum, maximum or
-- latest value may have been the one that changed, so those are re-read
-- from data_values: one primary-key range of at most twelve rows (the
-- finer codes of the period). A summary left without values is removed.
--
-- Both halves commute with hz_summaries_add: an upsert fires this (its
-- UPDATE half) before the INSERT half, and the re-read extremes already
-- include the inserted rows, which least/greatest/latest then leave alone.
-- The summaries a set of changed values touch, with the change in count
-- and sum of each.
CREATE FUNCTION hz_summary_keys(p_regions text[], p_indicators text[], p_types smallint[],
                                p_starts date[], p_signs integer[], p_values numeric[])
RETURNS TABLE (r text, i text, t smallint, pt smallint, ps date, dn integer, dt numeric)
LANGUAGE sql IMMUTABLE AS $$
  SELECT v.r, v.i, v.t, c.pt, hz_period_floor(c.pt, v.s),
         sum(v.sign)::integer, sum(v.sign * v.val)
  FROM unnest(p_regions, p_indicators, p_types, p_starts, p_signs, p_values)
       AS v(r, i, t, s, sign, val)
  JOIN hz_summary_types c ON c.pt < v.t
  GROUP BY 1, 2, 3, 4, 5
$$;

CREATE FUNCTION hz_summaries_change(p_regions text[], p_indicators text[], p_types smallint[],
                                    p_starts date[], p_signs integer[], p_values numeric[])
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  -- Locked first, in key order (as hz_summaries_add writes them), so that
  -- the next statement's snapshot includes every transaction that held
  -- them: the extremes it re-reads are then current.
  PERFORM 1 FROM leaf_summaries s
  JOIN hz_summary_keys(p_regions, p_indicators, p_types, p_starts, p_signs, p_values) k
    ON s.region_code = k.r AND s.period_type = k.pt AND s.period_start = k.ps
   AND s.indicator_code = k.i
  ORDER BY s.region_code COLLATE "C", s.period_type, s.period_start,
           s.indicator_code COLLATE "C"
  FOR UPDATE OF s;

  WITH fresh AS (
    SELECT k.r, k.i, k.pt, k.ps, k.dn, k.dt, a.*
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
  ), emptied AS (
    DELETE FROM leaf_summaries s USING fresh f
    WHERE f.cnt = 0 AND s.region_code = f.r AND s.period_type = f.pt
      AND s.period_start = f.ps AND s.indicator_code = f.i
  ), moved AS (
    UPDATE leaf_summaries s
       SET n = s.n + f.dn, total = s.total + f.dt, low = f.low, high = f.high,
           latest = f.latest, latest_start = f.latest_start
      FROM fresh f
     WHERE f.cnt > 0 AND s.region_code = f.r AND s.period_type = f.pt
       AND s.period_start = f.ps AND s.indicator_code = f.i
    RETURNING s.region_code, s.period_type, s.period_start, s.indicator_code
  )
  -- Missing only when summaries were out of step (a load with the triggers
  -- off): written whole.
  INSERT INTO leaf_summaries (region_code, indicator_code, period_type, period_start,
                              n, total, low, high, latest, latest_start)
  SELECT f.r, f.i, f.pt, f.ps, f.cnt, f.sum_all, f.low, f.high, f.latest, f.latest_start
  FROM fresh f
  WHERE f.cnt > 0 AND NOT EXISTS (
    SELECT 1 FROM moved m WHERE m.region_code = f.r AND m.period_type = f.pt
      AND m.period_start = f.ps AND m.indicator_code = f.i)
  ORDER BY f.r COLLATE "C", f.pt, f.ps, f.i COLLATE "C"
  ON CONFLICT (region_code, period_type, period_start, indicator_code) DO NOTHING;
END
$$;

-- Updates and deletes. Comment-only updates change no summary and are
-- left out.
CREATE FUNCTION hz_summaries_recompute() RETURNS trigger LANGUAGE plpgsql
SET jit = off
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

CREATE FUNCTION hz_summaries_clear() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE leaf_summaries;
  RETURN NULL;
END
$$;

CREATE TRIGGER data_values_summaries_insert AFTER INSERT ON data_values
  REFERENCING NEW TABLE AS hz_added
  FOR EACH STATEMENT EXECUTE FUNCTION hz_summaries_add();
CREATE TRIGGER data_values_summaries_update AFTER UPDATE ON data_values
  REFERENCING OLD TABLE AS hz_old NEW TABLE AS hz_new
  FOR EACH STATEMENT EXECUTE FUNCTION hz_summaries_recompute();
CREATE TRIGGER data_values_summaries_delete AFTER DELETE ON data_values
  REFERENCING OLD TABLE AS hz_old
  FOR EACH STATEMENT EXECUTE FUNCTION hz_summaries_recompute();
CREATE TRIGGER data_values_summaries_truncate AFTER TRUNCATE ON data_values
  FOR EACH STATEMENT EXECUTE FUNCTION hz_summaries_clear();

-- Rebuilds every summary from data_values, for bulk loads that ran with
-- the triggers disabled (ALTER TABLE data_values DISABLE TRIGGER USER,
-- COPY, ENABLE TRIGGER USER, SELECT hz_summaries_rebuild()). Returns the
-- number of summaries written.
CREATE FUNCTION hz_summaries_rebuild() RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  written bigint;
BEGIN
  LOCK TABLE data_values IN SHARE MODE;
  TRUNCATE leaf_summaries;
  INSERT INTO leaf_summaries (region_code, indicator_code, period_type, period_start,
                              n, total, low, high, latest, latest_start)
  SELECT d.region_code, d.indicator_code, t.pt, hz_period_floor(t.pt, d.period_start),
         count(*), sum(d.value), min(d.value), max(d.value),
         (max(ARRAY[(d.period_start - DATE '2000-01-01')::numeric, d.value]))[2],
         max(d.period_start)
  FROM data_values d JOIN hz_summary_types t ON t.pt < d.period_type
  GROUP BY 1, 2, 3, 4
  -- In key order: a rollup's range then sits on a few pages.
  ORDER BY d.region_code COLLATE "C", t.pt, hz_period_floor(t.pt, d.period_start),
           d.indicator_code COLLATE "C";
  GET DIAGNOSTICS written = ROW_COUNT;
  RETURN written;
END
$$;

-- Existing values (a database migrated with data in it).
SELECT hz_summaries_rebuild();

-- hz_rollup_values (003) over the summaries (replaced again by
-- 008_exact_rollups.sql, which returns exact parts instead of rounded
-- means; that is the current definition): a window of the indicator's own
-- type reads its value, a year the township's summary, a half year or
-- quarter the few values inside it; groups that are one township take its
-- value as it is. Same rows as before, for any
-- window of type p_period_type. Written as one SQL statement so that it is
-- inlined into the server's prepared statement and planned once; the
-- MATERIALIZED steps and the two branches per source keep that generic
-- plan to range scans (all indicators) or key lookups (named ones).
CREATE OR REPLACE FUNCTION hz_rollup_values(p_region text, p_group integer, p_level integer,
                                            p_total boolean, p_indicators text[],
                                            p_period_type smallint, p_starts date[],
                                            p_ends date[])
RETURNS TABLE (grp text, indicator text, win integer, value numeric, reporting integer)
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
    SELECT t.s, t.e, t.i::integer AS i FROM unnest(p_starts, p_ends) WITH ORDINALITY AS t(s, e, i)
    WHERE t.s < t.e
  ), sums AS MATERIALIZED (
    SELECT a.region_code, a.indicator_code, a.period_start, a.n, a.total, a.low, a.high, a.latest
    FROM leaf_summaries a
    WHERE p_indicators IS NULL
      AND a.region_code = ANY (ARRAY(SELECT DISTINCT leaf FROM gl))
      AND a.period_type = p_period_type AND a.period_start = ANY (ARRAY(SELECT DISTINCT s FROM w))
    UNION ALL
    SELECT a.region_code, a.indicator_code, a.period_start, a.n, a.total, a.low, a.high, a.latest
    FROM leaf_summaries a
    WHERE p_indicators IS NOT NULL
      AND a.region_code = ANY (ARRAY(SELECT DISTINCT leaf FROM gl))
      AND a.period_type = p_period_type AND a.period_start = ANY (ARRAY(SELECT DISTINCT s FROM w))
      AND a.indicator_code = ANY (ARRAY(SELECT code FROM need))
  ), own AS MATERIALIZED (
    SELECT d.region_code, d.indicator_code, d.period_start, d.value FROM data_values d
    WHERE p_indicators IS NULL AND d.period_type = p_period_type AND EXISTS (SELECT 1 FROM need WHERE pt = p_period_type)
      AND d.region_code = ANY (ARRAY(SELECT DISTINCT leaf FROM gl))
      AND d.period_start = ANY (ARRAY(SELECT DISTINCT s FROM w))
    UNION ALL
    SELECT d.region_code, d.indicator_code, d.period_start, d.value FROM data_values d
    WHERE p_indicators IS NOT NULL
      AND d.region_code = ANY (ARRAY(SELECT DISTINCT leaf FROM gl))
      AND d.indicator_code = ANY (ARRAY(SELECT code FROM need WHERE pt = p_period_type))
      AND d.period_start = ANY (ARRAY(SELECT DISTINCT s FROM w))
      AND d.period_type = p_period_type
  ), fine AS MATERIALIZED (
    -- Windows without summaries (half years, quarters) of finer indicators:
    -- their few rows per township, aggregated over time here.
    SELECT w.i, d.region_code AS leaf, d.indicator_code AS ind, n.ra,
      CASE n.ta
        WHEN 1 THEN sum(d.value)
        WHEN 2 THEN (array_agg(d.value ORDER BY d.period_start DESC))[1]
        WHEN 3 THEN round(avg(d.value), 6)
        WHEN 4 THEN min(d.value)
        ELSE max(d.value)
      END AS v
    FROM data_values d
    JOIN need n ON n.code = d.indicator_code AND n.pt > p_period_type
    JOIN w ON d.period_start >= w.s AND d.period_start < w.e
    WHERE NOT EXISTS (SELECT 1 FROM hz_summary_types x WHERE x.pt = p_period_type)
      AND d.region_code = ANY (ARRAY(SELECT DISTINCT leaf FROM gl))
      AND d.period_start >= (SELECT min(w.s) FROM w) AND d.period_start < (SELECT max(w.e) FROM w)
    GROUP BY w.i, d.region_code, d.indicator_code, n.ta, n.ra
  ), lv AS MATERIALIZED (
    SELECT w.i, a.region_code AS leaf, a.indicator_code AS ind, n.ra,
      CASE n.ta WHEN 1 THEN a.total WHEN 2 THEN a.latest WHEN 3 THEN round(a.total / a.n, 6)
        WHEN 4 THEN a.low ELSE a.high END AS v
    FROM sums a JOIN need n ON n.code = a.indicator_code AND n.pt > p_period_type
    JOIN w ON w.s = a.period_start
    UNION ALL
    SELECT w.i, d.region_code, d.indicator_code, n.ra,
      CASE n.ta WHEN 3 THEN round(d.value, 6) ELSE d.value END
    FROM own d JOIN need n ON n.code = d.indicator_code AND n.pt = p_period_type
    JOIN w ON w.s = d.period_start
    UNION ALL
    SELECT f.i, f.leaf, f.ind, f.ra, f.v FROM fine f
  )
  SELECT lv.leaf, lv.ind, lv.i,
    trim_scale(CASE WHEN lv.ra = 2 THEN round(lv.v, 6) ELSE lv.v END), 1
  FROM lv
  WHERE lv.leaf IN (SELECT gl.grp FROM gl WHERE gl.n = 1 AND gl.grp = gl.leaf)
  UNION ALL
  SELECT gl.grp, lv.ind, lv.i,
    trim_scale(CASE lv.ra
      WHEN 1 THEN sum(lv.v) FILTER (WHERE lv.ra = 1)
      WHEN 2 THEN round(avg(lv.v) FILTER (WHERE lv.ra = 2), 6)
      WHEN 3 THEN min(lv.v) FILTER (WHERE lv.ra = 3)
      WHEN 4 THEN max(lv.v) FILTER (WHERE lv.ra = 4)
      ELSE CASE WHEN bool_and(gl.grp = gl.leaf) THEN min(lv.v) END
    END),
    count(*)::integer
  FROM gl JOIN lv ON lv.leaf = gl.leaf
  WHERE NOT (gl.n = 1 AND gl.grp = gl.leaf)
  GROUP BY gl.grp, lv.ind, lv.i, lv.ra
$$;
