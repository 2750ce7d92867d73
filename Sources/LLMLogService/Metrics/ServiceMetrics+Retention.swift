import Metrics

/// The `action` label of `llmlog_retention_rows_total`: what retention did to a row.
public enum RetentionActionLabel: String, CaseIterable, Sendable {
    case messageCleared = "message_cleared"
    case conversationCleared = "conversation_cleared"
    case messageRemoved = "message_removed"
    case conversationRemoved = "conversation_removed"
}

extension ServiceMetrics.Name {
    /// Rows retention cleared or removed, by `action`.
    public static let retentionRows = "llmlog_retention_rows_total"
}

extension ServiceMetrics {
    /// Counts what a retention pass did for one tenant (no tenant label: ids never appear in metrics).
    func recordRetention(_ figures: Retention.Report.TenantFigures) {
        let counts: [(RetentionActionLabel, Int)] = [
            (.messageCleared, figures.messagesCleared), (.conversationCleared, figures.conversationsCleared),
            (.messageRemoved, figures.messagesRemoved), (.conversationRemoved, figures.conversationsRemoved),
        ]
        for (action, count) in counts {
            Counter(label: Name.retentionRows, dimensions: [("action", action.rawValue)], factory: factory).increment(by: count)
        }
    }
}
