-- Feedback scores (issue #17): thumbs up/down from end users, evaluator scores from pipelines, an admin's review.
-- A score belongs to a conversation and optionally to one of its messages; its value is a number or a category.
-- user_id is copied from the conversation so the per-user wall (007) holds here too. The scores go when their
-- conversation or message goes (retention, user erasure): ON DELETE CASCADE.
SELECT set_config('llmlog.scope', 'all', true);

CREATE TABLE llm_scores (
    tenant_id        uuid NOT NULL,
    id               uuid NOT NULL,
    conversation_id  uuid NOT NULL,
    message_id       uuid,
    user_id          text,
    name             text NOT NULL CHECK (name ~ '^[A-Za-z0-9_.:-]{1,100}$'),
    -- Exactly one of the two: a finite number or a category of 1…100 characters.
    numeric_value    double precision CHECK (numeric_value IS NULL OR numeric_value NOT IN ('NaN', 'Infinity', '-Infinity')),
    category         text CHECK (category IS NULL OR length(category) BETWEEN 1 AND 100),
    comment          text CHECK (comment IS NULL OR length(comment) <= 2000),
    source           text NOT NULL CHECK (source IN ('user', 'admin', 'automated')),
    -- SHA-256 of the request as the client sent it: a retry with the same id must carry the same body.
    request_hash     bytea NOT NULL,
    created_at       timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    CHECK ((numeric_value IS NULL) <> (category IS NULL)),
    FOREIGN KEY (tenant_id, conversation_id) REFERENCES llm_conversations (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, message_id) REFERENCES llm_messages (tenant_id, id) ON DELETE CASCADE
);
-- A conversation's scores in order; the analytics' window over a tenant's scores.
CREATE INDEX llm_scores_conversation ON llm_scores (tenant_id, conversation_id, created_at, id);
CREATE INDEX llm_scores_tenant_time ON llm_scores (tenant_id, created_at);
-- The cascade from a deleted message looks its scores up by message.
CREATE INDEX llm_scores_message ON llm_scores (tenant_id, message_id) WHERE message_id IS NOT NULL;

ALTER TABLE llm_scores ENABLE ROW LEVEL SECURITY;
ALTER TABLE llm_scores FORCE ROW LEVEL SECURITY;
CREATE POLICY llmlog_tenant ON llm_scores TO llmlog_service, CURRENT_USER
    USING (public.llmlog_tenant_visible(tenant_id)) WITH CHECK (public.llmlog_tenant_visible(tenant_id));
CREATE POLICY llmlog_user ON llm_scores AS RESTRICTIVE TO llmlog_service, CURRENT_USER
    USING (public.llmlog_user_visible(user_id));
GRANT SELECT, INSERT ON llm_scores TO llmlog_service;
