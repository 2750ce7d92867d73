import Foundation

/// The scores of one name in a window (issue #17's feedback scores): how many, the mean of the numeric ones, and
/// how often each category was given.
public struct ScoreSummary: Sendable, Equatable, Codable {
    public var name: String
    /// Every score of this name, numeric and categorical.
    public var count: Int64
    /// Mean of the numeric scores; nil when every score of this name is a category.
    @ExplicitNull public var mean: Double?
    /// Count per category; empty when every score of this name is a number.
    public var values: [String: Int64]

    public init(name: String, count: Int64 = 0, mean: Double? = nil, values: [String: Int64] = [:]) {
        self.name = name
        self.count = count
        self.mean = mean
        self.values = values
    }
}

/// The scores of one provider and model (the scored conversation's).
public struct ModelScores: Sendable, Equatable, Codable {
    public var provider: String
    public var model: String
    public var scores: [ScoreSummary]

    public init(provider: String, model: String, scores: [ScoreSummary]) {
        self.provider = provider
        self.model = model
        self.scores = scores
    }
}

/// One grouped row of scores as the store reads it: a name and either a category with its count or the numeric
/// scores' count and sum; `provider`/`model` nil for the rows over every model.
public struct ScoreGroupRow: Sendable, Equatable {
    public var provider: String?
    public var model: String?
    public var name: String
    public var category: String?
    public var count: Int64
    public var numericSum: Double?

    public init(provider: String?, model: String?, name: String, category: String?, count: Int64, numericSum: Double?) {
        self.provider = provider
        self.model = model
        self.name = name
        self.category = category
        self.count = count
        self.numericSum = numericSum
    }

    /// Summaries by name (sorted by name) from the rows of one grouping.
    public static func summaries(_ rows: [ScoreGroupRow]) -> [ScoreSummary] {
        var byName: [String: ScoreSummary] = [:]
        for row in rows {
            var summary = byName[row.name] ?? ScoreSummary(name: row.name)
            summary.count += row.count
            if let category = row.category {
                summary.values[category, default: 0] += row.count
            } else if let sum = row.numericSum, row.count > 0 {
                summary.mean = sum / Double(row.count)
            }
            byName[row.name] = summary
        }
        return byName.values.sorted { $0.name < $1.name }
    }

    /// Per provider and model (sorted), the summaries of the rows that name one.
    public static func byModel(_ rows: [ScoreGroupRow]) -> [ModelScores] {
        var groups: [String: [ScoreGroupRow]] = [:]
        var keys: [String: (String, String)] = [:]
        for row in rows {
            guard let provider = row.provider, let model = row.model else { continue }
            let key = provider + "\u{0}" + model
            groups[key, default: []].append(row)
            keys[key] = (provider, model)
        }
        return groups.keys.sorted().compactMap { key in
            guard let (provider, model) = keys[key], let rows = groups[key] else { return nil }
            return ModelScores(provider: provider, model: model, scores: summaries(rows))
        }
    }
}
