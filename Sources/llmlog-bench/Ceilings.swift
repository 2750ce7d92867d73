import Foundation
import PGClient

/// PostgreSQL's own ceilings on the benchmark cluster, writing message-shaped rows into `bench_messages`, a copy
/// of `llm_messages` with the same columns, defaults, checks and indexes (no foreign key, no row-level security).
struct Ceilings {
    let cluster: PGLocalCluster
    let database: String
    let pool: PGPool
    let tenant: UUID
    let directory: String

    static let table = "bench_messages"

    func prepare() async throws {
        try await pool.query("DROP TABLE IF EXISTS bench_messages")
        try await pool.query("CREATE TABLE bench_messages (LIKE llm_messages INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES)")
    }

    func truncate() async throws {
        try await pool.query("TRUNCATE bench_messages")
        try await pool.query("CHECKPOINT")
    }

    func count() async throws -> Int {
        try await pool.query("SELECT count(*) FROM bench_messages").first!.decode(Int.self)
    }

    /// Rows per second of one binary `COPY … FROM STDIN` of `rows` rows (rows made in Swift meanwhile).
    func copy(rows: Int) async throws -> Double {
        try await truncate()
        let hash = Data(repeating: 0xAB, count: 32)
        let cost = Decimal(string: MessageShape.cost)!
        let metadata = PGRawJSON("{}")
        let start = ContinuousClock.now
        let stored = try await pool.withConnection { connection in
            try await connection.copyFrom(table: Self.table, columns: MessageShape.columns) { writer in
                let now = Date()
                for index in 0..<rows {
                    try await writer.append(
                        tenant, UUID(), UUID(), "ASSISTANT", MessageShape.content, MessageShape.provider, MessageShape.model,
                        MessageShape.inputTokens, MessageShape.cachedInputTokens, MessageShape.outputTokens, MessageShape.totalTokens,
                        cost, "computed", MessageShape.processingTime, Int32(index % 1000), "end_turn", metadata, hash, now,
                        MessageShape.userId)
                }
            }
        }
        let seconds = (ContinuousClock.now - start).seconds
        guard stored == rows else { throw BenchError("COPY stored \(stored) of \(rows) rows") }
        return Double(rows) / seconds
    }

    /// Rows per second of pgbench sending `rowsPerStatement`-row INSERTs from `clients` clients for `seconds`.
    func pgbench(rowsPerStatement: Int, clients: Int, seconds: Int) async throws -> Double {
        try await truncate()
        let values = (0..<rowsPerStatement).map { MessageShape.sqlValues(tenant: tenant, index: $0) }.joined(separator: ",\n")
        let script = "INSERT INTO bench_messages (\(MessageShape.columns.joined(separator: ", "))) VALUES\n\(values);\n"
        let path = try Tools.write(script, named: "insert-\(rowsPerStatement).sql", in: directory)
        // pgbench's -T relies on SIGALRM, which a child of this process may have blocked: run a fixed number of
        // transactions instead, sized from a short first run to last about `seconds`.
        func pgbench(transactions: Int) async throws -> (output: String, tps: Double) {
            let output = try await Tools.run(
                "pgbench",
                [
                    "-h", "127.0.0.1", "-p", String(cluster.port), "-U", cluster.superuser, "-n", "-M", "prepared",
                    "-f", path, "-c", String(clients), "-j", "2", "-t", String(transactions), database,
                ])
            guard let line = output.split(separator: "\n").first(where: { $0.hasPrefix("tps = ") }),
                let tps = Double(line.dropFirst(6).split(separator: " ").first ?? "")
            else {
                throw BenchError("pgbench printed no tps: \(output.suffix(2000))")
            }
            return (output, tps)
        }
        let probe = try await pgbench(transactions: rowsPerStatement > 1 ? 2 : 20)
        let (_, tps) = try await pgbench(transactions: max(2, Int(probe.tps * Double(seconds) / Double(clients))))
        let stored = try await count()
        guard stored > 0 else { throw BenchError("pgbench stored no row") }
        return tps * Double(rowsPerStatement)
    }
}

extension Duration {
    /// The duration in seconds, as a Double.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
