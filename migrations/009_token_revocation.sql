-- 009_token_revocation: a revoked token is refused by every server sharing
-- the database from its next call on, though servers keep verified tokens
-- in a cache (service/api/auth.h). A call authenticated from the cache
-- runs this check as the first statement of its first database job (the
-- scaffold adds it, service/api/rpc.c): same round trip, same implicit
-- transaction, so a revoked token's job stops here and writes nothing.
-- Why not LISTEN/NOTIFY: a notification may still be on its way when the
-- next call arrives; a read in the call's own transaction cannot be late.

-- Raises SQLSTATE 28000 (invalid_authorization_specification) unless token
-- p_id exists and is not revoked. One primary-key lookup.
CREATE FUNCTION hz_token_live(p_id bigint) RETURNS void
LANGUAGE plpgsql STABLE AS $$
BEGIN
  PERFORM 1 FROM tokens t WHERE t.id = p_id AND t.revoked_at IS NULL;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'token % is revoked or removed', p_id
      USING ERRCODE = 'invalid_authorization_specification';
  END IF;
END
$$;
