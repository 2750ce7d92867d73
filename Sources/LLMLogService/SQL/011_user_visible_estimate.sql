-- The same rule as before (every row when no user is set; else only that user's rows), written as a CASE so the
-- planner can estimate it. As an OR of a test on a setting and a comparison, the planner took it to keep 0.5 % of
-- the rows even when no user is set; with the tenant filter it then expected 12 of a tenant's 10,000
-- conversations and sorted them all instead of reading the newest 50 from the (tenant_id, created_at) index:
-- the first page of GET /v1/conversations took 16 ms at 10M messages. A CASE is estimated at one half.
CREATE OR REPLACE FUNCTION llmlog_user_visible(u text) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN NULLIF(current_setting('llmlog.user_id', true), '') IS NULL THEN true
                ELSE u = current_setting('llmlog.user_id', true) END
$$;
