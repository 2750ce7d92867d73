import Foundation
import PGClient
import PGTestSupport
import Testing

@Suite struct ErrorTests {
    static let suite = "errors"

    @Test func syntaxErrorCarriesSQLSTATE() async throws {
        try await TestDatabase.withConnection(suite: Self.suite) { (connection: PGConnection) async throws in
            let error = await #expect(throws: PGError.self) { try await connection.query("SELEC 1") }
            #expect(error?.kind == .server)
            #expect(error?.code == .syntaxError)
            #expect(error?.severity == "ERROR")
            #expect(error?.message.contains("syntax error") == true)
            // The connection is still usable after a statement error.
            #expect(try await connection.query("SELECT 1")[0].decode(Int.self, column: 0) == 1)
        }
    }

    @Test func uniqueViolationNamesConstraintAndHidesValues() async throws {
        try await TestDatabase.withConnection(suite: Self.suite) { (connection: PGConnection) async throws in
            try await connection.executeScript("CREATE TABLE uv (email text CONSTRAINT uv_email_key UNIQUE)")
            let secret = "alice-secret@example.com"
            try await connection.query("INSERT INTO uv VALUES (\(secret))")
            let error = await #expect(throws: PGError.self) { try await connection.query("INSERT INTO uv VALUES (\(secret))") }
            #expect(error?.code == .uniqueViolation)
            #expect(error?.constraint == "uv_email_key")
            #expect(error?.table == "uv")
            // The server's detail quotes the value; the description (what logs print) never does.
            #expect(error?.detail?.contains(secret) == true)
            #expect(error.map { "\($0)" }?.contains(secret) == false)
            #expect(error.map { "\($0)" }?.contains("23505") == true)
            #expect(error?.localizedDescription.contains(secret) == false)
        }
    }

    @Test func connectFailureIsAConnectionError() async throws {
        let cluster = try await TestDatabase.cluster()
        let wrong = cluster.configuration(database: "no_such_database_here")
        let error = await #expect(throws: PGError.self) { try await PGConnection.connect(wrong) }
        #expect(error?.kind == .connectionFailed)
        #expect(error?.code?.isConnectionException == true)
        #expect(error?.message.contains("no_such_database_here") == true)
    }

    @Test func queryDescriptionNeverShowsBinds() {
        let secret = "sk-live-1234"
        let query: PGQuery = "SELECT * FROM keys WHERE hash = \(secret) AND n = \(5)"
        #expect(query.sql == "SELECT * FROM keys WHERE hash = $1 AND n = $2")
        #expect(query.binds.count == 2)
        #expect(!"\(query)".contains(secret))
        let nothing: Int? = nil
        let trusted: PGQuery = "SELECT \(unsafeSQL: "count(*)") FROM t WHERE a = \(nothing)"
        #expect(trusted.sql == "SELECT count(*) FROM t WHERE a = $1")
    }

    @Test func configurationDescriptionMasksPasswords() {
        let url = PGConnectionConfiguration(url: "postgresql://app:hunter2@db.internal:5432/llmlog")
        #expect(!url.description.contains("hunter2"))
        #expect(url.description.contains("db.internal"))
        let parts = PGConnectionConfiguration(host: "h", user: "u", password: "hunter2", database: "d")
        #expect(!parts.description.contains("hunter2"))
    }

    @Test func concurrentUseOfOneConnectionIsRefused() async throws {
        try await TestDatabase.withConnection(suite: Self.suite) { (connection: PGConnection) async throws in
            let slow = Task { try await connection.query("SELECT pg_sleep(30)") }
            // Wait until the server is running the sleep on that connection.
            let observer = try await PGConnection.connect(try await TestDatabase.database(for: Self.suite))
            let pid = connection.backendPID
            while try await observer.query("SELECT wait_event FROM pg_stat_activity WHERE pid = \(pid)")
                .first?.decode(String?.self, column: 0) != "PgSleep" {}
            await observer.close()
            let error = await #expect(throws: PGError.self) { try await connection.query("SELECT 1") }
            #expect(error?.kind == .misuse)
            slow.cancel()
            _ = await slow.result
            #expect(try await connection.query("SELECT 1")[0].decode(Int.self, column: 0) == 1)
        }
    }
}
