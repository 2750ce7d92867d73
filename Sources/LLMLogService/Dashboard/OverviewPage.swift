import Analytics
import Foundation

/// The overview (`/dashboard?days=N`): headline figures (each `data-metric` with its exact `data-value`, named as
/// in the usage API's `totals`), daily cost and token charts, and tables by model, by type, and top users (admins)
/// or by tenant (operator). Everything comes from one `UsageReport`.
enum OverviewPage {
    static let windows = [1, 7, 30, 90]

    static func html(_ report: UsageReport, days: Int, caller: DashboardCaller) -> String {
        var main = "<h1>Usage, last \(days) day\(days == 1 ? "" : "s")</h1><nav class=\"windows\" aria-label=\"Window\">"
        for window in windows {
            main +=
                "<a href=\"/dashboard?days=\(window)\"\(window == days ? " aria-current=\"page\"" : "")>\(window) day\(window == 1 ? "" : "s")</a>"
        }
        main += "</nav>"
        main += figures(report.totals)
        main += "<div class=\"charts\">"
        main +=
            SVGBarChart(
                title: "Cost per day (USD)",
                points: report.daily.map {
                    .init(label: $0.date, value: NSDecimalNumber(decimal: $0.cost).doubleValue, display: PeopleFormat.money($0.cost))
                },
                tickFormat: { PeopleFormat.money($0) }, emptyText: "No cost in the last \(days) days."
            ).html
        main +=
            SVGBarChart(
                title: "Tokens per day",
                points: report.daily.map {
                    .init(label: $0.date, value: Double($0.totalTokens), display: PeopleFormat.count($0.totalTokens) + " tokens")
                },
                tickFormat: { PeopleFormat.compact($0) }, emptyText: "No tokens in the last \(days) days."
            ).html
        main += "</div>"
        main += table(
            "By model", empty: "No model was used in this window.",
            headers: ["~Provider", "Model", "~#Messages", "#Tokens", "#Cost", "~#Unpriced"],
            rows: report.byModel.map {
                [
                    $0.provider, $0.model, PeopleFormat.count($0.messages), PeopleFormat.count($0.totalTokens),
                    PeopleFormat.money($0.cost), PeopleFormat.count($0.unpricedMessages),
                ]
            })
        main += table(
            "By type", empty: "No conversation was created in this window.",
            headers: ["Type", "~#Conversations", "~#Success rate", "#Tokens", "#Cost", "~#Mean time"],
            rows: report.byType.map {
                [
                    $0.type, PeopleFormat.count($0.conversations), PeopleFormat.percent($0.successRate),
                    PeopleFormat.count($0.totalTokens), PeopleFormat.money($0.cost),
                    PeopleFormat.duration(milliseconds: $0.avgProcessingTime),
                ]
            })
        if let users = report.byUser {
            main += table(
                "Top users", empty: "No user activity in this window.",
                headers: ["User", "~#Conversations", "~#Messages", "#Tokens", "#Cost"],
                rows: users.map {
                    [
                        $0.userId ?? "(anonymous)", PeopleFormat.count($0.conversations), PeopleFormat.count($0.messages),
                        PeopleFormat.count($0.totalTokens), PeopleFormat.money($0.cost),
                    ]
                })
        }
        if let tenants = report.byTenant {
            main += table(
                "By tenant", empty: "No tenant was active in this window.",
                headers: ["Tenant", "~#Conversations", "~#Messages", "#Tokens", "#Cost"],
                rows: tenants.map {
                    [
                        $0.tenantName, PeopleFormat.count($0.conversations), PeopleFormat.count($0.messages),
                        PeopleFormat.count($0.totalTokens), PeopleFormat.money($0.cost),
                    ]
                })
        }
        return DashboardLayout.page(title: "Overview", caller: caller, current: "overview", main: main)
    }

    /// The headline figures: name, machine value, text for people.
    static func figures(_ totals: UsageTotals) -> String {
        let items: [(metric: String, label: String, value: String, text: String)] = [
            ("cost", "Cost", PeopleFormat.machine(totals.cost), PeopleFormat.money(totals.cost)),
            ("totalTokens", "Tokens", PeopleFormat.machine(totals.totalTokens), PeopleFormat.count(totals.totalTokens)),
            ("conversations", "Conversations", PeopleFormat.machine(totals.conversations), PeopleFormat.count(totals.conversations)),
            ("messages", "Messages", PeopleFormat.machine(totals.messages), PeopleFormat.count(totals.messages)),
            ("successRate", "Success rate", PeopleFormat.machine(totals.successRate), PeopleFormat.percent(totals.successRate)),
            (
                "p50ProcessingTime", "p50 processing time", PeopleFormat.machine(totals.p50ProcessingTime),
                PeopleFormat.duration(milliseconds: totals.p50ProcessingTime)
            ),
            (
                "p95ProcessingTime", "p95 processing time", PeopleFormat.machine(totals.p95ProcessingTime),
                PeopleFormat.duration(milliseconds: totals.p95ProcessingTime)
            ),
            ("inputTokens", "Input tokens (uncached)", PeopleFormat.machine(totals.inputTokens), PeopleFormat.count(totals.inputTokens)),
            ("cachedInputTokens", "Cache-read tokens", PeopleFormat.machine(totals.cachedInputTokens), PeopleFormat.count(totals.cachedInputTokens)),
            (
                "cacheCreationInputTokens", "Cache-write tokens", PeopleFormat.machine(totals.cacheCreationInputTokens),
                PeopleFormat.count(totals.cacheCreationInputTokens)
            ),
            ("outputTokens", "Output tokens", PeopleFormat.machine(totals.outputTokens), PeopleFormat.count(totals.outputTokens)),
            ("reasoningTokens", "Reasoning tokens", PeopleFormat.machine(totals.reasoningTokens), PeopleFormat.count(totals.reasoningTokens)),
        ]
        var html = "<dl class=\"figures\">"
        for item in items {
            html += "<div class=\"figure\" data-metric=\"\(item.metric)\" data-value=\"\(HTML.escape(item.value))\">"
            html += "<dt>\(item.label)</dt><dd>\(HTML.escape(item.text))</dd></div>"
        }
        return html + "</dl>"
    }

    /// A section with a table, or a sentence when empty. A header may start with `~` (a column hidden on narrow
    /// screens) and then `#` (a right-aligned number).
    static func table(_ title: String, empty: String, headers: [String], rows: [[String]]) -> String {
        var html = "<section><h2>\(HTML.escape(title))</h2>"
        guard !rows.isEmpty else { return html + "<p class=\"empty\">\(HTML.escape(empty))</p></section>" }
        let columns = headers.map { header -> (name: String, classes: String) in
            var name = Substring(header), classes: [String] = []
            if name.hasPrefix("~") {
                classes.append("opt")
                name = name.dropFirst()
            }
            if name.hasPrefix("#") {
                classes.append("num")
                name = name.dropFirst()
            }
            return (String(name), classes.isEmpty ? "" : " class=\"\(classes.joined(separator: " "))\"")
        }
        html += "<div class=\"table-wrap\"><table><thead><tr>"
        for column in columns { html += "<th scope=\"col\"\(column.classes)>\(HTML.escape(column.name))</th>" }
        html += "</tr></thead><tbody>"
        for row in rows {
            html += "<tr>"
            for (index, cell) in row.enumerated() { html += "<td\(columns[index].classes)>\(HTML.escape(cell))</td>" }
            html += "</tr>"
        }
        return html + "</tbody></table></div></section>"
    }
}
