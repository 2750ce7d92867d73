-- Names that policies, views and functions read are bound once, never looked up through the caller's search_path.
--
-- An analyst may create temporary objects, and pg_temp is searched first for tables and types: a temporary table
-- named llmlog_analysts replaced ours inside llmlog_analyst_visible (which read it by its bare name when each
-- query ran) and opened every tenant's rollups to one tenant's analyst. Two walls against that class:
--
-- 1. The functions that row-level-security policies call have SQL-standard bodies (RETURN …): PostgreSQL parses
--    them here, at creation, and stores the objects they name by OID, so no later search_path, temporary table or
--    type can change what they read. llmlog_tenant_visible and llmlog_user_visible carry no SET clause on purpose:
--    a function with SET is never inlined, and the planner must see those two expanded into each query (the
--    estimates of sql/011 depend on it).
--    Their names are schema-qualified all the same, so reading them says what they bind to.
-- 2. Every other function gets SET search_path = pg_catalog, public, pg_temp (pg_temp last): its text is parsed
--    when it runs, under that path only.
--
-- And, since nothing in llmlog needs them: no temporary objects for roles other than the service, and no CREATE
-- on the public schema for anyone but its owner (PostgreSQL 15's default, which an upgraded database may lack).

CREATE OR REPLACE FUNCTION public.llmlog_tenant_visible(t uuid) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
RETURN coalesce(pg_catalog.current_setting('llmlog.scope', true), '') OPERATOR(pg_catalog.=) 'all'
    OR t OPERATOR(pg_catalog.=) NULLIF(pg_catalog.current_setting('llmlog.tenant_id', true), '')::pg_catalog.uuid;

CREATE OR REPLACE FUNCTION public.llmlog_user_visible(u text) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
RETURN CASE WHEN NULLIF(pg_catalog.current_setting('llmlog.user_id', true), '') IS NULL THEN true
            ELSE u OPERATOR(pg_catalog.=) pg_catalog.current_setting('llmlog.user_id', true) END;

CREATE OR REPLACE FUNCTION public.llmlog_analyst_visible(t uuid) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
RETURN EXISTS (
    SELECT 1 FROM public.llmlog_analysts a
    WHERE a.role_name OPERATOR(pg_catalog.=) CURRENT_USER
      AND (a.tenant_id IS NULL OR a.tenant_id OPERATOR(pg_catalog.=) t)
);

-- llmlog_analyst_visible reads a table in a sublink, so it is not inlined anyway: it gets its own path too.
ALTER FUNCTION public.llmlog_analyst_visible(uuid) SET search_path = pg_catalog, public, pg_temp;
ALTER FUNCTION public.llmlog_add_counts(bigint[], bigint[]) SET search_path = pg_catalog, public, pg_temp;
ALTER FUNCTION public.llmlog_histogram_percentile(bigint[], double precision) SET search_path = pg_catalog, public, pg_temp;
ALTER FUNCTION public.llmlog_create_analyst(text, text, uuid) SET search_path = pg_catalog, public, pg_temp;
ALTER FUNCTION public.llmlog_drop_analyst(text) SET search_path = pg_catalog, public, pg_temp;
ALTER FUNCTION public.llmlog_authenticate(bytea) SET search_path = pg_catalog, public, pg_temp;
ALTER FUNCTION public.llmlog_authenticate_many(bytea[]) SET search_path = pg_catalog, public, pg_temp;
ALTER FUNCTION public.llmlog_authenticate_operator(bytea) SET search_path = pg_catalog, public, pg_temp;
ALTER FUNCTION public.llmlog_touch_keys(uuid[], timestamptz) SET search_path = pg_catalog, public, pg_temp;

-- Only the database's owner (or a superuser) may change its privileges; a migration run by another role leaves
-- them as they are and says so.
DO $$
BEGIN
    EXECUTE pg_catalog.format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC', pg_catalog.current_database());
    EXECUTE pg_catalog.format('GRANT TEMPORARY ON DATABASE %I TO llmlog_service', pg_catalog.current_database());
EXCEPTION WHEN insufficient_privilege THEN
    RAISE NOTICE 'llmlog: not the database owner; TEMPORARY stays granted to PUBLIC (the functions are safe without it)';
END
$$;
DO $$
BEGIN
    REVOKE CREATE ON SCHEMA public FROM PUBLIC;
EXCEPTION WHEN insufficient_privilege THEN
    RAISE NOTICE 'llmlog: not the owner of schema public; its CREATE privilege is left as it is';
END
$$;

-- A sum of rollup rows as a bigint that stops at 2^63 − 1 instead of failing the report (clients fill the rows; a
-- tenant that pushed its own counters that far must not break the operator's system-wide report).
CREATE FUNCTION public.llmlog_clamp_bigint(n numeric) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN LEAST(n, 9223372036854775807)::pg_catalog.int8;
