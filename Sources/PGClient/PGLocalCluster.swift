import Foundation
import Glibc
import Logging

/// A real PostgreSQL server of our own: `initdb` a data directory (once), start it with `pg_ctl` on a free
/// loopback port, wait until it accepts connections, and stop it. Used by the tests (temporary directory,
/// removed at stop) and by `llmlog serve` without `DATABASE_URL` (`./.llmlog/pg`, kept between runs).
/// When running as root, the server runs as the `postgres` OS user through `runuser`.
public final class PGLocalCluster: Sendable {
    /// The data directory.
    public let dataDirectory: String
    /// The loopback TCP port the server listens on.
    public let port: Int
    /// The superuser name (trust authentication on loopback only).
    public let superuser = "postgres"
    /// True when `start` found the server already running (started by an earlier process).
    public let wasAlreadyRunning: Bool
    let removeOnStop: Bool

    init(dataDirectory: String, port: Int, removeOnStop: Bool, wasAlreadyRunning: Bool = false) {
        self.dataDirectory = dataDirectory
        self.port = port
        self.removeOnStop = removeOnStop
        self.wasAlreadyRunning = wasAlreadyRunning
    }

    /// Connection settings for a database of this cluster, as the superuser.
    public func configuration(database: String = "postgres") -> PGConnectionConfiguration {
        PGConnectionConfiguration(host: "127.0.0.1", port: port, user: superuser, database: database, sslmode: "disable")
    }

    /// A `postgresql://` URL for a database of this cluster.
    public func url(database: String = "postgres") -> String {
        "postgresql://\(superuser)@127.0.0.1:\(port)/\(database)?sslmode=disable"
    }

    /// Starts a throwaway cluster in a new temporary directory; `stop()` removes it.
    /// `settings` go into postgresql.conf (e.g. `["fsync": "off"]` for tests that need no durability).
    public static func startTemporary(
        settings: [String: String] = [:], logger: Logger = Logger(label: "pgclient.local")
    ) async throws -> PGLocalCluster {
        try await offloaded {
            let directory = try PGLocalProcess.makeTemporaryDirectory()
            return try startBlocking(dataDirectory: directory + "/data", settings: settings, removeOnStop: true, logger: logger)
        }
    }

    /// Starts (creating it on first use) the cluster in `dataDirectory`, which is kept between runs.
    /// If a server from an earlier run is still up in that directory, it is reused.
    public static func start(
        dataDirectory: String, settings: [String: String] = [:], logger: Logger = Logger(label: "pgclient.local")
    ) async throws -> PGLocalCluster {
        try await offloaded {
            try startBlocking(dataDirectory: dataDirectory, settings: settings, removeOnStop: false, logger: logger)
        }
    }

    static func startBlocking(dataDirectory: String, settings: [String: String], removeOnStop: Bool, logger: Logger) throws -> PGLocalCluster {
        let binaries = try PGLocalProcess.findBinaries()
        let asPostgres = geteuid() == 0
        if !FileManager.default.fileExists(atPath: dataDirectory + "/PG_VERSION") {
            try PGLocalProcess.initialize(
                dataDirectory: dataDirectory, binaries: binaries, asPostgres: asPostgres, settings: settings, logger: logger)
        }
        if let running = PGLocalProcess.runningPort(dataDirectory: dataDirectory) {
            logger.info("reusing the local postgres already running", metadata: ["port": "\(running)"])
            return PGLocalCluster(dataDirectory: dataDirectory, port: running, removeOnStop: removeOnStop, wasAlreadyRunning: true)
        }
        let cluster = try startOnFreePort(dataDirectory: dataDirectory, binaries: binaries, asPostgres: asPostgres, removeOnStop: removeOnStop)
        logger.info("local postgres started", metadata: ["port": "\(cluster.port)", "data": "\(dataDirectory)"])
        return cluster
    }

    /// Stops the server and starts it again on the same port and data directory (for restart tests and
    /// operations); returns once it accepts connections again.
    public func restart() async throws {
        try await Self.offloaded { [self] in PGLocalProcess.stopServer(dataDirectory: dataDirectory) }
        try await startAgain()
    }

    /// Stops the server but keeps its data (for outage tests); `startAgain()` brings it back on the same port.
    public func stopKeepingData() async throws {
        try await Self.offloaded { [self] in PGLocalProcess.stopServer(dataDirectory: dataDirectory) }
    }

    /// Kills the server like a crash: SIGKILL to the postmaster and all its children, nothing flushed or shut down.
    /// `startAgain()` then runs crash recovery. For fault-injection tests.
    public func crash() async throws {
        try await Self.offloaded { [self] in PGLocalProcess.killServer(dataDirectory: dataDirectory) }
    }

    /// A TCP port on 127.0.0.1 that nothing listens on right now.
    public static func freeLoopbackPort() throws -> Int { try PGLocalProcess.freeLoopbackPort() }

    /// Starts the stopped server again on the same port; returns once it accepts connections.
    public func startAgain() async throws {
        try await Self.offloaded { [self] in
            let binaries = try PGLocalProcess.findBinaries()
            try PGLocalProcess.startServer(dataDirectory: dataDirectory, port: port, binaries: binaries, asPostgres: geteuid() == 0)
            try PGLocalProcess.waitUntilAccepting(configuration())
        }
    }

    /// Stops the server (fast shutdown: open sessions are ended) and waits for it to exit;
    /// a temporary cluster's directory is removed. Safe to call at process exit.
    public func stop() {
        PGLocalProcess.stopServer(dataDirectory: dataDirectory)
        if removeOnStop {
            try? FileManager.default.removeItem(atPath: (dataDirectory as NSString).deletingLastPathComponent)
        }
    }

    /// Runs blocking process work on a thread of its own, off Swift's cooperative pool.
    static func offloaded<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread { continuation.resume(with: Result(catching: body)) }
            thread.start()
        }
    }
}

/// A failure of the local cluster harness, with what to do about it.
public struct PGLocalClusterError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public var description: String { message }
}

extension PGLocalCluster {
    /// Starts the server of `dataDirectory` on a free loopback port and returns once it accepts connections; tries
    /// three ports, since a free port can be taken by someone else before the server binds it.
    static func startOnFreePort(
        dataDirectory: String, binaries: PGLocalProcess.Binaries, asPostgres: Bool, removeOnStop: Bool
    ) throws -> PGLocalCluster {
        var lastError: Error = PGLocalClusterError(message: "postgres did not start")
        for _ in 0..<3 {
            let port = try PGLocalProcess.freeLoopbackPort()
            do {
                try PGLocalProcess.startServer(dataDirectory: dataDirectory, port: port, binaries: binaries, asPostgres: asPostgres)
                let cluster = PGLocalCluster(dataDirectory: dataDirectory, port: port, removeOnStop: removeOnStop)
                try PGLocalProcess.waitUntilAccepting(cluster.configuration())
                return cluster
            } catch {
                lastError = error
            }
        }
        throw lastError
    }
}
