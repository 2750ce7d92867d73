import Foundation
import OTLPProto

/// OTLP/JSON writes trace and span ids as hex strings, where the protobuf JSON mapping (swift-protobuf's) expects
/// base64 for `bytes` fields. Every hex digit is a base64 character, and a 32- or 16-digit hex string is a whole
/// number of base64 quanta, so the generated decoder accepts it and yields 24 (or 12) bytes whose base64 text is
/// the hex string again, exactly. `restoreHexIds` turns those bytes back into the text and reads it as hex: the
/// ids are the 16 (or 8) bytes the client meant. Anything else (base64 ids, wrong lengths, non-hex) is a 400.
enum OTLPJSONIds {
    /// Rewrites every trace and span id of `request` (spans and their links) from the JSON decoding's bytes to
    /// the ids the hex text names.
    static func restoreHexIds(_ request: inout OTLPBody.ExportRequest) throws(OTLPError) {
        for r in request.resourceSpans.indices {
            for s in request.resourceSpans[r].scopeSpans.indices {
                for k in request.resourceSpans[r].scopeSpans[s].spans.indices {
                    let path = "resourceSpans[\(r)].scopeSpans[\(s)].spans[\(k)]"
                    var span = request.resourceSpans[r].scopeSpans[s].spans[k]
                    span.traceID = try hexId(span.traceID, bytes: 16, field: "\(path).traceId")
                    span.spanID = try hexId(span.spanID, bytes: 8, field: "\(path).spanId")
                    span.parentSpanID = try hexId(span.parentSpanID, bytes: 8, field: "\(path).parentSpanId")
                    for l in span.links.indices {
                        span.links[l].traceID = try hexId(span.links[l].traceID, bytes: 16, field: "\(path).links[\(l)].traceId")
                        span.links[l].spanID = try hexId(span.links[l].spanID, bytes: 8, field: "\(path).links[\(l)].spanId")
                    }
                    request.resourceSpans[r].scopeSpans[s].spans[k] = span
                }
            }
        }
    }

    /// The id that the hex text, decoded as base64 into `decoded`, names; empty stays empty.
    static func hexId(_ decoded: Data, bytes: Int, field: String) throws(OTLPError) -> Data {
        if decoded.isEmpty { return decoded }
        let text = decoded.base64EncodedString()
        guard text.utf8.count == bytes * 2, let id = Data(hex: text) else {
            throw OTLPError(.badRequest, encoding: .json, field: field, "must be \(bytes * 2) hex digits (OTLP/JSON)")
        }
        return id
    }

    /// Lower-case hex of `data`.
    static func hex(_ data: Data) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(data.count * 2)
        for byte in data {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

extension Data {
    /// The bytes an even-length hex string names (either case); nil for anything else.
    init?(hex text: String) {
        let utf8 = Array(text.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
            default: nil
            }
        }
        var bytes = [UInt8]()
        bytes.reserveCapacity(utf8.count / 2)
        var index = 0
        while index < utf8.count {
            guard let high = nibble(utf8[index]), let low = nibble(utf8[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        self.init(bytes)
    }
}
