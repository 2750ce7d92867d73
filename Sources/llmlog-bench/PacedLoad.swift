import Foundation
import Synchronization

/// An open-loop load at a fixed rate (what wrk2 would do): request i is due at start + i / rate whether or not
/// earlier ones were answered, and its latency counts from when it was due, so a stall shows in the
/// percentiles instead of slowing the sender down (no coordinated omission).
struct PacedLoad {
    let http: BenchHTTP
    let port: Int
    let key: String
    let conversations: [UUID]

    struct Result: Sendable {
        var sent: Int
        var failed: Int
        var seconds: Double
        var p50ms: Double
        var p99ms: Double
        var achievedRate: Double { Double(sent - failed) / seconds }
    }

    func run(rate: Double, seconds: Int) async throws -> Result {
        let total = max(1, Int(rate * Double(seconds)))
        let start = ContinuousClock.now
        let samples = Samples()
        try await withThrowingDiscardingTaskGroup { group in
            var next = 0
            while next < total {
                let due = min(total, Int((ContinuousClock.now - start).seconds * rate) + 1)
                while next < due {
                    let index = next
                    let scheduled = start + .seconds(Double(index) / rate)
                    let conversation = conversations[index % conversations.count]
                    group.addTask {
                        let body = MessageShape.json(id: UUID(), processingTime: (index * 37) % 5000)
                        let status = try? await http.send(
                            "POST", "http://127.0.0.1:\(port)/v1/conversations/\(conversation.uuidString.lowercased())/messages",
                            key: key, body: body
                        ).status
                        samples.add((ContinuousClock.now - scheduled).seconds * 1000, ok: status == 201)
                    }
                    next += 1
                }
                try await Task.sleep(for: .milliseconds(1))
            }
        }
        let (sorted, failed) = samples.sortedAndFailures()
        let elapsed = (ContinuousClock.now - start).seconds
        return Result(
            sent: total, failed: failed, seconds: elapsed,
            p50ms: Percentile.of(sorted, 0.50), p99ms: Percentile.of(sorted, 0.99))
    }
}

/// Latencies (ms) collected by the requests of a paced run.
final class Samples: Sendable {
    private let state = Mutex<(latencies: [Double], failed: Int)>(([], 0))

    func add(_ milliseconds: Double, ok: Bool) {
        state.withLock { state in
            state.latencies.append(milliseconds)
            if !ok { state.failed += 1 }
        }
    }

    func sortedAndFailures() -> ([Double], Int) {
        state.withLock { ($0.latencies.sorted(), $0.failed) }
    }
}

/// Nearest-rank percentiles of sorted samples.
enum Percentile {
    static func of(_ sorted: [Double], _ p: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let rank = max(1, Int((p * Double(sorted.count)).rounded(.up)))
        return sorted[min(sorted.count, rank) - 1]
    }
}
