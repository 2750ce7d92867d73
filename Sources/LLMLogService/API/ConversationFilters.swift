import Foundation
import Hummingbird
import HummingbirdCore

/// The filters of a conversation list (`GET /v1/conversations`, the dashboard's list and the exports), parsed once
/// from query parameters: `type`, `status`, `userId` (admins only), `model`, `from` (inclusive), `to` (exclusive),
/// `q` (text search over message content and titles). An empty parameter is the same as leaving it out. Bad values
/// are a 400 naming the parameter.
struct ConversationFilters: Sendable, Equatable {
    var type: String?
    var status: String?
    var userId: String?
    var model: String?
    var from: Date?
    var to: Date?
    var q: String?

    /// Longest `q`, in UTF-8 bytes.
    static let maxSearchBytes = 200

    init(
        type: String? = nil, status: String? = nil, userId: String? = nil, model: String? = nil, from: Date? = nil,
        to: Date? = nil, q: String? = nil
    ) {
        self.type = type
        self.status = status
        self.userId = userId
        self.model = model
        self.from = from
        self.to = to
        self.q = q
    }

    /// The filters of `parameters` as `principal` may use them: a user token is always limited to its own user, and
    /// asking for another (`userId`) is a 403.
    init(_ parameters: FlatDictionary<Substring, Substring>, principal: Principal, wholeDays: Bool = false) throws(APIError) {
        try self.init(lookup: { parameters[Substring($0)].map(String.init) }, principal: principal, wholeDays: wholeDays)
    }

    /// The filters read through `lookup`. With `wholeDays` (the dashboard's date fields), `from` and `to` may also
    /// be `yyyy-MM-dd` days (UTC): `from` the start of its day, `to` the end of its day (both days included).
    init(lookup: (String) -> String?, principal: Principal, wholeDays: Bool = false) throws(APIError) {
        func parameter(_ name: String) -> String? { lookup(name).flatMap { $0.isEmpty ? nil : $0 } }
        type = parameter("type")
        if let type, !IngestValidation.isValidType(type) { throw APIError.invalid("type", "must match ^[A-Z][A-Z0-9_]{0,63}$") }
        status = parameter("status")
        if let status, ConversationStatus(rawValue: status) == nil {
            throw APIError.invalid("status", "must be one of ACTIVE, COMPLETED, FAILED, CANCELLED")
        }
        func date(_ name: String) throws(APIError) -> Date? {
            guard let text = parameter(name) else { return nil }
            if wholeDays, text.count == 10, let day = ISO8601.parse(text + "T00:00:00Z") {
                return name == "to" ? day.addingTimeInterval(86_400) : day
            }
            guard let date = ISO8601.parse(text) else { throw APIError.invalid(name, "is not an ISO 8601 date-time") }
            return date
        }
        from = try date("from")
        to = try date("to")
        model = parameter("model")
        if let model, model.utf8.count > 200 || model.contains("\0") { throw APIError.invalid("model", "must be at most 200 bytes, without U+0000") }
        q = parameter("q")
        if let q, q.utf8.count > Self.maxSearchBytes || q.contains("\0") {
            throw APIError.invalid("q", "must be at most \(Self.maxSearchBytes) bytes, without U+0000")
        }
        userId = principal.userId
        if let requested = parameter("userId") {
            guard principal.role == .admin else {
                throw APIError(.forbidden, code: "forbidden", message: "only admin keys filter by userId", field: "userId")
            }
            if requested.contains("\0") { throw APIError.invalid("userId", "must not contain U+0000") }
            userId = requested
        }
    }
}
