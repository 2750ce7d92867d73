import Foundation

extension UUID: PGArrayElement {
    public static var pgType: PGDataType { .uuid }
    public static var pgArrayType: PGDataType { .uuidArray }
    public func encode(into buffer: inout [UInt8]) { Swift.withUnsafeBytes(of: uuid) { buffer.append(contentsOf: $0) } }
    public static func decode(from value: PGValue) throws(PGDecodingFailure) -> UUID {
        if let text = value.textBytes {
            guard let parsed = UUID(uuidString: String(decoding: text, as: UTF8.self)) else { throw .invalidValue("not a uuid") }
            return parsed
        }
        let bytes = try value.binaryBytes(value.type == .uuid)
        guard bytes.count == 16 else { throw .invalidValue("wrong length \(bytes.count)") }
        var raw: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        Swift.withUnsafeMutableBytes(of: &raw) { $0.copyMemory(from: bytes) }
        return UUID(uuid: raw)
    }
}
