import CZlib
import Foundation
import OTLPProto
import SwiftProtobuf

typealias ExportRequest = Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceRequest
typealias ExportResponse = Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceResponse
typealias Span = Opentelemetry_Proto_Trace_V1_Span

/// Building OTLP export requests for the tests, as an instrumented application's SDK would.
enum OTLPFixtures {
    /// An attribute value from a Swift literal: String, Int, Double, Bool, [String] (a string array).
    static func value(_ value: Any) -> Opentelemetry_Proto_Common_V1_AnyValue {
        var any = Opentelemetry_Proto_Common_V1_AnyValue()
        switch value {
        case let text as String: any.stringValue = text
        case let number as Int: any.intValue = Int64(number)
        case let number as Int64: any.intValue = number
        case let number as Double: any.doubleValue = number
        case let flag as Bool: any.boolValue = flag
        case let texts as [String]:
            var array = Opentelemetry_Proto_Common_V1_ArrayValue()
            array.values = texts.map { OTLPFixtures.value($0) }
            any.arrayValue = array
        default: fatalError("unsupported attribute value \(value)")
        }
        return any
    }

    static func attributes(_ pairs: [(String, Any)]) -> [Opentelemetry_Proto_Common_V1_KeyValue] {
        pairs.map { key, value in
            var attribute = Opentelemetry_Proto_Common_V1_KeyValue()
            attribute.key = key
            attribute.value = OTLPFixtures.value(value)
            return attribute
        }
    }

    /// JSON text of a Swift value (the structured message attributes).
    static func json(_ value: Any) -> String {
        String(decoding: try! JSONSerialization.data(withJSONObject: value, options: [.sortedKeys]), as: UTF8.self)
    }

    /// Random ids.
    static func traceId() -> Data { Data((0..<16).map { _ in UInt8.random(in: 0...255) }) }
    static func spanId() -> Data { Data((0..<8).map { _ in UInt8.random(in: 1...255) }) }

    /// A span ending `endAgo` seconds ago that lasted `duration` seconds.
    static func span(
        trace: Data, id: Data = spanId(), name: String = "chat", attributes pairs: [(String, Any)],
        endAgo: Double = 60, duration: Double = 1.5, error: String? = nil, events: [(String, [(String, Any)])] = []
    ) -> Span {
        var span = Span()
        span.traceID = trace
        span.spanID = id
        span.name = name
        span.kind = .client
        let end = UInt64((Date().timeIntervalSince1970 - endAgo) * 1_000_000) * 1000
        span.endTimeUnixNano = end
        span.startTimeUnixNano = end - UInt64(duration * 1_000_000_000)
        span.attributes = attributes(pairs)
        span.events = events.map { name, pairs in
            var event = Opentelemetry_Proto_Trace_V1_Span.Event()
            event.name = name
            event.timeUnixNano = span.startTimeUnixNano
            event.attributes = attributes(pairs)
            return event
        }
        if let error {
            span.status.code = .error
            span.status.message = error
        }
        return span
    }

    /// An export of `spans` from one service.
    static func export(_ spans: [Span], resource pairs: [(String, Any)] = [("service.name", "test-app")]) -> ExportRequest {
        var scope = Opentelemetry_Proto_Trace_V1_ScopeSpans()
        scope.scope.name = "test-instrumentation"
        scope.spans = spans
        var resourceSpans = Opentelemetry_Proto_Trace_V1_ResourceSpans()
        resourceSpans.resource.attributes = attributes(pairs)
        resourceSpans.scopeSpans = [scope]
        var request = ExportRequest()
        request.resourceSpans = [resourceSpans]
        return request
    }

    /// Lower-case hex.
    static func hex(_ data: Data) -> String { data.map { String(format: "%02x", $0) }.joined() }

    /// The UUID whose 16 bytes are `data` (a trace id read as a UUID).
    static func uuid(_ data: Data) -> UUID { data.withUnsafeBytes { UUID(uuid: $0.loadUnaligned(as: uuid_t.self)) } }

    /// `bytes` gzip-compressed.
    static func gzip(_ bytes: [UInt8]) -> [UInt8] {
        var stream = z_stream()
        precondition(llmlog_deflate_init_gzip(&stream, 6) == Z_OK)
        defer { deflateEnd(&stream) }
        var input = bytes
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(bytes.count))) + 64)
        let produced = input.withUnsafeMutableBufferPointer { inputBytes in
            output.withUnsafeMutableBufferPointer { outputBytes in
                stream.next_in = inputBytes.baseAddress
                stream.avail_in = uInt(inputBytes.count)
                stream.next_out = outputBytes.baseAddress
                stream.avail_out = uInt(outputBytes.count)
                precondition(deflate(&stream, Z_FINISH) == Z_STREAM_END)
                return outputBytes.count - Int(stream.avail_out)
            }
        }
        return Array(output[0..<produced])
    }
}
