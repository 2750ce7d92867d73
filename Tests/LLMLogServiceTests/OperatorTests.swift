import Foundation
import HummingbirdTesting
import LLMLogService
import PGClient
import Testing

/// Operator keys create tenants; tenant keys may not, and the operator may not ingest.
@Suite struct OperatorTests {
    @Test func operatorCreatesTenantsAndNothingElse() async throws {
        try await TestService.run(suite: "operator") { service in
            let operatorKey = try await service.tenants.createOperatorKey(name: "test").key
            #expect(operatorKey.hasPrefix("llmlog_ok_"))
            let name = "made-by-operator-\(UUID().uuidString.prefix(6))"
            let created = try await service.request(.post, "/v1/tenants", json: TestService.json(["name": name]), key: operatorKey)
            #expect(created.status == .created)
            #expect(Set(created.object.keys) == ["tenantId", "adminKey", "ingestKey"])
            let ingestKey = try #require(created.object["ingestKey"] as? String)
            // The new tenant's keys work.
            let conversation = try await service.request(
                .post, "/v1/conversations", json: #"{"type": "CHAT", "provider": "openai", "model": "gpt-4o"}"#, key: ingestKey)
            #expect(conversation.status == .created)
            // Same name again: 409 naming the field; bad names: 400.
            let again = try await service.request(.post, "/v1/tenants", json: TestService.json(["name": name]), key: operatorKey)
            #expect(again.status == .conflict && again.errorField == "name")
            let empty = try await service.request(.post, "/v1/tenants", json: #"{"name": ""}"#, key: operatorKey)
            #expect(empty.status == .badRequest && empty.errorField == "name")
            // Tenant keys and user tokens may not create tenants; nobody without a key may; the operator may not ingest.
            for key in [service.tenant.adminKey, service.tenant.ingestKey] {
                #expect(try await service.request(.post, "/v1/tenants", json: #"{"name": "x"}"#, key: key).status == .forbidden)
            }
            #expect(try await service.request(.post, "/v1/tenants", json: #"{"name": "x"}"#, key: "").status == .unauthorized)
            #expect(try await service.request(.post, "/v1/tenants", json: #"{"name": "x"}"#, key: "llmlog_ok_unknown").status == .unauthorized)
            let ingest = try await service.request(
                .post, "/v1/conversations", json: #"{"type": "CHAT", "provider": "openai", "model": "gpt-4o"}"#, key: operatorKey)
            #expect(ingest.status == .forbidden)
            #expect(try await service.request(.post, "/v1/tokens", json: #"{"userId": "u"}"#, key: operatorKey).status == .forbidden)
        }
    }

    /// `GET /v1/admin/analytics` checks `limit` (1–200, as documented) for the operator too, though its report has
    /// no `byUser` to size (found by schemathesis: `limit=201` was a 200 for the operator, a 400 for an admin).
    @Test func operatorAnalyticsCheckLimitLikeAdmins() async throws {
        try await TestService.run(suite: "operator") { service in
            let operatorKey = try await service.tenants.createOperatorKey(name: "limits").key
            for key in [operatorKey, service.tenant.adminKey] {
                for bad in ["0", "201", "abc", ""] {
                    let response = try await service.request(.get, "/v1/admin/analytics?limit=\(bad)", key: key)
                    #expect(response.status == .badRequest && response.errorField == "limit", "limit=\(bad)")
                }
                #expect(try await service.request(.get, "/v1/admin/analytics?limit=200", key: key).status == .ok)
            }
        }
    }
}
