import Foundation
import Logging
import PGClient

/// What a one-shot CLI command needs: the database (embedded cluster started if needed, and stopped again
/// if this command started it), migrations applied, a small pool and the tenant store.
public struct AdminSession: Sendable {
    public let location: DatabaseLocation
    public let pool: PGPool
    public let tenants: TenantStore
    public let logger: Logger

    /// Runs `body` with a session for `configuration`.
    public static func with<R>(
        _ configuration: ServiceConfiguration, logger: Logger, _ body: (AdminSession) async throws -> R
    ) async throws -> R {
        let location = try await DatabaseLocation.resolve(
            databaseURL: configuration.databaseURL, directory: configuration.dataDirectory, logger: logger)
        defer { if let cluster = location.embedded, !cluster.wasAlreadyRunning { cluster.stop() } }
        try await Migrator(logger: logger).migrate(location.configuration)
        let pool = PGPool(configuration: location.configuration, options: .init(maxConnections: 2), logger: logger)
        let session = AdminSession(location: location, pool: pool, tenants: TenantStore(pool: pool), logger: logger)
        do {
            let value = try await body(session)
            await pool.close()
            return value
        } catch {
            await pool.close()
            throw error
        }
    }
}
