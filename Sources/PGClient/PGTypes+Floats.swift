extension Double: PGArrayElement {
    public static var pgType: PGDataType { .float8 }
    public static var pgArrayType: PGDataType { .float8Array }
    public func encode(into buffer: inout [UInt8]) { buffer.appendBigEndian(bitPattern) }
    public static func decode(from value: PGValue) throws(PGDecodingFailure) -> Double {
        guard let bytes = value.bytes else { throw .unexpectedNull }
        if value.format == .text {
            guard let parsed = Double(String(decoding: bytes, as: UTF8.self)) else { throw .invalidValue("not a number") }
            return parsed
        }
        switch (value.type, bytes.count) {
        case (.float8, 8): return Double(bitPattern: bytes.readBigEndian(UInt64.self))
        case (.float4, 4): return Double(Float(bitPattern: bytes.readBigEndian(UInt32.self)))
        case (.int2, _), (.int4, _), (.int8, _): return Double(try value.integer())
        case (.numeric, _):
            guard let parsed = Double(try PGNumeric.decimalString(bytes)) else { throw .invalidValue("numeric NaN") }
            return parsed
        default: throw .typeMismatch
        }
    }
}

extension Float: PGArrayElement {
    public static var pgType: PGDataType { .float4 }
    public static var pgArrayType: PGDataType { .float4Array }
    public func encode(into buffer: inout [UInt8]) { buffer.appendBigEndian(bitPattern) }
    public static func decode(from value: PGValue) throws(PGDecodingFailure) -> Float {
        let bytes = try value.binaryBytes(value.type == .float4)
        guard bytes.count == 4 else { throw .invalidValue("wrong length \(bytes.count)") }
        return Float(bitPattern: bytes.readBigEndian(UInt32.self))
    }
}
