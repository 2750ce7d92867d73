-- llmlog core schema: tenants, API keys, conversations, messages, model prices, usage rollups.
-- Every tenant-owned table has tenant_id first in its primary key and foreign keys (Citus-ready).

CREATE TABLE tenants (
    id          uuid PRIMARY KEY,
    name        text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 200),
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE api_keys (
    tenant_id     uuid NOT NULL REFERENCES tenants (id),
    id            uuid NOT NULL,
    role          text NOT NULL CHECK (role IN ('ingest', 'admin')),
    -- SHA-256 of the whole key; the key itself is shown once and never stored.
    key_hash      bytea NOT NULL UNIQUE CHECK (length(key_hash) = 32),
    -- The first characters of the key, to recognise it in listings.
    key_prefix    text NOT NULL,
    name          text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    revoked_at    timestamptz,
    last_used_at  timestamptz,
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX api_keys_id ON api_keys (id);

CREATE TABLE llm_conversations (
    tenant_id               uuid NOT NULL REFERENCES tenants (id),
    id                      uuid NOT NULL,
    user_id                 text,
    type                    text NOT NULL CHECK (type ~ '^[A-Z][A-Z0-9_]{0,63}$'),
    title                   text,
    document_id             text,
    provider                text NOT NULL,
    model                   text NOT NULL,
    status                  text NOT NULL DEFAULT 'ACTIVE'
                            CHECK (status IN ('ACTIVE', 'COMPLETED', 'FAILED', 'CANCELLED')),
    -- Derived by the writer from the conversation's messages.
    total_tokens_used       bigint NOT NULL DEFAULT 0,
    total_cost              numeric NOT NULL DEFAULT 0,
    message_count           integer NOT NULL DEFAULT 0,
    -- Messages that carried usage (tokens or a cost); 0 means the reported totals below count instead.
    usage_message_count     integer NOT NULL DEFAULT 0,
    unpriced_message_count  integer NOT NULL DEFAULT 0,
    next_message_index      integer NOT NULL DEFAULT 0,
    -- Totals the client reported with PATCH (the seed's updateConversation); see README "Totals".
    reported_total_tokens   bigint,
    reported_total_cost     numeric,
    error_message           text,
    metadata                jsonb NOT NULL DEFAULT '{}',
    -- SHA-256 of the create request as the client sent it: a retry with the same id must carry the same body.
    request_hash            bytea NOT NULL,
    created_at              timestamptz NOT NULL,
    updated_at              timestamptz NOT NULL,
    completed_at            timestamptz,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX llm_conversations_tenant_time ON llm_conversations (tenant_id, created_at DESC, id DESC);
CREATE INDEX llm_conversations_tenant_user_time ON llm_conversations (tenant_id, user_id, created_at DESC, id DESC);

CREATE TABLE llm_messages (
    tenant_id                    uuid NOT NULL,
    id                           uuid NOT NULL,
    conversation_id              uuid NOT NULL,
    role                         text NOT NULL CHECK (role IN ('USER', 'ASSISTANT', 'SYSTEM', 'TOOL')),
    content                      text NOT NULL,
    provider                     text NOT NULL,
    model                        text NOT NULL,
    -- Token buckets do not overlap: input_tokens is uncached input only; output_tokens excludes reasoning.
    input_tokens                 bigint,
    cached_input_tokens          bigint,
    cache_creation_input_tokens  bigint,
    output_tokens                bigint,
    reasoning_tokens             bigint,
    total_tokens                 bigint,
    cost                         numeric,
    cost_source                  text NOT NULL CHECK (cost_source IN ('provided', 'computed', 'unpriced')),
    processing_time              integer,
    message_index                integer NOT NULL,
    finish_reason                text,
    temperature                  double precision,
    max_tokens                   integer,
    error_message                text,
    metadata                     jsonb NOT NULL DEFAULT '{}',
    request_hash                 bytea NOT NULL,
    created_at                   timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, conversation_id) REFERENCES llm_conversations (tenant_id, id),
    UNIQUE (tenant_id, conversation_id, message_index)
);
CREATE INDEX llm_messages_tenant_time ON llm_messages (tenant_id, created_at);

-- Prices per million tokens for each bucket. A row applies from effective_from until a later row for the
-- same (tenant_id, provider, model_pattern) takes over. tenant_id NULL: the default for every tenant.
-- model_pattern is an exact model name or a LIKE pattern ('claude-sonnet-4%'); exact beats pattern,
-- a longer pattern beats a shorter one, a tenant's row beats the default.
CREATE TABLE model_prices (
    id                          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id                   uuid REFERENCES tenants (id),
    provider                    text NOT NULL,
    model_pattern               text NOT NULL,
    input_per_mtok              numeric NOT NULL CHECK (input_per_mtok >= 0),
    cached_input_per_mtok       numeric CHECK (cached_input_per_mtok >= 0),
    cache_creation_per_mtok     numeric CHECK (cache_creation_per_mtok >= 0),
    output_per_mtok             numeric NOT NULL CHECK (output_per_mtok >= 0),
    reasoning_per_mtok          numeric CHECK (reasoning_per_mtok >= 0),
    effective_from              timestamptz NOT NULL,
    source                      text NOT NULL,
    UNIQUE NULLS NOT DISTINCT (tenant_id, provider, model_pattern, effective_from)
);

-- Element-wise sum of two counter arrays (latency histograms); a missing element counts as 0.
CREATE FUNCTION llmlog_add_counts(a bigint[], b bigint[]) RETURNS bigint[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(coalesce(x, 0) + coalesce(y, 0) ORDER BY n), '{}')
    FROM unnest(coalesce(a, '{}'), coalesce(b, '{}')) WITH ORDINALITY AS t(x, y, n)
$$;

-- Usage rollups, maintained by the writer in the same transaction as the rows they count.
-- Conversation counters count in the hour the conversation was created; message counters in the hour the
-- message was created. user_id '' is the anonymous user (a key column cannot be NULL).
CREATE TABLE llm_usage_hourly (
    tenant_id                    uuid NOT NULL REFERENCES tenants (id),
    hour                         timestamptz NOT NULL,
    provider                     text NOT NULL,
    model                        text NOT NULL,
    type                         text NOT NULL,
    user_id                      text NOT NULL,
    conversations                bigint NOT NULL DEFAULT 0,
    active                       bigint NOT NULL DEFAULT 0,
    completed                    bigint NOT NULL DEFAULT 0,
    failed                       bigint NOT NULL DEFAULT 0,
    cancelled                    bigint NOT NULL DEFAULT 0,
    -- Client-reported totals of conversations that have no message usage (so never double counted).
    reported_tokens              bigint NOT NULL DEFAULT 0,
    reported_cost                numeric NOT NULL DEFAULT 0,
    messages                     bigint NOT NULL DEFAULT 0,
    input_tokens                 bigint NOT NULL DEFAULT 0,
    cached_input_tokens          bigint NOT NULL DEFAULT 0,
    cache_creation_input_tokens  bigint NOT NULL DEFAULT 0,
    output_tokens                bigint NOT NULL DEFAULT 0,
    reasoning_tokens             bigint NOT NULL DEFAULT 0,
    total_tokens                 bigint NOT NULL DEFAULT 0,
    cost                         numeric NOT NULL DEFAULT 0,
    unpriced_messages            bigint NOT NULL DEFAULT 0,
    processing_time_count        bigint NOT NULL DEFAULT 0,
    processing_time_sum          bigint NOT NULL DEFAULT 0,
    -- Counts of processing times per log-scale bucket (see LatencyHistogram.swift for the bounds).
    processing_time_histogram    bigint[] NOT NULL DEFAULT '{}',
    PRIMARY KEY (tenant_id, hour, provider, model, type, user_id)
);
CREATE INDEX llm_usage_hourly_tenant_user ON llm_usage_hourly (tenant_id, user_id, hour);
