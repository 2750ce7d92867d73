import Foundation
import Hummingbird

/// `GET /v1/tenant/settings` and `PATCH /v1/tenant/settings` (admin key): the tenant's retention and content-free
/// settings (see `TenantSettings`). Only the fields a PATCH names change.
struct TenantSettingsRoutes {
    let tenants: TenantStore

    func register(on group: RouterGroup<AppContext>) {
        group.get("tenant/settings") { _, context in
            let principal = try context.require([.admin])
            guard let settings = try await tenants.settings(tenantId: principal.tenantId) else { throw APIError.unauthorized }
            return settings
        }
        group.patch("tenant/settings") { request, context in
            let principal = try context.require([.admin])
            let patch = try await request.decode(as: TenantSettingsPatch.self, context: context)
            guard let settings = try await tenants.updateSettings(tenantId: principal.tenantId, patch) else { throw APIError.unauthorized }
            return settings
        }
    }
}

extension TenantSettings: ResponseEncodable {}
