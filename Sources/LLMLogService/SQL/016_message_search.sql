-- Full-text search over message content (issue #16), kept off the ingest path: the writer only notes each new
-- message's key in llm_search_queue (a heap without indexes, filled by the message insert's own statement), and the
-- search indexer (Search/SearchIndexer.swift) moves queued messages into llm_message_search in batches behind it,
-- computing their tsvector there. A tsvector index maintained in the write transaction cut COPY speed about 10x
-- and a trigram index on content 30x when measured here (see the README, "Search").
SELECT set_config('llmlog.scope', 'all', true);  -- the backfill below reads every tenant's messages

-- Messages waiting to be indexed. No key and no index, so noting a message costs the writer one heap tuple; the
-- indexer takes rows with DELETE … FOR UPDATE SKIP LOCKED, so several instances never index one row twice and a
-- crash in the middle leaves the rows queued.
CREATE TABLE llm_search_queue (
    tenant_id   uuid NOT NULL,
    message_id  uuid NOT NULL
);

-- A message's searchable words ('simple' configuration: lower-cased, no stemming and no stop words, so every language
-- and every identifier-like word is found as written). The first 65,536 characters of its content are indexed.
-- Rows go with their message (retention, erasure); clearing content deletes them.
CREATE TABLE llm_message_search (
    tenant_id        uuid NOT NULL,
    message_id       uuid NOT NULL,
    conversation_id  uuid NOT NULL,
    user_id          text,
    document         tsvector NOT NULL,
    PRIMARY KEY (tenant_id, message_id),
    FOREIGN KEY (tenant_id, message_id) REFERENCES llm_messages (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX llm_message_search_document ON llm_message_search USING gin (document);
CREATE INDEX llm_message_search_conversation ON llm_message_search (tenant_id, conversation_id);

ALTER TABLE llm_search_queue ENABLE ROW LEVEL SECURITY;
ALTER TABLE llm_search_queue FORCE ROW LEVEL SECURITY;
CREATE POLICY llmlog_tenant ON llm_search_queue TO llmlog_service, CURRENT_USER
    USING (llmlog_tenant_visible(tenant_id)) WITH CHECK (llmlog_tenant_visible(tenant_id));
-- Enabled but not forced (unlike the other tenant tables): see llmlog_search_conversations below.
ALTER TABLE llm_message_search ENABLE ROW LEVEL SECURITY;
CREATE POLICY llmlog_tenant ON llm_message_search TO llmlog_service, CURRENT_USER
    USING (llmlog_tenant_visible(tenant_id)) WITH CHECK (llmlog_tenant_visible(tenant_id));
CREATE POLICY llmlog_user ON llm_message_search AS RESTRICTIVE TO llmlog_service, CURRENT_USER
    USING (llmlog_user_visible(user_id));
-- UPDATE: taking rows FOR UPDATE asks for it (they are never updated).
GRANT SELECT, INSERT, UPDATE, DELETE ON llm_search_queue TO llmlog_service;
GRANT SELECT, INSERT, DELETE ON llm_message_search TO llmlog_service;

-- The conversations of tenant t with a message matching q, through the GIN index, at most max_rows. Under row-level
-- security PostgreSQL may not use the index for `@@` (not a leakproof operator, so it may not run ahead of the
-- policies) and reads every row of the table instead: 1.3 s for a rare word over 10M messages. This function runs as
-- the table's owner, whom the policies do not bind on this table, and applies the same walls itself: the tenant must
-- be visible to the calling transaction, and a transaction of one user sees that user's messages only.
CREATE FUNCTION llmlog_search_conversations(t uuid, q tsquery, max_rows int) RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT DISTINCT s.conversation_id FROM public.llm_message_search s
    WHERE public.llmlog_tenant_visible(t) AND s.tenant_id = t AND public.llmlog_user_visible(s.user_id) AND s.document @@ q
    LIMIT max_rows
$$;
REVOKE ALL ON FUNCTION llmlog_search_conversations(uuid, tsquery, int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION llmlog_search_conversations(uuid, tsquery, int) TO llmlog_service;

-- Messages stored before this migration are queued too: the indexer works through them while the service runs.
INSERT INTO llm_search_queue (tenant_id, message_id)
SELECT tenant_id, id FROM llm_messages WHERE content <> '';
