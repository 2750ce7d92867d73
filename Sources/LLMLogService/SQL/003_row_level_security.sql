-- Row-level security: PostgreSQL as the second wall between tenants.
--
-- The service does not query as the owner of the tables: it connects with the owner's credentials and switches to
-- llmlog_service (startup option `-c role=llmlog_service`), a role that owns nothing and has no BYPASSRLS. Every
-- tenant-owned table has RLS enabled and forced (so the owner is subject to it too, unless it is a superuser).
-- What a transaction may see is set per transaction with set_config(…, true), never per session:
--   llmlog.tenant_id = '<uuid>'  rows of that tenant only;
--   llmlog.scope = 'all'         every tenant (the writer, key lookup, price loading, administration).
-- Neither set: nothing. These settings are trusted only for llmlog_service and the owner (the policies apply to
-- those two roles alone); analyst roles get policies keyed on current_user instead.

DO $$
BEGIN
    CREATE ROLE llmlog_service NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOINHERIT;
EXCEPTION
    -- Roles are cluster-wide: another database's migration may have made it (or be making it right now).
    WHEN duplicate_object OR unique_violation THEN NULL;
END
$$;

-- The owner must be a member to switch to the role; a superuser owner is one implicitly.
DO $$
BEGIN
    IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        EXECUTE format('GRANT llmlog_service TO %I', current_user);
    END IF;
END
$$;

-- True when the current transaction may see rows of tenant `t`.
CREATE FUNCTION llmlog_tenant_visible(t uuid) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT coalesce(current_setting('llmlog.scope', true), '') = 'all'
        OR t = NULLIF(current_setting('llmlog.tenant_id', true), '')::uuid
$$;

ALTER TABLE api_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE api_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY llmlog_tenant ON api_keys TO llmlog_service, CURRENT_USER
    USING (llmlog_tenant_visible(tenant_id)) WITH CHECK (llmlog_tenant_visible(tenant_id));

ALTER TABLE llm_conversations ENABLE ROW LEVEL SECURITY;
ALTER TABLE llm_conversations FORCE ROW LEVEL SECURITY;
CREATE POLICY llmlog_tenant ON llm_conversations TO llmlog_service, CURRENT_USER
    USING (llmlog_tenant_visible(tenant_id)) WITH CHECK (llmlog_tenant_visible(tenant_id));

ALTER TABLE llm_messages ENABLE ROW LEVEL SECURITY;
ALTER TABLE llm_messages FORCE ROW LEVEL SECURITY;
CREATE POLICY llmlog_tenant ON llm_messages TO llmlog_service, CURRENT_USER
    USING (llmlog_tenant_visible(tenant_id)) WITH CHECK (llmlog_tenant_visible(tenant_id));

ALTER TABLE llm_usage_hourly ENABLE ROW LEVEL SECURITY;
ALTER TABLE llm_usage_hourly FORCE ROW LEVEL SECURITY;
CREATE POLICY llmlog_tenant ON llm_usage_hourly TO llmlog_service, CURRENT_USER
    USING (llmlog_tenant_visible(tenant_id)) WITH CHECK (llmlog_tenant_visible(tenant_id));

-- Default prices (tenant_id NULL) are everyone's; a tenant's overrides are its own.
ALTER TABLE model_prices ENABLE ROW LEVEL SECURITY;
ALTER TABLE model_prices FORCE ROW LEVEL SECURITY;
CREATE POLICY llmlog_tenant ON model_prices TO llmlog_service, CURRENT_USER
    USING (tenant_id IS NULL OR llmlog_tenant_visible(tenant_id))
    WITH CHECK (tenant_id IS NULL OR llmlog_tenant_visible(tenant_id));

-- API keys are looked up by hash only, through this function: the service role cannot list them.
CREATE FUNCTION llmlog_authenticate(presented_hash bytea)
RETURNS TABLE (tenant_id uuid, key_id uuid, role text)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = public, pg_temp
SET llmlog.scope = 'all'
AS $$
    SELECT k.tenant_id, k.id, k.role FROM api_keys k WHERE k.key_hash = presented_hash AND k.revoked_at IS NULL
$$;
REVOKE ALL ON FUNCTION llmlog_authenticate(bytea) FROM PUBLIC;

GRANT USAGE ON SCHEMA public TO llmlog_service;
GRANT EXECUTE ON FUNCTION llmlog_authenticate(bytea) TO llmlog_service;
GRANT SELECT ON tenants, llmlog_migrations TO llmlog_service;
GRANT SELECT, INSERT, UPDATE ON llm_conversations, llm_messages, llm_usage_hourly TO llmlog_service;
GRANT SELECT ON model_prices TO llmlog_service;
