/// A Swift type that can be sent to PostgreSQL as a bound parameter (binary format).
public protocol PGEncodable: Sendable {
    /// The parameter's PostgreSQL type, sent with the query so the server needs no guess.
    static var pgType: PGDataType { get }
    /// Appends the binary representation of `self` (never called when `pgIsNull` is true).
    func encode(into buffer: inout [UInt8])
    /// True when this value is SQL NULL (only `Optional.none` is).
    var pgIsNull: Bool { get }
}

extension PGEncodable {
    public var pgIsNull: Bool { false }
}

/// A Swift type that can be made from a PostgreSQL value.
public protocol PGDecodable {
    /// Decodes a value. `value.bytes` is nil for SQL NULL; only `Optional` accepts it.
    static func decode(from value: PGValue) throws(PGDecodingFailure) -> Self
}

/// A type that can be an element of a PostgreSQL array (`[T]` binds as `T[]`, for `unnest` bulk writes).
public protocol PGArrayElement: PGEncodable, PGDecodable {
    /// The array type whose elements are `pgType`.
    static var pgArrayType: PGDataType { get }
}

/// Why a value could not be decoded; PGRow turns it into a PGError naming column, PostgreSQL and Swift type.
public enum PGDecodingFailure: Error, Sendable {
    /// The value is NULL and the Swift type is not Optional.
    case unexpectedNull
    /// The PostgreSQL type cannot become this Swift type.
    case typeMismatch
    /// The bytes are not a valid value of the type (or out of the Swift type's range).
    case invalidValue(String)
}

extension Optional: PGEncodable where Wrapped: PGEncodable {
    public static var pgType: PGDataType { Wrapped.pgType }
    public func encode(into buffer: inout [UInt8]) { self?.encode(into: &buffer) }
    public var pgIsNull: Bool {
        switch self {
        case .none: true
        case .some(let wrapped): wrapped.pgIsNull
        }
    }
}

extension Optional: PGDecodable where Wrapped: PGDecodable {
    public static func decode(from value: PGValue) throws(PGDecodingFailure) -> Wrapped? {
        if value.bytes == nil { return nil }
        return try Wrapped.decode(from: value)
    }
}

extension Optional: PGArrayElement where Wrapped: PGArrayElement {
    public static var pgArrayType: PGDataType { Wrapped.pgArrayType }
}

/// Big-endian reading and writing of fixed-width integers, the wire's byte order.
extension UnsafeRawBufferPointer {
    @inline(__always)
    func readBigEndian<T: FixedWidthInteger>(_: T.Type, at offset: Int = 0) -> T {
        T(bigEndian: loadUnaligned(fromByteOffset: offset, as: T.self))
    }
}

extension Array where Element == UInt8 {
    @inline(__always)
    mutating func appendBigEndian<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.bigEndian) { append(contentsOf: $0) }
    }
}

extension PGValue {
    /// The bytes of a non-NULL binary value, or the matching failure.
    @inline(__always)
    func binaryBytes(_ accepted: Bool) throws(PGDecodingFailure) -> UnsafeRawBufferPointer {
        guard let bytes else { throw .unexpectedNull }
        guard accepted, format == .binary else { throw .typeMismatch }
        return bytes
    }

    /// The bytes of a non-NULL value in text format.
    var textBytes: UnsafeRawBufferPointer? { format == .text ? bytes : nil }
}
