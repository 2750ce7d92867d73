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

    /// The failing statement travels with its error, in a pipeline too (and the ones skipped after it name themselves).
    @Test func theFailingStatementTravelsWithItsError() async throws {
        try await TestDatabase.withConnection(suite: Self.suite) { (connection: PGConnection) async throws in
            let single = await #expect(throws: PGError.self) { try await connection.query("SELECT 1 / \(0)") }
            #expect(single?.query == "SELECT 1 / $1")
            #expect(single.map { "\($0)" }?.contains("SELECT") == false)  // description stays short; debugDescription has it
            #expect(single?.debugDescription.contains("query: SELECT 1 / $1") == true)
            let results = try await connection.pipeline(["SELECT 1", "SELECT 1 / 0", "SELECT 2"])
            #expect((try? results[0].get()) != nil)
            guard case .failure(let failed) = results[1], case .failure(let skipped) = results[2] else {
                Issue.record("the pipeline did not fail at its second statement")
                return
            }
            #expect(failed.query == "SELECT 1 / 0" && failed.code == PGError.Code("22012"))
            #expect(skipped.query == "SELECT 2")
        }
    }

    /// "Retry?" has one answer, by kind and SQLSTATE.
    @Test func retryableErrorsAreTheOnesALaterTryMayCure() {
        func server(_ code: String) -> PGError { PGError(kind: .server, code: PGError.Code(code), message: "") }
        for error in [
            PGError(kind: .connectionClosed, message: ""), PGError(kind: .poolTimeout, message: ""), server("40001"),
            server("40P01"), server("57014"), server("57P01"), server("53300"), server("08006"),
        ] {
            #expect(error.isRetryable, "\(error)")
        }
        for error in [
            PGError(kind: .decoding, message: ""), PGError(kind: .cancelled, message: ""), server("23505"),
            server("22003"), server("42601"), server("42501"),
        ] {
            #expect(!error.isRetryable, "\(error)")
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
                .first?.decode(String?.self, column: 0) != "PgSleep"
            {}
            await observer.close()
            let error = await #expect(throws: PGError.self) { try await connection.query("SELECT 1") }
            #expect(error?.kind == .misuse)
            slow.cancel()
            _ = await slow.result
            #expect(try await connection.query("SELECT 1")[0].decode(Int.self, column: 0) == 1)
        }
    }
}
