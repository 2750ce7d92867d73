-- Data lifecycle (issue #18): per-tenant retention and content-free mode, and the journal of user erasures.

-- One row per tenant that changed a default. content_retention_days: message content and conversation titles and
-- metadata are cleared after N days (figures stay); retention_days: messages and conversations are removed after
-- N days (rollups stay); store_content false: message content is never written. content_cleared_* is how far the
-- content retention has cleared this tenant's messages (a keyset position: created_at, id), so a pass starts where
-- the last one stopped instead of rescanning cleared rows.
CREATE TABLE tenant_settings (
    tenant_id                 uuid PRIMARY KEY REFERENCES tenants (id),
    content_retention_days    int CHECK (content_retention_days BETWEEN 1 AND 36500),
    retention_days            int CHECK (retention_days BETWEEN 1 AND 36500),
    store_content             boolean NOT NULL DEFAULT true,
    content_cleared_at        timestamptz,
    content_cleared_id        uuid,
    updated_at                timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE tenant_settings ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenant_settings FORCE ROW LEVEL SECURITY;
CREATE POLICY llmlog_tenant ON tenant_settings TO llmlog_service, CURRENT_USER
    USING (public.llmlog_tenant_visible(tenant_id)) WITH CHECK (public.llmlog_tenant_visible(tenant_id));
GRANT SELECT, INSERT, UPDATE ON tenant_settings TO llmlog_service;

-- Erasures under way (DELETE /v1/users/{userId}): the row exists from the request until everything of the user is
-- gone, so an erasure cut short by a crash is finished by the next retention pass; then the row is deleted too
-- (nothing keeps the user's id).
CREATE TABLE llm_user_erasures (
    tenant_id     uuid NOT NULL REFERENCES tenants (id),
    user_id       text NOT NULL,
    requested_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, user_id)
);
ALTER TABLE llm_user_erasures ENABLE ROW LEVEL SECURITY;
ALTER TABLE llm_user_erasures FORCE ROW LEVEL SECURITY;
CREATE POLICY llmlog_tenant ON llm_user_erasures TO llmlog_service, CURRENT_USER
    USING (public.llmlog_tenant_visible(tenant_id)) WITH CHECK (public.llmlog_tenant_visible(tenant_id));
GRANT SELECT, INSERT, DELETE ON llm_user_erasures TO llmlog_service;

-- Retention and erasure remove rows in small batches; erasure moves a user's rollup rows to the anonymous bucket.
GRANT DELETE ON llm_conversations, llm_messages, llm_usage_hourly TO llmlog_service;
