-- Distributes llmlog's tables over a Citus cluster by tenant (issue #18). Run once as the owner on the coordinator,
-- after `llmlog migrate`, on a database with the citus extension available. Not run by the service or its tests:
-- Citus is not packaged for the Debian release our machines run, so this file is checked against the catalog rules
-- it relies on (DistributionReadinessTests: every tenant table keys, uniques and references by tenant_id) but has
-- not been run against a real Citus cluster.
CREATE EXTENSION IF NOT EXISTS citus;

-- Small, global tables read by every tenant's requests: copied to every node.
SELECT create_reference_table('tenants');
SELECT create_reference_table('api_keys');            -- looked up by key hash before the tenant is known
SELECT create_reference_table('model_prices');        -- global prices (tenant_id NULL) and tenants' overrides
SELECT create_reference_table('token_signing_keys');
SELECT create_reference_table('operator_keys');
SELECT create_reference_table('llmlog_analysts');

-- Tenant data: sharded by tenant_id, co-located, so a tenant's conversations, messages, rollups and settings live
-- on one node and every statement the service runs (each names its tenant) goes to one shard.
SELECT create_distributed_table('llm_conversations', 'tenant_id');
SELECT create_distributed_table('llm_messages', 'tenant_id', colocate_with => 'llm_conversations');
SELECT create_distributed_table('llm_usage_hourly', 'tenant_id', colocate_with => 'llm_conversations');
SELECT create_distributed_table('llm_usage_daily_tenant', 'tenant_id', colocate_with => 'llm_conversations');
SELECT create_distributed_table('tenant_settings', 'tenant_id', colocate_with => 'llm_conversations');
SELECT create_distributed_table('llm_user_erasures', 'tenant_id', colocate_with => 'llm_conversations');
SELECT create_distributed_table('llm_message_search', 'tenant_id', colocate_with => 'llm_conversations');
SELECT create_distributed_table('llm_scores', 'tenant_id', colocate_with => 'llm_conversations');
-- The search queue is taken by ctid (Store/SearchIndexStatements.swift), which names a row within one shard only:
-- under Citus the indexer would have to take each tenant's rows by key instead. Not done: see the README.
SELECT create_distributed_table('llm_search_queue', 'tenant_id', colocate_with => 'llm_conversations');
-- llmlog_migrations stays a local table of the coordinator.
SELECT create_distributed_table('llm_budgets', 'tenant_id', colocate_with => 'llm_conversations');
SELECT create_distributed_table('llm_webhooks', 'tenant_id', colocate_with => 'llm_conversations');
SELECT create_distributed_table('llm_budget_alerts', 'tenant_id', colocate_with => 'llm_conversations');
SELECT create_distributed_table('llm_webhook_deliveries', 'tenant_id', colocate_with => 'llm_conversations');
