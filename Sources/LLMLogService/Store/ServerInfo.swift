import PGClient

/// What the service asks of the server itself.
enum ServerInfo {
    /// The PostgreSQL server version number (e.g. 150018).
    static func version(_ connection: PGConnection) async throws -> Int {
        guard let row = try await connection.query("SELECT current_setting('server_version_num')::int").first else {
            throw PGError(kind: .decoding, message: "server_version_num returned no row")
        }
        return try row.decode(Int.self, column: 0)
    }
}
