-- 011_token_facts: the token functions answer refusal reasons too, the
-- last ones that returned gRPC status numbers (010 has the others). Their
-- column `code` (a gRPC status) becomes `refusal`, NULL on success, and
-- service/api/refusal.c maps the reason to a status, as for every other
-- refusal. Bodies are 002's, changed only where a refusal is returned.

-- New reasons, appended (the enum's order is domain/refusal.h's order).
-- Why this is safe in the runner's one transaction per file: PostgreSQL
-- 12 and later accept ADD VALUE in a transaction block, and refuse only a
-- *use* of the new value before the transaction commits. Nothing below
-- uses one: PL/pgSQL parses its SQL at the first call, not at CREATE
-- FUNCTION, so the casts in the bodies are resolved after COMMIT. (A
-- LANGUAGE sql body would be analysed at once and fail; keep these
-- functions plpgsql, or move a sql-language user to a later migration.)
ALTER TYPE hz_refusal ADD VALUE 'role_level_mismatch'; -- a token's role does not fit its region's level
ALTER TYPE hz_refusal ADD VALUE 'name_taken';          -- an active token already has the name
ALTER TYPE hz_refusal ADD VALUE 'unknown_token';       -- no token has the id or name
ALTER TYPE hz_refusal ADD VALUE 'name_ambiguous';      -- several active tokens share the name

-- The row types change (code -> refusal): drop and create again.
DROP FUNCTION hz_create_token(text, smallint, text, bytea, bigint, text);
DROP FUNCTION hz_revoke_token(bigint, text, bigint, text);

-- Stores a new token's hash (002 has the first definition). One row: on
-- success refusal NULL, the new id and creation time; else refusal
-- unknown_region, role_level_mismatch or name_taken with its sentence.
CREATE FUNCTION hz_create_token(
  p_name text, p_role smallint, p_region text, p_hash bytea, p_token_id bigint, p_actor text)
RETURNS TABLE (refusal hz_refusal, message text, id bigint, created_at text)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  reg regions%ROWTYPE;
  new_id bigint;
  new_at timestamptz;
BEGIN
  -- Two creations of one name at once: the second sees the first.
  PERFORM pg_advisory_xact_lock(hashtextextended('huizong.token:' || p_name, 0));

  IF p_region IS NOT NULL THEN
    SELECT * INTO reg FROM regions r WHERE r.code = p_region;
    IF NOT FOUND THEN
      RETURN QUERY SELECT 'unknown_region'::hz_refusal, format('unknown region %s', p_region),
        NULL::bigint, NULL::text;
      RETURN;
    END IF;
    IF p_role = 1 AND NOT reg.reporting THEN
      RETURN QUERY SELECT 'role_level_mismatch'::hz_refusal,
        format('a township token needs a reporting region; %s (%s) is a %s',
               reg.code, reg.name, hz_level_name(reg.level)),
        NULL::bigint, NULL::text;
      RETURN;
    END IF;
    IF p_role = 2 AND reg.reporting THEN
      RETURN QUERY SELECT 'role_level_mismatch'::hz_refusal,
        format('a county token reads a subtree; %s (%s) is a township: use role township',
               reg.code, reg.name),
        NULL::bigint, NULL::text;
      RETURN;
    END IF;
  END IF;

  IF EXISTS (SELECT 1 FROM tokens t WHERE t.name = p_name AND t.revoked_at IS NULL) THEN
    RETURN QUERY SELECT 'name_taken'::hz_refusal,
      format('an active token is already named %s; revoke it or choose another name', p_name),
      NULL::bigint, NULL::text;
    RETURN;
  END IF;

  new_at := clock_timestamp();
  INSERT INTO tokens (name, role, region_code, secret_hash, created_by, created_at)
  VALUES (p_name, p_role, p_region, p_hash, p_actor, new_at)
  RETURNING tokens.id INTO new_id;

  INSERT INTO audit_log (at, actor, token_id, action, region_code, detail)
  VALUES (new_at, p_actor, p_token_id, 'token.create', p_region,
          format('token %s %s, role %s%s', new_id, p_name, hz_role_name(p_role),
                 CASE WHEN p_region IS NOT NULL THEN ', region ' || p_region ELSE '' END));

  RETURN QUERY SELECT NULL::hz_refusal, ''::text, new_id, hz_ts(new_at);
END
$$;

-- Revokes a token by id, or the active token of a name (002 has the first
-- definition). Revoking a revoked token changes nothing and is no refusal:
-- the caller wanted it revoked, and it is. One row: on success refusal
-- NULL, the token's record and whether this call revoked it; else refusal
-- unknown_token or name_ambiguous with its sentence.
CREATE FUNCTION hz_revoke_token(p_id bigint, p_name text, p_token_id bigint, p_actor text)
RETURNS TABLE (refusal hz_refusal, message text, id bigint, name text, role smallint,
               region_code text, created_at text, created_by text, revoked_at text,
               last_used_at text, changed boolean)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  tok tokens%ROWTYPE;
  n_active integer;
  did boolean := false;
BEGIN
  IF p_id IS NOT NULL THEN
    SELECT * INTO tok FROM tokens t WHERE t.id = p_id FOR UPDATE;
    IF NOT FOUND THEN
      RETURN QUERY SELECT 'unknown_token'::hz_refusal, format('unknown token id %s', p_id),
        NULL::bigint, NULL::text, NULL::smallint, NULL::text, NULL::text, NULL::text,
        NULL::text, NULL::text, NULL::boolean;
      RETURN;
    END IF;
  ELSE
    SELECT count(*) INTO n_active FROM tokens t WHERE t.name = p_name AND t.revoked_at IS NULL;
    IF n_active > 1 THEN
      RETURN QUERY SELECT 'name_ambiguous'::hz_refusal,
        format('%s active tokens are named %s; revoke them by id', n_active, p_name),
        NULL::bigint, NULL::text, NULL::smallint, NULL::text, NULL::text, NULL::text,
        NULL::text, NULL::text, NULL::boolean;
      RETURN;
    END IF;
    -- The active one, else the latest revoked one (returned unchanged).
    SELECT * INTO tok FROM tokens t WHERE t.name = p_name
    ORDER BY t.revoked_at IS NULL DESC, t.revoked_at DESC, t.id DESC LIMIT 1 FOR UPDATE;
    IF NOT FOUND THEN
      RETURN QUERY SELECT 'unknown_token'::hz_refusal, format('no token is named %s', p_name),
        NULL::bigint, NULL::text, NULL::smallint, NULL::text, NULL::text, NULL::text,
        NULL::text, NULL::text, NULL::boolean;
      RETURN;
    END IF;
  END IF;

  IF tok.revoked_at IS NULL THEN
    tok.revoked_at := clock_timestamp();
    UPDATE tokens t SET revoked_at = tok.revoked_at WHERE t.id = tok.id;
    INSERT INTO audit_log (at, actor, token_id, action, region_code, detail)
    VALUES (tok.revoked_at, p_actor, p_token_id, 'token.revoke', tok.region_code,
            format('token %s %s, role %s%s', tok.id, tok.name, hz_role_name(tok.role),
                   CASE WHEN tok.region_code IS NOT NULL THEN ', region ' || tok.region_code
                     ELSE '' END));
    did := true;
  END IF;

  RETURN QUERY SELECT NULL::hz_refusal, ''::text, tok.id, tok.name, tok.role,
    coalesce(tok.region_code, ''), hz_ts(tok.created_at), tok.created_by, hz_ts(tok.revoked_at),
    coalesce(hz_ts(tok.last_used_at), ''), did;
END
$$;
