import Foundation
import Hummingbird
import NIOCore
import PGClient

/// `/healthz` (the process answers), `/readyz` (database reachable and migrations current), `/openapi.yaml`.
/// A read replica does not decide readiness: while it is down its reads fall back to the primary, so `/readyz` only
/// reports it (`readReplica`: `up` or `down`).
struct HealthRoutes {
    let pool: PGPool
    let migrator: Migrator
    var reads: ReadPools?

    struct Status: ResponseEncodable {
        let status: String
        let database: String?
        var readReplica: ReadPools.ReplicaState? = nil
    }

    func register(on router: Router<AppContext>) {
        router.get("healthz") { _, _ in Status(status: "ok", database: nil) }
        router.get("readyz") { _, context in
            do {
                let current = try await migrator.isCurrent(pool)
                guard current else {
                    throw APIError.unavailable("database migrations are not current; run llmlog migrate", retryAfter: 5)
                }
                return Status(status: "ready", database: "ok", readReplica: reads?.replicaState)
            } catch let error as APIError {
                throw error
            } catch {
                context.logger.warning("readiness check failed", metadata: ["error": "\(error)"])
                throw APIError.unavailable("the database is unreachable", retryAfter: 2)
            }
        }
        router.get("openapi.yaml") { _, _ in
            guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml"),
                let data = try? Data(contentsOf: url)
            else { throw APIError.notFound("openapi.yaml") }
            return Response(status: .ok, headers: [.contentType: "application/yaml"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
    }
}
