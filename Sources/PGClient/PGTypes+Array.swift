/// `[T]` binds as a one-dimensional `T[]` (`unnest($1::int8[])` bulk writes) and decodes from one
/// (an empty array decodes as `[]`). Elements may be Optional for arrays holding NULLs.
extension Array: PGEncodable where Element: PGArrayElement {
    public static var pgType: PGDataType { Element.pgArrayType }

    public func encode(into buffer: inout [UInt8]) {
        let hasNull = contains { $0.pgIsNull }
        buffer.appendBigEndian(Int32(isEmpty ? 0 : 1))
        buffer.appendBigEndian(Int32(hasNull ? 1 : 0))
        buffer.appendBigEndian(Element.pgType.rawValue)
        if isEmpty { return }
        buffer.appendBigEndian(Int32(count))
        buffer.appendBigEndian(Int32(1))  // lower bound
        for element in self {
            if element.pgIsNull {
                buffer.appendBigEndian(Int32(-1))
                continue
            }
            let lengthAt = buffer.count
            buffer.appendBigEndian(Int32(0))
            element.encode(into: &buffer)
            let length = Int32(buffer.count - lengthAt - 4).bigEndian
            Swift.withUnsafeBytes(of: length) { lengthBytes in
                for offset in 0..<4 { buffer[lengthAt + offset] = lengthBytes[offset] }
            }
        }
    }
}

extension Array: PGDecodable where Element: PGDecodable {
    public static func decode(from value: PGValue) throws(PGDecodingFailure) -> [Element] {
        guard let bytes = value.bytes else { throw .unexpectedNull }
        guard value.format == .binary, bytes.count >= 12 else { throw .typeMismatch }
        let dimensions = bytes.readBigEndian(Int32.self, at: 0)
        let elementType = PGDataType(bytes.readBigEndian(UInt32.self, at: 8))
        if dimensions == 0 { return [] }
        guard dimensions == 1, bytes.count >= 20 else { throw .invalidValue("only one-dimensional arrays decode") }
        let count = Int(bytes.readBigEndian(Int32.self, at: 12))
        var offset = 20
        var elements: [Element] = []
        elements.reserveCapacity(count)
        for _ in 0..<count {
            guard offset + 4 <= bytes.count else { throw .invalidValue("array truncated") }
            let length = Int(bytes.readBigEndian(Int32.self, at: offset))
            offset += 4
            var elementBytes: UnsafeRawBufferPointer? = nil
            if length >= 0 {
                guard offset + length <= bytes.count else { throw .invalidValue("array truncated") }
                elementBytes = UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + length)])
                offset += length
            }
            elements.append(try Element.decode(from: PGValue(type: elementType, format: .binary, bytes: elementBytes)))
        }
        return elements
    }
}
