import Foundation

/// A budget as the API answers it: its settings and, for the current UTC period, `spent` and `remaining` (never
/// below 0) as exact decimal strings.
struct BudgetResponse: Encodable, Sendable {
    let row: BudgetRow

    enum CodingKeys: String, CodingKey {
        case id, scope, userId, type, model, period, amount, thresholds, periodStart, spent, remaining, exceeded, createdAt, updatedAt
    }

    func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        let settings = row.settings
        try container.encode(row.id, forKey: .id)
        try container.encode(settings.scope.rawValue, forKey: .scope)
        try container.encode(settings.userId, forKey: .userId)
        try container.encode(settings.type, forKey: .type)
        try container.encode(settings.model, forKey: .model)
        try container.encode(settings.period.rawValue, forKey: .period)
        try container.encode(ExactDecimal(settings.amount), forKey: .amount)
        try container.encode(settings.thresholds, forKey: .thresholds)
        try container.encode(row.periodStart, forKey: .periodStart)
        try container.encode(ExactDecimal(row.spent), forKey: .spent)
        try container.encode(ExactDecimal(row.remaining), forKey: .remaining)
        try container.encode(row.exceeded, forKey: .exceeded)
        try container.encode(row.createdAt, forKey: .createdAt)
        try container.encode(row.updatedAt, forKey: .updatedAt)
    }
}

extension BudgetRow {
    /// What is left of the amount in this period (0 once spent).
    var remaining: Decimal { max(0, settings.amount - spent) }
    /// True once the period's spend reached the amount.
    var exceeded: Bool { spent >= settings.amount }
}

/// `GET /v1/budgets`.
struct BudgetList: Encodable, Sendable {
    let budgets: [BudgetResponse]
}

/// `GET /v1/budgets/status`: every budget that applies to the call, and whether any is exceeded.
struct BudgetStatus: Encodable, Sendable {
    struct Entry: Encodable, Sendable {
        let id: UUID
        let scope: String
        let period: String
        let amount: ExactDecimal
        let spent: ExactDecimal
        let remaining: ExactDecimal
        let exceeded: Bool
    }
    let exceeded: Bool
    let budgets: [Entry]

    init(_ rows: [BudgetRow]) {
        budgets = rows.map {
            Entry(
                id: $0.id, scope: $0.settings.scope.rawValue, period: $0.settings.period.rawValue, amount: ExactDecimal($0.settings.amount),
                spent: ExactDecimal($0.spent), remaining: ExactDecimal($0.remaining), exceeded: $0.exceeded)
        }
        exceeded = rows.contains(where: \.exceeded)
    }
}

/// `GET /v1/alerts`.
struct AlertList: Encodable, Sendable {
    let alerts: [BudgetAlert]
}

/// `GET /v1/webhooks`.
struct WebhookList: Encodable, Sendable {
    let webhooks: [WebhookRecord]
}

/// `GET /v1/webhooks/{id}/deliveries`.
struct DeliveryList: Encodable, Sendable {
    let deliveries: [WebhookDeliveryRecord]
}
