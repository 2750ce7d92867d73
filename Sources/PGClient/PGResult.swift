import CLibPQ

/// The rows of a completed query, held in libpq's result (freed with the last reference).
/// Immutable after creation, so it may be read from any task.
public final class PGResult: @unchecked Sendable, RandomAccessCollection {
    /// libpq's result. Ownership: this object's — freed by `deinit` (`PQclear`), never anywhere else; private, so
    /// no pointer into it outlives the object.
    private let handle: OpaquePointer
    /// Number of rows.
    public let rowCount: Int
    /// The result's columns, in order.
    public let columns: [PGColumn]
    /// The command tag, e.g. `INSERT 0 5`.
    public let commandTag: String
    let columnIndex: [String: Int]
    /// Column types and formats as plain arrays: the row loop reads these without touching the names.
    let columnTypes: [PGDataType]
    let columnFormats: [PGFormat]

    init(handle: OpaquePointer) {
        self.handle = handle
        self.rowCount = Int(PQntuples(handle))
        let columnCount = Int(PQnfields(handle))
        var columns: [PGColumn] = []
        columns.reserveCapacity(columnCount)
        var columnIndex: [String: Int] = [:]
        for index in 0..<columnCount {
            let name = String(cString: PQfname(handle, Int32(index)))
            columns.append(
                PGColumn(
                    name: name, type: PGDataType(PQftype(handle, Int32(index))),
                    format: PGFormat(rawValue: PQfformat(handle, Int32(index))) ?? .text))
            if columnIndex[name] == nil { columnIndex[name] = index }
        }
        self.columns = columns
        self.columnIndex = columnIndex
        self.columnTypes = columns.map(\.type)
        self.columnFormats = columns.map(\.format)
        self.commandTag = String(cString: PQcmdStatus(handle))
    }

    deinit { PQclear(handle) }

    /// Rows affected by an INSERT, UPDATE, DELETE, MERGE, SELECT or COPY, from the command tag.
    public var affectedRows: Int? {
        let text = String(cString: PQcmdTuples(handle))
        return text.isEmpty ? nil : Int(text)
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { rowCount }
    public subscript(position: Int) -> PGRow { PGRow(result: self, index: position) }

    /// The field at (row, column) as a PGValue, valid while `self` is alive.
    @inline(__always)
    func value(row: Int, column: Int) -> PGValue {
        let row32 = Int32(row), column32 = Int32(column)
        let type = columnTypes[column], format = columnFormats[column]
        if PQgetisnull(handle, row32, column32) == 1 {
            return PGValue(type: type, format: format, bytes: nil)
        }
        let length = Int(PQgetlength(handle, row32, column32))
        let pointer = UnsafeRawPointer(PQgetvalue(handle, row32, column32))
        return PGValue(type: type, format: format, bytes: UnsafeRawBufferPointer(start: pointer, count: length))
    }
}

/// A result column: its name, PostgreSQL type and wire format.
public struct PGColumn: Sendable, Hashable {
    public let name: String
    public let type: PGDataType
    public let format: PGFormat
}
