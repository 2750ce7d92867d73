/// An error from PGClient: a server error with its SQLSTATE and fields, or a client-side failure.
///
/// `description` names the kind, SQLSTATE and object names only: the server's message and detail may quote
/// parameter values (`Key (email)=(…) already exists`), so they appear only in `debugDescription`.
public struct PGError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// What went wrong, broadly.
    public enum Kind: String, Sendable {
        /// The server answered with an ErrorResponse.
        case server
        /// The connection could not be established.
        case connectionFailed
        /// The connection broke while in use.
        case connectionClosed
        /// No connection became free within the pool's acquire timeout.
        case poolTimeout
        /// The pool is shut down.
        case poolClosed
        /// The query was cancelled (task cancellation or statement timeout on the client side).
        case cancelled
        /// A value could not be decoded into the requested Swift type.
        case decoding
        /// The client was used wrongly (e.g. one connection from two tasks at once).
        case misuse
        /// libpq reported a failure outside a server error (e.g. out of memory, protocol violation).
        case client
    }

    public var kind: Kind
    /// The SQLSTATE, when the server sent one (or a client-side class 08 code for connection failures).
    public var code: Code?
    public var severity: String?
    /// The server's primary message or the client's explanation. May contain values: not in `description`.
    public var message: String
    public var detail: String?
    public var hint: String?
    public var schema: String?
    public var table: String?
    public var column: String?
    public var constraint: String?
    /// The SQL text of the statement that failed, when one did (never its values: they travel as parameters). Set
    /// for single statements and for the failing statement of a pipeline, as postgres-nio's `PSQLError.query`.
    public var query: String?

    /// Makes an error of the given kind.
    public init(
        kind: Kind, code: Code? = nil, message: String, severity: String? = nil, detail: String? = nil,
        hint: String? = nil, schema: String? = nil, table: String? = nil, column: String? = nil,
        constraint: String? = nil
    ) {
        self.kind = kind
        self.code = code
        self.message = message
        self.severity = severity
        self.detail = detail
        self.hint = hint
        self.schema = schema
        self.table = table
        self.column = column
        self.constraint = constraint
    }

    /// True when the same work may succeed if it is tried again later, as a whole: the connection was lost or
    /// could not be made, no pooled connection was free in time or the pool is shut down (another instance may
    /// answer), the server is shutting down, starting or out of connections, the statement hit its timeout, or
    /// the transaction lost a serialization race or a deadlock. The one answer to "retry?" for every caller: the
    /// writer retries such a flush, the HTTP layer answers 503 with Retry-After.
    public var isRetryable: Bool {
        switch kind {
        case .connectionFailed, .connectionClosed, .poolTimeout, .poolClosed: return true
        case .server:
            guard let code else { return false }
            return code.isConnectionException || code.isShutdown || code.isRetryableTransactionFailure
                || code == .queryCanceled || code == .tooManyConnections
        case .cancelled, .decoding, .misuse, .client: return false
        }
    }

    /// True for errors after which the connection cannot be used again (class 08, admin shutdown, lost socket).
    public var isConnectionError: Bool {
        switch kind {
        case .connectionFailed, .connectionClosed: return true
        case .server: return code?.isConnectionException == true || code?.isShutdown == true
        default: return false
        }
    }

    public var description: String {
        var parts = ["PGError(\(kind.rawValue)"]
        if let code { parts.append("sqlstate: \(code.rawValue)") }
        if let severity { parts.append("severity: \(severity)") }
        if let table { parts.append("table: \(table)") }
        if let column { parts.append("column: \(column)") }
        if let constraint { parts.append("constraint: \(constraint)") }
        if kind != .server { parts.append("message: \(message)") }
        return parts.joined(separator: ", ") + ")"
    }

    public var debugDescription: String {
        var text = description.dropLast() + ", message: \(message)"
        if let detail { text += ", detail: \(detail)" }
        if let hint { text += ", hint: \(hint)" }
        if let query { text += ", query: \(query)" }
        return text + ")"
    }
}

extension PGError {
    /// A SQLSTATE code. Open: any five-character code is representable; the ones llmlog branches on are named.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public init(_ rawValue: String) { self.rawValue = rawValue }

        /// The two-character class, e.g. `08` for connection exceptions.
        public var errorClass: Substring { rawValue.prefix(2) }
        public var description: String { rawValue }

        public static let uniqueViolation = Code("23505")
        public static let foreignKeyViolation = Code("23503")
        public static let notNullViolation = Code("23502")
        public static let checkViolation = Code("23514")
        public static let serializationFailure = Code("40001")
        public static let deadlockDetected = Code("40P01")
        public static let queryCanceled = Code("57014")
        public static let adminShutdown = Code("57P01")
        public static let crashShutdown = Code("57P02")
        public static let cannotConnectNow = Code("57P03")
        /// 53300: the server has no connection slot left.
        public static let tooManyConnections = Code("53300")
        public static let syntaxError = Code("42601")
        public static let undefinedTable = Code("42P01")
        public static let insufficientPrivilege = Code("42501")
        public static let connectionException = Code("08000")
        public static let connectionDoesNotExist = Code("08003")
        public static let connectionFailure = Code("08006")
        public static let unableToEstablishConnection = Code("08001")
        public static let invalidTextRepresentation = Code("22P02")
        /// 22003: a value does not fit its type (a bigint counter past 2^63 − 1).
        public static let numericValueOutOfRange = Code("22003")
        public static let characterNotInRepertoire = Code("22021")
        public static let untranslatableCharacter = Code("22P05")

        /// Class 08: the connection is gone or was never made.
        public var isConnectionException: Bool { errorClass == "08" }
        /// 57P01…57P03: the server is shutting down or starting up.
        public var isShutdown: Bool { self == .adminShutdown || self == .crashShutdown || self == .cannotConnectNow }
        /// 40001 and 40P01: the transaction can be retried as a whole.
        public var isRetryableTransactionFailure: Bool { self == .serializationFailure || self == .deadlockDetected }
    }
}

extension PGError {
    static func misuse(_ message: String) -> PGError { PGError(kind: .misuse, message: message) }
    static func connectionClosed(_ message: String) -> PGError {
        PGError(kind: .connectionClosed, code: .connectionFailure, message: message)
    }
    static let cancelled = PGError(kind: .cancelled, code: .queryCanceled, message: "query cancelled by the client")
}

extension PGError {
    /// This error as the failure of `query` (its SQL text is kept; a statement skipped after an earlier failure
    /// of a pipeline names itself too).
    func failing(_ query: PGQuery) -> PGError {
        var error = self
        if error.query == nil { error.query = query.sql }
        return error
    }
}
