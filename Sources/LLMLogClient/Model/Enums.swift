/// Who wrote a message (the seed's `MessageRole`).
public enum MessageRole: String, Codable, Sendable, CaseIterable {
    case user = "USER"
    case assistant = "ASSISTANT"
    case system = "SYSTEM"
    case tool = "TOOL"
}

/// A conversation's lifecycle (the seed's `ConversationStatus`). COMPLETED, FAILED and CANCELLED are terminal.
public enum ConversationStatus: String, Codable, Sendable, CaseIterable {
    case active = "ACTIVE"
    case completed = "COMPLETED"
    case failed = "FAILED"
    case cancelled = "CANCELLED"
}

/// What a conversation is for (the seed's `ConversationType`): an upper-case name the app chooses.
public struct ConversationType: RawRepresentable, Hashable, Codable, Sendable, ExpressibleByStringLiteral {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }
    public init(from decoder: any Decoder) throws { rawValue = try decoder.singleValueContainer().decode(String.self) }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    /// `CHAT`.
    public static let chat: ConversationType = "CHAT"
    /// `RESUME_ANALYSIS`.
    public static let resumeAnalysis: ConversationType = "RESUME_ANALYSIS"
    /// `JOB_EXTRACTION`.
    public static let jobExtraction: ConversationType = "JOB_EXTRACTION"
    /// `COVER_LETTER_GENERATION`.
    public static let coverLetterGeneration: ConversationType = "COVER_LETTER_GENERATION"
}
