import Foundation
import Hummingbird
import HummingbirdTesting
import LLMLogService
import NIOCore
import Testing
import Yams

/// Keeps `Sources/LLMLogService/openapi.yaml` true: its operations are the router's, the responses the service
/// sends fit its schemas, its request schemas are the Swift request types, and its limits are the ones enforced.
@Suite struct OpenAPIDocumentTests {
    static let suite = "openapidocument"

    /// Every operation the document describes; each must exist in the router, and the document must list no other.
    static let documentedOperations: Set<OpenAPIDocument.Operation> = [
        .init("GET", "/healthz"),
        .init("GET", "/readyz"),
        .init("GET", "/openapi.yaml"),
        .init("GET", "/metrics"),
        .init("POST", "/v1/conversations"),
        .init("PATCH", "/v1/conversations/{id}"),
        .init("GET", "/v1/conversations/{id}"),
        .init("GET", "/v1/conversations"),
        .init("POST", "/v1/conversations/{id}/messages"),
        .init("POST", "/v1/batch"),
        .init("POST", "/v1/conversations/{id}/scores"),
        .init("GET", "/v1/conversations/{id}/scores"),
        .init("POST", "/v1/conversations/{id}/messages/{messageId}/scores"),
        .init("POST", "/v1/tokens"),
        .init("POST", "/v1/tenants"),
        .init("GET", "/v1/analytics/usage"),
        .init("GET", "/v1/admin/analytics"),
        .init("GET", "/v1/analytics/latency"),
        .init("GET", "/v1/analytics/experiments/{experiment}"),
        .init("GET", "/api/llm-analytics"),
        .init("POST", "/api/llm-analytics"),
        .init("POST", "/v1/ingest/openai"),
        .init("POST", "/v1/ingest/anthropic"),
        .init("GET", "/v1/tenant/settings"),
        .init("PATCH", "/v1/tenant/settings"),
        .init("DELETE", "/v1/users/{userId}"),
        .init("GET", "/v1/users/{userId}/export"),
        .init("GET", "/v1/export/conversations"),
        .init("GET", "/v1/export/messages"),
        .init("GET", "/dashboard"),
        .init("POST", "/dashboard/login"),
        .init("POST", "/dashboard/logout"),
        .init("GET", "/dashboard/conversations"),
        .init("GET", "/dashboard/conversations/{id}"),
        .init("GET", "/dashboard/export/conversations"),
        .init("GET", "/dashboard/export/messages"),
        .init("POST", "/v1/traces"),
        .init("GET", "/v1/budgets"),
        .init("POST", "/v1/budgets"),
        .init("GET", "/v1/budgets/status"),
        .init("GET", "/v1/budgets/{id}"),
        .init("PATCH", "/v1/budgets/{id}"),
        .init("DELETE", "/v1/budgets/{id}"),
        .init("GET", "/v1/alerts"),
        .init("GET", "/v1/webhooks"),
        .init("POST", "/v1/webhooks"),
        .init("DELETE", "/v1/webhooks/{id}"),
        .init("GET", "/v1/webhooks/{id}/deliveries"),
    ]

    // MARK: 1. the document and the router

    @Test func documentParsesAndListsExactlyTheRoutes() async throws {
        let document = try OpenAPIDocument.load()
        #expect((document.root["openapi"] as? String)?.hasPrefix("3.1") == true)
        #expect(document.operations == Self.documentedOperations)
        let noSuchRoute = OpenAPIDocument.noSuchRoute

        try await TestService.run(suite: Self.suite) { service in
            for operation in Self.documentedOperations.sorted(by: { $0.description < $1.description }) {
                let method = try #require(HTTPRequest.Method(operation.method))
                let uri = operation.path.replacingOccurrences(of: "{id}", with: UUID().uuidString.lowercased())
                let response = try await service.request(method, uri, json: method == .get ? nil : "{}")
                #expect(!noSuchRoute(response), "\(operation) is documented but the router has no such route")
            }
            // Paths and methods the document does not list are not routes.
            for (method, uri) in [(HTTPRequest.Method.get, "/v1/no-such-route"), (.post, "/v1/no-such-route"), (.delete, "/v1/batch")] {
                let response = try await service.request(method, uri, json: method == .get ? nil : "{}")
                #expect(noSuchRoute(response), "\(method) \(uri) should be an unknown route")
                let body = try JSONDecoder().decode(JSONValue.self, from: Data(buffer: response.body))
                let errors = document.validate(body, ["$ref": "#/components/schemas/Error"], at: "body")
                #expect(errors.isEmpty, "\(errors)")
            }
        }
    }

    // MARK: 2. responses and requests against the schemas

