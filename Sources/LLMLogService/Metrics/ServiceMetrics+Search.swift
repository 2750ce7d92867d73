import Metrics

extension ServiceMetrics.Name {
    /// Messages the search indexer took from its queue, by `outcome`: `indexed`, or `skipped` (removed or emptied
    /// before their turn).
    public static let searchMessages = "llmlog_search_messages_total"
}

extension ServiceMetrics {
    /// Counts one batch of the search indexer.
    func recordSearchIndexed(taken: Int, indexed: Int) {
        Counter(label: Name.searchMessages, dimensions: [("outcome", "indexed")], factory: factory).increment(by: indexed)
        Counter(label: Name.searchMessages, dimensions: [("outcome", "skipped")], factory: factory).increment(by: taken - indexed)
    }
}
