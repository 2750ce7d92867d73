-- Analytics: tenant-level rollups, the analyst views over the rollups, and analyst roles.
--
-- The views read the hourly rollups the writer maintains (and, for first/last activity, conversation times), never
-- message content: the tenant-level rollups below, and the per-user ones for llm_user_usage. They are created WITH (security_invoker = true): they run with the rights of whoever queries them,
-- so row-level security applies to the querying role. For the service that means its llmlog.* settings; for an
-- analyst role, the llmlog_analyst policies below, keyed on current_user and the llmlog_analysts table — never on a
-- setting an analyst could change.
--
-- security_invoker also means an analyst needs SELECT on what the views read. It gets exactly that: the rollup
-- tables and four columns of llm_conversations (tenant_id, user_id, created_at, updated_at) — no content, titles,
-- metadata, messages, keys or tenants — and only its tenant's rows of them.

-- Histograms (see LatencyHistogram.swift): element-wise sum as an aggregate, and the nearest-rank percentile
-- reported as the geometric middle of its bucket, exactly as the Swift code computes it.
CREATE AGGREGATE llmlog_sum_counts(bigint[]) (SFUNC = llmlog_add_counts, STYPE = bigint[], INITCOND = '{}');

CREATE FUNCTION llmlog_histogram_percentile(counts bigint[], p double precision) RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    WITH c AS (
        SELECT n - 1 AS bucket,
               sum(x) OVER (ORDER BY n) AS seen,
               sum(x) OVER () AS total
        FROM unnest(counts) WITH ORDINALITY AS t(x, n)
    )
    SELECT CASE WHEN bucket = 0 THEN 0 ELSE power(2::double precision, (bucket - 0.5) / 4.0) END
    FROM c
    WHERE total > 0 AND seen >= greatest(1, ceil(p * total::double precision))
    ORDER BY bucket
    LIMIT 1
$$;

-- Tenant-level daily rollups: llm_usage_hourly without the user and by UTC day. Tenant and system analytics (whose
-- windows are whole UTC days) read these — a few rows per day and model — instead of summing every user's hourly
-- rows; the writer maintains both tables in the
-- same transaction from the same deltas, so each row here equals the sum of its users' rows there (tested).
SELECT set_config('llmlog.scope', 'all', true);  -- the backfill reads every tenant's rows

CREATE TABLE llm_usage_daily_tenant (
    tenant_id                    uuid NOT NULL REFERENCES tenants (id),
    day                          date NOT NULL,
    provider                     text NOT NULL,
    model                        text NOT NULL,
    type                         text NOT NULL,
    conversations                bigint NOT NULL DEFAULT 0,
    active                       bigint NOT NULL DEFAULT 0,
    completed                    bigint NOT NULL DEFAULT 0,
    failed                       bigint NOT NULL DEFAULT 0,
    cancelled                    bigint NOT NULL DEFAULT 0,
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
    processing_time_histogram    bigint[] NOT NULL DEFAULT '{}',
    PRIMARY KEY (tenant_id, day, provider, model, type)
);
CREATE INDEX llm_usage_daily_tenant_day ON llm_usage_daily_tenant (day);

INSERT INTO llm_usage_daily_tenant
SELECT tenant_id, (hour AT TIME ZONE 'UTC')::date, provider, model, type,
       sum(conversations), sum(active), sum(completed), sum(failed), sum(cancelled), sum(reported_tokens),
       sum(reported_cost), sum(messages), sum(input_tokens), sum(cached_input_tokens), sum(cache_creation_input_tokens),
       sum(output_tokens), sum(reasoning_tokens), sum(total_tokens), sum(cost), sum(unpriced_messages),
       sum(processing_time_count), sum(processing_time_sum), llmlog_sum_counts(processing_time_histogram)
FROM llm_usage_hourly
GROUP BY tenant_id, (hour AT TIME ZONE 'UTC')::date, provider, model, type;

