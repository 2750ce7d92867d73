import PGClient

/// Usage and cost analytics over llmlog's rollups: `UsageQuery` (reports), `LatencyQuery` (percentiles), scoped by `AnalyticsScope` over an `AnalyticsWindow`.
public enum Analytics {
    /// The PostgreSQL server version number (e.g. 150018), the smallest query the analytics layer makes.
    public static func serverVersion(_ connection: PGConnection) async throws -> Int {
        try await connection.query("SELECT current_setting('server_version_num')::int").first!.decode(Int.self, column: 0)
    }
}
