import Foundation
import Hummingbird
import PGClient

/// `POST /v1/tenants {name}` → 201 `{tenantId, adminKey, ingestKey}`: the operator creates a tenant (keys shown once).
struct TenantRoutes {
    let tenants: TenantStore
    let limits: IngestLimits

    struct CreateRequest: Decodable {
        let name: String
    }

    func register(on group: RouterGroup<AppContext>) {
        group.post("tenants") { request, context in
            _ = try context.requireOperator()
            let body = try await request.decode(as: CreateRequest.self, context: context)
            try IngestValidation.text(body.name, field: "name", max: 200, required: true)
            if try await tenants.tenantId(named: body.name) != nil {
                throw APIError.conflict("tenant_exists", "a tenant with this name exists", field: "name")
            }
            do {
                return EditedResponse(status: .created, response: try await tenants.createTenant(name: body.name))
            } catch let error as PGError where error.code == .uniqueViolation {
                throw APIError.conflict("tenant_exists", "a tenant with this name exists", field: "name")
            }
        }
    }
}
