-- Operator keys: system-wide aggregate analytics and tenant creation, no tenant of their own, no message content.
-- Like tenant keys, only the SHA-256 is stored and the service finds them by hash only.
CREATE TABLE operator_keys (
    id            uuid PRIMARY KEY,
    key_hash      bytea NOT NULL UNIQUE CHECK (length(key_hash) = 32),
    key_prefix    text NOT NULL,
    name          text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    revoked_at    timestamptz
);

CREATE FUNCTION llmlog_authenticate_operator(presented_hash bytea) RETURNS uuid
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
    SELECT id FROM operator_keys WHERE key_hash = presented_hash AND revoked_at IS NULL
$$;
REVOKE ALL ON FUNCTION llmlog_authenticate_operator(bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION llmlog_authenticate_operator(bytea) TO llmlog_service;

-- POST /v1/tenants (operator only) creates a tenant and its first keys through the service.
GRANT INSERT ON tenants, api_keys TO llmlog_service;
