/// SQL text with bound parameters. String interpolation turns each value into a `$n` placeholder and binds it:
///
///     try await connection.query("SELECT name FROM users WHERE id = \(id) AND age > \(minimumAge)")
///
/// Trusted SQL text (identifiers chosen by the program, never user input) goes in with `\(unsafeSQL: text)`,
/// the one greppable escape hatch.
public struct PGQuery: Sendable, ExpressibleByStringInterpolation, CustomStringConvertible {
    /// The SQL with `$1`, `$2`, … placeholders.
    public var sql: String
    /// The bound values.
    public var binds: PGBindings
    /// Run as a named prepared statement that each connection parses and plans once and keeps (see `prepared()`).
    public var isPrepared = false

    /// A query with explicit SQL and binds.
    public init(unsafeSQL sql: String, binds: PGBindings = PGBindings()) {
        self.sql = sql
        self.binds = binds
    }

    public init(stringLiteral value: String) {
        self.sql = value
        self.binds = PGBindings()
    }

    public init(stringInterpolation: StringInterpolation) {
        self.sql = stringInterpolation.sql
        self.binds = stringInterpolation.binds
    }

    /// This query as a prepared statement: each connection prepares its SQL (with these parameter types) the first
    /// time and afterwards only binds and executes it, which saves the server parsing, analysing and — once it
    /// settles on a generic plan — planning it again. For statements a program runs over and over; a connection
    /// keeps at most `PGRawConnection.preparedLimit` of them (beyond that, queries run unprepared).
    public func prepared() -> PGQuery {
        var query = self
        query.isPrepared = true
        return query
    }

    /// The SQL text only; bound values never appear in descriptions or logs.
    public var description: String { sql }

    public struct StringInterpolation: StringInterpolationProtocol {
        public typealias StringLiteralType = String
        var sql: String
        var binds: PGBindings

        public init(literalCapacity: Int, interpolationCount: Int) {
            sql = ""
            sql.reserveCapacity(literalCapacity + 3 * interpolationCount)
            binds = PGBindings(capacity: interpolationCount)
        }

        public mutating func appendLiteral(_ literal: String) { sql += literal }

        /// Binds a value as the next `$n` parameter .
        public mutating func appendInterpolation<Value: PGEncodable>(_ value: Value) {
            binds.append(value)
            sql += "$\(binds.count)"
        }

        /// Binds an optional value: `nil` is SQL NULL. (Spelled out so the compiler does not warn about
        /// interpolating an Optional.)
        public mutating func appendInterpolation<Value: PGEncodable>(_ value: Value?) {
            binds.append(value)
            sql += "$\(binds.count)"
        }

        /// Splices trusted SQL text verbatim. Never pass user input here.
        public mutating func appendInterpolation(unsafeSQL text: String) { sql += text }
    }
}

/// Parameters of a query in libpq's layout: types, binary bytes in one buffer, lengths (-1 for NULL).
public struct PGBindings: Sendable {
    var types: [UInt32] = []
    var bytes: [UInt8] = []
    var offsets: [Int] = []
    var lengths: [Int32] = []

    public init() {}

    init(capacity: Int) {
        types.reserveCapacity(capacity)
        offsets.reserveCapacity(capacity)
        lengths.reserveCapacity(capacity)
    }

    /// The number of bound parameters.
    public var count: Int { types.count }

    /// Appends a parameter.
    public mutating func append<Value: PGEncodable>(_ value: Value) {
        types.append(Value.pgType.rawValue)
        offsets.append(bytes.count)
        if value.pgIsNull {
            lengths.append(-1)
        } else {
            let start = bytes.count
            value.encode(into: &bytes)
            lengths.append(Int32(bytes.count - start))
        }
    }

    /// Calls `body` with libpq's parameter arrays (values, lengths, formats), valid only inside it.
    func withLibPQArrays<R>(
        _ body: (
            _ types: UnsafePointer<UInt32>?, _ values: UnsafePointer<UnsafePointer<CChar>?>?,
            _ lengths: UnsafePointer<Int32>?, _ formats: UnsafePointer<Int32>?
        ) throws -> R
    ) rethrows -> R {
        if count == 0 { return try body(nil, nil, nil, nil) }
        let formats = [Int32](repeating: 1, count: count)
        return try bytes.withUnsafeBufferPointer { buffer in
            // An empty non-NULL value still needs a non-nil pointer.
            let base = UnsafeRawPointer(buffer.baseAddress) ?? UnsafeRawPointer(bitPattern: 1)!
            var values: [UnsafePointer<CChar>?] = []
            values.reserveCapacity(count)
            for index in 0..<count {
                values.append(lengths[index] < 0 ? nil : (base + offsets[index]).assumingMemoryBound(to: CChar.self))
            }
            return try body(types, values, lengths, formats)
        }
    }
}
