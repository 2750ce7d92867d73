import Foundation
import PGClient
import PGTestSupport
import Testing

@Suite struct TransactionTests {
    static let suite = "transactions"

    struct Boom: Error {}

    @Test func commitOnReturnRollbackOnThrow() async throws {
        try await TestDatabase.withConnection(suite: Self.suite) { (connection: PGConnection) async throws in
            try await connection.executeScript("CREATE TABLE tx (n int8 PRIMARY KEY)")
            try await connection.withTransaction { tx in
                try await tx.query("INSERT INTO tx VALUES (\(1))")
                try await tx.query("INSERT INTO tx VALUES (\(2))")
            }
            await #expect(throws: Boom.self) {
                try await connection.withTransaction { tx in
                    try await tx.query("INSERT INTO tx VALUES (\(3))")
                    throw Boom()
                }
            }
            // A server error inside also rolls back the statements before it.
            await #expect(throws: PGError.self) {
                try await connection.withTransaction(isolation: .serializable) { tx in
                    try await tx.query("INSERT INTO tx VALUES (\(4))")
                    try await tx.query("INSERT INTO tx VALUES (\(1))")
                }
            }
            let rows = try await connection.query("SELECT n FROM tx ORDER BY n").map { try $0.decode(Int.self, column: 0) }
            #expect(rows == [1, 2])
            let status = try await connection.query("SELECT 1")  // idle again, not in an aborted transaction
            #expect(status.count == 1)
        }
    }

    @Test func isolationLevelIsApplied() async throws {
        try await TestDatabase.withConnection(suite: Self.suite) { (connection: PGConnection) async throws in
            let level = try await connection.withTransaction(isolation: .repeatableRead, readOnly: true) { tx in
                try await tx.query("SHOW transaction_isolation")[0].decode(String.self, column: 0)
            }
            #expect(level == "repeatable read")
        }
    }

    @Test func scriptsRunSeveralStatements() async throws {
        try await TestDatabase.withConnection(suite: Self.suite) { (connection: PGConnection) async throws in
            try await connection.executeScript(
                """
                CREATE TABLE script_a (n int);
                INSERT INTO script_a VALUES (1), (2);
                CREATE VIEW script_v AS SELECT sum(n) AS total FROM script_a;
                """)
            #expect(try await connection.query("SELECT total FROM script_v")[0].decode(Int.self, column: 0) == 3)
            let error = await #expect(throws: PGError.self) { try await connection.executeScript("SELECT 1; SELEC 2;") }
            #expect(error?.code == .syntaxError)
        }
    }
}
