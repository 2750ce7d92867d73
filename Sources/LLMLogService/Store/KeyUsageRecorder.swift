import Foundation
import Logging
import PGClient
import ServiceLifecycle
import Synchronization

/// Keeps `api_keys.last_used_at` without a write per request: authenticated key ids are collected in memory and
/// written in one statement every `interval` (and at shutdown).
public final class KeyUsageRecorder: Service, Sendable {
    let pool: PGPool
    let interval: Duration
    let logger: Logger
    private let used = Mutex<Set<UUID>>([])

    public init(pool: PGPool, interval: Duration = .seconds(30), logger: Logger) {
        self.pool = pool
        self.interval = interval
        self.logger = logger
    }

    /// Notes that a key was used now.
    public func record(_ keyId: UUID) {
        used.withLock { _ = $0.insert(keyId) }
    }

    /// Writes the keys used since the last flush; returns how many.
    @discardableResult
    public func flush() async throws -> Int {
        let keys = used.withLock { used -> [UUID] in
            let keys = Array(used)
            used.removeAll()
            return keys
        }
        guard !keys.isEmpty else { return 0 }
        do {
            try await pool.query("SELECT llmlog_touch_keys(\(keys), \(Date().roundedToMicroseconds))")
        } catch {
            used.withLock { $0.formUnion(keys) }  // try again next time
            throw error
        }
        return keys.count
    }

    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: self.interval)
                do { try await self.flush() } catch { self.logger.warning("recording key use failed", metadata: ["error": "\(error)"]) }
            }
        }
        _ = try? await flush()
    }
}
