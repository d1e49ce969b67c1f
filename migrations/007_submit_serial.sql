-- 007_submit_serial: one township's report is changed by one writer at a
-- time, every change is recorded, and codes sort as bytes.
--
-- * Codes (region, indicator and period codes) sort in byte order
--   (COLLATE "C") whatever collation the database was created with: the
--   columns themselves are declared so, so every ORDER BY, keyset page
--   ("code > $last") and range scan over them agrees with the server's
--   strcmp and with the page tokens it hands out.
-- * hz_submit, hz_set_approval and hz_approve_all (current definitions
--   here) order themselves on the township's (region, period) report.
-- * A comment is part of a value: a comment-only change is counted as
--   updated and audited with its old and new comment.

-- ------------------------------------------------------------ byte order

-- Foreign keys pair each referencing column with its key: both sides move
-- to "C" in this one transaction (PostgreSQL rebuilds the indexes and the
-- constraints; the rows themselves are not rewritten).
ALTER TABLE regions
  ALTER COLUMN code TYPE text COLLATE "C",
  ALTER COLUMN parent_code TYPE text COLLATE "C";
ALTER TABLE region_paths
  ALTER COLUMN ancestor TYPE text COLLATE "C",
  ALTER COLUMN descendant TYPE text COLLATE "C";
ALTER TABLE indicators
  ALTER COLUMN code TYPE text COLLATE "C",
  ALTER COLUMN ratio_numerator TYPE text COLLATE "C",
  ALTER COLUMN ratio_denominator TYPE text COLLATE "C";
ALTER TABLE tokens
  ALTER COLUMN region_code TYPE text COLLATE "C";
ALTER TABLE data_values
  ALTER COLUMN region_code TYPE text COLLATE "C",
  ALTER COLUMN indicator_code TYPE text COLLATE "C",
  ALTER COLUMN period TYPE text COLLATE "C";
ALTER TABLE reports
  ALTER COLUMN region_code TYPE text COLLATE "C",
  ALTER COLUMN period TYPE text COLLATE "C";
ALTER TABLE submissions
  ALTER COLUMN region_code TYPE text COLLATE "C",
  ALTER COLUMN period TYPE text COLLATE "C";
ALTER TABLE targets
  ALTER COLUMN region_code TYPE text COLLATE "C",
  ALTER COLUMN indicator_code TYPE text COLLATE "C",
  ALTER COLUMN period TYPE text COLLATE "C";
ALTER TABLE audit_log
  ALTER COLUMN region_code TYPE text COLLATE "C",
  ALTER COLUMN indicator_code TYPE text COLLATE "C",
  ALTER COLUMN period TYPE text COLLATE "C";
ALTER TABLE period_exceptions
  ALTER COLUMN region_code TYPE text COLLATE "C",
  ALTER COLUMN period TYPE text COLLATE "C";
ALTER TABLE leaf_summaries
  ALTER COLUMN region_code TYPE text COLLATE "C",
  ALTER COLUMN indicator_code TYPE text COLLATE "C";
ALTER TABLE change_counts
  ALTER COLUMN region_code TYPE text COLLATE "C";

-- ------------------------------------------------- region imports

-- hz_import_regions (002) unchanged but for one thing: its loop check is a
-- recursive query over imported codes (parameters, default collation) and
-- stored codes (now "C"); a recursive query needs one collation per column,
-- so the imported codes are read as "C" too. Same contract as in 002.
CREATE OR REPLACE FUNCTION hz_import_regions(
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

-- ------------------------------------------------------ comments audited

-- A value.set row's comment before and after (old_comment NULL when the
-- value was new, like old_value). Both NULL on rows written before this
-- migration, which did not record comments.
ALTER TABLE audit_log ADD COLUMN old_comment text, ADD COLUMN new_comment text;

-- ------------------------------------------------- one writer per report

-- Waits for, then holds until the transaction ends, the lock of one
-- township's report for one period. A transaction-level advisory lock and
-- not the reports row: before the first submission that row does not
-- exist, and a row lock on nothing serializes nothing. The two-key form
-- keeps these locks apart from every one-key advisory lock (submission
-- ids, imports, migrations); a hash collision inside it only makes two
-- reports take turns. A transaction takes at most one such lock, or
-- several in key order, so these locks never deadlock.
CREATE FUNCTION hz_lock_report(p_region text, p_period text) RETURNS void
LANGUAGE sql AS $$
  -- 1215954951: the namespace of report locks ("Hz" + 7, this migration).
  SELECT pg_advisory_xact_lock(1215954951, hashtext(p_region || '/' || p_period))
$$;

