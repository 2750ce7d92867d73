/// Bounds on what one report reads and answers. Conversation types and model names are chosen by clients: without a
/// bound, one tenant's made-up names would make its reports — and the operator's system report — as large as it
/// likes, in the service's memory first.
public enum ReportBounds {
    /// Most entries of `byType`, `byModel` and the latency report's `models`, the largest first.
    public static let maxGroups = 1000
    /// Most (name, category, model) groups of feedback scores one report reads, the most given first.
    public static let maxScoreGroups = 5000
    /// Most rollup rows whose histograms are read and added up in Swift (fast); past it they are added in SQL.
    public static let maxHistogramRows = 20_000

    /// True when `rowCount` rows (read with `LIMIT maxHistogramRows + 1`) passed the bound: aggregate in SQL instead.
    public static func exceeded(rowCount: Int) -> Bool {
        rowCount > maxHistogramRows
    }
}
