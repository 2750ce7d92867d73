import Foundation

/// What a budget limits: the whole tenant, one user, one conversation type or one model.
enum BudgetScope: String, Sendable, CaseIterable {
    case tenant, user, type, model
}

/// The calendar period a budget's spend is summed over (UTC; weeks start on Monday).
enum BudgetPeriod: String, Sendable, CaseIterable {
    case day, week, month
}

/// A budget's settings, validated: what `POST /v1/budgets` stores and `PATCH` changes.
struct BudgetSettings: Sendable, Equatable {
    var scope: BudgetScope
    var userId: String?
    var type: String?
    var model: String?
    var period: BudgetPeriod
    var amount: Decimal
    var thresholds: [Decimal]

    static let defaultThresholds: [Decimal] = [Decimal(string: "0.5")!, Decimal(string: "0.8")!, 1]
    /// The largest amount (USD).
    static let maxAmount = Decimal(1_000_000_000)
    /// Most thresholds per budget.
    static let maxThresholds = 10
    /// Most budgets per tenant.
    static let maxPerTenant = 1000

    /// `amount`: > 0 and at most `maxAmount`.
    static func checkAmount(_ amount: Decimal) throws(APIError) {
        guard amount > 0, amount <= maxAmount else {
            throw APIError.invalid("amount", "must be greater than 0 and at most \(maxAmount.plainText)")
        }
    }

    /// `thresholds`: 1…10 fractions of the amount, each in (0, 10], strictly increasing.
    static func checkThresholds(_ thresholds: [Decimal]) throws(APIError) {
        guard !thresholds.isEmpty, thresholds.count <= maxThresholds else {
            throw APIError.invalid("thresholds", "must hold 1 to \(maxThresholds) values")
        }
        for (index, threshold) in thresholds.enumerated() {
            guard threshold > 0, threshold <= 10 else {
                throw APIError.invalid("thresholds[\(index)]", "must be greater than 0 and at most 10")
            }
            if index > 0, threshold <= thresholds[index - 1] {
                throw APIError.invalid("thresholds[\(index)]", "thresholds must be sorted ascending and unique")
            }
        }
    }
}

/// `POST /v1/budgets`.
struct BudgetCreateRequest: Decodable, Sendable {
    var scope: String
    var userId: String?
    var type: String?
    var model: String?
    var period: String
    var amount: ExactDecimal
    var thresholds: [ExactDecimal]?

    /// The checked settings; 400 naming the field otherwise.
    func validated() throws(APIError) -> BudgetSettings {
        guard let scope = BudgetScope(rawValue: scope) else {
            throw APIError.invalid("scope", "must be one of tenant, user, type, model")
        }
        guard let period = BudgetPeriod(rawValue: period) else {
            throw APIError.invalid("period", "must be one of day, week, month")
        }
        let targets: [(BudgetScope, String, String?)] = [(.user, "userId", userId), (.type, "type", type), (.model, "model", model)]
        for (owner, field, value) in targets {
            if owner == scope {
                try IngestValidation.text(value, field: field, max: 256, required: true)
            } else if value != nil {
                throw APIError.invalid(field, "is only allowed with scope \(owner.rawValue)")
            }
        }
        try BudgetSettings.checkAmount(amount.value)
        let thresholds = thresholds.map { $0.map(\.value) } ?? BudgetSettings.defaultThresholds
        try BudgetSettings.checkThresholds(thresholds)
        return BudgetSettings(
            scope: scope, userId: userId, type: type, model: model, period: period, amount: amount.value, thresholds: thresholds)
    }
}

/// `PATCH /v1/budgets/{id}`: period, amount and thresholds may change; what the budget limits may not.
struct BudgetPatchRequest: Decodable, Sendable {
    var period: String?
    var amount: ExactDecimal?
    var thresholds: [ExactDecimal]?

    enum CodingKeys: String, CodingKey { case period, amount, thresholds, scope, userId, type, model }

    init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        for key in [CodingKeys.scope, .userId, .type, .model] where container.contains(key) {
            throw APIError.invalid(key.stringValue, "cannot be changed; delete the budget and create another")
        }
        period = try container.decodeIfPresent(String.self, forKey: .period)
        amount = try container.decodeIfPresent(ExactDecimal.self, forKey: .amount)
        thresholds = try container.decodeIfPresent([ExactDecimal].self, forKey: .thresholds)
    }

    /// `settings` with this patch applied and checked.
    func applied(to settings: BudgetSettings) throws(APIError) -> BudgetSettings {
        var result = settings
        if let period {
            guard let value = BudgetPeriod(rawValue: period) else { throw APIError.invalid("period", "must be one of day, week, month") }
            result.period = value
        }
        if let amount {
            try BudgetSettings.checkAmount(amount.value)
            result.amount = amount.value
        }
        if let thresholds {
            try BudgetSettings.checkThresholds(thresholds.map(\.value))
            result.thresholds = thresholds.map(\.value)
        }
        return result
    }
}
