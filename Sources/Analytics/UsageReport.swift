import Foundation

/// The answer of `GET /v1/analytics/usage` (and, with `byUser` or `byTenant`, of `GET /v1/admin/analytics`).
/// Optional figures are encoded as explicit nulls.
public struct UsageReport: Sendable, Equatable, Codable {
    public var from: Date
    public var to: Date
    public var totals: UsageTotals
    public var byType: [TypeUsage]
    public var byModel: [ModelUsage]
    public var daily: [DailyUsage]
    /// Top users of a tenant (admin analytics only).
    public var byUser: [UserUsage]?
    /// Every tenant (operator analytics only).
    public var byTenant: [TenantUsage]?
    /// Feedback scores given in the window, by name (the API's reports always carry them).
    public var scores: [ScoreSummary]?
    /// The same per provider and model of the scored conversation.
    public var scoresByModel: [ModelScores]?

    public init(
        from: Date, to: Date, totals: UsageTotals, byType: [TypeUsage], byModel: [ModelUsage], daily: [DailyUsage],
        byUser: [UserUsage]? = nil, byTenant: [TenantUsage]? = nil
    ) {
        self.from = from
        self.to = to
        self.totals = totals
        self.byType = byType
        self.byModel = byModel
        self.daily = daily
        self.byUser = byUser
        self.byTenant = byTenant
    }

    enum CodingKeys: String, CodingKey { case from, to, totals, byType, byModel, daily, byUser, byTenant, scores, scoresByModel }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(from, forKey: .from)
        try container.encode(to, forKey: .to)
        try container.encode(totals, forKey: .totals)
        try container.encode(byType, forKey: .byType)
        try container.encode(byModel, forKey: .byModel)
        try container.encode(daily, forKey: .daily)
        try container.encodeIfPresent(byUser, forKey: .byUser)
        try container.encodeIfPresent(byTenant, forKey: .byTenant)
        try container.encodeIfPresent(scores, forKey: .scores)
        try container.encodeIfPresent(scoresByModel, forKey: .scoresByModel)
    }
}

/// The window's totals. Tokens and cost include client-reported totals of conversations without message usage.
public struct UsageTotals: Sendable, Equatable, Codable {
    public var conversations: Int64 = 0
    public var messages: Int64 = 0
    public var inputTokens: Int64 = 0
    public var outputTokens: Int64 = 0
    public var cachedInputTokens: Int64 = 0
    public var cacheCreationInputTokens: Int64 = 0
    public var reasoningTokens: Int64 = 0
    public var totalTokens: Int64 = 0
    public var cost: Decimal = 0
    /// Mean processingTime (ms) of the messages that carried one; nil when none did.
    @ExplicitNull public var avgProcessingTime: Double?
    /// Median processingTime (ms) from the rollups' histograms (within +9.06 %/−8.30 %).
    @ExplicitNull public var p50ProcessingTime: Double?
    /// 95th percentile processingTime (ms) from the rollups' histograms (within +9.06 %/−8.30 %).
    @ExplicitNull public var p95ProcessingTime: Double?
    public var active: Int64 = 0
    public var completed: Int64 = 0
    public var failed: Int64 = 0
    public var cancelled: Int64 = 0
    /// completed / (completed + failed); nil when both are 0.
    @ExplicitNull public var successRate: Double?

    public init() {}
}

/// One conversation type's figures.
public struct TypeUsage: Sendable, Equatable, Codable {
    public var type: String
    public var conversations: Int64 = 0
    public var completed: Int64 = 0
    public var failed: Int64 = 0
    @ExplicitNull public var successRate: Double?
    public var totalTokens: Int64 = 0
    public var cost: Decimal = 0
    @ExplicitNull public var avgProcessingTime: Double?

    public init(type: String) { self.type = type }
}

/// One provider and model's figures.
public struct ModelUsage: Sendable, Equatable, Codable {
    public var provider: String
    public var model: String
    public var messages: Int64 = 0
    public var totalTokens: Int64 = 0
    public var cost: Decimal = 0
    public var unpricedMessages: Int64 = 0

    public init(provider: String, model: String) {
        self.provider = provider
        self.model = model
    }
}

/// One UTC day's figures (days without activity are present with zeros).
public struct DailyUsage: Sendable, Equatable, Codable {
    /// `yyyy-MM-dd`.
    public var date: String
    public var conversations: Int64 = 0
    public var messages: Int64 = 0
    public var totalTokens: Int64 = 0
    public var cost: Decimal = 0

    public init(date: String) { self.date = date }
}

/// One user's figures; `userId` null is the tenant's anonymous conversations.
public struct UserUsage: Sendable, Equatable, Codable {
    @ExplicitNull public var userId: String?
    public var conversations: Int64
    public var messages: Int64
    public var totalTokens: Int64
    public var cost: Decimal

    public init(userId: String?, conversations: Int64, messages: Int64, totalTokens: Int64, cost: Decimal) {
        self.userId = userId
        self.conversations = conversations
        self.messages = messages
        self.totalTokens = totalTokens
        self.cost = cost
    }
}

/// One tenant's figures (operator analytics).
public struct TenantUsage: Sendable, Equatable, Codable {
    public var tenantId: UUID
    public var tenantName: String
    public var conversations: Int64
    public var messages: Int64
    public var totalTokens: Int64
    public var cost: Decimal

    public init(tenantId: UUID, tenantName: String, conversations: Int64, messages: Int64, totalTokens: Int64, cost: Decimal) {
        self.tenantId = tenantId
        self.tenantName = tenantName
        self.conversations = conversations
        self.messages = messages
        self.totalTokens = totalTokens
        self.cost = cost
    }

    enum CodingKeys: String, CodingKey { case tenantId, tenantName, conversations, messages, totalTokens, cost }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(tenantId.uuidString.lowercased(), forKey: .tenantId)
        try c.encode(tenantName, forKey: .tenantName)
        try c.encode(conversations, forKey: .conversations)
        try c.encode(messages, forKey: .messages)
        try c.encode(totalTokens, forKey: .totalTokens)
        try c.encode(cost, forKey: .cost)
    }
}
