import Analytics
import Foundation
import Hummingbird

/// `GET /v1/analytics/experiments/{experiment}?days=N` (admin keys over their tenant, user tokens over their own
/// conversations): the experiment's variants compared — conversations, cost per conversation, success rate, median
/// processing time and scores (`ExperimentQuery`, computed directly, not from rollups).
struct ExperimentRoutes {
    let reads: ReadPools
    let timeout: Duration
    let readShare: ReadShare

    func register(on group: RouterGroup<AppContext>) {
        group.get("analytics/experiments/{experiment}") { request, context in
            let principal = try context.require(ReadRoutes.readers)
            let experiment = context.parameters.get("experiment") ?? ""
            try IngestValidation.text(experiment, field: "experiment", max: 200, required: true)
            try IngestValidation.noNUL(experiment, field: "experiment")
            let window = try AnalyticsRoutes.window(request)
            let scope = principal.readScope
            return try await reads.read(scope, share: readShare, timeout: timeout) { tx in
                try await ExperimentQuery.report(tx, scope: scope, experiment: experiment, window: window)
            }
        }
    }
}

extension ExperimentReport: ResponseEncodable {}
