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

    /// Runs `llmlog` with `arguments` and returns its exit status and standard output. The process is run and read on a
    /// thread of its own: blocking on the pipe on Swift's cooperative pool (two threads on two cores) once starved
    /// every other test — a CLI migration waited for a migration of another test whose task could not run.
    func run(_ arguments: [String]) async throws -> (status: Int32, output: String) {
        try await RawConnection.onThread { try Self.runBlocking(arguments) }
    }

    /// The output goes to a file, read once the process has exited: a pipe's end of file never comes while another
    /// process spawned meanwhile (a test's PostgreSQL server) holds an inherited copy of its write end.
    private static func runBlocking(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let outputPath = NSTemporaryDirectory() + "llmlog-cli-\(UUID().uuidString).out"
        guard FileManager.default.createFile(atPath: outputPath, contents: nil) else { throw CocoaError(.fileWriteUnknown) }
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = arguments
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try output.close()
        return (process.terminationStatus, try String(contentsOfFile: outputPath, encoding: .utf8))
    }

    @Test func tenantAndKeyCommands() async throws {
        #expect(FileManager.default.isExecutableFile(atPath: Self.binary.path), "build the llmlog product first (swift build)")
        let configuration = try await TestDatabase.createDatabase(prefix: "cli")
        let cluster = try await TestDatabase.cluster()
        let database = cluster.url(database: configuration.parameters.first { $0.keyword == "dbname" }!.value)
        let created = try await run(["tenant", "create", "acme", "--json", "--database-url", database])
        #expect(created.status == 0)
        let tenant = try JSONDecoder().decode([String: String].self, from: Data(created.output.utf8))
        #expect(Set(tenant.keys) == ["tenantId", "adminKey", "ingestKey"])
        #expect(tenant["adminKey"]?.hasPrefix("llmlog_ak_") == true && tenant["ingestKey"]?.hasPrefix("llmlog_ik_") == true)
        let duplicate = try await run(["tenant", "create", "acme", "--json", "--database-url", database])
        #expect(duplicate.status != 0)

        let key = try await run(["key", "create", "--tenant", tenant["tenantId"]!, "--role", "ingest", "--json", "--database-url", database])
        #expect(key.status == 0)
        let keyObject = try JSONSerialization.jsonObject(with: Data(key.output.utf8)) as? [String: Any]
        let keyID = try #require(keyObject?["keyId"] as? String)
        let secret = try #require(keyObject?["key"] as? String)

        let pool = PGPool(configuration: configuration, options: .init(maxConnections: 1))
        let tenants = TenantStore(pool: pool)
        #expect(try await tenants.authenticate(key: secret)?.role == .ingest)
        #expect(try await run(["key", "revoke", keyID, "--database-url", database]).status == 0)
        #expect(try await tenants.authenticate(key: secret) == nil)
        #expect(try await run(["key", "revoke", keyID, "--database-url", database]).status != 0)
        #expect(try await run(["key", "create", "--tenant", tenant["tenantId"]!, "--role", "superuser", "--database-url", database]).status != 0)
        #expect(try await run(["migrate", "--database-url", database]).output.contains("current"))
        await pool.close()
    }

    @Test func analystCommands() async throws {
        let configuration = try await TestDatabase.createDatabase(prefix: "cli")
        let cluster = try await TestDatabase.cluster()
        let database = cluster.url(database: configuration.parameters.first { $0.keyword == "dbname" }!.value)
        let tenant = try JSONDecoder().decode(
            [String: String].self, from: Data(try await run(["tenant", "create", "acme", "--json", "--database-url", database]).output.utf8))
        let tenantId = try #require(tenant["tenantId"])
        let name = "cli_analyst_\(UUID().uuidString.prefix(6).lowercased())"
        let created = try await run(["analyst", "create", "--tenant", tenantId, name, "--json", "--database-url", database])
        #expect(created.status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(created.output.utf8)) as? [String: Any]
        #expect(object?["name"] as? String == name)
        #expect((object?["password"] as? String)?.count ?? 0 >= 40)
        #expect((object?["tenantId"] as? String)?.lowercased() == tenantId.lowercased())
        let all = try await run(["analyst", "create", "--all", name + "_all", "--database-url", database])
        #expect(all.status == 0 && all.output.contains("every tenant"))
        // Exactly one of --tenant and --all; a valid name; an existing tenant.
        #expect(try await run(["analyst", "create", name + "_x", "--database-url", database]).status != 0)
        #expect(try await run(["analyst", "create", "--all", "--tenant", tenantId, name + "_y", "--database-url", database]).status != 0)
        #expect(try await run(["analyst", "create", "--all", "Bad-Name", "--database-url", database]).status != 0)
        #expect(try await run(["analyst", "create", "--tenant", UUID().uuidString, name + "_z", "--database-url", database]).status != 0)
        #expect(try await run(["analyst", "drop", name, "--database-url", database]).status == 0)
        #expect(try await run(["analyst", "drop", name + "_all", "--database-url", database]).status == 0)
        #expect(try await run(["analyst", "drop", name, "--database-url", database]).status != 0)
    }
}
