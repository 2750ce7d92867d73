/// Transaction isolation levels.
public enum PGIsolationLevel: String, Sendable {
    case readCommitted = "READ COMMITTED"
    case repeatableRead = "REPEATABLE READ"
    case serializable = "SERIALIZABLE"
}

extension PGConnection {
    /// Runs `body` in a transaction: COMMIT when it returns, ROLLBACK when it throws (the error is rethrown).
    public func withTransaction<R>(
        isolation: PGIsolationLevel = .readCommitted, readOnly: Bool = false,
        _ body: (PGConnection) async throws -> R
    ) async throws -> R {
        let mode = readOnly ? " READ ONLY" : ""
        try await query(PGQuery(unsafeSQL: "BEGIN ISOLATION LEVEL \(isolation.rawValue)\(mode)"))
        let value: R
        do {
            value = try await body(self)
        } catch {
            await rollbackQuietly()
            throw error
        }
        do {
            try await query("COMMIT")
        } catch {
            await rollbackQuietly()
            throw error
        }
        return value
    }

    /// ROLLBACK that survives task cancellation and a broken connection (the pool then discards it).
    func rollbackQuietly() async {
        await Task {
            _ = try? await self.query("ROLLBACK")
        }.value
    }
}
