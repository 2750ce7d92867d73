import CBench

/// The C program over libpq (Sources/CBench), the physical limit. Its calls block the calling thread.
final class CClient: BenchClient {
    let key = "c"
    let displayName = "C libpq"
    let pipelineMethod = "libpq pipeline mode (PQenterPipelineMode, PQsendQueryParams x N, one PQpipelineSync)"
    private let connection: OpaquePointer

    init(conninfo: String) throws {
        var error = [CChar](repeating: 0, count: 1024)
        guard let connection = cbench_connect(conninfo, &error, error.count) else {
            throw BenchError("C client: \(Self.message(error))")
        }
        self.connection = connection
    }

    private static func message(_ error: [CChar]) -> String {
        String(decoding: error.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private func check(_ body: (UnsafeMutablePointer<CChar>, Int) -> Int32) throws {
        var error = [CChar](repeating: 0, count: 1024)
        let status = error.withUnsafeMutableBufferPointer { body($0.baseAddress!, $0.count) }
        if status != 0 { throw BenchError("C client: \(Self.message(error))") }
    }

    func fetch(rows: Int) async throws -> FetchSummary {
        var summary = cbench_fetch_summary()
        try check { cbench_fetch(connection, Int64(rows), &summary, $0, $1) }
        return FetchSummary(rows: summary.rows, stable: summary.stable_checksum, mixed: summary.volatile_checksum)
    }

    func singleInserts(count: Int) async throws {
        try check { cbench_single_inserts(connection, Int64(count), $0, $1) }
    }

    func pipelinedInserts(count: Int) async throws {
        try check { cbench_pipelined_inserts(connection, Int64(count), $0, $1) }
    }

    func bulkInsert(count: Int) async throws {
        try check { cbench_bulk_insert(connection, Int64(count), $0, $1) }
    }

    func close() async { cbench_close(connection) }
}
