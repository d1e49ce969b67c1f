-- 006_change_counts: how the server knows a kept Rollup answer is still
-- the answer. Every committed change to the values of a township moves its
-- counter; every change to what all rollups read (regions, the indicator
-- catalog, targets) moves the catalog's. A region's stamp is the catalog
-- counter and the sum of its subtree's counters: counters only grow, so the
-- stamp differs as soon as any change under the region has committed, and
-- a Submit that returned is in the next answer.

CREATE TABLE change_counts (
  -- A township's code, or '' for the catalog (region codes are digits).
  region_code text PRIMARY KEY,
  n           bigint NOT NULL   -- committed changes so far
);

-- Townships whose values a statement changed, each counted once, in key
-- order (two transactions never wait on each other's rows crosswise).
CREATE FUNCTION hz_count_changes(p_regions text[]) RETURNS void
LANGUAGE sql AS $$
  INSERT INTO change_counts AS c (region_code, n)
  SELECT x.r, 1 FROM (SELECT DISTINCT r FROM unnest(p_regions) AS r WHERE r IS NOT NULL) x
  ORDER BY x.r COLLATE "C"
  ON CONFLICT (region_code) DO UPDATE SET n = c.n + 1
$$;

CREATE FUNCTION hz_count_value_changes() RETURNS trigger LANGUAGE plpgsql
SET jit = off
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

CREATE TRIGGER data_values_count_insert AFTER INSERT ON data_values
  REFERENCING NEW TABLE AS hz_added
  FOR EACH STATEMENT EXECUTE FUNCTION hz_count_value_changes();
CREATE TRIGGER data_values_count_update AFTER UPDATE ON data_values
  REFERENCING OLD TABLE AS hz_old NEW TABLE AS hz_new
  FOR EACH STATEMENT EXECUTE FUNCTION hz_count_value_changes();
CREATE TRIGGER data_values_count_delete AFTER DELETE ON data_values
  REFERENCING OLD TABLE AS hz_old
  FOR EACH STATEMENT EXECUTE FUNCTION hz_count_value_changes();
CREATE TRIGGER data_values_count_truncate AFTER TRUNCATE ON data_values
  FOR EACH STATEMENT EXECUTE FUNCTION hz_count_value_changes();

-- Catalog changes are rare (administrator imports): one counter for all.
CREATE FUNCTION hz_count_catalog_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM hz_count_changes(ARRAY['']);
  RETURN NULL;
END
$$;

CREATE TRIGGER regions_count AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON regions
  FOR EACH STATEMENT EXECUTE FUNCTION hz_count_catalog_change();
CREATE TRIGGER region_paths_count AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON region_paths
  FOR EACH STATEMENT EXECUTE FUNCTION hz_count_catalog_change();
CREATE TRIGGER indicators_count AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON indicators
  FOR EACH STATEMENT EXECUTE FUNCTION hz_count_catalog_change();
CREATE TRIGGER targets_count AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON targets
  FOR EACH STATEMENT EXECUTE FUNCTION hz_count_catalog_change();

-- The stamp of everything a rollup of p_region reads, as text: the catalog
-- counter, then the sum of the subtree's township counters. The catalog
-- part comes first because a change of the tree can take a township and
-- its count out of the sum: the pair still moves, as the catalog's does.
-- (Redefined by 019_nation.sql, the current definition: also the country.)
CREATE FUNCTION hz_rollup_stamp(p_region text) RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT coalesce((SELECT c.n FROM change_counts c WHERE c.region_code = ''), 0)::text || ':'
      || coalesce((SELECT sum(c.n) FROM region_paths p
                   JOIN change_counts c ON c.region_code = p.descendant
                   WHERE p.ancestor = p_region), 0)::text
$$;
