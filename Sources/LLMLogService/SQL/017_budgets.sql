-- Budgets and alerts (issue #17): spending limits per tenant, user, conversation type or model over a UTC calendar
-- period; the alerts a checker records when spend crosses a threshold (exactly once per budget, period and threshold:
-- the unique key below decides it, whichever instance inserts first); the tenants' webhooks and the deliveries of
-- each alert to each webhook (claimed with FOR UPDATE SKIP LOCKED, so several instances never send one twice at once).
-- Spend is read from the rollups (llm_usage_daily_tenant, llm_usage_hourly), never on the ingest path.

CREATE TABLE llm_budgets (
    tenant_id   uuid NOT NULL REFERENCES tenants (id),
    id          uuid NOT NULL,
    scope       text NOT NULL CHECK (scope IN ('tenant', 'user', 'type', 'model')),
    user_id     text,
    type        text,
    model       text,
    period      text NOT NULL CHECK (period IN ('day', 'week', 'month')),
    amount      numeric NOT NULL CHECK (amount > 0),
    thresholds  numeric[] NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    CHECK ((scope = 'user') = (user_id IS NOT NULL)),
    CHECK ((scope = 'type') = (type IS NOT NULL)),
    CHECK ((scope = 'model') = (model IS NOT NULL))
);
CREATE INDEX llm_budgets_tenant_created ON llm_budgets (tenant_id, created_at, id);

CREATE TABLE llm_webhooks (
    tenant_id   uuid NOT NULL REFERENCES tenants (id),
    id          uuid NOT NULL,
    url         text NOT NULL,
    secret      text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id)
);

CREATE TABLE llm_budget_alerts (
    tenant_id     uuid NOT NULL,
    id            uuid NOT NULL,
    budget_id     uuid NOT NULL,
    period_start  timestamptz NOT NULL,
    threshold     numeric NOT NULL,
    spent         numeric NOT NULL,
    amount        numeric NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, budget_id, period_start, threshold),
    FOREIGN KEY (tenant_id, budget_id) REFERENCES llm_budgets (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX llm_budget_alerts_tenant_created ON llm_budget_alerts (tenant_id, created_at DESC, id DESC);

CREATE TABLE llm_webhook_deliveries (
    tenant_id        uuid NOT NULL,
    id               uuid NOT NULL,
    alert_id         uuid NOT NULL,
    webhook_id       uuid NOT NULL,
    attempts         int NOT NULL DEFAULT 0,
    status_code      int,
    last_error       text,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    delivered_at     timestamptz,
    failed_at        timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, alert_id, webhook_id),
    FOREIGN KEY (tenant_id, alert_id) REFERENCES llm_budget_alerts (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, webhook_id) REFERENCES llm_webhooks (tenant_id, id) ON DELETE CASCADE
);
-- The delivery worker's scan: what is due and not finished.
CREATE INDEX llm_webhook_deliveries_due ON llm_webhook_deliveries (next_attempt_at)
    WHERE delivered_at IS NULL AND failed_at IS NULL;
CREATE INDEX llm_webhook_deliveries_webhook ON llm_webhook_deliveries (tenant_id, webhook_id, created_at DESC, id DESC);

ALTER TABLE llm_budgets ENABLE ROW LEVEL SECURITY;
ALTER TABLE llm_budgets FORCE ROW LEVEL SECURITY;
CREATE POLICY llmlog_tenant ON llm_budgets TO llmlog_service, CURRENT_USER
    USING (public.llmlog_tenant_visible(tenant_id)) WITH CHECK (public.llmlog_tenant_visible(tenant_id));

ALTER TABLE llm_webhooks ENABLE ROW LEVEL SECURITY;
ALTER TABLE llm_webhooks FORCE ROW LEVEL SECURITY;
CREATE POLICY llmlog_tenant ON llm_webhooks TO llmlog_service, CURRENT_USER
    USING (public.llmlog_tenant_visible(tenant_id)) WITH CHECK (public.llmlog_tenant_visible(tenant_id));

ALTER TABLE llm_budget_alerts ENABLE ROW LEVEL SECURITY;
ALTER TABLE llm_budget_alerts FORCE ROW LEVEL SECURITY;
CREATE POLICY llmlog_tenant ON llm_budget_alerts TO llmlog_service, CURRENT_USER
    USING (public.llmlog_tenant_visible(tenant_id)) WITH CHECK (public.llmlog_tenant_visible(tenant_id));

ALTER TABLE llm_webhook_deliveries ENABLE ROW LEVEL SECURITY;
ALTER TABLE llm_webhook_deliveries FORCE ROW LEVEL SECURITY;
CREATE POLICY llmlog_tenant ON llm_webhook_deliveries TO llmlog_service, CURRENT_USER
    USING (public.llmlog_tenant_visible(tenant_id)) WITH CHECK (public.llmlog_tenant_visible(tenant_id));

GRANT SELECT, INSERT, UPDATE, DELETE ON llm_budgets, llm_webhooks TO llmlog_service;
GRANT SELECT, INSERT ON llm_budget_alerts TO llmlog_service;
GRANT SELECT, INSERT, UPDATE ON llm_webhook_deliveries TO llmlog_service;