ALTER TABLE llm_usage_daily_tenant ENABLE ROW LEVEL SECURITY;
ALTER TABLE llm_usage_daily_tenant FORCE ROW LEVEL SECURITY;
CREATE POLICY llmlog_tenant ON llm_usage_daily_tenant TO llmlog_service, CURRENT_USER
    USING (llmlog_tenant_visible(tenant_id)) WITH CHECK (llmlog_tenant_visible(tenant_id));
-- Tenant-wide figures are not a user's: a transaction scoped to one user sees none of these rows.
CREATE POLICY llmlog_user ON llm_usage_daily_tenant AS RESTRICTIVE TO llmlog_service, CURRENT_USER
    USING (NULLIF(current_setting('llmlog.user_id', true), '') IS NULL);
GRANT SELECT, INSERT, UPDATE ON llm_usage_daily_tenant TO llmlog_service;

CREATE VIEW llm_usage_daily WITH (security_invoker = true) AS
SELECT tenant_id,
       day,
       provider,
       model,
       type,
       sum(conversations)::bigint AS conversations,
       sum(messages)::bigint AS messages,
       sum(input_tokens)::bigint AS input_tokens,
       sum(cached_input_tokens)::bigint AS cached_input_tokens,
       sum(cache_creation_input_tokens)::bigint AS cache_creation_input_tokens,
       sum(output_tokens)::bigint AS output_tokens,
       sum(reasoning_tokens)::bigint AS reasoning_tokens,
       sum(total_tokens + reported_tokens)::bigint AS total_tokens,
       sum(cost + reported_cost) AS cost,
       sum(unpriced_messages)::bigint AS unpriced_messages,
       sum(failed)::bigint AS failed_conversations,
       sum(processing_time_sum)::double precision / NULLIF(sum(processing_time_count), 0) AS avg_processing_time,
       llmlog_histogram_percentile(llmlog_sum_counts(processing_time_histogram), 0.95) AS p95_processing_time
FROM llm_usage_daily_tenant
GROUP BY tenant_id, day, provider, model, type;

COMMENT ON VIEW llm_usage_daily IS
    'Usage per tenant, UTC day, provider, model and conversation type, from the daily rollups. Conversations count on '
    'the day they were created (under the conversation''s provider and model); messages, tokens and cost on the day '
    'the message was created (under the message''s provider and model).';
COMMENT ON COLUMN llm_usage_daily.conversations IS 'Conversations created that day.';
COMMENT ON COLUMN llm_usage_daily.messages IS 'Messages created that day.';
COMMENT ON COLUMN llm_usage_daily.input_tokens IS 'Uncached input tokens (never includes cached or cache-write tokens).';
COMMENT ON COLUMN llm_usage_daily.cached_input_tokens IS 'Input tokens read from the provider''s prompt cache.';
COMMENT ON COLUMN llm_usage_daily.cache_creation_input_tokens IS 'Input tokens written to the provider''s prompt cache.';
COMMENT ON COLUMN llm_usage_daily.output_tokens IS 'Output tokens, excluding reasoning tokens.';
COMMENT ON COLUMN llm_usage_daily.reasoning_tokens IS 'Reasoning (thinking) tokens.';
COMMENT ON COLUMN llm_usage_daily.total_tokens IS
    'Sum of the token buckets, plus client-reported totals of conversations that logged no message usage.';
COMMENT ON COLUMN llm_usage_daily.cost IS
    'Cost in USD (numeric, exact), plus client-reported costs of conversations that logged no message usage.';
COMMENT ON COLUMN llm_usage_daily.unpriced_messages IS 'Messages with usage but no price for their model.';
COMMENT ON COLUMN llm_usage_daily.failed_conversations IS 'Conversations created that day whose status is FAILED.';
COMMENT ON COLUMN llm_usage_daily.avg_processing_time IS 'Mean processingTime (ms) of the messages that carried one.';
COMMENT ON COLUMN llm_usage_daily.p95_processing_time IS
    '95th percentile processingTime (ms) from log-scale histograms: within +9.06 %/-8.30 % of the exact value.';

