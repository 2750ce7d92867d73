import Foundation
import Glibc
import Logging

extension PGLocalCluster {
    /// Settings a primary needs so that `startReplica()` can stream from it (PostgreSQL 15's defaults already allow it;
    /// they are spelled out so a changed default cannot break replicas). The replication line of pg_hba.conf that
    /// initdb writes (`host replication all 127.0.0.1/32 trust` with `--auth=trust`) lets the superuser in.
    public static let replicationSettings: [String: String] = ["wal_level": "replica", "max_wal_senders": "10"]

    /// Starts a streaming hot standby of this running cluster on a new free loopback port: `pg_basebackup -R -X stream`
    /// into a new temporary directory (as the postgres user when root), then `pg_ctl start`, and returns once it
    /// accepts connections. Its `stop()` removes it; `stopImmediately()`, `crash()` and `startAgain()` work as on a
    /// primary. It is read-only: every write there fails with SQLSTATE 25006.
    public func startReplica(logger: Logger = Logger(label: "pgclient.local")) async throws -> PGLocalCluster {
        try await Self.offloaded { [self] in
            let binaries = try PGLocalProcess.findBinaries()
            let asPostgres = geteuid() == 0
            let directory = try PGLocalProcess.makeTemporaryDirectory()
            let dataDirectory = directory + "/data"
            try PGLocalProcess.makeDataDirectory(dataDirectory, asPostgres: asPostgres)
            try PGLocalProcess.run(
                binaries.pgBasebackup,
                ["-h", "127.0.0.1", "-p", String(port), "-U", superuser, "-D", dataDirectory, "-R", "-X", "stream", "--checkpoint=fast"],
                asPostgres: asPostgres, what: "pg_basebackup")
            do {
                let replica = try Self.startOnFreePort(dataDirectory: dataDirectory, binaries: binaries, asPostgres: asPostgres, removeOnStop: true)
                logger.info("local replica started", metadata: ["port": "\(replica.port)", "primary_port": "\(port)"])
                return replica
            } catch {
                try? FileManager.default.removeItem(atPath: directory)
                throw error
            }
        }
    }

    /// Stops the server like `pg_ctl stop -m immediate`: sessions are cut without a checkpoint (an outage, for tests);
    /// the data is kept, and `startAgain()` brings it back on the same port after crash recovery.
    public func stopImmediately() async throws {
        try await Self.offloaded { [self] in PGLocalProcess.stopServerImmediately(dataDirectory: dataDirectory) }
    }
}
