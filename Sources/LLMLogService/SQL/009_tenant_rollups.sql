-- Tenant-level hourly rollups: llm_usage_hourly without the user dimension. Tenant and system analytics read these
-- (a few rows per hour and model) instead of summing every user's rows; the writer maintains both tables in the
-- same transaction from the same deltas, so each row here equals the sum of its users' rows there (tested).
SELECT set_config('llmlog.scope', 'all', true);  -- the backfill reads every tenant's rows

CREATE TABLE llm_usage_hourly_tenant (
    tenant_id                    uuid NOT NULL REFERENCES tenants (id),
    hour                         timestamptz NOT NULL,
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
    PRIMARY KEY (tenant_id, hour, provider, model, type)
);
CREATE INDEX llm_usage_hourly_tenant_hour ON llm_usage_hourly_tenant (hour);

INSERT INTO llm_usage_hourly_tenant
SELECT tenant_id, hour, provider, model, type,
       sum(conversations), sum(active), sum(completed), sum(failed), sum(cancelled), sum(reported_tokens),
       sum(reported_cost), sum(messages), sum(input_tokens), sum(cached_input_tokens), sum(cache_creation_input_tokens),
       sum(output_tokens), sum(reasoning_tokens), sum(total_tokens), sum(cost), sum(unpriced_messages),
       sum(processing_time_count), sum(processing_time_sum), llmlog_sum_counts(processing_time_histogram)
FROM llm_usage_hourly
GROUP BY tenant_id, hour, provider, model, type;

ALTER TABLE llm_usage_hourly_tenant ENABLE ROW LEVEL SECURITY;
ALTER TABLE llm_usage_hourly_tenant FORCE ROW LEVEL SECURITY;
CREATE POLICY llmlog_tenant ON llm_usage_hourly_tenant TO llmlog_service, CURRENT_USER
    USING (llmlog_tenant_visible(tenant_id)) WITH CHECK (llmlog_tenant_visible(tenant_id));
-- Tenant-wide figures are not a user's: a transaction scoped to one user sees none of these rows.
CREATE POLICY llmlog_user ON llm_usage_hourly_tenant AS RESTRICTIVE TO llmlog_service, CURRENT_USER
    USING (NULLIF(current_setting('llmlog.user_id', true), '') IS NULL);
CREATE POLICY llmlog_analyst ON llm_usage_hourly_tenant FOR SELECT TO llmlog_analyst USING (llmlog_analyst_visible(tenant_id));
GRANT SELECT, INSERT, UPDATE ON llm_usage_hourly_tenant TO llmlog_service;
GRANT SELECT ON llm_usage_hourly_tenant TO llmlog_analyst;

-- The tenant-level views read the smaller table (same columns, same figures).
CREATE OR REPLACE VIEW llm_usage_daily WITH (security_invoker = true) AS
SELECT tenant_id,
       (hour AT TIME ZONE 'UTC')::date AS day,
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
FROM llm_usage_hourly_tenant
GROUP BY tenant_id, (hour AT TIME ZONE 'UTC')::date, provider, model, type;

CREATE OR REPLACE VIEW llm_conversation_outcomes WITH (security_invoker = true) AS
SELECT tenant_id,
       type,
       sum(conversations)::bigint AS total,
       sum(active)::bigint AS active,
       sum(completed)::bigint AS completed,
       sum(failed)::bigint AS failed,
       sum(cancelled)::bigint AS cancelled,
       sum(completed)::double precision / NULLIF(sum(completed) + sum(failed), 0) AS success_rate
FROM llm_usage_hourly_tenant
GROUP BY tenant_id, type;

CREATE OR REPLACE VIEW llm_model_costs WITH (security_invoker = true) AS
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
FROM llm_usage_hourly_tenant
GROUP BY tenant_id, provider, model;

CREATE OR REPLACE VIEW llm_latency WITH (security_invoker = true) AS
SELECT tenant_id,
       provider,
       model,
       sum(processing_time_count)::bigint AS timed_messages,
       sum(processing_time_sum)::double precision / NULLIF(sum(processing_time_count), 0) AS avg_processing_time,
       llmlog_histogram_percentile(llmlog_sum_counts(processing_time_histogram), 0.50) AS p50_processing_time,
       llmlog_histogram_percentile(llmlog_sum_counts(processing_time_histogram), 0.95) AS p95_processing_time,
       llmlog_histogram_percentile(llmlog_sum_counts(processing_time_histogram), 0.99) AS p99_processing_time
FROM llm_usage_hourly_tenant
GROUP BY tenant_id, provider, model;