CREATE VIEW llm_conversation_outcomes WITH (security_invoker = true) AS
SELECT tenant_id,
       type,
       sum(conversations)::bigint AS total,
       sum(active)::bigint AS active,
       sum(completed)::bigint AS completed,
       sum(failed)::bigint AS failed,
       sum(cancelled)::bigint AS cancelled,
       sum(completed)::double precision / NULLIF(sum(completed) + sum(failed), 0) AS success_rate
FROM llm_usage_daily_tenant
GROUP BY tenant_id, type;

COMMENT ON VIEW llm_conversation_outcomes IS 'Conversations per tenant and type by their current status.';
COMMENT ON COLUMN llm_conversation_outcomes.success_rate IS
    'completed / (completed + failed); NULL when both are 0. Active and cancelled conversations do not count.';

CREATE VIEW llm_model_costs WITH (security_invoker = true) AS
SELECT tenant_id,
       provider,
       model,
       sum(messages)::bigint AS messages,
       sum(input_tokens)::bigint AS input_tokens,
       sum(cached_input_tokens)::bigint AS cached_input_tokens,
       sum(cache_creation_input_tokens)::bigint AS cache_creation_input_tokens,
       sum(output_tokens)::bigint AS output_tokens,
       sum(reasoning_tokens)::bigint AS reasoning_tokens,
       sum(total_tokens + reported_tokens)::bigint AS total_tokens,
       sum(cost + reported_cost) AS cost,
       sum(unpriced_messages)::bigint AS unpriced_messages
FROM llm_usage_daily_tenant
GROUP BY tenant_id, provider, model;

COMMENT ON VIEW llm_model_costs IS
    'Messages, tokens and cost per tenant, provider and model, all time (filter llm_usage_daily for a window).';
COMMENT ON COLUMN llm_model_costs.unpriced_messages IS 'Messages with usage but no price: their cost is missing, not 0.';

CREATE VIEW llm_user_usage WITH (security_invoker = true) AS
WITH usage AS (
    SELECT tenant_id, user_id,
           sum(conversations)::bigint AS conversations,
           sum(messages)::bigint AS messages,
           sum(total_tokens + reported_tokens)::bigint AS total_tokens,
           sum(cost + reported_cost) AS cost
    FROM llm_usage_hourly
    GROUP BY tenant_id, user_id
), activity AS (
    SELECT tenant_id, coalesce(user_id, '') AS user_id,
           min(created_at) AS first_activity, max(updated_at) AS last_activity
    FROM llm_conversations
    GROUP BY tenant_id, coalesce(user_id, '')
)
SELECT u.tenant_id,
       NULLIF(u.user_id, '') AS user_id,
       u.conversations, u.messages, u.total_tokens, u.cost,
       a.first_activity, a.last_activity
FROM usage u
LEFT JOIN activity a ON a.tenant_id = u.tenant_id AND a.user_id = u.user_id;

COMMENT ON VIEW llm_user_usage IS 'Usage per tenant and user, all time; user_id NULL is the anonymous conversations.';
COMMENT ON COLUMN llm_user_usage.first_activity IS 'When the user''s first conversation was created.';
COMMENT ON COLUMN llm_user_usage.last_activity IS 'The last time any of the user''s conversations was written to.';

CREATE VIEW llm_latency WITH (security_invoker = true) AS
SELECT tenant_id,
       provider,
       model,
       sum(processing_time_count)::bigint AS timed_messages,
       sum(processing_time_sum)::double precision / NULLIF(sum(processing_time_count), 0) AS avg_processing_time,
       llmlog_histogram_percentile(llmlog_sum_counts(processing_time_histogram), 0.50) AS p50_processing_time,
       llmlog_histogram_percentile(llmlog_sum_counts(processing_time_histogram), 0.95) AS p95_processing_time,
       llmlog_histogram_percentile(llmlog_sum_counts(processing_time_histogram), 0.99) AS p99_processing_time
FROM llm_usage_daily_tenant
GROUP BY tenant_id, provider, model;

