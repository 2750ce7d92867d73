import Foundation
import PGClient
import PGTestSupport
import Testing

@testable import LLMLogService

/// Citus-ready (issue #18): every table is either a tenant table — sharded by `tenant_id`, so its primary key, every
/// unique constraint or index and every foreign key to another tenant table include `tenant_id` — or one of the
/// listed global tables (reference tables in `sql/citus/distribute.sql`). Read from the catalog of a migrated
/// database, so a future migration that breaks the rule, or adds a table nobody classified, fails here.
@Suite struct DistributionReadinessTests {
    static let suite = "distribution"

    /// Tables copied to every node (or, for the migrations ledger, kept on the coordinator).
    static let global: Set<String> = [
        "tenants", "api_keys", "model_prices", "token_signing_keys", "operator_keys",
        "llmlog_analysts", "llmlog_migrations",
    ]

    static var distributeScript: String {
        get throws {
            let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("sql/citus/distribute.sql")
            return try String(contentsOf: url, encoding: .utf8)
        }
    }

    @Test func everyTenantTableKeysUniquesAndReferencesByTenant() async throws {
        try await TestService.run(suite: Self.suite) { service in
            let db = service.database
            let tables = try await db.query(
                """
                SELECT c.relname::text,
                       EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped)
                FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
                """
            ).map { try $0.decode((String, Bool).self) }
            let tenantTables = Set(tables.filter { !Self.global.contains($0.0) }.map(\.0))
            #expect(tenantTables.isSuperset(of: ["llm_conversations", "llm_messages", "llm_usage_hourly", "llm_usage_daily_tenant"]))
            for (table, hasTenant) in tables where !Self.global.contains(table) {
                #expect(hasTenant, "\(table) is neither global nor has tenant_id: classify it (and sql/citus/distribute.sql)")
            }
            // Every unique index (primary keys included) of a tenant table covers tenant_id.
            let uniques = try await db.query(
                """
                SELECT t.relname::text, i.relname::text,
                       EXISTS (SELECT 1 FROM unnest(x.indkey) k JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k
                               WHERE a.attname = 'tenant_id')
                FROM pg_index x JOIN pg_class t ON t.oid = x.indrelid JOIN pg_class i ON i.oid = x.indexrelid
                JOIN pg_namespace n ON n.oid = t.relnamespace
                WHERE n.nspname = 'public' AND x.indisunique
                """
            ).map { try $0.decode((String, String, Bool).self) }
            for (table, index, covers) in uniques where tenantTables.contains(table) {
                #expect(covers, "unique index \(index) of \(table) does not include tenant_id")
            }
            #expect(uniques.contains { $0.0 == "llm_messages" && $0.2 })
            // Every foreign key between tenant tables pairs tenant_id with tenant_id.
            let keys = try await db.query(
                """
                SELECT f.conname::text, t.relname::text, r.relname::text,
                       EXISTS (SELECT 1 FROM unnest(f.conkey, f.confkey) AS k(c, rc)
                               JOIN pg_attribute a ON a.attrelid = f.conrelid AND a.attnum = k.c
                               JOIN pg_attribute ra ON ra.attrelid = f.confrelid AND ra.attnum = k.rc
                               WHERE a.attname = 'tenant_id' AND ra.attname = 'tenant_id')
                FROM pg_constraint f JOIN pg_class t ON t.oid = f.conrelid JOIN pg_class r ON r.oid = f.confrelid
                WHERE f.contype = 'f'
                """
            ).map { try $0.decode((String, String, String, Bool).self) }
            for (name, table, referenced, paired) in keys where tenantTables.contains(table) && tenantTables.contains(referenced) {
                #expect(paired, "foreign key \(name) from \(table) to \(referenced) does not pair tenant_id")
            }
            #expect(keys.contains { $0.1 == "llm_messages" && $0.2 == "llm_conversations" && $0.3 })

            // The distribution script names every table once, each the way it was classified here.
            let script = try Self.distributeScript
            for table in tenantTables {
                #expect(script.contains("create_distributed_table('\(table)', 'tenant_id'"), "\(table) missing from distribute.sql")
            }
            for table in Self.global where table != "llmlog_migrations" {
                #expect(script.contains("create_reference_table('\(table)')"), "\(table) missing from distribute.sql")
            }
        }
    }
}
