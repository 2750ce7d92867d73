import Foundation
import Logging
import PGClient
import Synchronization

/// One throwaway PostgreSQL cluster per test process, started on first use and stopped at exit, with a
/// fresh database per suite so suites can run in parallel.
public enum TestDatabase {
    private static let started = Mutex<PGLocalCluster?>(nil)

    private static let startup = Task<PGLocalCluster, Error> {
        // Tests need no crash durability; fsync off keeps them fast. Fault tests that need it start their own.
        let cluster = try await PGLocalCluster.startTemporary(
            // Every suite runs its services (pools of 8 and more) at once: room for them all.
            settings: ["fsync": "off", "synchronous_commit": "on", "max_connections": "800"])
        started.withLock { $0 = cluster }
        atexit { TestDatabase.stopAtExit() }
        return cluster
    }

    /// The shared cluster.
    public static func cluster() async throws -> PGLocalCluster { try await startup.value }

    /// Creates a new, empty database and returns how to connect to it as the superuser.
    public static func createDatabase(prefix: String = "test") async throws -> PGConnectionConfiguration {
        let cluster = try await cluster()
        let name = "\(prefix)_\(UUID().uuidString.prefix(8).lowercased())"
        let admin = try await PGConnection.connect(cluster.configuration())
        defer { Task { await admin.close() } }
        // CREATE DATABASE takes no parameters; the name is made here from a UUID, never from input.
        try await admin.executeScript("CREATE DATABASE \(name)")
        return cluster.configuration(database: name)
    }

    private static let suites = Mutex<[String: Task<PGConnectionConfiguration, Error>]>([:])

    /// The database of one suite, created on first use: tests of a suite share it, suites don't.
    public static func database(for suite: String) async throws -> PGConnectionConfiguration {
        let task = suites.withLock { suites in
            if let task = suites[suite] { return task }
            let task = Task { try await createDatabase(prefix: suite.lowercased().filter { $0.isLetter || $0.isNumber }) }
            suites[suite] = task
            return task
        }
        return try await task.value
    }

    /// Runs `body` with a standalone connection to the suite's database, closed afterwards.
    public static func withConnection<R>(suite: String, _ body: (PGConnection) async throws -> R) async throws -> R {
        let connection = try await PGConnection.connect(try await database(for: suite))
        do {
            let value = try await body(connection)
            await connection.close()
            return value
        } catch {
            await connection.close()
            throw error
        }
    }

    static func stopAtExit() {
        started.withLock { $0?.stop() }
    }
}
