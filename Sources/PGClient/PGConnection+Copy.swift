/// Builds binary COPY data row by row, with the same encoders as bound parameters, and streams it to the
/// server in chunks. Get one from `PGConnection.copyFrom`.
public final class PGCopyWriter {
    let connection: PGConnection
    var buffer: [UInt8] = []
    let chunkSize: Int
    /// Rows appended so far.
    public private(set) var rowCount = 0

    init(connection: PGConnection, chunkSize: Int) {
        self.connection = connection
        self.chunkSize = chunkSize
        buffer.reserveCapacity(chunkSize + 4096)
        buffer.append(contentsOf: Array("PGCOPY\n".utf8) + [0xFF, 0x0D, 0x0A, 0x00])
        buffer.appendBigEndian(Int32(0))  // flags
        buffer.appendBigEndian(Int32(0))  // header extension length
    }

    /// Appends one row; its values must match the COPY's column list in number, order and type.
    public func append<each Value: PGEncodable>(_ values: repeat each Value) async throws {
        var fields = 0
        for _ in repeat (each Value).self { fields += 1 }
        buffer.appendBigEndian(Int16(fields))
        repeat appendField(each values)
        rowCount += 1
        if buffer.count >= chunkSize { try await flush() }
    }

    private func appendField<Value: PGEncodable>(_ value: Value) {
        if value.pgIsNull {
            buffer.appendBigEndian(Int32(-1))
            return
        }
        let lengthAt = buffer.count
        buffer.appendBigEndian(Int32(0))
        value.encode(into: &buffer)
        let length = Int32(buffer.count - lengthAt - 4).bigEndian
        withUnsafeBytes(of: length) { bytes in
            for offset in 0..<4 { buffer[lengthAt + offset] = bytes[offset] }
        }
    }

    func flush() async throws {
        guard !buffer.isEmpty else { return }
        let chunk = buffer
        buffer.removeAll(keepingCapacity: true)
        try await connection.run { raw, operation throws(PGError) in try raw.putCopyData(chunk, operation: operation) }
    }

    func finish() async throws {
        buffer.appendBigEndian(Int16(-1))  // trailer
        try await flush()
    }
}

extension PGConnection {
    /// Bulk-loads rows with `COPY table (columns) FROM STDIN (FORMAT binary)`; `body` appends the rows.
    /// Returns the number of rows the server stored. If `body` throws, the COPY is aborted and nothing is stored.
    ///
    ///     try await connection.copyFrom(table: "items", columns: ["id", "name"]) { writer in
    ///         for item in items { try await writer.append(item.id, item.name) }
    ///     }
    @discardableResult
    public func copyFrom(
        table: String, columns: [String], chunkSize: Int = 1 << 20, _ body: (PGCopyWriter) async throws -> Void
    ) async throws -> Int {
        let sql = "COPY \(table) (\(columns.joined(separator: ", "))) FROM STDIN (FORMAT binary)"
        try await run { raw, operation throws(PGError) in try raw.beginCopy(sql, operation: operation) }
        let writer = PGCopyWriter(connection: self, chunkSize: chunkSize)
        do {
            try await body(writer)
            try await writer.finish()
        } catch {
            _ = try? await Task {
                try await self.run { raw, operation throws(PGError) in
                    try raw.endCopy(failure: "aborted by the client", operation: operation)
                }
            }.value
            throw error
        }
        return try await run { raw, operation throws(PGError) in try raw.endCopy(failure: nil, operation: operation) }
    }
}
