import Foundation
import Logging
import PGClient
import Synchronization

/// A primary of its own with a streaming hot standby (`PGLocalCluster.startReplica`), for read-replica tests: started
/// on first use in a test process, stopped at exit. Separate from `TestDatabase`'s shared cluster, so the other
/// suites' WAL does not stream to it and pausing or stopping the replica touches nobody else.
public final class TestReplica: Sendable {
    /// The primary (writes; the service's `DATABASE_URL`).
    public let primary: PGLocalCluster
    /// Its hot standby (the service's `LLMLOG_READ_DATABASE_URL`).
    public let replica: PGLocalCluster

    init(primary: PGLocalCluster, replica: PGLocalCluster) {
        self.primary = primary
        self.replica = replica
    }

    private static let started = Mutex<TestReplica?>(nil)

    private static let startup = Task<TestReplica, Error> {
        var settings = PGLocalCluster.replicationSettings
        settings["fsync"] = "off"
        settings["max_connections"] = "200"
        let primary = try await PGLocalCluster.startTemporary(settings: settings)
        let replica: PGLocalCluster
        do {
            replica = try await primary.startReplica()
        } catch {
            primary.stop()
            throw error
        }
        let pair = TestReplica(primary: primary, replica: replica)
        started.withLock { $0 = pair }
        atexit { TestReplica.stopAtExit() }
        return pair
    }

    /// The process's primary and replica.
    public static func shared() async throws -> TestReplica { try await startup.value }

    /// Creates a new database on the primary and waits until the replica has it: how to reach it on each.
    public func createDatabase(prefix: String = "replica") async throws -> (primary: PGConnectionConfiguration, replicaURL: String) {
        let name = "\(prefix)_\(UUID().uuidString.prefix(8).lowercased())"
        let admin = try await PGConnection.connect(primary.configuration())
        do {
            // CREATE DATABASE takes no parameters; the name is made here from a UUID, never from input.
            try await admin.executeScript("CREATE DATABASE \(name)")
            await admin.close()
        } catch {
            await admin.close()
            throw error
        }
        try await waitForReplay()
        return (primary.configuration(database: name), replica.url(database: name))
    }

    /// Returns once the replica has replayed everything the primary had written when this was called (its replay
    /// position reached the primary's current WAL position); throws after `timeout`. Replay must not be paused.
    public func waitForReplay(timeout: Duration = .seconds(30)) async throws {
        let target = try await Self.single(primary, "SELECT pg_current_wal_lsn()::text", as: String.self)
        let deadline = ContinuousClock.now + timeout
        while try await !Self.single(replica, "SELECT pg_last_wal_replay_lsn() >= \(target)::pg_lsn", as: Bool.self) {
            guard ContinuousClock.now < deadline else {
                throw TestReplicaError(message: "the replica did not replay up to \(target) within \(timeout)")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Pauses the replica's replay and returns once it is paused: what the primary commits from now on stays
    /// invisible on the replica until `resumeReplay()`.
    public func pauseReplay(timeout: Duration = .seconds(30)) async throws {
        _ = try await Self.single(replica, "SELECT pg_wal_replay_pause()::text", as: String.self)
        let deadline = ContinuousClock.now + timeout
        while try await Self.single(replica, "SELECT pg_get_wal_replay_pause_state()", as: String.self) != "paused" {
            guard ContinuousClock.now < deadline else { throw TestReplicaError(message: "the replica's replay did not pause") }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Resumes the replica's replay.
    public func resumeReplay() async throws {
        _ = try await Self.single(replica, "SELECT pg_wal_replay_resume()::text", as: String.self)
    }

    /// One value of one row, from a short connection to `cluster` as the superuser.
    static func single<T: PGDecodable>(_ cluster: PGLocalCluster, _ query: PGQuery, as: T.Type) async throws -> T {
        let connection = try await PGConnection.connect(cluster.configuration())
        do {
            let rows = try await connection.query(query)
            await connection.close()
            guard let row = rows.first else { throw TestReplicaError(message: "no row") }
            return try row.decode(T.self, column: 0)
        } catch {
            await connection.close()
            throw error
        }
    }

    static func stopAtExit() {
        started.withLock { pair in
            pair?.replica.stop()
            pair?.primary.stop()
        }
    }
}

/// A replica that did not get where a test waited for it to be (replay position, pause), in time.
public struct TestReplicaError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public var description: String { message }
}
