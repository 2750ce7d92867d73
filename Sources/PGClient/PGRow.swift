/// One row of a PGResult. Decode fields by position, by column name, or all at once as a tuple:
///
///     let (id, name, age) = try row.decode((UUID, String, Int?).self)
public struct PGRow: Sendable {
    public let result: PGResult
    public let index: Int

    /// Decodes the field at `column` (0-based).
    @inline(__always)
    public func decode<T: PGDecodable>(_ type: T.Type = T.self, column: Int) throws(PGError) -> T {
        guard column >= 0, column < result.columns.count else {
            throw PGError(kind: .decoding, message: "column index \(column) out of range: the row has \(result.columns.count) columns")
        }
        do throws(PGDecodingFailure) {
            // `self.result` keeps the libpq result (and so the value's bytes) alive for this call.
            return try T.decode(from: result.value(row: index, column: column))
        } catch {
            throw decodingError(error, column: column, swiftType: T.self)
        }
    }

    /// Decodes the field of the column named `name` (the first, if several share it).
    public func decode<T: PGDecodable>(_ type: T.Type = T.self, column name: String) throws(PGError) -> T {
        guard let column = result.columnIndex[name] else {
            throw PGError(kind: .decoding, message: "no column named \"\(name)\"")
        }
        return try decode(T.self, column: column)
    }

    /// Decodes the whole row as a tuple, one Swift type per column, in order.
    public func decode<each T: PGDecodable>(_ types: (repeat each T).Type) throws(PGError) -> (repeat each T) {
        var expected = 0
        for _ in repeat (each T).self { expected += 1 }
        guard expected == result.columns.count else {
            throw PGError(kind: .decoding, message: "the row has \(result.columns.count) columns, the tuple \(expected) types")
        }
        var column = 0
        return (repeat try Self.next((each T).self, from: self, column: &column))
    }

    /// Decodes the field at `column` and moves to the next one (an inout parameter, not a captured variable,
    /// so the tuple decode pays no dynamic exclusivity check per field).
    @inline(__always)
    static func next<C: PGDecodable>(_: C.Type, from row: PGRow, column: inout Int) throws(PGError) -> C {
        defer { column += 1 }
        return try row.decode(C.self, column: column)
    }

    func decodingError(_ failure: PGDecodingFailure, column: Int, swiftType: Any.Type) -> PGError {
        let info = result.columns[column]
        let reason: String
        switch failure {
        case .unexpectedNull: reason = "is NULL, and \(swiftType) is not Optional"
        case .typeMismatch: reason = "cannot be decoded as \(swiftType)"
        case .invalidValue(let why): reason = "is not a valid \(swiftType): \(why)"
        }
        return PGError(
            kind: .decoding,
            message: "column \(column) \"\(info.name)\" of type \(info.type) (\(info.format)) \(reason)",
            column: info.name)
    }
}