-- (Current definition: 010_domain_facts, which returns a refusal reason
-- instead of a gRPC status.)
-- Submit one township's values for one period, all or nothing (001 has the
-- contract of the arguments and rows). Every submission of a (region,
-- period), first or not, dry run or not, takes the report's lock before it
-- reads anything of the report: concurrent submissions then see each
-- other's values whole, count imported/updated/unchanged against them, and
-- audit old values that are the previous new ones. Values are written in
-- byte order of their codes, like every other writer of data_values keys.
-- A value counts as updated when its value or its comment changes; both
-- are audited.
CREATE OR REPLACE FUNCTION hz_submit(
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
  -- (Taken before the report's lock, always in this order.)
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

  -- Everything below reads and writes the report as its only writer: the
  -- lock comes before the review state, the counts and the clock.
  PERFORM hz_lock_report(p_region, p_period);

  -- Review state (approval, deadlines) may close the period. The row lock
  -- (when the row exists) also orders hz_approve_all, which locks rows.
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
    RETURN QUERY SELECT 0::smallint, -1, ''::text, ''::text, ''::text, 0, ''::text,
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

  RETURN QUERY SELECT 0::smallint, -1, ''::text, ''::text, ''::text, 0, ''::text,
    n_new, n_changed, n_same, narr_changed, false, hz_ts(p_received_at), hz_ts(now_ts);
END
$$;

-- (Current definition: 010_domain_facts, which returns a refusal reason.)
-- Approve (p_approve) or reopen one township's period (004 has the
-- contract). It takes the report's lock, as hz_submit does, and only then
-- reads the clock: a submission in flight finishes first and is approved
-- with it, so approved_at is never earlier than the submission it approves.
CREATE OR REPLACE FUNCTION hz_set_approval(p_region text, p_period text, p_approve boolean,
                                           p_note text, p_actor text, p_token_id bigint,
                                           p_scope text)
RETURNS TABLE (code integer, message text, changed boolean, state smallint,
               last_submitted_at text, approved_by text, approved_at text, comment text)
LANGUAGE plpgsql AS $$
DECLARE
  refusal text;
  rep reports%ROWTYPE;
  did boolean := false;
  now_ts timestamptz; -- one instant for the row and its audit entry, read after the locks
BEGIN
  refusal := hz_review_target(p_region, p_scope);
  IF refusal IS NOT NULL THEN
    RETURN QUERY SELECT split_part(refusal, ':', 1)::integer,
      substr(refusal, position(':' IN refusal) + 1), false, 0::smallint, '', '', '', '';
    RETURN;
  END IF;
  PERFORM hz_lock_report(p_region, p_period);
  SELECT * INTO rep FROM reports r WHERE r.region_code = p_region AND r.period = p_period
    FOR UPDATE;
  now_ts := clock_timestamp();
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

-- (Current definition: 010_domain_facts, which returns a refusal reason.)
-- Approves every SUBMITTED township under p_region for p_period in one
-- transaction (004 has the contract). A report it can approve exists, so
-- its row lock is enough to order it after every submission of that
-- report: hz_submit locks the row (under the report's lock) before it
-- reads its clock or writes. Row locks rather than one advisory lock per
-- township, because a province-wide approval would take thousands of
-- entries of the shared lock table. Rows are locked in byte order of
-- their codes (two overlapping approvals never deadlock), the clock is
-- read after them, and only the locked rows are approved: a first
-- submission that commits meanwhile is left for the next approval.
CREATE OR REPLACE FUNCTION hz_approve_all(p_region text, p_period text, p_note text,
                                          p_actor text, p_token_id bigint, p_scope text)
RETURNS TABLE (kind text, code integer, message text, region_code text,
               last_submitted_at text, approved_by text, approved_at text)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  now_ts timestamptz;
  held text[];
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
  ), out (kind, code, message, region_code, last_submitted_at, approved_by, approved_at) AS (
    SELECT 'approved', 0, '', u.region_code, hz_ts(u.last_submitted_at), p_actor, hz_ts(now_ts)
    FROM upd u
    UNION ALL
    SELECT 'already', 0, '', l.region_code, '', '', '' FROM locked l
    WHERE l.approved_at IS NOT NULL
    UNION ALL
    SELECT 'missing', 0, '', lv.code, '', '', '' FROM leaves lv
    WHERE NOT EXISTS (SELECT 1 FROM locked l WHERE l.region_code = lv.code
                        AND l.last_submitted_at IS NOT NULL)
  )
  SELECT o.kind, o.code, o.message, o.region_code, o.last_submitted_at, o.approved_by,
         o.approved_at
  FROM out o ORDER BY o.kind COLLATE "C", o.region_code COLLATE "C";
END
$$;
