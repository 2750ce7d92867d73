import PGClient

/// What the service asks a read replica about itself.
enum ReplicaStatus {
    /// Seconds the replica's replay is behind what it has received: 0 when it has replayed everything (an idle primary
    /// is not lag), else the age of the last transaction it replayed. 0 on a server that is not in recovery.
    static func lagSeconds(_ connection: PGConnection) async throws -> Double {
        let rows = try await connection.query(
            """
            SELECT CASE
                     WHEN NOT pg_is_in_recovery() THEN 0::float8
                     WHEN pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn() THEN 0::float8
                     ELSE COALESCE(GREATEST(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0)::float8, 0::float8)
                   END
            """)
        guard let row = rows.first else { throw PGError(kind: .decoding, message: "the replica's lag query returned no row") }
        return try row.decode(Double.self, column: 0)
    }
}
