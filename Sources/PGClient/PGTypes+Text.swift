extension String: PGArrayElement {
    public static var pgType: PGDataType { .text }
    public static var pgArrayType: PGDataType { .textArray }
    public func encode(into buffer: inout [UInt8]) { buffer.append(contentsOf: utf8) }
    /// Text-like types and json in binary, numeric as its exact decimal text, and any type in text format.
    public static func decode(from value: PGValue) throws(PGDecodingFailure) -> String {
        guard let bytes = value.bytes else { throw .unexpectedNull }
        if value.format == .text || value.type.isTextLike || value.type == .json { return String(decoding: bytes, as: UTF8.self) }
        if value.type == .jsonb, bytes.first == 1 { return String(decoding: UnsafeRawBufferPointer(rebasing: bytes.dropFirst()), as: UTF8.self) }
        if value.type == .numeric { return try PGNumeric.decimalString(bytes) }
        throw .typeMismatch
    }
}
