-- last_used_at of API keys, written in batches by the service (never once per request).
-- The service role cannot write api_keys; this function can, for the keys it names, and only moves the time forward.
CREATE FUNCTION llmlog_touch_keys(key_ids uuid[], used_at timestamptz) RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = public, pg_temp
SET llmlog.scope = 'all'
AS $$
    UPDATE api_keys SET last_used_at = used_at
    WHERE id = ANY (key_ids) AND (last_used_at IS NULL OR last_used_at < used_at)
$$;
REVOKE ALL ON FUNCTION llmlog_touch_keys(uuid[], timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION llmlog_touch_keys(uuid[], timestamptz) TO llmlog_service;
