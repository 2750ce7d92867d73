/// A piece of SQL with bound values, spliced into a `PGQuery` (or another fragment) as `\(fragment)`: its values are
/// numbered where it lands, so a query can include a condition only when it applies without building its text by
/// hand. Written like a query:
///
///     let search: PGFragment = terms.isEmpty ? .empty : "AND id IN (SELECT … WHERE words @@ \(query))"
///     try await connection.query("SELECT … WHERE tenant_id = \(tenant) \(search) ORDER BY …")
public struct PGFragment: Sendable, ExpressibleByStringInterpolation {
    enum Piece: Sendable {
        case text(String)
        case value(@Sendable (inout PGQuery.StringInterpolation) -> Void)
    }
    var pieces: [Piece]

    /// No SQL at all.
    public static let empty = PGFragment(pieces: [])

    init(pieces: [Piece]) { self.pieces = pieces }

    public init(stringLiteral value: String) { pieces = [.text(value)] }

    public init(stringInterpolation: StringInterpolation) { pieces = stringInterpolation.pieces }

    public struct StringInterpolation: StringInterpolationProtocol {
        public typealias StringLiteralType = String
        var pieces: [Piece] = []

        public init(literalCapacity: Int, interpolationCount: Int) {
            pieces.reserveCapacity(2 * interpolationCount + 1)
        }

        public mutating func appendLiteral(_ literal: String) { pieces.append(.text(literal)) }

        /// Binds a value (numbered when the fragment lands in a query).
        public mutating func appendInterpolation<Value: PGEncodable>(_ value: Value) {
            pieces.append(.value { $0.appendInterpolation(value) })
        }

        /// Binds an optional value: `nil` is SQL NULL.
        public mutating func appendInterpolation<Value: PGEncodable>(_ value: Value?) {
            pieces.append(.value { $0.appendInterpolation(value) })
        }

        /// Splices trusted SQL text verbatim. Never pass user input here.
        public mutating func appendInterpolation(unsafeSQL text: String) { pieces.append(.text(text)) }

        /// Splices another fragment.
        public mutating func appendInterpolation(_ fragment: PGFragment) { pieces += fragment.pieces }
    }
}

extension PGQuery.StringInterpolation {
    /// Splices `fragment`: its text verbatim, its values bound as the next parameters.
    public mutating func appendInterpolation(_ fragment: PGFragment) {
        for piece in fragment.pieces {
            switch piece {
            case .text(let text): sql += text
            case .value(let bind): bind(&self)
            }
        }
    }
}
