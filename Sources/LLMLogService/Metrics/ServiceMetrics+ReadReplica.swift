import Metrics

extension ServiceMetrics.Name {
    /// Reads that a configured replica should have served and the primary served instead (the replica was down or
    /// failed the read).
    public static let readFallbacks = "llmlog_read_fallback_total"
    /// How far the replica's replay is behind, in seconds (0 when it has replayed everything it received).
    public static let readReplicaLag = "llmlog_read_replica_lag_seconds"
    /// 1 while reads go to the replica, 0 while they fall back to the primary.
    public static let readReplicaUp = "llmlog_read_replica_up"
}

extension ServiceMetrics {
    /// Counts reads served by the primary in the replica's place (one unless told).
    func recordReadFallback(count: Int = 1) {
        Counter(label: Name.readFallbacks, factory: factory).increment(by: count)
    }

    /// Records what the replica probe saw: whether reads use the replica, and its replay lag when it answered.
    func recordReadReplica(up: Bool, lagSeconds: Double?) {
        Gauge(label: Name.readReplicaUp, factory: factory).record(up ? 1 : 0)
        if let lagSeconds { Gauge(label: Name.readReplicaLag, factory: factory).record(lagSeconds) }
    }
}
