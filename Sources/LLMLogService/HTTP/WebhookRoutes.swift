import Foundation
import Hummingbird
import PGClient

/// Webhooks (issue #17): `POST /v1/webhooks {url, secret}` → 201, `GET /v1/webhooks`, `DELETE /v1/webhooks/{id}` and
/// `GET /v1/webhooks/{id}/deliveries` (the delivery log). Admin key for its tenant; the operator key names a tenant
/// with `tenantId`. A URL is refused (400 `field: url`) unless `OutboundPolicy` allows it.
struct WebhookRoutes {
    let pool: PGPool
    let timeout: Duration
    let readShare: ReadShare
    let policy: OutboundPolicy

    func register(on group: RouterGroup<AppContext>) {
        group.post("webhooks") { request, context in
            let tenantId = try BudgetRoutes.adminTenant(request, context)
            let body = try await request.decode(as: WebhookCreateRequest.self, context: context)
            try IngestValidation.noNUL(body.url, field: "url")
            let target = try OutboundPolicy.target(body.url)
            try body.checkSecret()
            _ = try await policy.addresses(for: target)
            let record = try await pool.withTenant(tenantId, timeout: timeout) { tx -> WebhookRecord in
                guard try await WebhookTable.count(tx, tenantId: tenantId) < WebhookTable.maxPerTenant else {
                    throw APIError.conflict("webhook_limit", "a tenant has at most \(WebhookTable.maxPerTenant) webhooks")
                }
                do {
                    return try await WebhookTable.insert(tx, tenantId: tenantId, id: UUID.v7(), url: body.url, secret: body.secret)
                } catch let error as PGError where error.code == .foreignKeyViolation {
                    throw APIError.notFound("tenant", field: "tenantId")
                }
            }
            return EditedResponse(status: .created, response: record)
        }
        group.get("webhooks") { request, context in
            let tenantId = try BudgetRoutes.adminTenant(request, context)
            return WebhookList(
                webhooks: try await pool.read(.tenant(tenantId), share: readShare, timeout: timeout) {
                    try await WebhookTable.list($0, tenantId: tenantId)
                })
        }
        group.delete("webhooks/{id}") { request, context in
            let tenantId = try BudgetRoutes.adminTenant(request, context)
            let id = try context.pathID()
            guard try await pool.withTenant(tenantId, timeout: timeout, { try await WebhookTable.delete($0, tenantId: tenantId, id: id) }) else {
                throw APIError.notFound("webhook")
            }
            return Response(status: .noContent)
        }
        group.get("webhooks/{id}/deliveries") { request, context in
            let tenantId = try BudgetRoutes.adminTenant(request, context)
            let id = try context.pathID()
            let limit = try request.integer("limit", default: 100, range: 1...1000)
            let deliveries = try await pool.read(.tenant(tenantId), share: readShare, timeout: timeout) { tx -> [WebhookDeliveryRecord]? in
                guard try await WebhookTable.exists(tx, tenantId: tenantId, id: id) else { return nil }
                return try await WebhookTable.deliveries(tx, tenantId: tenantId, webhookId: id, limit: limit)
            }
            guard let deliveries else { throw APIError.notFound("webhook") }
            return DeliveryList(deliveries: deliveries)
        }
    }
}

extension WebhookRecord: ResponseEncodable {}
extension WebhookList: ResponseEncodable {}
extension DeliveryList: ResponseEncodable {}
