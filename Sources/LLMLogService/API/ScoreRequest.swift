import Foundation

/// Who gave a score: an end user (thumbs up/down), an admin reviewing, or a pipeline (an evaluator).
public enum ScoreSource: String, Codable, Sendable, CaseIterable {
    case user, admin, automated
}

/// A score's value: a finite number (an evaluator's 0.8) or a category (`"good"`).
public enum ScoreValue: Codable, Sendable, Equatable {
    case number(Double)
    case category(String)

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Double.self) {
            self = .number(number)
        } else if let text = try? container.decode(String.self) {
            self = .category(text)
        } else {
            throw DecodingError.typeMismatch(
                ScoreValue.self, .init(codingPath: decoder.codingPath, debugDescription: "must be a number or a string"))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .number(let number): try container.encode(number)
        case .category(let text): try container.encode(text)
        }
    }
}

/// The body of `POST /v1/conversations/{id}/scores` and `…/messages/{messageId}/scores`.
public struct ScoreCreateRequest: Codable, Sendable, Equatable {
    /// A client id makes the write idempotent (see the route).
    public var id: UUID?
    public var name: String
    public var value: ScoreValue
    public var comment: String?
    public var source: ScoreSource?

    public init(id: UUID? = nil, name: String, value: ScoreValue, comment: String? = nil, source: ScoreSource? = nil) {
        self.id = id
        self.name = name
        self.value = value
        self.comment = comment
        self.source = source
    }

    /// Longest name and category, in Unicode scalars (what PostgreSQL's `length` and JSON Schema's `maxLength` count).
    static let maxName = 100
    /// Longest comment, in Unicode scalars.
    static let maxComment = 2000

    /// 400 naming the field for a name outside `[A-Za-z0-9_.:-]{1,100}`, a value that is not finite or an empty or
    /// overlong category, an overlong comment, or NUL in any text.
    func validate() throws(APIError) {
        let allowed = name.utf8.allSatisfy { byte in
            (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || "_.:-".utf8.contains(byte)
        }
        if name.isEmpty || name.utf8.count > Self.maxName || !allowed {
            throw .invalid("name", "must be 1…100 characters of A-Z, a-z, 0-9, _ . : -")
        }
        switch value {
        case .number(let number):
            if !number.isFinite { throw .invalid("value", "must be a finite number") }
        case .category(let text):
            if text.isEmpty || text.unicodeScalars.count > Self.maxName { throw .invalid("value", "must be a category of 1…100 characters") }
            try IngestValidation.noNUL(text, field: "value")
        }
        if let comment {
            if comment.unicodeScalars.count > Self.maxComment { throw .invalid("comment", "is longer than 2000 characters", code: "too_long") }
            try IngestValidation.noNUL(comment, field: "comment")
        }
    }
}

/// A stored score as the API returns it. Every field is present; absent values are JSON null.
public struct ScoreRecord: Codable, Sendable, Equatable {
    public var id: UUID
    public var conversationId: UUID
    public var messageId: UUID?
    public var name: String
    public var value: ScoreValue
    public var comment: String?
    public var source: ScoreSource
    public var createdAt: Date

    enum CodingKeys: String, CodingKey { case id, conversationId, messageId, name, value, comment, source, createdAt }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id.lowercasedString, forKey: .id)
        try container.encode(conversationId.lowercasedString, forKey: .conversationId)
        try container.encode(messageId?.lowercasedString, forKey: .messageId)
        try container.encode(name, forKey: .name)
        try container.encode(value, forKey: .value)
        try container.encode(comment, forKey: .comment)
        try container.encode(source, forKey: .source)
        try container.encode(createdAt, forKey: .createdAt)
    }
}
