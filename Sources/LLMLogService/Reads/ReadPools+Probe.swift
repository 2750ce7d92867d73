import Logging
import PGClient
import ServiceLifecycle

extension ReadPools: Service {
    /// Probes the replica every `retryInterval` until graceful shutdown: its replay lag goes into
    /// `llmlog_read_replica_lag_seconds`; a replica that answers takes reads again, one that does not is marked down.
    /// Without a replica it only waits for shutdown.
    public func run() async throws {
        guard replica != nil else {
            try? await gracefulShutdown()
            return
        }
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await self.probe()
                try await Task.sleep(for: self.retryInterval)
            }
        }
    }

    /// One probe: the replica's lag, and whether reads go to it.
    func probe() async {
        guard let replica else { return }
        do {
            let lag = try await replica.withConnection { try await ReplicaStatus.lagSeconds($0) }
            markUp()
            metrics.recordReadReplica(up: true, lagSeconds: lag)
        } catch let error as PGError where Self.replicaUnavailable(error) {
            markDown(error)
        } catch {
            guard !Task.isCancelled else { return }
            logger.warning("read replica probe failed", metadata: ["error": "\(error)"])
        }
    }
}
