import Foundation
import Hummingbird
import PGClient

/// Budgets (issue #17): `POST/GET /v1/budgets`, `GET/PATCH/DELETE /v1/budgets/{id}` (admin key for its tenant; the
/// operator key for any tenant, named by the `tenantId` query parameter), `GET /v1/budgets/status` (ingest and admin
/// keys: the budgets that apply to a call, from the rollups) and `GET /v1/alerts`. Another tenant's budget is a 404.
struct BudgetRoutes {
    let pool: PGPool
    let timeout: Duration
    let readShare: ReadShare

    func register(on group: RouterGroup<AppContext>) {
        group.post("budgets") { request, context in
            let tenantId = try Self.adminTenant(request, context)
            let settings = try await request.decode(as: BudgetCreateRequest.self, context: context).validated()
            let id = UUID.v7()
            let row = try await pool.withTenant(tenantId, timeout: timeout) { tx -> BudgetRow? in
                guard let count = try await BudgetTable.lockAndCount(tx, tenantId: tenantId) else { return nil }
                guard count < BudgetSettings.maxPerTenant else {
                    throw APIError.conflict("budget_limit", "a tenant has at most \(BudgetSettings.maxPerTenant) budgets")
                }
                try await BudgetTable.insert(tx, tenantId: tenantId, id: id, settings)
                return try await BudgetTable.get(tx, tenantId: tenantId, id: id, now: Date())
            }
            guard let row else { throw APIError.notFound("tenant", field: "tenantId") }
            return EditedResponse(status: .created, response: BudgetResponse(row: row))
        }
        group.get("budgets") { request, context in
            let tenantId = try Self.adminTenant(request, context)
            return BudgetList(
                budgets: try await read(tenantId) { try await BudgetTable.list($0, tenantId: tenantId, now: Date()) }.map(BudgetResponse.init))
        }
        group.get("budgets/status") { request, context in
            let tenantId = try Self.tenant(request, context, roles: [.admin, .ingest])
            let userId = try Self.filter(request, "userId")
            let type = try Self.filter(request, "type")
            let model = try Self.filter(request, "model")
            let rows = try await read(tenantId) {
                try await BudgetTable.applicable($0, tenantId: tenantId, userId: userId, type: type, model: model, now: Date())
            }
            return BudgetStatus(rows)
        }
        group.get("budgets/{id}") { request, context in
            let tenantId = try Self.adminTenant(request, context)
            let id = try context.pathID()
            guard let row = try await read(tenantId, { try await BudgetTable.get($0, tenantId: tenantId, id: id, now: Date()) }) else {
                throw APIError.notFound("budget")
            }
            return BudgetResponse(row: row)
        }
        group.patch("budgets/{id}") { request, context in
            let tenantId = try Self.adminTenant(request, context)
            let id = try context.pathID()
            let patch = try await request.decode(as: BudgetPatchRequest.self, context: context)
            let row = try await pool.withTenant(tenantId, timeout: timeout) { tx -> BudgetRow? in
                guard let current = try await BudgetTable.get(tx, tenantId: tenantId, id: id, now: Date()) else { return nil }
                let settings = try patch.applied(to: current.settings)
                _ = try await BudgetTable.update(tx, tenantId: tenantId, id: id, settings)
                return try await BudgetTable.get(tx, tenantId: tenantId, id: id, now: Date())
            }
            guard let row else { throw APIError.notFound("budget") }
            return BudgetResponse(row: row)
        }
        group.delete("budgets/{id}") { request, context in
            let tenantId = try Self.adminTenant(request, context)
            let id = try context.pathID()
            guard try await pool.withTenant(tenantId, timeout: timeout, { try await BudgetTable.delete($0, tenantId: tenantId, id: id) }) else {
                throw APIError.notFound("budget")
            }
            return Response(status: .noContent)
        }
        group.get("alerts") { request, context in
            let tenantId = try Self.adminTenant(request, context)
            let limit = try request.integer("limit", default: 100, range: 1...1000)
            let budgetId: UUID?
            if let text = request.uri.queryParameters.get("budgetId") {
                guard let id = UUID(text: String(text)) else { throw APIError.invalid("budgetId", "is not a valid UUID", code: "invalid_id") }
                budgetId = id
            } else {
                budgetId = nil
            }
            return AlertList(alerts: try await read(tenantId) { try await AlertTable.list($0, tenantId: tenantId, budgetId: budgetId, limit: limit) })
        }
    }

    /// A read-only transaction that sees `tenantId`'s rows, admitted by the tenant's read share.
    func read<T: Sendable>(_ tenantId: UUID, _ body: (PGConnection) async throws -> T) async throws -> T {
        try await pool.read(.tenant(tenantId), share: readShare, timeout: timeout, body)
    }

    /// The tenant an administration request is about: an admin key's own, or for the operator key the `tenantId`
    /// query parameter (required).
    static func adminTenant(_ request: Request, _ context: AppContext) throws(APIError) -> UUID {
        try tenant(request, context, roles: [.admin])
    }

    /// The caller's tenant if its role is one of `roles`; the operator names one with `tenantId`.
    static func tenant(_ request: Request, _ context: AppContext, roles: Set<PrincipalRole>) throws(APIError) -> UUID {
        if context.operatorKeyId != nil {
            guard let text = request.uri.queryParameters.get("tenantId") else {
                throw APIError.invalid("tenantId", "is required with the operator key", code: "missing_field")
            }
            guard let id = UUID(text: String(text)) else { throw APIError.invalid("tenantId", "is not a valid UUID", code: "invalid_id") }
            return id
        }
        return try context.require(roles).tenantId
    }

    /// An optional text filter of the status query (at most 256 bytes, no NUL).
    static func filter(_ request: Request, _ name: String) throws(APIError) -> String? {
        guard let found = request.uri.queryParameters.get(name) else { return nil }
        let value = String(found)
        try IngestValidation.text(value, field: name, max: 256)
        return value
    }
}

extension BudgetResponse: ResponseEncodable {}
extension BudgetList: ResponseEncodable {}
extension BudgetStatus: ResponseEncodable {}
extension AlertList: ResponseEncodable {}
