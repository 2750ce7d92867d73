import Foundation

/// The answer of `GET /v1/analytics/experiments/{experiment}`: the experiment's variants side by side, over the
/// conversations of the experiment created in the window.
public struct ExperimentReport: Sendable, Equatable, Codable {
    public var experiment: String
    public var days: Int
    public var from: Date
    public var to: Date
    /// By variant name; conversations of the experiment without a variant come first, as `variant: null`.
    public var variants: [VariantFigures]

    public init(experiment: String, days: Int, from: Date, to: Date, variants: [VariantFigures]) {
        self.experiment = experiment
        self.days = days
        self.from = from
        self.to = to
        self.variants = variants
    }
}

/// One variant's figures.
public struct VariantFigures: Sendable, Equatable, Codable {
    @ExplicitNull public var variant: String?
    public var conversations: Int64
    /// The variant's cost (derived from its messages, or the client-reported total of a conversation without message
    /// usage, as in the usage report) divided by its conversations.
    public var costPerConversation: Decimal
    /// completed / (completed + failed); nil when both are 0.
    @ExplicitNull public var successRate: Double?
    /// The median processingTime (ms) of the variant's messages that carried one (exact, interpolated); nil if none.
    @ExplicitNull public var p50ProcessingTime: Double?
    /// Scores on the variant's conversations and their messages, by name.
    public var scores: [String: VariantScore]

    public init(
        variant: String?, conversations: Int64, costPerConversation: Decimal, successRate: Double?, p50ProcessingTime: Double?,
        scores: [String: VariantScore]
    ) {
        self.variant = variant
        self.conversations = conversations
        self.costPerConversation = costPerConversation
        self.successRate = successRate
        self.p50ProcessingTime = p50ProcessingTime
        self.scores = scores
    }
}

/// How many scores of one name a variant got, and the mean of the numeric ones (nil when all are categories).
public struct VariantScore: Sendable, Equatable, Codable {
    public var count: Int64
    @ExplicitNull public var mean: Double?

    public init(count: Int64, mean: Double?) {
        self.count = count
        self.mean = mean
    }
}
