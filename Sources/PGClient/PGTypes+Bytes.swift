import Foundation

extension Data: PGArrayElement {
    public static var pgType: PGDataType { .bytea }
    public static var pgArrayType: PGDataType { .byteaArray }
    public func encode(into buffer: inout [UInt8]) { buffer.append(contentsOf: self) }
    public static func decode(from value: PGValue) throws(PGDecodingFailure) -> Data {
        let bytes = try value.binaryBytes(value.type == .bytea)
        return Data(bytes)
    }
}
