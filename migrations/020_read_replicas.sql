-- 020_read_replicas: the freshness guard of reads sent to a standby
-- (issue 16, service/db/replica.h; current definition).
--
-- A read that may run on a standby carries the primary's WAL insert
-- position, read on the primary after every commit the answer must reflect
-- had returned. The job sent to the standby starts with this function: it
-- raises HZ001 unless this server has replayed WAL at or past that
-- position, and the job's later statements (one implicit transaction, one
-- round trip) are then not run. A statement snapshot taken after the check
-- sees every transaction whose commit record was replayed before it, so
-- the check and the read cannot race: replay only moves forward while the
-- session lives (a standby restart ends the session).
--
-- A server that is not in recovery (the primary itself named as a read
-- server, or a standby promoted by a failover that the primary's
-- multi-host URL follows too) counts when its own insert position is at or
-- past the one asked for.
CREATE OR REPLACE FUNCTION hz_read_fresh(p_want pg_lsn) RETURNS boolean
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  at pg_lsn := CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn()
                    ELSE pg_current_wal_insert_lsn() END;
BEGIN
  IF at IS NULL OR at < p_want THEN
    RAISE EXCEPTION 'this server has replayed WAL to %, not yet to %', at, p_want
      USING ERRCODE = 'HZ001';
  END IF;
  RETURN true;
END
$$;
