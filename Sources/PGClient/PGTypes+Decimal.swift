import Foundation

/// The binary `numeric` format: base-10000 digit groups, a weight, a sign and a display scale.
/// Conversions go through the exact decimal string, never through Double.
enum PGNumeric {
    static let positive: UInt16 = 0x0000
    static let negative: UInt16 = 0x4000
    static let notANumber: UInt16 = 0xC000

    /// The exact decimal text of a binary numeric, e.g. `-12.3400` (the value's display scale is kept).
    static func decimalString(_ bytes: UnsafeRawBufferPointer) throws(PGDecodingFailure) -> String {
        guard bytes.count >= 8 else { throw .invalidValue("numeric too short") }
        let count = Int(bytes.readBigEndian(Int16.self, at: 0))
        let weight = Int(bytes.readBigEndian(Int16.self, at: 2))
        let sign = bytes.readBigEndian(UInt16.self, at: 4)
        let scale = Int(bytes.readBigEndian(Int16.self, at: 6))
        guard count >= 0, bytes.count == 8 + 2 * count else { throw .invalidValue("numeric length") }
        if sign == notANumber { return "NaN" }
        guard sign == positive || sign == negative else { throw .invalidValue("numeric infinity") }
        func digit(_ index: Int) -> Int {
            index >= 0 && index < count ? Int(bytes.readBigEndian(Int16.self, at: 8 + 2 * index)) : 0
        }
        func padded(_ group: Int) -> String {
            let text = String(group)
            return String(repeating: "0", count: 4 - text.count) + text
        }
        var text = sign == negative ? "-" : ""
        if weight < 0 {
            text += "0"
        } else {
            for position in 0...weight { text += position == 0 ? String(digit(0)) : padded(digit(position)) }
        }
        if scale > 0 {
            var fraction = ""
            var index = weight + 1
            while fraction.count < scale {
                fraction += padded(digit(index))
                index += 1
            }
            text += "." + fraction.prefix(scale)
        }
        return text
    }

    /// Appends the binary numeric for a plain decimal string (`-?digits(.digits)?`), or nil if it is not one.
    static func encode(decimalString: String, into buffer: inout [UInt8]) -> Bool {
        var text = Substring(decimalString)
        if text == "NaN" {
            buffer.appendBigEndian(Int16(0))
            buffer.appendBigEndian(Int16(0))
            buffer.appendBigEndian(notANumber)
            buffer.appendBigEndian(Int16(0))
            return true
        }
        let isNegative = text.hasPrefix("-")
        if isNegative { text = text.dropFirst() }
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let integer = parts[0]
        let fraction = parts.count > 1 ? parts[1] : ""
        guard !integer.isEmpty, (integer + fraction).allSatisfy({ $0.isASCII && $0.isNumber }) else { return false }
        let integerPadded: String = String(repeating: "0", count: (4 - integer.count % 4) % 4) + integer
        let fractionPadded: String = fraction + String(repeating: "0", count: (4 - fraction.count % 4) % 4)
        var groups: [Int16] = []
        for chunk: String in [integerPadded, fractionPadded] {
            var index = chunk.startIndex
            while index < chunk.endIndex {
                let next = chunk.index(index, offsetBy: 4)
                groups.append(Int16(chunk[index..<next])!)
                index = next
            }
        }
        var weight = integerPadded.count / 4 - 1
        while let first = groups.first, first == 0 {
            groups.removeFirst()
            weight -= 1
        }
        while let last = groups.last, last == 0 { groups.removeLast() }
        if groups.isEmpty { weight = 0 }
        buffer.appendBigEndian(Int16(groups.count))
        buffer.appendBigEndian(Int16(weight))
        buffer.appendBigEndian(isNegative && !groups.isEmpty ? negative : positive)
        buffer.appendBigEndian(Int16(fraction.count))
        for group in groups { buffer.appendBigEndian(group) }
        return true
    }
}

extension Decimal: PGArrayElement {
    public static var pgType: PGDataType { .numeric }
    public static var pgArrayType: PGDataType { .numericArray }

    public func encode(into buffer: inout [UInt8]) {
        let encoded = PGNumeric.encode(decimalString: description, into: &buffer)
        precondition(encoded, "Decimal.description is not a plain decimal: \(self)")
    }

    public static func decode(from value: PGValue) throws(PGDecodingFailure) -> Decimal {
        guard let bytes = value.bytes else { throw .unexpectedNull }
        let text: String
        if value.format == .text {
            text = String(decoding: bytes, as: UTF8.self)
        } else if value.type == .numeric {
            text = try PGNumeric.decimalString(bytes)
        } else {
            return Decimal(try value.integer())
        }
        guard text != "NaN", let decimal = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")) else {
            throw .invalidValue("numeric \(text == "NaN" ? "NaN" : "out of Decimal's range")")
        }
        return decimal
    }
}
