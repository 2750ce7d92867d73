extension PGValue {
    /// Any PostgreSQL integer (int2, int4, int8, oid, a whole numeric; also text format) as Int64.
    @inline(__always)
    func integer() throws(PGDecodingFailure) -> Int64 {
        guard let bytes else { throw .unexpectedNull }
        if format == .text {
            guard let parsed = Int64(String(decoding: bytes, as: UTF8.self)) else {
                throw .invalidValue("not an integer")
            }
            return parsed
        }
        switch (type, bytes.count) {
        case (.int8, 8): return bytes.readBigEndian(Int64.self)
        case (.int4, 4): return Int64(bytes.readBigEndian(Int32.self))
        case (.int2, 2): return Int64(bytes.readBigEndian(Int16.self))
        case (.oid, 4): return Int64(bytes.readBigEndian(UInt32.self))
        case (.int8, _), (.int4, _), (.int2, _), (.oid, _): throw .invalidValue("wrong length \(bytes.count)")
        case (.numeric, _):
            // sum(bigint) and friends are numeric: accept them when the value is a whole number that fits.
            var text = Substring(try PGNumeric.decimalString(bytes))
            if let dot = text.firstIndex(of: ".") {
                guard text[text.index(after: dot)...].allSatisfy({ $0 == "0" }) else { throw .invalidValue("\(text) is not a whole number") }
                text = text[..<dot]
            }
            guard let value = Int64(text) else { throw .invalidValue("\(text) out of range of Int64") }
            return value
        default: throw .typeMismatch
        }
    }

    @inline(__always)
    func integer<T: FixedWidthInteger>(as _: T.Type) throws(PGDecodingFailure) -> T {
        let wide = try integer()
        guard let narrow = T(exactly: wide) else { throw .invalidValue("\(wide) out of range of \(T.self)") }
        return narrow
    }
}

extension Int64: PGArrayElement {
    public static var pgType: PGDataType { .int8 }
    public static var pgArrayType: PGDataType { .int8Array }
    public func encode(into buffer: inout [UInt8]) { buffer.appendBigEndian(self) }
    public static func decode(from value: PGValue) throws(PGDecodingFailure) -> Int64 { try value.integer() }
}

extension Int: PGArrayElement {
    public static var pgType: PGDataType { .int8 }
    public static var pgArrayType: PGDataType { .int8Array }
    public func encode(into buffer: inout [UInt8]) { buffer.appendBigEndian(Int64(self)) }
    public static func decode(from value: PGValue) throws(PGDecodingFailure) -> Int { try value.integer(as: Int.self) }
}

extension Int32: PGArrayElement {
    public static var pgType: PGDataType { .int4 }
    public static var pgArrayType: PGDataType { .int4Array }
    public func encode(into buffer: inout [UInt8]) { buffer.appendBigEndian(self) }
    public static func decode(from value: PGValue) throws(PGDecodingFailure) -> Int32 {
        try value.integer(as: Int32.self)
    }
}

extension Int16: PGArrayElement {
    public static var pgType: PGDataType { .int2 }
    public static var pgArrayType: PGDataType { .int2Array }
    public func encode(into buffer: inout [UInt8]) { buffer.appendBigEndian(self) }
    public static func decode(from value: PGValue) throws(PGDecodingFailure) -> Int16 {
        try value.integer(as: Int16.self)
    }
}

extension Bool: PGArrayElement {
    public static var pgType: PGDataType { .bool }
    public static var pgArrayType: PGDataType { .boolArray }
    public func encode(into buffer: inout [UInt8]) { buffer.append(self ? 1 : 0) }
    public static func decode(from value: PGValue) throws(PGDecodingFailure) -> Bool {
        if let text = value.textBytes { return text.first == UInt8(ascii: "t") }
        let bytes = try value.binaryBytes(value.type == .bool)
        guard bytes.count == 1 else { throw .invalidValue("wrong length \(bytes.count)") }
        return bytes[0] != 0
    }
}
