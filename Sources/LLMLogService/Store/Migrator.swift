import Foundation
import Logging
import PGClient

/// Applies the numbered SQL files of `sql/` (bundled as resources) in order, each in its own transaction,
/// recording name and SHA-256 in `llmlog_migrations`. An applied file whose text changed is refused; concurrent
/// migrators (several instances starting together) are serialized by an advisory lock.
public struct Migrator: Sendable {
    /// One migration file.
    public struct Migration: Sendable, Equatable {
        public let version: Int
        public let name: String
        public let sql: String

        public init(version: Int, name: String, sql: String) {
            self.version = version
            self.name = name
            self.sql = sql
        }

        public var checksum: String { SHA256Digest.hash(Data(sql.utf8)).map { String(format: "%02x", $0) }.joined() }
    }

    /// The key of the advisory lock migrators hold (an arbitrary constant: "llmlog" in ASCII).
    static let lockKey: Int64 = 0x6C6C_6D6C_6F67

    public let migrations: [Migration]
    let logger: Logger

    /// The migrations bundled with the service.
    public init(logger: Logger) throws {
        self.init(migrations: try Self.bundled(), logger: logger)
    }

    public init(migrations: [Migration], logger: Logger) {
        self.migrations = migrations.sorted { $0.version < $1.version }
        self.logger = logger
    }

    static func bundled() throws -> [Migration] {
        guard let directory = Bundle.module.url(forResource: "SQL", withExtension: nil) else {
            throw MigrationError(message: "the SQL migrations are missing from the service's resources")
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".sql") }
        return try files.map { file in
            guard let version = Int(file.prefix { $0.isNumber }) else {
                throw MigrationError(message: "migration file \(file) does not start with its number")
            }
            let sql = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            return Migration(version: version, name: file, sql: sql)
        }
    }

    /// Applies what is pending; returns the names applied now.
    @discardableResult
    public func migrate(_ configuration: PGConnectionConfiguration) async throws -> [String] {
        let connection = try await PGConnection.connect(configuration, logger: logger)
        defer { Task { await connection.close() } }
        try await connection.query("SELECT pg_advisory_lock(\(Self.lockKey))")
        do {
            let applied = try await apply(on: connection)
            try await connection.query("SELECT pg_advisory_unlock(\(Self.lockKey))")
            return applied
        } catch {
            _ = try? await connection.query("SELECT pg_advisory_unlock(\(Self.lockKey))")
            throw error
        }
    }

    private func apply(on connection: PGConnection) async throws -> [String] {
        try await connection.executeScript(
            """
            CREATE TABLE IF NOT EXISTS llmlog_migrations (
                version     integer PRIMARY KEY,
                name        text NOT NULL,
                checksum    text NOT NULL,
                applied_at  timestamptz NOT NULL DEFAULT now()
            )
            """)
        let done = try await appliedChecksums(connection)
        var applied: [String] = []
        for migration in migrations {
            if let checksum = done[migration.version] {
                guard checksum == migration.checksum else {
                    throw MigrationError(
                        message: """
                            migration \(migration.name) was changed after it was applied (checksum differs); \
                            add a new migration instead of editing an applied one
                            """)
                }
                continue
            }
            try await connection.withTransaction { tx in
                try await tx.executeScript(migration.sql)
                try await tx.query(
                    """
                    INSERT INTO llmlog_migrations (version, name, checksum)
                    VALUES (\(migration.version), \(migration.name), \(migration.checksum))
                    """)
            }
            logger.info("applied migration", metadata: ["migration": "\(migration.name)"])
            applied.append(migration.name)
        }
        return applied
    }

    private func appliedChecksums(_ connection: PGConnection) async throws -> [Int: String] {
        var result: [Int: String] = [:]
        for row in try await connection.query("SELECT version, checksum FROM llmlog_migrations") {
            let (version, checksum) = try row.decode((Int, String).self)
            result[version] = checksum
        }
        return result
    }

    /// True when every bundled migration is applied (for /readyz).
    public func isCurrent(_ pool: PGPool) async throws -> Bool {
        let rows = try await pool.query("SELECT version, checksum FROM llmlog_migrations")
        let applied = Dictionary(uniqueKeysWithValues: try rows.map { try $0.decode((Int, String).self) })
        return migrations.allSatisfy { applied[$0.version] == $0.checksum }
    }
}

/// A migration problem, with what to do about it.
public struct MigrationError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public var description: String { message }
}
