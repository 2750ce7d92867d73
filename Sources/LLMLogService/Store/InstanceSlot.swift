import Logging
import PGClient
import ServiceLifecycle

/// A number no other running instance on the database holds, claimed as a PostgreSQL advisory lock on a connection
/// kept for the instance's life: the writer's rollup lanes are `slot × lanes …`, so instances add into rollup rows of
/// their own. When the connection drops, the lock goes with it and the slot is free again (another instance taking it
/// only makes the two share rows: slower, never wrong — upserts add).
public final class InstanceSlot: Service, Sendable {
    /// The slot claimed (0 for the first instance).
    public let slot: Int
    private let connection: PGConnection

    /// The advisory-lock namespace of slots ("llml").
    static let namespace: Int32 = 0x6C6C_6D6C

    private init(slot: Int, connection: PGConnection) {
        self.slot = slot
        self.connection = connection
    }

    /// Claims the lowest free slot below `limit` on a connection of its own; nil when all are taken.
    public static func claim(_ configuration: PGConnectionConfiguration, limit: Int, logger: Logger) async throws -> InstanceSlot? {
        let connection = try await PGConnection.connect(configuration, logger: logger)
        for slot in 0..<max(1, limit) {
            let taken = try await connection.query("SELECT pg_try_advisory_lock(\(namespace), \(Int32(slot)))")[0].decode(Bool.self, column: 0)
            if taken { return InstanceSlot(slot: slot, connection: connection) }
        }
        await connection.close()
        return nil
    }

    /// Holds the slot until graceful shutdown, then closes its connection (which releases it).
    public func run() async throws {
        try? await gracefulShutdown()
        await connection.close()
    }

    /// Releases the slot now (for builders that fail after claiming one).
    public func release() async {
        await connection.close()
    }
}
