import CLibPQ

/// A PostgreSQL type OID. Named constants cover the built-in types PGClient encodes and decodes.
public struct PGDataType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public init(_ rawValue: UInt32) { self.rawValue = rawValue }

    public static let bool = PGDataType(16)
    public static let bytea = PGDataType(17)
    public static let char = PGDataType(18)
    public static let name = PGDataType(19)
    public static let int8 = PGDataType(20)
    public static let int2 = PGDataType(21)
    public static let int4 = PGDataType(23)
    public static let text = PGDataType(25)
    public static let oid = PGDataType(26)
    public static let json = PGDataType(114)
    public static let float4 = PGDataType(700)
    public static let float8 = PGDataType(701)
    public static let unknown = PGDataType(705)
    public static let bpchar = PGDataType(1042)
    public static let varchar = PGDataType(1043)
    public static let date = PGDataType(1082)
    public static let timestamp = PGDataType(1114)
    public static let timestamptz = PGDataType(1184)
    public static let numeric = PGDataType(1700)
    public static let uuid = PGDataType(2950)
    public static let jsonb = PGDataType(3802)

    public static let boolArray = PGDataType(1000)
    public static let byteaArray = PGDataType(1001)
    public static let int2Array = PGDataType(1005)
    public static let int4Array = PGDataType(1007)
    public static let textArray = PGDataType(1009)
    public static let varcharArray = PGDataType(1015)
    public static let int8Array = PGDataType(1016)
    public static let float4Array = PGDataType(1021)
    public static let float8Array = PGDataType(1022)
    public static let timestampArray = PGDataType(1115)
    public static let timestamptzArray = PGDataType(1185)
    public static let numericArray = PGDataType(1231)
    public static let uuidArray = PGDataType(2951)
    public static let jsonArray = PGDataType(199)
    public static let jsonbArray = PGDataType(3807)

    /// True for the character types whose binary form is their UTF-8 text.
    public var isTextLike: Bool {
        self == .text || self == .varchar || self == .bpchar || self == .name || self == .unknown
    }

    public var description: String {
        switch self {
        case .bool: "bool"
        case .bytea: "bytea"
        case .char: "char"
        case .name: "name"
        case .int8: "int8"
        case .int2: "int2"
        case .int4: "int4"
        case .text: "text"
        case .oid: "oid"
        case .json: "json"
        case .float4: "float4"
        case .float8: "float8"
        case .unknown: "unknown"
        case .bpchar: "bpchar"
        case .varchar: "varchar"
        case .date: "date"
        case .timestamp: "timestamp"
        case .timestamptz: "timestamptz"
        case .numeric: "numeric"
        case .uuid: "uuid"
        case .jsonb: "jsonb"
        case .boolArray: "bool[]"
        case .int2Array: "int2[]"
        case .int4Array: "int4[]"
        case .int8Array: "int8[]"
        case .textArray: "text[]"
        case .varcharArray: "varchar[]"
        case .float8Array: "float8[]"
        case .timestamptzArray: "timestamptz[]"
        case .numericArray: "numeric[]"
        case .uuidArray: "uuid[]"
        case .jsonbArray: "jsonb[]"
        default: "oid \(rawValue)"
        }
    }
}

/// The wire format of a value: PGClient sends parameters and asks for results in binary.
public enum PGFormat: Int32, Sendable {
    case text = 0
    case binary = 1
}

/// One field of a result row as libpq holds it: its type, format and bytes (`nil` for SQL NULL).
/// The bytes are valid only during the decode call that receives them.
public struct PGValue {
    public let type: PGDataType
    public let format: PGFormat
    public let bytes: UnsafeRawBufferPointer?

    public init(type: PGDataType, format: PGFormat, bytes: UnsafeRawBufferPointer?) {
        self.type = type
        self.format = format
        self.bytes = bytes
    }

    /// True for SQL NULL.
    public var isNull: Bool { bytes == nil }
}
