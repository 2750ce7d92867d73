import Foundation
import Logging

/// A swift-log handler that writes one JSON object per line, for log shippers:
/// `{"timestamp": "2025-01-31T12:00:00.123456Z", "level": "info", "label": "llmlog", "message": "request", …}`
/// followed by the metadata as top-level fields (nested dictionaries flattened to `parent.child`; a key that
/// collides with the four fixed fields is written as `metadata.<key>`).
public struct JSONLogHandler: LogHandler {
    /// Receives each finished line (without its newline).
    public typealias Sink = @Sendable (String) -> Void

    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    let label: String
    let sink: Sink

    /// A handler writing to `sink` (default: standard error, one write per line).
    public init(
        label: String, level: Logger.Level = .info, metadataProvider: Logger.MetadataProvider? = nil,
        sink: @escaping Sink = JSONLogHandler.standardError
    ) {
        self.label = label
        self.logLevel = level
        self.metadataProvider = metadataProvider
        self.sink = sink
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var all = metadata
        if let provided = metadataProvider?.get() { all.merge(provided) { $1 } }
        if let given = event.metadata { all.merge(given) { $1 } }
        if let error = event.error, all["error"] == nil { all["error"] = "\(error)" }
        sink(Self.line(timestamp: Date(), level: event.level, label: label, message: event.message.description, metadata: all))
    }

    static let fixedKeys: Set<String> = ["timestamp", "level", "label", "message"]

    /// The JSON text of one record: the fixed fields first, then the flattened metadata sorted by key.
    static func line(timestamp: Date, level: Logger.Level, label: String, message: String, metadata: Logger.Metadata) -> String {
        var fields: [(String, String)] = []
        func flatten(_ key: String, _ value: Logger.Metadata.Value) {
            switch value {
            case .string(let text): fields.append((key, quoted(text)))
            case .stringConvertible(let value): fields.append((key, quoted(value.description)))
            case .array(let values): fields.append((key, "[" + values.map { quoted($0.description) }.joined(separator: ",") + "]"))
            case .dictionary(let dictionary): for (child, value) in dictionary { flatten("\(key).\(child)", value) }
            }
        }
        for (key, value) in metadata { flatten(fixedKeys.contains(key) ? "metadata.\(key)" : key, value) }
        var text = "{\"timestamp\":" + quoted(timestamp.formatted(Self.timestampStyle))
        text += ",\"level\":" + quoted(level.rawValue) + ",\"label\":" + quoted(label) + ",\"message\":" + quoted(message)
        for (key, value) in fields.sorted(by: { $0.0 < $1.0 }) { text += "," + quoted(key) + ":" + value }
        return text + "}"
    }

    static let timestampStyle = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)

    /// A JSON string literal: quotes, backslashes and control characters escaped.
    static func quoted(_ text: String) -> String {
        var out = "\""
        out.reserveCapacity(text.utf8.count + 2)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x2028 || scalar.value == 0x2029:
                out += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count) + String(scalar.value, radix: 16)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// Writes a line and its newline to standard error in one call, so concurrent lines never interleave.
    public static let standardError: Sink = { line in
        Array((line + "\n").utf8).withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(STDERR_FILENO, buffer.baseAddress! + offset, buffer.count - offset)
                if written <= 0 { return }
                offset += written
            }
        }
    }
}
