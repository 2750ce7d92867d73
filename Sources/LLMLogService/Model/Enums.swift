/// Who wrote a message.
public enum MessageRole: String, Codable, Sendable, CaseIterable {
    case user = "USER"
    case assistant = "ASSISTANT"
    case system = "SYSTEM"
    case tool = "TOOL"
}

/// A conversation's lifecycle. COMPLETED, FAILED and CANCELLED are terminal.
public enum ConversationStatus: String, Codable, Sendable, CaseIterable {
    case active = "ACTIVE"
    case completed = "COMPLETED"
    case failed = "FAILED"
    case cancelled = "CANCELLED"

    /// True for COMPLETED, FAILED and CANCELLED.
    public var isTerminal: Bool { self != .active }
}

/// Where a message's cost came from.
public enum CostSource: String, Codable, Sendable {
    /// The client sent `cost`.
    case provided
    /// Computed from the price table at the message's time.
    case computed
    /// No price for the model: cost is null, never 0.
    case unpriced
}

/// A principal's role within a tenant.
public enum KeyRole: String, Codable, Sendable, CaseIterable {
    case ingest, admin
}