COMMENT ON VIEW llm_latency IS
    'processingTime (ms) percentiles per tenant, provider and model over messages that carried one, all time. '
    'From log-scale histograms: each percentile is within +9.06 %/-8.30 % of the exact nearest-rank value.';

-- Analyst roles: login roles that are members of llmlog_analyst, each bound to one tenant (or to all, tenant_id
-- NULL) by a row of llmlog_analysts that only the owner writes.
DO $$
BEGIN
    CREATE ROLE llmlog_analyst NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
EXCEPTION
    WHEN duplicate_object OR unique_violation THEN NULL;
END
$$;

CREATE TABLE llmlog_analysts (
    role_name   name PRIMARY KEY,
    tenant_id   uuid REFERENCES tenants (id),
    created_at  timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE llmlog_analysts ENABLE ROW LEVEL SECURITY;
ALTER TABLE llmlog_analysts FORCE ROW LEVEL SECURITY;
-- An analyst reads its own binding only (the policies below look it up as the analyst).
CREATE POLICY llmlog_analyst_self ON llmlog_analysts FOR SELECT TO llmlog_analyst USING (role_name = current_user);
CREATE POLICY llmlog_owner ON llmlog_analysts TO CURRENT_USER USING (true) WITH CHECK (true);

-- True when the current analyst role may see rows of tenant `t`.
CREATE FUNCTION llmlog_analyst_visible(t uuid) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT EXISTS (
        SELECT 1 FROM llmlog_analysts a
        WHERE a.role_name = current_user AND (a.tenant_id IS NULL OR a.tenant_id = t)
    )
$$;

CREATE POLICY llmlog_analyst ON llm_usage_hourly FOR SELECT TO llmlog_analyst USING (llmlog_analyst_visible(tenant_id));
CREATE POLICY llmlog_analyst ON llm_usage_daily_tenant FOR SELECT TO llmlog_analyst USING (llmlog_analyst_visible(tenant_id));
CREATE POLICY llmlog_analyst ON llm_conversations FOR SELECT TO llmlog_analyst USING (llmlog_analyst_visible(tenant_id));

GRANT USAGE ON SCHEMA public TO llmlog_analyst;
GRANT SELECT ON llmlog_analysts TO llmlog_analyst;
GRANT SELECT ON llm_usage_hourly, llm_usage_daily_tenant TO llmlog_analyst;
GRANT SELECT (tenant_id, user_id, created_at, updated_at) ON llm_conversations TO llmlog_analyst;
GRANT SELECT ON llm_usage_daily, llm_conversation_outcomes, llm_model_costs, llm_user_usage, llm_latency
    TO llmlog_analyst, llmlog_service;

-- Creates an analyst login role bound to `tenant` (NULL: every tenant). Name and password arrive as parameters and
-- are quoted by format(); run by the owner (which needs CREATEROLE).
CREATE FUNCTION llmlog_create_analyst(analyst_name text, analyst_password text, analyst_tenant uuid) RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    EXECUTE format('CREATE ROLE %I LOGIN PASSWORD %L NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE INHERIT IN ROLE llmlog_analyst',
                   analyst_name, analyst_password);
    INSERT INTO llmlog_analysts (role_name, tenant_id) VALUES (analyst_name, analyst_tenant);
END
$$;
REVOKE ALL ON FUNCTION llmlog_create_analyst(text, text, uuid) FROM PUBLIC;

-- Drops an analyst role made by llmlog_create_analyst (and nothing else).
CREATE FUNCTION llmlog_drop_analyst(analyst_name text) RETURNS boolean
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM llmlog_analysts a WHERE a.role_name = analyst_name) THEN
        RETURN false;
    END IF;
    DELETE FROM llmlog_analysts a WHERE a.role_name = analyst_name;
    EXECUTE format('DROP ROLE %I', analyst_name);
    RETURN true;
END
$$;
REVOKE ALL ON FUNCTION llmlog_drop_analyst(text) FROM PUBLIC;
