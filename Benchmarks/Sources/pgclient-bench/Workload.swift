import Foundation

/// The SQL every client runs (the C program holds its own copy of the same text).
enum SQL {
    static let createTable = """
        DROP TABLE IF EXISTS bench_insert;
        CREATE TABLE bench_insert (id int8 PRIMARY KEY, name text NOT NULL, value float8 NOT NULL)
        """
    static let truncate = "TRUNCATE bench_insert"
    static let dropTable = "DROP TABLE IF EXISTS bench_insert"
    static let countRows = "SELECT count(*)::int8 FROM bench_insert"
}

/// The i-th inserted row, the same for every client: (i, "name-i", i * 0.5).
@inline(__always)
func insertRow(_ i: Int64) -> (id: Int64, name: String, value: Double) {
    (i, "name-\(i)", Double(i) * 0.5)
}

/// Rows 1…count as three columns, for the bulk `unnest` insert.
func insertColumns(count: Int) -> (ids: [Int64], names: [String], values: [Double]) {
    var ids: [Int64] = [], names: [String] = [], values: [Double] = []
    ids.reserveCapacity(count)
    names.reserveCapacity(count)
    values.reserveCapacity(count)
    for i in 1...Int64(count) {
        let (id, name, value) = insertRow(i)
        ids.append(id)
        names.append(name)
        values.append(value)
    }
    return (ids, names, values)
}

/// What a fetch read. `stable` must agree between clients; `mixed` differs between runs (now(), random UUIDs)
/// and is only there so the decoding cannot be optimized away.
struct FetchSummary: Equatable {
    var rows: Int64 = 0
    var stable: Int64 = 0
    var mixed: UInt64 = 0

    @inline(__always)
    mutating func add(id: Int64, name: String, value: Double, date: Date, uuid: UUID) {
        rows += 1
        let utf8 = name.utf8
        stable &+= id &+ Int64(utf8.count) &+ Int64(utf8.first ?? 0) &+ Int64((value * 3).rounded())
        let uuidHead = withUnsafeBytes(of: uuid.uuid) { $0.loadUnaligned(as: UInt64.self) }
        mixed ^= date.timeIntervalSinceReferenceDate.bitPattern ^ uuidHead
    }
}

/// One client under test. Each instance holds one open connection; every call blocks the caller until done.
protocol BenchClient: AnyObject {
    /// Short name for the table and the JSON ("c", "pgclient", "postgresnio").
    var key: String { get }
    /// Name for the table.
    var displayName: String { get }
    /// How `pipelinedInserts` works for this client.
    var pipelineMethod: String { get }
    func fetch(rows: Int) async throws -> FetchSummary
    func singleInserts(count: Int) async throws
    func pipelinedInserts(count: Int) async throws
    func bulkInsert(count: Int) async throws
    func close() async
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
