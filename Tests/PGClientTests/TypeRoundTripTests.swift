import Foundation
import PGClient
import PGTestSupport
import Testing

@Suite struct TypeRoundTripTests {
    static let suite = "types"

    /// Sends `value` as a parameter, has the server cast it to `sqlType` and send it back, and decodes it.
    func roundTrip<T: PGEncodable & PGDecodable>(_ value: T, as sqlType: String, on connection: PGConnection) async throws -> T {
        let result = try await connection.query("SELECT \(value)::\(unsafeSQL: sqlType)")
        return try result[0].decode(T.self, column: 0)
    }

    @Test func integersAtTheirLimits() async throws {
        try await TestDatabase.withConnection(suite: Self.suite) { (connection: PGConnection) async throws in
            for value in [Int64.min, -1, 0, 1, Int64.max] {
                #expect(try await roundTrip(value, as: "int8", on: connection) == value)
            }
            for value in [Int32.min, 0, Int32.max] { #expect(try await roundTrip(value, as: "int4", on: connection) == value) }
            for value in [Int16.min, 0, Int16.max] { #expect(try await roundTrip(value, as: "int2", on: connection) == value) }
            #expect(try await roundTrip(Int.max, as: "int8", on: connection) == Int.max)
            // A narrower server type widens; a wider value that doesn't fit is a decoding error naming the column.
            let row = try await connection.query("SELECT 7::int2 AS small, 3000000000::int8 AS big")[0]
            #expect(try row.decode(Int64.self, column: "small") == 7)
            let error = #expect(throws: PGError.self) { try row.decode(Int32.self, column: "big") }
            #expect(error?.kind == .decoding)
            #expect(error?.message.contains("\"big\"") == true)
            #expect(error?.message.contains("int8") == true)
            #expect(error?.message.contains("Int32") == true)
        }
    }

    @Test func boolsAndFloats() async throws {
        try await TestDatabase.withConnection(suite: Self.suite) { (connection: PGConnection) async throws in
            #expect(try await roundTrip(true, as: "bool", on: connection) == true)
            #expect(try await roundTrip(false, as: "bool", on: connection) == false)
            for value in [0.0, -0.0, 1.5, .pi, Double.greatestFiniteMagnitude, -Double.leastNonzeroMagnitude, .infinity] {
                #expect(try await roundTrip(value, as: "float8", on: connection) == value)
            }
            #expect(try await roundTrip(Double.nan, as: "float8", on: connection).isNaN)
            #expect(try await roundTrip(Float(1.25), as: "float4", on: connection) == 1.25)
        }
    }

    @Test func decimalsAreExact() async throws {
        try await TestDatabase.withConnection(suite: Self.suite) { (connection: PGConnection) async throws in
            let values = [
                "0", "1", "-1", "0.000001", "-0.0000000001", "123456789012345678901234567890",
                "12345678901234.5678901234567890", "-99999999999999999999.9999999999", "10000", "0.5", "1000000.0001",
            ]
            for text in values {
                let decimal = Decimal(string: text)!
                #expect(try await roundTrip(decimal, as: "numeric", on: connection) == decimal, "\(text)")
                // The server sees the exact value too, not a float approximation.
                let serverText = try await connection.query("SELECT (\(decimal)::numeric = \(text)::numeric)::text")[0]
                    .decode(String.self, column: 0)
                #expect(serverText == "true", "\(text)")
            }
            // 30 significant digits computed by the server decode exactly.
            let product = try await connection.query("SELECT 1234567890.12345678901234567890::numeric * 3")[0]
                .decode(Decimal.self, column: 0)
            #expect(product == Decimal(string: "3703703670.37037036703703703670")!)
            // A numeric's display scale survives as text.
            #expect(try await connection.query("SELECT 1.50::numeric(10,2)")[0].decode(String.self, column: 0) == "1.50")
        }
    }

    @Test func textEmptyStringNullAndLargeValues() async throws {
        try await TestDatabase.withConnection(suite: Self.suite) { (connection: PGConnection) async throws in
            for text in ["", "plain", "Grüße, 世界, 🦀🧪", "quote ' and \" and \\ and $1", String(repeating: "é", count: 10)] {
                #expect(try await roundTrip(text, as: "text", on: connection) == text)
            }
            let row = try await connection.query("SELECT ''::text, NULL::text")[0]
            let (empty, null) = try row.decode((String?, String?).self)
            #expect(empty == "")
            #expect(null == nil)
            let error = #expect(throws: PGError.self) { try row.decode(String.self, column: 1) }
            #expect(error?.message.contains("NULL") == true)
            let megabyte = String(repeating: "abcdefghij", count: 100_000) + "✓"
            #expect(try await roundTrip(megabyte, as: "text", on: connection) == megabyte)
            let length = try await connection.query("SELECT length(\(megabyte))")[0].decode(Int.self, column: 0)
            #expect(length == 1_000_001)
        }
    }

    @Test func uuidsDatesBytesAndJSON() async throws {
        try await TestDatabase.withConnection(suite: Self.suite) { (connection: PGConnection) async throws in
            let id = UUID()
            #expect(try await roundTrip(id, as: "uuid", on: connection) == id)
            #expect(try await connection.query("SELECT \(id)::text")[0].decode(String.self, column: 0) == id.uuidString.lowercased())

            // Microsecond timestamps survive exactly, before and after 2000 and far from it.
            for microseconds in [Int64(0), 1, -1, 1_764_412_345_678_901, -946_684_800_000_000, 4_102_444_800_123_456] {
                let fromServer = try await connection.query(
                    "SELECT to_timestamp(0) + \(microseconds) * interval '1 microsecond'")[0].decode(Date.self, column: 0)
                #expect(Int64((fromServer.timeIntervalSince1970 * 1_000_000).rounded()) == microseconds)
                let back = try await connection.query("SELECT (extract(epoch FROM \(fromServer)) * 1000000)::int8")[0]
                    .decode(Int64.self, column: 0)
                #expect(back == microseconds)
            }
            let infinity = try await connection.query("SELECT 'infinity'::timestamptz, '-infinity'::timestamptz")[0]
            #expect(try infinity.decode((Date, Date).self) == (Date.distantFuture, Date.distantPast))
            let day = try await connection.query("SELECT '2026-11-29'::date")[0].decode(Date.self, column: 0)
            #expect(day == ISO8601DateFormatter().date(from: "2026-11-29T00:00:00Z"))

            let bytes = Data([0, 1, 2, 255, 0, 128])
            #expect(try await roundTrip(bytes, as: "bytea", on: connection) == bytes)
            #expect(try await roundTrip(Data(), as: "bytea", on: connection) == Data())

            struct Payload: Codable, Equatable, Sendable {
                let name: String
                let tags: [String]
                let score: Double?
            }
            let payload = Payload(name: "ünïcode", tags: ["a", "b"], score: nil)
            #expect(try await roundTrip(PGJSON(payload), as: "jsonb", on: connection).value == payload)
            let json = try await connection.query("SELECT \(PGRawJSON(#"{"a": [1, 2, {"b": null}]}"#))::json")[0]
                .decode(PGRawJSON.self, column: 0)
            #expect(json.text == #"{"a": [1, 2, {"b": null}]}"#)
            let field = try await connection.query("SELECT \(PGJSON(payload)) ->> 'name'")[0].decode(String.self, column: 0)
            #expect(field == "ünïcode")
        }
    }

    @Test func arraysEmptyAndWithNulls() async throws {
        try await TestDatabase.withConnection(suite: Self.suite) { (connection: PGConnection) async throws in
            #expect(try await roundTrip([Int64](), as: "int8[]", on: connection) == [])
            #expect(try await roundTrip([1, -2, Int.max], as: "int8[]", on: connection) == [1, -2, Int.max])
            #expect(try await roundTrip(["a", "", "ü"], as: "text[]", on: connection) == ["a", "", "ü"])
            let withNulls: [String?] = ["x", nil, "", nil]
            #expect(try await roundTrip(withNulls, as: "text[]", on: connection) == withNulls)
            let ids = [UUID(), UUID()]
            #expect(try await roundTrip(ids, as: "uuid[]", on: connection) == ids)
            let decimals = [Decimal(string: "1.10")!, Decimal(string: "-0.000005")!]
            #expect(try await roundTrip(decimals, as: "numeric[]", on: connection) == decimals)
            let dates = [Date(timeIntervalSince1970: 1_764_412_345.678901)]
            let back = try await roundTrip(dates, as: "timestamptz[]", on: connection)
            #expect(abs(back[0].timeIntervalSince1970 - dates[0].timeIntervalSince1970) < 0.000001)
            // unnest turns parallel arrays into rows: the bulk-write shape.
            let names = ["one", "two", "three"]
            let numbers: [Int32?] = [1, nil, 3]
            let rows = try await connection.query("SELECT * FROM unnest(\(names), \(numbers)) AS t(name, n)")
            #expect(rows.count == 3)
            #expect(try rows[1].decode((String, Int32?).self) == ("two", nil))
            // A NULL array is not an empty one.
            let null = try await connection.query("SELECT NULL::int8[]")[0].decode([Int]?.self, column: 0)
            #expect(null == nil)
        }
    }

    @Test func tuplesAndColumnsByName() async throws {
        try await TestDatabase.withConnection(suite: Self.suite) { (connection: PGConnection) async throws in
            let id = UUID()
            let row = try await connection.query("SELECT \(id) AS id, 'x'::text AS name, NULL::int4 AS age")[0]
            let (decodedID, name, age) = try row.decode((UUID, String, Int?).self)
            #expect(decodedID == id && name == "x" && age == nil)
            #expect(try row.decode(String.self, column: "name") == "x")
            let wrongArity = #expect(throws: PGError.self) { try row.decode((UUID, String).self) }
            #expect(wrongArity?.kind == .decoding)
            let noSuch = #expect(throws: PGError.self) { try row.decode(Int.self, column: "nope") }
            #expect(noSuch?.message.contains("nope") == true)
            let mismatch = #expect(throws: PGError.self) { try row.decode(Int.self, column: "name") }
            #expect(mismatch?.message.contains("text") == true && mismatch?.message.contains("Int") == true)
        }
    }
}