    @Test func responsesConformToTheDocument() async throws {
        let document = try OpenAPIDocument.load()
        try await TestService.run(suite: Self.suite) { service in
            func check(
                _ response: TestResponse, _ method: String, _ path: String, _ status: String,
                sourceLocation: SourceLocation = #_sourceLocation
            ) {
                Self.expectConforms(document, response, method, path, status, sourceLocation: sourceLocation)
            }

            check(try await service.request(.get, "/healthz"), "GET", "/healthz", "200")
            check(try await service.request(.get, "/readyz"), "GET", "/readyz", "200")

            // A conversation with every field, a message with every field, a PATCH with every field.
            let conversationBody = Self.fullConversationCreate()
            try Self.expectValid(document, conversationBody, schema: "ConversationCreateRequest")
            let created = try await service.request(.post, "/v1/conversations", json: TestService.json(conversationBody))
            check(created, "POST", "/v1/conversations", "201")
            let conversationId = try #require(created.object["id"] as? String)
            #expect(Set(created.object.keys) == document.propertyNames(of: "Conversation"))
            #expect(Set(document.required(of: "Conversation")) == document.propertyNames(of: "Conversation"))

            let messageBody = Self.fullMessageCreate()
            try Self.expectValid(document, messageBody, schema: "MessageCreateRequest")
            let message = try await service.request(.post, "/v1/conversations/\(conversationId)/messages", json: TestService.json(messageBody))
            check(message, "POST", "/v1/conversations/{id}/messages", "201")
            #expect(Set(message.object.keys) == document.propertyNames(of: "Message"))
            #expect(Set(document.required(of: "Message")) == document.propertyNames(of: "Message"))

            // A message without usage: the null variants.
            let bare = try await service.request(.post, "/v1/conversations/\(conversationId)/messages", json: #"{"role": "USER", "content": ""}"#)
            check(bare, "POST", "/v1/conversations/{id}/messages", "201")
            #expect(bare.object["totalTokens"] is NSNull && bare.object["costSource"] as? String == "unpriced")

            let updateBody = Self.fullConversationUpdate()
            try Self.expectValid(document, updateBody, schema: "ConversationUpdateRequest")
            let updated = try await service.request(.patch, "/v1/conversations/\(conversationId)", json: TestService.json(updateBody))
            check(updated, "PATCH", "/v1/conversations/{id}", "200")
            #expect(Set(updated.object.keys) == document.propertyNames(of: "Conversation"))
            // Reported totals are kept apart from the derived ones.
            #expect(updated.object["reportedTotalTokens"] as? Int == 777 && updated.object["totalTokensUsed"] as? Int != 777)

            // A batch: the three event types, an event id that is a UUID, one without a UUID, a bad event, an unreadable one.
            let eventConversation = UUID()
            let batchBody: [String: Any] = [
                "events": [
                    ["id": eventConversation.uuidString, "type": "conversation.create", "body": ["type": "CHAT", "provider": "p", "model": "m"]],
                    [
                        "id": "evt-message", "type": "message.create",
                        "body": ["conversationId": eventConversation.uuidString, "role": "ASSISTANT", "content": "hi", "outputTokens": 3],
                    ],
                    [
                        "id": "evt-update", "type": "conversation.update",
                        "body": ["conversationId": eventConversation.uuidString, "status": "COMPLETED"],
                    ],
                    [
                        "id": "evt-bad", "type": "message.create",
                        "body": ["conversationId": eventConversation.uuidString, "role": "BOT", "content": "x"],
                    ],
                    ["id": "evt-type", "type": "conversation.delete", "body": [:] as [String: Any]],
                    42,
                ]
            ]
            try Self.expectValid(document, ["events": Array((batchBody["events"] as? [Any] ?? []).prefix(3))], schema: "BatchRequest")
            let batch = try await service.request(.post, "/v1/batch", json: TestService.json(batchBody))
            check(batch, "POST", "/v1/batch", "207")
            let results = try #require(batch.object["results"] as? [[String: Any]])
            #expect(results.map { $0["status"] as? Int } == [201, 201, 200, 400, 400, 400])
            #expect(results.map { $0["id"] as? String } == [eventConversation.uuidString, "evt-message", "evt-update", "evt-bad", "evt-type", nil])
            #expect(results[5]["id"] is NSNull)
            // The documented ids: a UUID event id is the conversation's id; otherwise a UUIDv5 of tenant and event id.
            #expect(results[0]["resourceId"] as? String == eventConversation.uuidString.lowercased())
            let derived = UUID.v5(namespace: Self.batchNamespace, name: "\(service.tenant.tenantId)/message/evt-message")
            #expect(results[1]["resourceId"] as? String == derived.uuidString.lowercased())
            #expect(((results[3]["error"] as? [String: Any])?["field"] as? String) == "body.role")
            #expect(((results[4]["error"] as? [String: Any])?["field"] as? String) == "type")
            #expect(document.text.contains(Self.batchNamespace.uuidString.lowercased()))

            // Analytics: the reports of each principal, and their errors.
            let admin = service.tenant.adminKey
            let operatorKey = try await service.tenants.createOperatorKey().key
            let userToken = try service.tokens.mint(tenantId: service.tenant.tenantId, userId: "user-42", ttl: 600).token
            let usage = try await service.request(.get, "/v1/analytics/usage?days=7", key: admin)
            check(usage, "GET", "/v1/analytics/usage", "200")
            #expect(Set((usage.object["totals"] as? [String: Any] ?? [:]).keys) == document.propertyNames(of: "UsageTotals"))
            check(try await service.request(.get, "/v1/analytics/usage", key: userToken), "GET", "/v1/analytics/usage", "200")
            check(try await service.request(.get, "/v1/analytics/usage?days=0", key: admin), "GET", "/v1/analytics/usage", "400")
            check(try await service.request(.get, "/v1/analytics/latency?days=30", key: admin), "GET", "/v1/analytics/latency", "200")
            check(try await service.request(.get, "/v1/analytics/latency", key: userToken), "GET", "/v1/analytics/latency", "200")
            check(try await service.request(.get, "/v1/analytics/latency"), "GET", "/v1/analytics/latency", "403")
            check(try await service.request(.get, "/v1/analytics/usage"), "GET", "/v1/analytics/usage", "403")
            let tenantAdmin = try await service.request(.get, "/v1/admin/analytics", key: admin)
            check(tenantAdmin, "GET", "/v1/admin/analytics", "200")
            #expect(tenantAdmin.object["byUser"] is [Any] && tenantAdmin.object["byTenant"] == nil)
            let system = try await service.request(.get, "/v1/admin/analytics?days=365", key: operatorKey)
            check(system, "GET", "/v1/admin/analytics", "200")
            #expect(system.object["byTenant"] is [Any] && system.object["byUser"] == nil)
            check(try await service.request(.get, "/v1/admin/analytics", key: userToken), "GET", "/v1/admin/analytics", "403")
            check(try await service.request(.get, "/api/llm-analytics?action=analytics&days=3", key: admin), "GET", "/api/llm-analytics", "200")
            check(
                try await service.request(.get, "/api/llm-analytics?action=conversations&type=RESUME_ANALYSIS&limit=5", key: admin), "GET",
                "/api/llm-analytics", "200")
            check(
                try await service.request(.get, "/api/llm-analytics?action=conversation&id=\(conversationId)", key: admin), "GET",
                "/api/llm-analytics", "200")
            check(
                try await service.request(.get, "/api/llm-analytics?action=conversation&id=\(UUID())", key: admin), "GET", "/api/llm-analytics", "404"
            )
            let noAction = try await service.request(.get, "/api/llm-analytics", key: admin)
            check(noAction, "GET", "/api/llm-analytics", "400")
            #expect(noAction.errorField == "action")
            check(try await service.request(.post, "/api/llm-analytics", json: #"{"days": 14}"#, key: admin), "POST", "/api/llm-analytics", "200")
            let badDays = try await service.request(.post, "/api/llm-analytics", json: #"{"days": 0}"#, key: admin)
            check(badDays, "POST", "/api/llm-analytics", "400")
            #expect(badDays.errorField == "days")

            // Errors, each with a status the operation documents.
            let invalid = try await service.request(.post, "/v1/conversations", json: #"{"type": "lower", "provider": "p", "model": "m"}"#)
            check(invalid, "POST", "/v1/conversations", "400")
            #expect(invalid.errorField == "type")
            let nul = try await service.request(
                .post, "/v1/conversations/\(conversationId)/messages", json: #"{"role": "USER", "content": "a\u0000b"}"#)
            check(nul, "POST", "/v1/conversations/{id}/messages", "400")
            #expect(nul.errorCode == "nul_character")
            let future = ISO8601.format(Date().addingTimeInterval(600))
            let tooLate = try await service.request(
                .post, "/v1/conversations", json: #"{"type": "T", "provider": "p", "model": "m", "createdAt": "\#(future)"}"#)
            check(tooLate, "POST", "/v1/conversations", "400")
            #expect(tooLate.errorCode == "in_future")
            check(try await service.request(.post, "/v1/conversations", json: "{}", key: ""), "POST", "/v1/conversations", "401")
            check(try await service.request(.post, "/v1/batch", json: #"{"events": []}"#, key: "llmlog_ik_unknown"), "POST", "/v1/batch", "401")
            check(try await service.request(.patch, "/v1/conversations/\(UUID())", json: "{}"), "PATCH", "/v1/conversations/{id}", "404")
            check(
                try await service.request(.post, "/v1/conversations/\(UUID())/messages", json: #"{"role": "USER", "content": "x"}"#),
                "POST", "/v1/conversations/{id}/messages", "404")
            let badId = try await service.request(.patch, "/v1/conversations/not-a-uuid", json: "{}")
            check(badId, "PATCH", "/v1/conversations/{id}", "400")
            #expect(badId.errorCode == "invalid_id" && badId.errorField == "id")
            var conflicting = conversationBody
            conflicting["title"] = "another title"
            let conflict = try await service.request(.post, "/v1/conversations", json: TestService.json(conflicting))
            check(conflict, "POST", "/v1/conversations", "409")
            check(
                try await service.request(.get, "/v1/conversations/\(conversationId)", key: service.tenant.adminKey),
                "GET", "/v1/conversations/{id}", "200")
            check(try await service.request(.get, "/v1/conversations/\(conversationId)"), "GET", "/v1/conversations/{id}", "403")
            check(try await service.request(.get, "/v1/conversations?limit=1", key: service.tenant.adminKey), "GET", "/v1/conversations", "200")
            check(try await service.request(.get, "/v1/conversations?limit=0", key: service.tenant.adminKey), "GET", "/v1/conversations", "400")
            check(
                try await service.request(
                    .post, "/v1/tenants", json: TestService.json(["name": "doc-\(UUID().uuidString.prefix(8))"]), key: operatorKey),
                "POST", "/v1/tenants", "201")
            check(try await service.request(.post, "/v1/tenants", json: #"{"name": "x"}"#), "POST", "/v1/tenants", "403")
            let token = try await service.request(.post, "/v1/tokens", json: #"{"userId": "u-1", "ttlSeconds": 60}"#, key: service.tenant.adminKey)
            check(token, "POST", "/v1/tokens", "201")
            check(try await service.request(.post, "/v1/tokens", json: #"{"userId": "u-1"}"#), "POST", "/v1/tokens", "403")
            check(try await service.request(.post, "/v1/tokens", json: #"{"userId": ""}"#, key: service.tenant.adminKey), "POST", "/v1/tokens", "400")
            #expect(conflict.errorCode == "idempotency_conflict")
            let replay = try await service.request(.post, "/v1/conversations", json: TestService.json(conversationBody))
            check(replay, "POST", "/v1/conversations", "201")
            let reopen = try await service.request(.patch, "/v1/conversations/\(eventConversation)", json: #"{"status": "ACTIVE"}"#)
            check(reopen, "PATCH", "/v1/conversations/{id}", "409")
            #expect(reopen.errorCode == "invalid_transition")
            let bigMetadata = #"{"role": "USER", "content": "x", "metadata": {"k": "\#(String(repeating: "m", count: 70_000))"}}"#
            check(
                try await service.request(.post, "/v1/conversations/\(conversationId)/messages", json: bigMetadata),
                "POST", "/v1/conversations/{id}/messages", "413")
            check(
                try await service.request(.post, "/v1/conversations", json: "{}", headers: [.contentType: "text/plain"]),
                "POST", "/v1/conversations", "415")
            check(try await service.request(.post, "/v1/batch", json: #"{"events": 3}"#), "POST", "/v1/batch", "400")
        }
    }

    /// The request schemas are the Swift request types: same property names, and `required` = the non-Optional ones.
    @Test func requestSchemasMatchTheSwiftTypes() throws {
        let document = try OpenAPIDocument.load()
        try Self.expectSchema(
            document, "ConversationCreateRequest", ConversationCreateRequest.self, Self.fullConversationCreate(),
            keys: ["id", "userId", "type", "title", "documentId", "provider", "model", "metadata", "createdAt", "experiment", "variant"])
        try Self.expectSchema(
            document, "ConversationUpdateRequest", ConversationUpdateRequest.self, Self.fullConversationUpdate(),
            keys: ["status", "title", "errorMessage", "metadata", "totalTokensUsed", "totalCost"])
        try Self.expectSchema(
            document, "MessageCreateRequest", MessageCreateRequest.self, Self.fullMessageCreate(),
            keys: [
                "id", "role", "content", "inputTokens", "outputTokens", "totalTokens", "cachedInputTokens",
                "cacheCreationInputTokens", "reasoningTokens", "cost", "processingTime", "messageIndex",
                "finishReason", "temperature", "maxTokens", "errorMessage", "metadata", "createdAt",
                "promptName", "promptVersion",
            ])
        // The batch wrapper (decoded by hand in BatchEvent.init(from:)).
        #expect(document.propertyNames(of: "BatchRequest") == ["events"])
        #expect(document.propertyNames(of: "ConversationReference") == ["conversationId"])
        for event in ["ConversationCreateEvent", "ConversationUpdateEvent", "MessageCreateEvent"] {
            #expect(document.propertyNames(of: event) == ["id", "type", "body"], "\(event)")
            #expect(Set(document.required(of: event)) == ["id", "type", "body"], "\(event)")
        }
        // Enums as the Swift enums spell them.
        #expect(document.enumValues(of: "MessageRole") == MessageRole.allCases.map(\.rawValue))
        #expect(document.enumValues(of: "ConversationStatus") == ConversationStatus.allCases.map(\.rawValue))
        #expect(document.enumValues(of: "CostSource") == ["provided", "computed", "unpriced"])
        for value in document.enumValues(of: "CostSource") { #expect(CostSource(rawValue: value) != nil, "\(value)") }
    }

    /// Every `maxLength`, `minLength`, `maximum`, `minimum`, `pattern` and `enum` of a request property is the limit the
    /// service enforces: the boundary value is accepted, one past it is refused naming the property.
    @Test func documentedRequestLimitsAreEnforced() async throws {
        let document = try OpenAPIDocument.load()
        try await TestService.run(suite: Self.suite) { service in
            let targets: [(schema: String, base: [String: Any], send: @Sendable (String) async throws -> TestResponse)] = [
                (
                    "ConversationCreateRequest", ["type": "T", "provider": "p", "model": "m"],
                    { body in
                        try await service.request(.post, "/v1/conversations", json: body)
                    }
                ),
                (
                    "ConversationUpdateRequest", [:],
                    { body in
                        let id = try await Self.freshConversation(service)
                        return try await service.request(.patch, "/v1/conversations/\(id)", json: body)
                    }
                ),
                (
                    "MessageCreateRequest", ["role": "USER", "content": "x"],
                    { body in
                        // A fresh conversation each time, so an explicit messageIndex is always free.
                        let id = try await Self.freshConversation(service)
                        return try await service.request(.post, "/v1/conversations/\(id)/messages", json: body)
                    }
                ),
            ]
            var probed = 0
            for target in targets {
                for (property, schema) in document.properties(of: target.schema).sorted(by: { $0.key < $1.key }) {
                    for probe in document.probes(for: schema) {
                        var body = target.base
                        body[property] = probe.value
                        let response = try await target.send(TestService.json(body))
                        let label = "\(target.schema).\(property) = \(String(describing: probe.value).prefix(40)) (\(probe.reason))"
                        if probe.valid {
                            #expect(response.status.code < 300, "\(label) should be accepted: \(String(buffer: response.body))")
                        } else {
                            #expect([400, 413].contains(response.status.code), "\(label) should be refused")
                            #expect(response.errorField == property, "\(label): \(String(buffer: response.body))")
                        }
                        probed += 1
                    }
                }
            }
            #expect(probed > 50)
        }
    }

    /// The answers to oversized requests and to a full write queue (503 with Retry-After) are the documented ones.
    @Test func limitAndOverloadAnswersConformToTheDocument() async throws {
        let document = try OpenAPIDocument.load()
        var limits = IngestLimits()
        limits.maxBatchEvents = 2
        limits.maxBodyBytes = 1024
        var options = IngestWriter.Options()
        options.queueCapacity = 0
        try await TestService.run(suite: Self.suite, limits: limits, writerOptions: options) { service in
            let event = #"{"id": "e", "type": "conversation.create", "body": {"type": "T", "provider": "p", "model": "m"}}"#
            let tooMany = try await service.request(.post, "/v1/batch", json: #"{"events": [\#(event), \#(event), \#(event)]}"#)
            Self.expectConforms(document, tooMany, "POST", "/v1/batch", "413")
            #expect(tooMany.errorCode == "too_many_events" && tooMany.errorField == "events")
            let padding = String(repeating: "x", count: 2000)
            let tooBig = try await service.request(
                .post, "/v1/conversations", json: #"{"type": "T", "provider": "p", "model": "m", "title": "\#(padding)"}"#)
            Self.expectConforms(document, tooBig, "POST", "/v1/conversations", "413")
            #expect(tooBig.errorCode == "too_large" && tooBig.errorField == "body")

            let valid = #"{"type": "T", "provider": "p", "model": "m"}"#
            Self.expectConforms(document, try await service.request(.post, "/v1/conversations", json: valid), "POST", "/v1/conversations", "503")
            Self.expectConforms(
                document, try await service.request(.patch, "/v1/conversations/\(UUID())", json: "{}"),
                "PATCH", "/v1/conversations/{id}", "503")
            Self.expectConforms(
                document, try await service.request(.post, "/v1/conversations/\(UUID())/messages", json: #"{"role": "USER", "content": "x"}"#),
                "POST", "/v1/conversations/{id}/messages", "503")
            // In a batch the refusal is the event's own result.
            let batch = try await service.request(.post, "/v1/batch", json: #"{"events": [\#(event)]}"#)
            Self.expectConforms(document, batch, "POST", "/v1/batch", "207")
            let result = try #require((batch.object["results"] as? [[String: Any]])?.first)
            #expect(result["status"] as? Int == 503 && (result["error"] as? [String: Any])?["code"] as? String == "unavailable")
        }
    }

    // MARK: 3. the served document

    @Test func servedDocumentIsTheFile() async throws {
        let file = try Data(contentsOf: OpenAPIDocument.url)
        try await TestService.run(suite: Self.suite) { service in
            let response = try await service.request(.get, "/openapi.yaml", key: "")
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/yaml")
            #expect(Data(buffer: response.body) == file)
        }
    }

    // MARK: helpers

    static let batchNamespace = UUID(uuidString: "6f1b0c1e-9d0a-4c55-9a8e-2b0d1c3e7a41")!

    static func freshConversation(_ service: TestService) async throws -> String {
        let response = try await service.request(.post, "/v1/conversations", json: #"{"type": "T", "provider": "p", "model": "m"}"#)
        return try #require(response.object["id"] as? String)
    }

    static func recent() -> String { ISO8601.format(Date().addingTimeInterval(-60)) }

    /// Bodies that set every property of each request type (the conformance test sends them; the schema test
    /// checks they set every Swift property).
    static func fullConversationCreate() -> [String: Any] {
        [
            "id": UUID().uuidString, "userId": "user-1", "type": "RESUME_ANALYSIS", "title": "A title", "documentId": "doc-1",
            "provider": "openapi-test-provider", "model": "model-1", "metadata": ["a": 1, "b": ["c": "d"]], "createdAt": recent(),
            "experiment": "onboarding-prompt", "variant": "b",
        ]
    }

    static func fullConversationUpdate() -> [String: Any] {
        [
            "status": "COMPLETED", "title": "New title", "errorMessage": "none", "metadata": ["rating": 5],
            "totalTokensUsed": 777, "totalCost": 0.0125,
        ]
    }

    static func fullMessageCreate() -> [String: Any] {
        [
            "id": UUID().uuidString, "role": "ASSISTANT", "content": "Hello", "inputTokens": 10, "outputTokens": 20, "totalTokens": 40,
            "cachedInputTokens": 5, "cacheCreationInputTokens": 3, "reasoningTokens": 2, "cost": 0.001275, "processingTime": 1500,
            "messageIndex": 7, "finishReason": "stop", "temperature": 0.7, "maxTokens": 1024, "errorMessage": "no error",
            "metadata": ["trace": "t-1"], "createdAt": recent(), "promptName": "greeting", "promptVersion": "2",
        ]
    }

    /// The response has the status and fits what the document says of that operation and status.
    static func expectConforms(
        _ document: OpenAPIDocument, _ response: TestResponse, _ method: String, _ path: String, _ status: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(String(response.status.code) == status, "\(method) \(path): \(String(buffer: response.body))", sourceLocation: sourceLocation)
        let errors = document.errorsValidating(response, .init(method, path), status: status)
        #expect(errors.isEmpty, "\(method) \(path) \(status):\n\(errors.joined(separator: "\n"))", sourceLocation: sourceLocation)
    }

    static func expectValid(
        _ document: OpenAPIDocument, _ body: [String: Any], schema: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let value = try APIJSON.decoder().decode(JSONValue.self, from: Data(TestService.json(body).utf8))
        let errors = document.validate(value, ["$ref": "#/components/schemas/\(schema)"], at: schema)
        #expect(errors.isEmpty, "\(errors.joined(separator: "\n"))", sourceLocation: sourceLocation)
    }

    /// `keys` (the list read off the Swift struct) = its stored properties = its encoded keys = the schema's properties;
    /// the schema's `required` = the non-Optional properties.
    static func expectSchema<T: Codable>(
        _ document: OpenAPIDocument, _ schema: String, _ type: T.Type, _ full: [String: Any],
        keys: Set<String>, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let instance = try APIJSON.decoder().decode(T.self, from: Data(TestService.json(full).utf8))
        let children = Mirror(reflecting: instance).children.compactMap { child in child.label.map { ($0, child.value) } }
        let stored = Set(children.map(\.0))
        #expect(stored == keys, "\(T.self) has properties \(stored.sorted())", sourceLocation: sourceLocation)
        for (label, value) in children where Mirror(reflecting: value).displayStyle == .optional {
            #expect(!Mirror(reflecting: value).children.isEmpty, "\(T.self).\(label) is not set by the full sample", sourceLocation: sourceLocation)
        }
        let encoded = try JSONSerialization.jsonObject(with: APIJSON.encoder().encode(instance)) as? [String: Any] ?? [:]
        #expect(Set(encoded.keys) == keys, "\(T.self) encodes \(encoded.keys.sorted())", sourceLocation: sourceLocation)
        #expect(
            document.propertyNames(of: schema) == keys, "\(schema) documents \(document.propertyNames(of: schema).sorted())",
            sourceLocation: sourceLocation)
        let nonOptional = Set(children.filter { Mirror(reflecting: $0.1).displayStyle != .optional }.map(\.0))
        #expect(
            Set(document.required(of: schema)) == nonOptional, "\(schema).required vs \(nonOptional.sorted())",
            sourceLocation: sourceLocation)
    }
}

/// The parsed document and a small JSON Schema (2020-12 subset) validator for what it uses.
struct OpenAPIDocument: @unchecked Sendable {  // immutable after load; [String: Any] is not Sendable by type
    struct Operation: Hashable, Sendable, CustomStringConvertible {
        let method: String
        let path: String
        init(_ method: String, _ path: String) {
            self.method = method.uppercased()
            self.path = path
        }
        var description: String { "\(method) \(path)" }
    }

    static let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Sources/LLMLogService/openapi.yaml").standardized

    let text: String
    let root: [String: Any]

    static func load() throws -> OpenAPIDocument {
        let text = try String(contentsOf: url, encoding: .utf8)
        let parsed = try #require(try Yams.load(yaml: text).map(normalize) as? [String: Any], "openapi.yaml is not a mapping")
        return OpenAPIDocument(text: text, root: parsed)
    }

    /// Yams mappings have AnyHashable keys; JSON Schema needs string keys.
    static func normalize(_ value: Any) -> Any {
        if let mapping = value as? [AnyHashable: Any] {
            var result: [String: Any] = [:]
            for (key, item) in mapping { result[(key.base as? String) ?? "\(key.base)"] = normalize(item) }
            return result
        }
        if let sequence = value as? [Any] { return sequence.map(normalize) }
        return value
    }

    /// The router's answer to a path or method it does not have.
    static let noSuchRoute: @Sendable (TestResponse) -> Bool = { response in
        response.status == .notFound && response.errorCode == "not_found"
            && ((response.object["error"] as? [String: Any])?["message"] as? String) == "no such route"
    }

    static let methods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]

    var operations: Set<Operation> {
        var result: Set<Operation> = []
        for (path, item) in root["paths"] as? [String: Any] ?? [:] {
            for method in Self.methods where (item as? [String: Any])?[method] != nil { result.insert(Operation(method, path)) }
        }
        return result
    }

    func resolve(_ reference: String) -> [String: Any] {
        var node: Any = root
        for part in reference.dropFirst(2).split(separator: "/") { node = (node as? [String: Any])?[String(part)] ?? [:] }
        return node as? [String: Any] ?? [:]
    }

    func deref(_ node: Any?) -> [String: Any] {
        var node = node as? [String: Any] ?? [:]
        while let reference = node["$ref"] as? String { node = resolve(reference) }
        return node
    }

    func schema(_ name: String) -> [String: Any] { resolve("#/components/schemas/\(name)") }

    /// The properties of a schema, with those of its `allOf` parts.
    func properties(of name: String) -> [String: Any] { properties(in: schema(name)) }

    func properties(in schema: [String: Any]) -> [String: Any] {
        var result = schema["properties"] as? [String: Any] ?? [:]
        for part in schema["allOf"] as? [Any] ?? [] { result.merge(properties(in: deref(part))) { $1 } }
        return result
    }

    func propertyNames(of name: String) -> Set<String> { Set(properties(of: name).keys) }
    func required(of name: String) -> [String] { schema(name)["required"] as? [String] ?? [] }
    func enumValues(of name: String) -> [String] { schema(name)["enum"] as? [String] ?? [] }

    /// The JSON schema of an operation's response with that status.
    func responseSchema(_ operation: Operation, status: String) -> [String: Any]? {
        let item = (root["paths"] as? [String: Any])?[operation.path] as? [String: Any]
        let responses = (item?[operation.method.lowercased()] as? [String: Any])?["responses"] as? [String: Any]
        guard let response = responses?[status] else { return nil }
        let content = deref(response)["content"] as? [String: Any]
        return (content?["application/json"] as? [String: Any])?["schema"] as? [String: Any]
    }

    /// Why a response does not fit what the document says of that operation and status (empty when it fits).
    func errorsValidating(_ response: TestResponse, _ operation: Operation, status: String) -> [String] {
        guard let schema = responseSchema(operation, status: status) else { return ["\(operation) documents no JSON \(status) response"] }
        guard response.headers[.contentType] == "application/json" else { return ["content-type is \(response.headers[.contentType] ?? "none")"] }
        if status == "503", response.headers[.retryAfter] == nil { return ["503 without Retry-After"] }
        do {
            let value = try JSONDecoder().decode(JSONValue.self, from: Data(buffer: response.body))
            return validate(value, schema, at: "body")
        } catch {
            return ["body is not JSON: \(error)"]
        }
    }

    // MARK: validation

    func validate(_ value: JSONValue, _ schemaNode: Any, at path: String) -> [String] {
        let schema = deref(schemaNode)
        var errors: [String] = []
        if let type = schema["type"] {
            let allowed = (type as? [String]) ?? [type as? String].compactMap { $0 }
            guard allowed.contains(where: { Self.matches(value, type: $0) }) else { return ["\(path): \(value) is not \(allowed)"] }
        }
        if let constant = schema["const"], !Self.equal(value, constant) { errors.append("\(path): \(value) is not \(constant)") }
        if let values = schema["enum"] as? [Any], !values.contains(where: { Self.equal(value, $0) }) {
            errors.append("\(path): \(value) is not one of \(values)")
        }
        switch value {
        case .string(let text):
            if let pattern = schema["pattern"] as? String {
                if let regex = try? Regex(pattern) {
                    if text.firstMatch(of: regex) == nil { errors.append("\(path): \"\(text)\" does not match \(pattern)") }
                } else {
                    errors.append("\(path): bad pattern \(pattern)")
                }
            }
            if let maxLength = Self.number(schema["maxLength"]), Double(text.count) > maxLength { errors.append("\(path): longer than \(maxLength)") }
            if let minLength = Self.number(schema["minLength"]), Double(text.count) < minLength {
                errors.append("\(path): shorter than \(minLength)")
            }
            switch schema["format"] as? String {
            case "uuid": if UUID(uuidString: text) == nil { errors.append("\(path): \"\(text)\" is not a UUID") }
            case "date-time": if ISO8601.parse(text) == nil { errors.append("\(path): \"\(text)\" is not a date-time") }
            default: break
            }
        case .integer, .number:
            let number = Self.number(value) ?? .nan
            if let minimum = Self.number(schema["minimum"]), number < minimum { errors.append("\(path): \(number) < \(minimum)") }
            if let maximum = Self.number(schema["maximum"]), number > maximum { errors.append("\(path): \(number) > \(maximum)") }
        case .object(let object):
            let properties = schema["properties"] as? [String: Any] ?? [:]
            for key in schema["required"] as? [String] ?? [] where object[key] == nil { errors.append("\(path): \(key) is missing") }
            for (key, item) in object.sorted(by: { $0.key < $1.key }) {
                if let property = properties[key] {
                    errors += validate(item, property, at: "\(path).\(key)")
                } else if schema["additionalProperties"] as? Bool == false {
                    errors.append("\(path): \(key) is not documented")
                }
            }
        case .array(let items):
            if let maxItems = Self.number(schema["maxItems"]), Double(items.count) > maxItems {
                errors.append("\(path): more than \(maxItems) items")
            }
            if let itemSchema = schema["items"] {
                for (index, item) in items.enumerated() { errors += validate(item, itemSchema, at: "\(path)[\(index)]") }
            }
        default:
            break
        }
        for part in schema["allOf"] as? [Any] ?? [] { errors += validate(value, part, at: path) }
        if let parts = schema["anyOf"] as? [Any], !parts.contains(where: { validate(value, $0, at: path).isEmpty }) {
            errors.append("\(path): \(value) fits none of anyOf")
        }
        if let parts = schema["oneOf"] as? [Any] {
            let fitting = parts.filter { validate(value, $0, at: path).isEmpty }.count
            if fitting != 1 { errors.append("\(path): \(value) fits \(fitting) of oneOf, not exactly one") }
        }
        return errors
    }

    static func matches(_ value: JSONValue, type: String) -> Bool {
        switch (type, value) {
        case ("null", .null), ("boolean", .bool), ("string", .string), ("array", .array), ("object", .object),
            ("integer", .integer), ("number", .integer), ("number", .number):
            true
        case ("integer", .number(let number)): number.rounded() == number
        default: false
        }
    }

    static func equal(_ value: JSONValue, _ constant: Any) -> Bool {
        switch value {
        case .string(let text): (constant as? String) == text
        case .null: constant is NSNull
        case .bool(let flag): (constant as? Bool) == flag
        case .integer, .number: number(value) != nil && number(value) == number(constant)
        default: false
        }
    }

    static func number(_ node: Any?) -> Double? {
        switch node {
        case let value as JSONValue:
            if case .integer(let number) = value { return Double(number) }
            if case .number(let number) = value { return number }
            return nil
        case let value as Int: return Double(value)
        case let value as Int64: return Double(value)
        case let value as Double: return value
        default: return nil
        }
    }

    // MARK: probes

    struct Probe {
        let value: Any
        let valid: Bool
        let reason: String
    }

    /// Boundary values of a request property's documented constraints: on the boundary (valid) and one past it.
    func probes(for propertyNode: Any) -> [Probe] {
        var schema = deref(propertyNode)
        // `oneOf: [X, null]`: the constraints are X's.
        if let parts = schema["oneOf"] as? [Any] {
            for part in parts.map(deref) where part["type"] as? String != "null" { schema.merge(part) { $1 } }
        }
        let types = (schema["type"] as? [String]) ?? [schema["type"] as? String].compactMap { $0 }
        var probes: [Probe] = []
        if types.contains("string") {
            if let maxLength = Self.number(schema["maxLength"]).map(Int.init) {
                probes.append(Probe(value: String(repeating: "A", count: maxLength), valid: true, reason: "maxLength"))
                probes.append(Probe(value: String(repeating: "A", count: maxLength + 1), valid: false, reason: "maxLength + 1"))
            }
            if let minLength = Self.number(schema["minLength"]).map(Int.init), minLength > 0 {
                probes.append(Probe(value: String(repeating: "A", count: minLength), valid: true, reason: "minLength"))
                probes.append(Probe(value: String(repeating: "A", count: minLength - 1), valid: false, reason: "minLength - 1"))
            }
            if schema["pattern"] != nil {
                probes.append(Probe(value: "not valid!", valid: false, reason: "pattern"))
            }
            if let values = schema["enum"] as? [String] {
                probes += values.map { Probe(value: $0, valid: true, reason: "enum") }
                probes.append(Probe(value: "NOT_A_VALUE", valid: false, reason: "enum"))
            }
        }
        if types.contains("integer") || types.contains("number") {
            let integer = types.contains("integer")
            func make(_ number: Double) -> Any { integer ? Int64(number) : number }
            if let maximum = Self.number(schema["maximum"]) {
                probes.append(Probe(value: make(maximum), valid: true, reason: "maximum"))
                probes.append(Probe(value: make(maximum + 1), valid: false, reason: "maximum + 1"))
            }
            if let minimum = Self.number(schema["minimum"]) {
                probes.append(Probe(value: make(minimum), valid: true, reason: "minimum"))
                probes.append(Probe(value: make(minimum - 1), valid: false, reason: "minimum - 1"))
            }
        }
        return probes
    }
}
