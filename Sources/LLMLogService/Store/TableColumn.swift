import Foundation
import PGClient

/// One column of a table as Swift writes and reads it: its name and SQL type, how a batch of rows binds it (one
/// array per column, for `INSERT … SELECT * FROM unnest(…)`), and how a selected value goes back into a row. A
/// table's columns are declared once, as a list of these, and that list makes its insert, its select list and its
/// decoder alike, so they cannot drift apart.
struct TableColumn<Row>: Sendable {
    /// The column's name.
    let name: String
    /// Its SQL type (the array of it is bound).
    let sqlType: String
    /// Appends the bound array of this column's values of `rows`.
    let bind: @Sendable ([Row], inout PGQuery.StringInterpolation) -> Void
    /// Sets the row's field from the value at `column` of a selected row.
    let decode: @Sendable (PGRow, Int, inout Row) throws -> Void

    /// A column stored as the field's own type.
    static func field<Value: PGArrayElement>(_ name: String, _ sqlType: String, _ path: WritableKeyPath<Row, Value> & Sendable) -> TableColumn {
        TableColumn(
            name: name, sqlType: sqlType,
            bind: { rows, query in query.appendInterpolation(rows.map { $0[keyPath: path] }) },
            decode: { row, column, value in value[keyPath: path] = try row.decode(Value.self, column: column) })
    }

    /// A column stored as another type than the field's (an enum as text, an Int as int4): `store` converts for
    /// writing, `load` back (throwing on a value the field cannot hold, never defaulting).
    static func field<Value, Stored: PGArrayElement>(
        _ name: String, _ sqlType: String, _ path: WritableKeyPath<Row, Value> & Sendable,
        store: @escaping @Sendable (Value) -> Stored, load: @escaping @Sendable (Stored) throws -> Value
    ) -> TableColumn {
        TableColumn(
            name: name, sqlType: sqlType,
            bind: { rows, query in query.appendInterpolation(rows.map { store($0[keyPath: path]) }) },
            decode: { row, column, value in value[keyPath: path] = try load(row.decode(Stored.self, column: column)) })
    }
}

extension Array {
    /// The columns' names, comma-separated (a select or insert list; program text, never input).
    func columnList<Row>(prefix: String = "") -> String where Element == TableColumn<Row> {
        map { prefix + $0.name }.joined(separator: ", ")
    }

    /// `INSERT INTO table (columns) SELECT * FROM unnest(one array per column)` for `rows`, after `prefix` (a
    /// WITH clause's opening) and before `suffix` (an ON CONFLICT or RETURNING clause; both program text, never input).
    func insert<Row>(into table: String, _ rows: [Row], prefix: String = "", suffix: String = "") -> PGQuery
    where Element == TableColumn<Row> {
        var query = PGQuery.StringInterpolation(literalCapacity: 64 * count, interpolationCount: count)
        query.appendLiteral(prefix + "INSERT INTO \(table) (\(columnList())) SELECT * FROM unnest(")
        for (position, column) in enumerated() {
            if position > 0 { query.appendLiteral(", ") }
            column.bind(rows, &query)
            query.appendLiteral("::\(column.sqlType)[]")
        }
        query.appendLiteral(")" + suffix)
        return PGQuery(stringInterpolation: query)
    }

    /// Decodes a row selected with `columnList()` into `row`.
    func decode<Row>(_ selected: PGRow, into row: inout Row) throws where Element == TableColumn<Row> {
        for (position, column) in enumerated() { try column.decode(selected, position, &row) }
    }
}

/// Values a decoded row starts from before its columns set every field (see `MessageTable.decode`).
enum TableColumnPlaceholder {
    static let id = UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))
    static let date = Date(timeIntervalSince1970: 0)
}
