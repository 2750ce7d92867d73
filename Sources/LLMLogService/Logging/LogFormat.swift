import Logging

/// How log lines look: `text` (swift-log's stream format) or `json` (one object per line, see JSONLogHandler).
public enum LogFormat: String, Sendable, CaseIterable {
    case text, json

    /// A handler for `label` in this format at `level`, writing to standard error.
    public func handler(label: String, level: Logger.Level) -> any LogHandler {
        switch self {
        case .text:
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        case .json:
            return JSONLogHandler(label: label, level: level)
        }
    }
}
