import Foundation

/// Every figure of a run, the ratios and the goals; printed as a table and as one JSON line.
struct Report {
    var figures: [(key: String, value: Double)] = []
    var notes: [String: String] = [:]

    subscript(key: String) -> Double? {
        get { figures.first { $0.key == key }?.value }
        set {
            guard let newValue else { return }
            if let index = figures.firstIndex(where: { $0.key == key }) { figures[index].value = newValue } else { figures.append((key, newValue)) }
        }
    }

    /// A goal: `figure` compared with `bound` (or with `ratio` × `ceiling`).
    struct Goal {
        let name: String
        let figure: String
        let ceiling: String?
        let atLeast: Bool
        let bound: Double
    }

    static let goals = [
        Goal(name: "batch_vs_copy", figure: "batch_messages_per_s", ceiling: "copy_rows_per_s", atLeast: true, bound: 0.6),
        Goal(name: "single_vs_insert_per_row", figure: "single_messages_per_s", ceiling: "pgbench_insert1_rows_per_s", atLeast: true, bound: 1.2),
        Goal(name: "single_vs_http", figure: "single_messages_per_s", ceiling: "http_ceiling_requests_per_s", atLeast: true, bound: 0.6),
        Goal(name: "half_rate_p99", figure: "half_rate_p99_ms", ceiling: nil, atLeast: false, bound: 20),
        Goal(name: "usage_p50", figure: "usage_p50_ms", ceiling: nil, atLeast: false, bound: 25),
        Goal(name: "list_p50", figure: "list_p50_ms", ceiling: nil, atLeast: false, bound: 10),
        Goal(name: "dashboard_overview_p50", figure: "dashboard_overview_p50_ms", ceiling: nil, atLeast: false, bound: 50),
        Goal(name: "dashboard_conversations_p50", figure: "dashboard_conversations_p50_ms", ceiling: nil, atLeast: false, bound: 20),
        Goal(name: "search_rare_p50", figure: "search_rare_p50_ms", ceiling: nil, atLeast: false, bound: 100),
        Goal(name: "search_common_p50", figure: "search_common_p50_ms", ceiling: nil, atLeast: false, bound: 100),
        Goal(name: "export_rate", figure: "export_messages_per_s", ceiling: nil, atLeast: true, bound: 50_000),
        Goal(name: "export_rss_growth", figure: "export_rss_growth_mb", ceiling: nil, atLeast: false, bound: 50),
        Goal(name: "service_rss", figure: "service_peak_rss_mb", ceiling: nil, atLeast: false, bound: 150),
    ]

    /// The ratio or value a goal judges, and whether it is met (nil when the figure was not measured).
    func evaluate(_ goal: Goal) -> (value: Double, met: Bool)? {
        guard let figure = self[goal.figure] else { return nil }
        var value = figure
        if let ceiling = goal.ceiling {
            guard let ceilingValue = self[ceiling], ceilingValue > 0 else { return nil }
            value = figure / ceilingValue
        }
        return (value, goal.atLeast ? value >= goal.bound : value <= goal.bound)
    }

    func table() -> String {
        var lines = [Self.row("figure", "value", "ceiling", "ratio", "goal", "met")]
        for (key, value) in figures {
            var ceiling = "", ratio = "", goalText = "", met = ""
            if let goal = Self.goals.first(where: { $0.figure == key && $0.ceiling == nil }), let result = evaluate(goal) {
                goalText = "\(goal.atLeast ? "≥" : "≤") \(Self.format(goal.bound))"
                met = result.met ? "yes" : "NO"
            }
            lines.append(Self.row(key, Self.format(value), ceiling, ratio, goalText, met))
            for goal in Self.goals where goal.figure == key && goal.ceiling != nil {
                guard let result = evaluate(goal), let ceilingKey = goal.ceiling, let ceilingValue = self[ceilingKey] else { continue }
                ceiling = Self.format(ceilingValue)
                ratio = String(format: "%.2f", result.value)
                goalText = "≥ \(Self.format(goal.bound))"
                met = result.met ? "yes" : "NO"
                lines.append(Self.row("  vs " + ceilingKey, "", ceiling, ratio, goalText, met))
            }
        }
        for (key, value) in notes.sorted(by: { $0.key < $1.key }) { lines.append("\(key): \(value)") }
        return lines.joined(separator: "\n")
    }

    static func row(_ cells: String...) -> String {
        let widths = [36, 14, 14, 8, 10, 5]
        return zip(cells, widths).enumerated().map { index, pair in
            let padding = String(repeating: " ", count: max(0, pair.1 - pair.0.count))
            return index == 0 ? pair.0 + padding : padding + pair.0
        }.joined(separator: " ")
    }

    func jsonLine() -> String {
        var object: [String: Any] = [:]
        var values: [String: Double] = [:]
        for (key, value) in figures where value.isFinite { values[key] = (value * 1000).rounded() / 1000 }
        object["figures"] = values
        var ratios: [String: Double] = [:], goals: [String: Bool] = [:]
        for goal in Self.goals {
            guard let result = evaluate(goal) else { continue }
            if goal.ceiling != nil { ratios[goal.name] = (result.value * 1000).rounded() / 1000 }
            goals[goal.name] = result.met
        }
        object["ratios"] = ratios
        object["goals_met"] = goals
        object["notes"] = notes
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    static func format(_ value: Double) -> String {
        if !value.isFinite { return "n/a" }
        if abs(value) >= 1000 { return String(format: "%.0f", value) }
        if abs(value) >= 10 { return String(format: "%.1f", value) }
        return String(format: "%.2f", value)
    }

    /// Throws when a figure the run must produce is missing or not a positive finite number (a malformed run);
    /// a missed goal is not an error.
    func validate(requireAnalytics: Bool) throws {
        var required = [
            "copy_rows_per_s", "pgbench_insert1000_rows_per_s", "pgbench_insert1_rows_per_s", "http_ceiling_requests_per_s",
            "batch_messages_per_s", "single_messages_per_s", "single_p50_ms", "single_p99_ms", "half_rate_p99_ms",
            "service_peak_rss_mb", "rollup_check_rows",
        ]
        if requireAnalytics {
            required += [
                "usage_p50_ms", "usage_p95_ms", "operator_p50_ms", "operator_p95_ms", "list_p50_ms", "list_p95_ms",
                "detail_p50_ms", "detail_p95_ms", "search_rare_p50_ms", "search_common_p50_ms", "export_messages_per_s",
            ]
        }
        for key in required {
            guard let value = self[key], value.isFinite, value > 0 else {
                throw BenchError("malformed result: \(key) is \(self[key].map { "\($0)" } ?? "missing")")
            }
        }
        guard self["rollup_check_mismatches"] == 0 else { throw BenchError("the SQL-built rollups differ from the writer's") }
    }
}
