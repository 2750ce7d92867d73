-- Key lookups of many requests in one query (KeyAuthenticator gathers the hashes presented while the previous
-- lookup ran). Like llmlog_authenticate, keys are found by hash only and the service role cannot list them; the
-- hash comes back so each row can be matched to the requests that presented it. Unknown and revoked keys give no row.
--
-- One probe of the unique index on key_hash per presented hash (a LATERAL subquery with LIMIT 1, which the planner
-- cannot turn into a join): as a plain join, the planner misjudges the row-level-security filter and may scan the
-- whole table (it did so for the writer's lookups, see FlushTransaction).
CREATE FUNCTION llmlog_authenticate_many(presented bytea[])
RETURNS TABLE (key_hash bytea, tenant_id uuid, key_id uuid, role text)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = public, pg_temp
SET llmlog.scope = 'all'
AS $$
    SELECT p.h, k.tenant_id, k.id, k.role
    FROM unnest(presented) AS p(h)
    CROSS JOIN LATERAL (
        SELECT a.tenant_id, a.id, a.role FROM api_keys a
        WHERE a.key_hash = p.h AND a.revoked_at IS NULL
        LIMIT 1
    ) k
$$;
REVOKE ALL ON FUNCTION llmlog_authenticate_many(bytea[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION llmlog_authenticate_many(bytea[]) TO llmlog_service;
