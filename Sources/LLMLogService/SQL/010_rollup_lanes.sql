-- Rollup rows per writer lane. The writer runs several write transactions at once (lanes, each with its own
-- conversations); with one row per key they all waited for each other on the same hot rollup rows, from the upsert
-- until the commit's WAL flush, so the lanes ran one at a time. Each lane now adds into rows of its own; every view
-- and report sums over lanes, so figures are unchanged.
ALTER TABLE llm_usage_hourly ADD COLUMN lane smallint NOT NULL DEFAULT 0;
ALTER TABLE llm_usage_hourly DROP CONSTRAINT llm_usage_hourly_pkey;
ALTER TABLE llm_usage_hourly ADD PRIMARY KEY (tenant_id, hour, provider, model, type, user_id, lane);
COMMENT ON COLUMN llm_usage_hourly.lane IS
    'The writer lane that added these counts (0 up to the service''s lanes). Sum over lanes: a key may have a row per lane.';

ALTER TABLE llm_usage_daily_tenant ADD COLUMN lane smallint NOT NULL DEFAULT 0;
ALTER TABLE llm_usage_daily_tenant DROP CONSTRAINT llm_usage_daily_tenant_pkey;
ALTER TABLE llm_usage_daily_tenant ADD PRIMARY KEY (tenant_id, day, provider, model, type, lane);
COMMENT ON COLUMN llm_usage_daily_tenant.lane IS
    'The writer lane that added these counts (0 up to the service''s lanes). Sum over lanes: a key may have a row per lane.';
