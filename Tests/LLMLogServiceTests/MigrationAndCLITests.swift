import Foundation
import LLMLogService
import Logging
import PGClient
import PGTestSupport
import Testing

@Suite struct MigrationTests {
    static let logger = Logger(label: "test")

    @Test func concurrentMigratorsBothSucceedAndApplyOnce() async throws {
        let configuration = try await TestDatabase.createDatabase(prefix: "migrate")
        let migrator = try Migrator(logger: Self.logger)
        async let first = migrator.migrate(configuration)
        async let second = migrator.migrate(configuration)
        let (a, b) = try await (first, second)
        #expect((a + b).sorted() == migrator.migrations.map(\.name).sorted())
        #expect(try await migrator.migrate(configuration).isEmpty)
        let pool = PGPool(configuration: configuration, options: .init(maxConnections: 1))
        #expect(try await migrator.isCurrent(pool))
        let recorded = try await pool.query("SELECT count(*) FROM llmlog_migrations")[0].decode(Int.self, column: 0)
        #expect(recorded == migrator.migrations.count)
        await pool.close()
    }

    @Test func anEditedAppliedMigrationIsRefused() async throws {
        let configuration = try await TestDatabase.createDatabase(prefix: "migrate")
        let original = Migrator.Migration(version: 1, name: "001_t.sql", sql: "CREATE TABLE t (n int);")
        try await Migrator(migrations: [original], logger: Self.logger).migrate(configuration)
        let edited = Migrator.Migration(version: 1, name: "001_t.sql", sql: "CREATE TABLE t (n bigint);")
        let error = await #expect(throws: MigrationError.self) {
            try await Migrator(migrations: [edited], logger: Self.logger).migrate(configuration)
        }
        #expect(error?.message.contains("001_t.sql") == true)
        // A failing migration leaves nothing half-applied.
        let broken = Migrator.Migration(version: 2, name: "002_broken.sql", sql: "CREATE TABLE u (n int); SELEC 1;")
        await #expect(throws: PGError.self) {
            try await Migrator(migrations: [original, broken], logger: Self.logger).migrate(configuration)
        }
        let connection = try await PGConnection.connect(configuration)
        #expect(try await connection.query("SELECT to_regclass('u') IS NULL")[0].decode(Bool.self, column: 0))
        #expect(try await connection.query("SELECT count(*) FROM llmlog_migrations")[0].decode(Int.self, column: 0) == 1)
        await connection.close()
    }
}

/// The `llmlog` command line, run as a process against a real database.
@Suite struct CLITests {
    static var binary: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(".build/debug/llmlog")
    }

    func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test func tenantAndKeyCommands() async throws {
        #expect(FileManager.default.isExecutableFile(atPath: Self.binary.path), "build the llmlog product first (swift build)")
        let configuration = try await TestDatabase.createDatabase(prefix: "cli")
        let cluster = try await TestDatabase.cluster()
        let database = cluster.url(database: configuration.parameters.first { $0.keyword == "dbname" }!.value)
        let created = try run(["tenant", "create", "acme", "--json", "--database-url", database])
        #expect(created.status == 0)
        let tenant = try JSONDecoder().decode([String: String].self, from: Data(created.output.utf8))
        #expect(Set(tenant.keys) == ["tenantId", "adminKey", "ingestKey"])
        #expect(tenant["adminKey"]?.hasPrefix("llmlog_ak_") == true && tenant["ingestKey"]?.hasPrefix("llmlog_ik_") == true)
        let duplicate = try run(["tenant", "create", "acme", "--json", "--database-url", database])
        #expect(duplicate.status != 0)

        let key = try run(["key", "create", "--tenant", tenant["tenantId"]!, "--role", "ingest", "--json", "--database-url", database])
        #expect(key.status == 0)
        let keyObject = try JSONSerialization.jsonObject(with: Data(key.output.utf8)) as? [String: Any]
        let keyID = try #require(keyObject?["keyId"] as? String)
        let secret = try #require(keyObject?["key"] as? String)

        let pool = PGPool(configuration: configuration, options: .init(maxConnections: 1))
        let tenants = TenantStore(pool: pool)
        #expect(try await tenants.authenticate(key: secret)?.role == .ingest)
        #expect(try run(["key", "revoke", keyID, "--database-url", database]).status == 0)
        #expect(try await tenants.authenticate(key: secret) == nil)
        #expect(try run(["key", "revoke", keyID, "--database-url", database]).status != 0)
        #expect(try run(["key", "create", "--tenant", tenant["tenantId"]!, "--role", "superuser", "--database-url", database]).status != 0)
        #expect(try run(["migrate", "--database-url", database]).output.contains("current"))
        await pool.close()
    }

    @Test func analystCommands() async throws {
        let configuration = try await TestDatabase.createDatabase(prefix: "cli")
        let cluster = try await TestDatabase.cluster()
        let database = cluster.url(database: configuration.parameters.first { $0.keyword == "dbname" }!.value)
        let tenant = try JSONDecoder().decode([String: String].self, from: Data(try run(["tenant", "create", "acme", "--json", "--database-url", database]).output.utf8))
        let tenantId = try #require(tenant["tenantId"])
        let name = "cli_analyst_\(UUID().uuidString.prefix(6).lowercased())"
        let created = try run(["analyst", "create", "--tenant", tenantId, name, "--json", "--database-url", database])
        #expect(created.status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(created.output.utf8)) as? [String: Any]
        #expect(object?["name"] as? String == name)
        #expect((object?["password"] as? String)?.count ?? 0 >= 40)
        #expect((object?["tenantId"] as? String)?.lowercased() == tenantId.lowercased())
        let all = try run(["analyst", "create", "--all", name + "_all", "--database-url", database])
        #expect(all.status == 0 && all.output.contains("every tenant"))
        // Exactly one of --tenant and --all; a valid name; an existing tenant.
        #expect(try run(["analyst", "create", name + "_x", "--database-url", database]).status != 0)
        #expect(try run(["analyst", "create", "--all", "--tenant", tenantId, name + "_y", "--database-url", database]).status != 0)
        #expect(try run(["analyst", "create", "--all", "Bad-Name", "--database-url", database]).status != 0)
        #expect(try run(["analyst", "create", "--tenant", UUID().uuidString, name + "_z", "--database-url", database]).status != 0)
        #expect(try run(["analyst", "drop", name, "--database-url", database]).status == 0)
        #expect(try run(["analyst", "drop", name + "_all", "--database-url", database]).status == 0)
        #expect(try run(["analyst", "drop", name, "--database-url", database]).status != 0)
    }
}
