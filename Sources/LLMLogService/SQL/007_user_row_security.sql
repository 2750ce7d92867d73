-- The per-user wall: a transaction that sets llmlog.user_id sees only that user's conversations, messages and
-- usage rows, whatever its own filters say (user tokens read this way). Restrictive policies: they narrow what
-- the tenant policies allow, never widen it. Messages carry their conversation's user_id for this.
SELECT set_config('llmlog.scope', 'all', true);  -- this migration touches every tenant's rows

ALTER TABLE llm_messages ADD COLUMN user_id text;
UPDATE llm_messages m SET user_id = c.user_id
FROM llm_conversations c
WHERE c.tenant_id = m.tenant_id AND c.id = m.conversation_id AND c.user_id IS NOT NULL;

CREATE FUNCTION llmlog_user_visible(u text) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT NULLIF(current_setting('llmlog.user_id', true), '') IS NULL
        OR u = current_setting('llmlog.user_id', true)
$$;

CREATE POLICY llmlog_user ON llm_conversations AS RESTRICTIVE TO llmlog_service, CURRENT_USER
    USING (llmlog_user_visible(user_id));
CREATE POLICY llmlog_user ON llm_messages AS RESTRICTIVE TO llmlog_service, CURRENT_USER
    USING (llmlog_user_visible(user_id));
CREATE POLICY llmlog_user ON llm_usage_hourly AS RESTRICTIVE TO llmlog_service, CURRENT_USER
    USING (llmlog_user_visible(user_id));
