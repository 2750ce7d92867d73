import Foundation
import NIOCore

/// JSON written straight into a `ByteBuffer`, for answers written in bulk (the exports): the same bytes
/// `APIJSON.encoder(sortedKeys: true)` makes of the API's records (`JSONWriterTests` holds them to it), at a
/// fraction of the cost — no intermediate containers, no key sorting at run time (callers write keys in sorted
/// order), strings escaped in runs of bytes. Objects and arrays are opened and closed by the caller; commas are
/// this writer's business.
struct JSONWriter {
    var buffer: ByteBuffer
    /// Whether the current object or array already holds a member (so the next one needs a comma).
    private var hasMember = false
    /// `hasMember` of each enclosing object or array.
    private var enclosing: [Bool] = []

    init(buffer: ByteBuffer) { self.buffer = buffer }

    /// Ends a line of NDJSON: a newline, and the next value starts afresh.
    mutating func endLine() {
        buffer.writeInteger(UInt8(ascii: "\n"))
        hasMember = false
        pendingValue = false
        enclosing.removeAll(keepingCapacity: true)
    }

    mutating func beginObject() { open(UInt8(ascii: "{")) }
    mutating func endObject() { close(UInt8(ascii: "}")) }
    mutating func beginArray() { open(UInt8(ascii: "[")) }
    mutating func endArray() { close(UInt8(ascii: "]")) }

    /// A member's key (`"key":`); its value follows. `key` is program text (no escaping needed) or escaped here.
    mutating func key(_ key: String) {
        separate()
        writeString(key)
        buffer.writeInteger(UInt8(ascii: ":"))
        hasMember = false  // the value that follows needs no comma
        pendingValue = true
    }

    mutating func string(_ value: String) {
        separate()
        writeString(value)
    }

    mutating func string(_ value: String?) {
        if let value { string(value) } else { null() }
    }

    mutating func int(_ value: Int64) {
        separate()
        writeDigits(value)
    }

    mutating func int(_ value: Int64?) {
        if let value { int(value) } else { null() }
    }

    mutating func bool(_ value: Bool) {
        separate()
        buffer.writeStaticString(value ? "true" : "false")
    }

    mutating func null() {
        separate()
        buffer.writeStaticString("null")
    }

    /// A decimal as a JSON number, digit for digit (as Foundation's encoder writes it).
    mutating func decimal(_ value: Decimal?) {
        guard let value else { return null() }
        separate()
        buffer.writeString(value.description)
    }

    /// A double as Foundation's encoder writes it: the shortest text that reads back the same, integral values
    /// without ".0"; a non-finite value (never stored) as null.
    mutating func double(_ value: Double?) {
        guard let value, value.isFinite else { return null() }
        separate()
        var text = value.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        buffer.writeString(text)
    }

    /// A UUID as its lowercase canonical text.
    mutating func uuid(_ value: UUID) {
        separate()
        buffer.writeInteger(UInt8(ascii: "\""))
        withUnsafeBytes(of: value.uuid) { bytes in
            for index in 0..<16 {
                if index == 4 || index == 6 || index == 8 || index == 10 { buffer.writeInteger(UInt8(ascii: "-")) }
                buffer.writeInteger(Self.hex[Int(bytes[index] >> 4)])
                buffer.writeInteger(Self.hex[Int(bytes[index] & 0x0F)])
            }
        }
        buffer.writeInteger(UInt8(ascii: "\""))
    }

    /// A date-time as `ISO8601.format` writes it.
    mutating func date(_ value: Date?) {
        guard let value else { return null() }
        string(ISO8601.format(value))
    }

    /// Any JSON value; object keys in sorted order.
    mutating func value(_ value: JSONValue) {
        switch value {
        case .null: null()
        case .bool(let flag): bool(flag)
        case .integer(let number): int(number)
        case .number(let number): double(number)
        case .string(let text): string(text)
        case .array(let values):
            beginArray()
            for element in values { self.value(element) }
            endArray()
        case .object(let members):
            beginObject()
            for (name, member) in members.sorted(by: { $0.key < $1.key }) {
                key(name)
                self.value(member)
            }
            endObject()
        }
    }

    // MARK: -

    /// True right after a key: the value that follows takes no comma.
    private var pendingValue = false

    private mutating func separate() {
        if pendingValue {
            pendingValue = false
        } else if hasMember {
            buffer.writeInteger(UInt8(ascii: ","))
        }
        hasMember = true
    }

    private mutating func open(_ bracket: UInt8) {
        separate()
        buffer.writeInteger(bracket)
        enclosing.append(hasMember)
        hasMember = false
    }

    private mutating func close(_ bracket: UInt8) {
        buffer.writeInteger(bracket)
        hasMember = enclosing.popLast() ?? true
        pendingValue = false
    }

    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    private mutating func writeDigits(_ value: Int64) {
        if value < 0 { buffer.writeInteger(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        var digits: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)  // 20 digits fit in 32 bytes
        withUnsafeMutableBytes(of: &digits) { scratch in
            var position = scratch.count
            repeat {
                position -= 1
                scratch[position] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            buffer.writeBytes(UnsafeRawBufferPointer(rebasing: scratch[position...]))
        }
    }

    /// A quoted string: `"` and `\` escaped, control characters as `\n`-style or `\u00XX` escapes (as Foundation
    /// writes them; `/` and non-ASCII text as they are), runs of plain bytes copied at once.
    private mutating func writeString(_ value: String) {
        buffer.writeInteger(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { bytes in
            guard let base = bytes.baseAddress else { return }
            var start = 0
            var index = 0
            while index < bytes.count {
                let byte = base[index]
                if byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                    if start < index { buffer.writeBytes(UnsafeRawBufferPointer(start: base + start, count: index - start)) }
                    writeEscape(byte)
                    start = index + 1
                }
                index += 1
            }
            if start < bytes.count { buffer.writeBytes(UnsafeRawBufferPointer(start: base + start, count: bytes.count - start)) }
        }
        buffer.writeInteger(UInt8(ascii: "\""))
    }

    private mutating func writeEscape(_ byte: UInt8) {
        switch byte {
        case UInt8(ascii: "\""): buffer.writeStaticString("\\\"")
        case UInt8(ascii: "\\"): buffer.writeStaticString("\\\\")
        case 0x0A: buffer.writeStaticString("\\n")
        case 0x0D: buffer.writeStaticString("\\r")
        case 0x09: buffer.writeStaticString("\\t")
        case 0x08: buffer.writeStaticString("\\b")
        case 0x0C: buffer.writeStaticString("\\f")
        default:
            buffer.writeStaticString("\\u00")
            buffer.writeInteger(Self.hex[Int(byte >> 4)])
            buffer.writeInteger(Self.hex[Int(byte & 0x0F)])
        }
    }
}
