import Foundation
import HummingbirdTesting
import LLMLogService
import PGClient
import Testing

/// `POST /v1/ingest/openai` and `POST /v1/ingest/anthropic`: real-shaped provider payloads, every mapped field
/// read back as stored, costs computed here from the price rows in the database, history resent without
/// duplicates, and bad payloads answered 4xx naming the field.
@Suite struct ProviderIngestTests {
    static let suite = "provideringest"

    /// What GET /v1/conversations/{id} answers: the conversation's fields plus `messages`.
    struct Detail: Decodable {
        let conversation: ConversationRecord
        let messages: [MessageRecord]

        enum CodingKeys: String, CodingKey { case messages }

        init(from decoder: Decoder) throws {
            conversation = try ConversationRecord(from: decoder)
            messages = try decoder.container(keyedBy: CodingKeys.self).decode([MessageRecord].self, forKey: .messages)
        }
    }

    /// A default price row, read from `model_prices` (not from the service's price book).
    struct Price {
        let input: Decimal, cachedInput: Decimal, cacheCreation: Decimal, output: Decimal, reasoning: Decimal

        func cost(input i: Int64, cached c: Int64 = 0, cacheCreation w: Int64 = 0, output o: Int64, reasoning r: Int64 = 0) -> Decimal {
            (Decimal(i) * input + Decimal(c) * cachedInput + Decimal(w) * cacheCreation + Decimal(o) * output + Decimal(r) * reasoning) / 1_000_000
        }
    }

    static func price(_ service: TestService, _ provider: String, pattern: String) async throws -> Price {
        let rows = try await service.database.query(
            """
            SELECT input_per_mtok, cached_input_per_mtok, cache_creation_per_mtok, output_per_mtok, reasoning_per_mtok
            FROM model_prices WHERE tenant_id IS NULL AND provider = \(provider) AND model_pattern = \(pattern)
            ORDER BY effective_from DESC LIMIT 1
            """)
        let row = try #require(rows.first)
        let (input, cached, creation, output, reasoning) = try row.decode((Decimal, Decimal?, Decimal?, Decimal, Decimal?).self)
        return Price(input: input, cachedInput: cached ?? input, cacheCreation: creation ?? input, output: output, reasoning: reasoning ?? output)
    }

    static func detail(_ service: TestService, _ id: String) async throws -> Detail {
        let response = try await service.request(.get, "/v1/conversations/\(id)", key: service.tenant.adminKey)
        #expect(response.status == .ok)
        return try response.decode(Detail.self)
    }

    static func messageCount(_ service: TestService, _ conversationId: String) async throws -> Int {
        let id = try #require(UUID(uuidString: conversationId))
        return try await service.database.query(
            """
            SELECT count(*) FROM llm_messages WHERE tenant_id = \(service.tenant.tenantId) AND conversation_id = \(id)
            """)[0].decode(Int.self, column: 0)
    }

    static func loggedMessages(_ response: TestResponse) -> [[String: Any]] { response.object["messages"] as? [[String: Any]] ?? [] }

    static func object(_ value: JSONValue?) -> [String: JSONValue] {
        if case .object(let fields) = value { return fields }
        return [:]
    }

    static func array(_ value: JSONValue?) -> [JSONValue] {
        if case .array(let values) = value { return values }
        return []
    }

    // MARK: OpenAI

    static let tinyPNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="

    static func openAIHistory() -> [[String: Any]] {
        [
            ["role": "system", "content": "You are a careful assistant."],
            [
                "role": "user",
                "content": [
                    ["type": "text", "text": "What is in these pictures? And what is the weather in Paris?"],
                    ["type": "image_url", "image_url": ["url": "https://example.com/cat.jpg", "detail": "low"]],
                    ["type": "image_url", "image_url": ["url": "data:image/png;base64,\(tinyPNG)"]],
                ] as [[String: Any]],
            ],
            [
                "role": "assistant", "content": NSNull(),
                "tool_calls": [
                    ["id": "call_abc123", "type": "function", "function": ["name": "get_weather", "arguments": #"{"city":"Paris"}"#]]
                ],
            ],
            ["role": "tool", "tool_call_id": "call_abc123", "content": #"{"temperature_c":18}"#],
        ]
    }

    static func openAIChatResponse(content: String, prompt: Int, cached: Int, completion: Int, reasoning: Int) -> [String: Any] {
        [
            "id": "chatcmpl-CAx3pX9kQe2tZ1", "object": "chat.completion", "created": 1_764_500_000, "model": "gpt-5-2025-08-07",
            "choices": [
                [
                    "index": 0, "message": ["role": "assistant", "content": content, "refusal": NSNull(), "annotations": [] as [Any]],
                    "logprobs": NSNull(), "finish_reason": "stop",
                ]
            ],
            "usage": [
                "prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion,
                "prompt_tokens_details": ["cached_tokens": cached, "audio_tokens": 0],
                "completion_tokens_details": [
                    "reasoning_tokens": reasoning, "audio_tokens": 0,
                    "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0,
                ],
            ],
            "system_fingerprint": NSNull(),
        ]
    }

    @Test func openAIChatCallIsLoggedWithEveryFieldAndExactCost() async throws {
        try await TestService.run(suite: Self.suite) { service in
            let body: [String: Any] = [
                "type": "CHAT", "userId": "u-42", "title": "Weather", "processingTime": 2310,
                "request": [
                    "model": "gpt-5", "messages": Self.openAIHistory(), "temperature": 0.3, "max_completion_tokens": 4096,
                    "tools": [["type": "function", "function": ["name": "get_weather", "parameters": ["type": "object"]]]],
                ],
                "response": Self.openAIChatResponse(
                    content: "A cat, and 18 °C in Paris.", prompt: 2450, cached: 1920, completion: 1320, reasoning: 896),
            ]
            let response = try await service.request(.post, "/v1/ingest/openai", json: TestService.json(body))
            OpenAPIDocumentTests.expectConforms(try OpenAPIDocument.load(), response, "POST", "/v1/ingest/openai", "201")
            let conversationId = try #require(response.object["conversationId"] as? String)
            #expect(response.object["conversationCreated"] as? Bool == true)
            let logged = Self.loggedMessages(response)
            #expect(logged.map { $0["role"] as? String } == ["SYSTEM", "USER", "ASSISTANT", "TOOL", "ASSISTANT"])
            #expect(logged.map { $0["messageIndex"] as? Int } == [0, 1, 2, 3, 4])
            #expect(logged.allSatisfy { $0["replayed"] as? Bool == false })

            let detail = try await Self.detail(service, conversationId)
            #expect(detail.conversation.provider == "openai" && detail.conversation.model == "gpt-5-2025-08-07")
            #expect(detail.conversation.type == "CHAT" && detail.conversation.userId == "u-42" && detail.conversation.title == "Weather")
            #expect(detail.messages.map { $0.id.uuidString.lowercased() } == logged.compactMap { $0["id"] as? String })
            let (system, user, assistant, tool, reply) = (
                detail.messages[0], detail.messages[1], detail.messages[2], detail.messages[3], detail.messages[4]
            )
            #expect(system.role == .system && system.content == "You are a careful assistant.")
            // Text parts in content, images as references (the URL kept; base64 reduced to type and size).
            #expect(
                user.content
                    == "What is in these pictures? And what is the weather in Paris?\n[image: https://example.com/cat.jpg]\n[image: image/png, 70 bytes]"
            )
            let parts = Self.array(Self.object(user.metadata)["parts"])
            #expect(
                parts == [
                    .object(["type": .string("text")]),
                    .object(["type": .string("image"), "url": .string("https://example.com/cat.jpg"), "detail": .string("low")]),
                    .object(["type": .string("image"), "mediaType": .string("image/png"), "bytes": .integer(70)]),
                ])
            #expect(Data(base64Encoded: Self.tinyPNG)?.count == 70)
            // The tool call and the tool's answer.
            #expect(assistant.content == "" && assistant.inputTokens == nil && assistant.totalTokens == nil)
            #expect(
                Self.object(assistant.metadata)["toolCalls"]
                    == .array([
                        .object([
                            "type": .string("function"), "id": .string("call_abc123"), "name": .string("get_weather"),
                            "arguments": .string(#"{"city":"Paris"}"#),
                        ])
                    ]))
            #expect(
                tool.role == .tool && tool.content == #"{"temperature_c":18}"# && Self.object(tool.metadata)["toolCallId"] == .string("call_abc123"))

            // The reply: prompt_tokens includes cached_tokens, completion_tokens includes reasoning_tokens.
            #expect(reply.role == .assistant && reply.content == "A cat, and 18 °C in Paris.")
            #expect(reply.model == "gpt-5-2025-08-07" && reply.provider == "openai")
            #expect(reply.inputTokens == 530 && reply.cachedInputTokens == 1920 && reply.cacheCreationInputTokens == 0)
            #expect(reply.outputTokens == 424 && reply.reasoningTokens == 896 && reply.totalTokens == 3770)
            #expect(reply.finishReason == "stop" && reply.temperature == 0.3 && reply.maxTokens == 4096 && reply.processingTime == 2310)
            #expect(Self.object(reply.metadata)["responseId"] == .string("chatcmpl-CAx3pX9kQe2tZ1"))
            let price = try await Self.price(service, "openai", pattern: "gpt-5-2025-%")
            let expected = price.cost(input: 530, cached: 1920, output: 424, reasoning: 896)
            #expect(expected == Decimal(string: "0.0141025"))  // docs/pricing.md's worked example
            #expect(reply.costSource == .computed && reply.cost == expected)
            #expect(detail.conversation.totalCost == expected && detail.conversation.messageCount == 5)
            let stored = try await service.database.query(
                """
                SELECT cost::text FROM llm_messages WHERE tenant_id = \(service.tenant.tenantId) AND id = \(reply.id)
                """)[0].decode(String.self, column: 0)
            #expect(Decimal(string: stored) == expected)
            // The answer names the reply as stored.
            #expect(try response.decode(ReplyOnly.self).reply == reply)
        }
    }

    struct ReplyOnly: Decodable { let reply: MessageRecord }

    @Test func followUpCallsLogOnlyTheNewMessages() async throws {
        try await TestService.run(suite: Self.suite) { service in
            let conversationId = UUID().uuidString.lowercased()
            var history = Self.openAIHistory()
            let first: [String: Any] = [
                "conversationId": conversationId, "type": "CHAT", "userId": "u-7",
                "request": ["model": "gpt-5", "messages": history],
                "response": Self.openAIChatResponse(content: "18 °C.", prompt: 100, cached: 0, completion: 10, reasoning: 0),
            ]
            let one = try await service.request(.post, "/v1/ingest/openai", json: TestService.json(first))
            #expect(one.status == .created)
            #expect(try await Self.messageCount(service, conversationId) == 5)

            // The next call resends everything, the previous reply included, plus one new user message.
            history.append(["role": "assistant", "content": "18 °C."])
            history.append(["role": "user", "content": "And tomorrow?"])
            let second: [String: Any] = [
                "conversationId": conversationId, "type": "CHAT",
                "request": ["model": "gpt-5", "messages": history],
                "response": Self.openAIChatResponse(content: "Rain.", prompt: 140, cached: 100, completion: 5, reasoning: 0),
            ]
            let two = try await service.request(.post, "/v1/ingest/openai", json: TestService.json(second))
            #expect(two.status == .created, "\(String(buffer: two.body))")
            #expect(two.object["conversationCreated"] as? Bool == false)
            let logged = Self.loggedMessages(two)
            #expect(logged.map { $0["replayed"] as? Bool } == [true, true, true, true, true, false, false])
            #expect(logged.map { $0["messageIndex"] as? Int } == [0, 1, 2, 3, 4, 5, 6])
            // The echoed reply is the message the first call logged.
            let firstIds = Self.loggedMessages(one).map { $0["id"] as? String }
            #expect(Array(logged.prefix(5)).map { $0["id"] as? String } == firstIds)
            #expect(try await Self.messageCount(service, conversationId) == 7)

            // The same call again writes nothing (not even the conversation's updatedAt) and answers 200.
            let updatedBefore = try await Self.detail(service, conversationId).conversation.updatedAt
            let again = try await service.request(.post, "/v1/ingest/openai", json: TestService.json(second))
            let document = try OpenAPIDocument.load()
            OpenAPIDocumentTests.expectConforms(document, again, "POST", "/v1/ingest/openai", "200")
            #expect(Self.loggedMessages(again).allSatisfy { $0["replayed"] as? Bool == true })
            #expect(try await Self.messageCount(service, conversationId) == 7)
            let detail = try await Self.detail(service, conversationId)
            #expect(detail.conversation.updatedAt == updatedBefore)
            #expect(detail.messages.map(\.content).suffix(2) == ["And tomorrow?", "Rain."])
            #expect(detail.messages.filter { $0.role == .assistant && $0.inputTokens != nil }.count == 2)
            let price = try await Self.price(service, "openai", pattern: "gpt-5-2025-%")
            #expect(detail.conversation.totalCost == price.cost(input: 100, output: 10) + price.cost(input: 40, cached: 100, output: 5))
            #expect(detail.conversation.userId == "u-7")

            // Another model in the same conversation, or another user, is a 409 naming the field.
            var otherModel = second
            var otherResponse = Self.openAIChatResponse(content: "x", prompt: 1, cached: 0, completion: 1, reasoning: 0)
            otherResponse["model"] = "gpt-5-mini-2025-08-07"
            otherModel["response"] = otherResponse
            let mismatch = try await service.request(.post, "/v1/ingest/openai", json: TestService.json(otherModel))
            OpenAPIDocumentTests.expectConforms(document, mismatch, "POST", "/v1/ingest/openai", "409")
            #expect(mismatch.errorField == "response.model" && mismatch.errorCode == "model_mismatch")
            var otherUser = second
            otherUser["userId"] = "u-8"
            let user = try await service.request(.post, "/v1/ingest/openai", json: TestService.json(otherUser))
            #expect(user.status == .conflict && user.errorField == "userId")
            #expect(try await Self.messageCount(service, conversationId) == 7)
        }
    }

    @Test func streamingAssembledAndResponsesAPIResponses() async throws {
        try await TestService.run(suite: Self.suite) { service in
            // Assembled from chunks: no role, tool call without type, usage from the final chunk.
            let streamed: [String: Any] = [
                "type": "AGENT",
                "request": ["model": "gpt-5", "messages": [["role": "user", "content": "Weather in Oslo?"]], "max_tokens": 256],
                "response": [
                    "id": "chatcmpl-stream1", "object": "chat.completion.chunk", "model": "gpt-5-2025-08-07",
                    "choices": [
                        [
                            "index": 0,
                            "message": [
                                "content": "Let me check.",
                                "tool_calls": [["index": 0, "id": "call_9", "function": ["name": "get_weather", "arguments": #"{"city":"Oslo"}"#]]],
                            ],
                            "finish_reason": "tool_calls",
                        ]
                    ],
                    "usage": [
                        "prompt_tokens": 80, "completion_tokens": 40, "total_tokens": 120,
                        "prompt_tokens_details": ["cached_tokens": 64], "completion_tokens_details": ["reasoning_tokens": 16],
                    ],
                ],
            ]
            let one = try await service.request(.post, "/v1/ingest/openai", json: TestService.json(streamed))
            #expect(one.status == .created, "\(String(buffer: one.body))")
            let price = try await Self.price(service, "openai", pattern: "gpt-5-2025-%")
            let reply = try one.decode(ReplyOnly.self).reply
            #expect(reply.content == "Let me check." && reply.finishReason == "tool_calls" && reply.maxTokens == 256)
            #expect(reply.inputTokens == 16 && reply.cachedInputTokens == 64 && reply.outputTokens == 24 && reply.reasoningTokens == 16)
            #expect(reply.cost == price.cost(input: 16, cached: 64, output: 24, reasoning: 16))
            #expect(
                Self.array(Self.object(reply.metadata)["toolCalls"]) == [
                    .object([
                        "type": .string("function"), "id": .string("call_9"), "name": .string("get_weather"),
                        "arguments": .string(#"{"city":"Oslo"}"#),
                    ])
                ])

            // Without usage (a stream without include_usage): the reply is logged without token counts.
            var noUsage = streamed
            var noUsageResponse = streamed["response"] as? [String: Any] ?? [:]
            noUsageResponse["usage"] = NSNull()
            noUsage["response"] = noUsageResponse
            let bare = try await service.request(.post, "/v1/ingest/openai", json: TestService.json(noUsage))
            #expect(bare.status == .created)
            let bareReply = try bare.decode(ReplyOnly.self).reply
            #expect(bareReply.inputTokens == nil && bareReply.totalTokens == nil)

            // A Responses API response: output items and input_tokens/output_tokens usage.
            let responses: [String: Any] = [
                "type": "AGENT",
                "request": [
                    "model": "gpt-5", "messages": [["role": "developer", "content": "Be brief."], ["role": "user", "content": "Sum 2+2"]],
                ],
                "response": [
                    "id": "resp_68af", "object": "response", "status": "completed", "model": "gpt-5-2025-08-07",
                    "output": [
                        ["type": "reasoning", "id": "rs_1", "summary": [["type": "summary_text", "text": "Adding."]]],
                        [
                            "type": "message", "id": "msg_1", "role": "assistant", "status": "completed",
                            "content": [["type": "output_text", "text": "4", "annotations": [] as [Any]]],
                        ],
                        ["type": "function_call", "id": "fc_1", "call_id": "call_7", "name": "log_result", "arguments": #"{"v":4}"#],
                    ] as [[String: Any]],
                    "usage": [
                        "input_tokens": 2450, "input_tokens_details": ["cached_tokens": 1920],
                        "output_tokens": 1320, "output_tokens_details": ["reasoning_tokens": 896], "total_tokens": 3770,
                    ],
                ],
            ]
            let three = try await service.request(.post, "/v1/ingest/openai", json: TestService.json(responses))
            #expect(three.status == .created, "\(String(buffer: three.body))")
            let conversationId = try #require(three.object["conversationId"] as? String)
            let detail = try await Self.detail(service, conversationId)
            #expect(detail.messages.map(\.role) == [.system, .user, .assistant])
            #expect(Self.object(detail.messages[0].metadata)["providerRole"] == .string("developer"))
            let answer = detail.messages[2]
            #expect(answer.content == "4" && answer.finishReason == "completed")
            #expect(answer.inputTokens == 530 && answer.cachedInputTokens == 1920 && answer.outputTokens == 424 && answer.reasoningTokens == 896)
            #expect(answer.totalTokens == 3770 && answer.cost == price.cost(input: 530, cached: 1920, output: 424, reasoning: 896))
            let metadata = Self.object(answer.metadata)
            #expect(Self.array(metadata["parts"]).count == 3)
            #expect(
                Self.array(metadata["toolCalls"]) == [
                    .object([
                        "type": .string("function"), "id": .string("call_7"), "name": .string("log_result"), "arguments": .string(#"{"v":4}"#),
                    ])
                ])
            #expect(metadata["responseId"] == .string("resp_68af"))
        }
    }

    // MARK: Anthropic

    static func anthropicResponse(content: [[String: Any]], stop: String, usage: [String: Any]) -> [String: Any] {
        [
            "id": "msg_01XFDUDYJgAACzvnptvVoYEL", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5-20250929",
            "content": content, "stop_reason": stop, "stop_sequence": NSNull(), "usage": usage,
        ]
    }

    @Test func anthropicCallWithCacheToolsAndImage() async throws {
        try await TestService.run(suite: Self.suite) { service in
            let messages: [[String: Any]] = [
                [
                    "role": "user",
                    "content": [
                        ["type": "image", "source": ["type": "base64", "media_type": "image/png", "data": Self.tinyPNG]],
                        ["type": "text", "text": "Describe it, then look up the weather in Rome."],
                    ] as [[String: Any]],
                ],
                [
                    "role": "assistant",
                    "content": [
                        ["type": "text", "text": "A cat. Checking the weather."],
                        ["type": "tool_use", "id": "toolu_01A", "name": "get_weather", "input": ["city": "Rome"]],
                    ] as [[String: Any]],
                ],
                ["role": "user", "content": [["type": "tool_result", "tool_use_id": "toolu_01A", "content": "21 °C, sunny"]]],
            ]
            let body: [String: Any] = [
                "type": "RESUME_ANALYSIS", "userId": "u-1", "processingTime": 1800,
                "request": [
                    "model": "claude-sonnet-4-5", "system": [["type": "text", "text": "You are terse.", "cache_control": ["type": "ephemeral"]]],
                    "messages": messages, "max_tokens": 1024, "temperature": 0.5,
                    "tools": [["name": "get_weather", "input_schema": ["type": "object"]]],
                ],
                "response": Self.anthropicResponse(
                    content: [["type": "text", "text": "Rome: 21 °C and sunny."]], stop: "end_turn",
                    usage: [
                        "input_tokens": 1200, "cache_creation_input_tokens": 3000, "cache_read_input_tokens": 12000,
                        "cache_creation": ["ephemeral_5m_input_tokens": 3000, "ephemeral_1h_input_tokens": 0], "output_tokens": 850,
                        "service_tier": "standard",
                    ]),
            ]
            let response = try await service.request(.post, "/v1/ingest/anthropic", json: TestService.json(body))
            OpenAPIDocumentTests.expectConforms(try OpenAPIDocument.load(), response, "POST", "/v1/ingest/anthropic", "201")
            let conversationId = try #require(response.object["conversationId"] as? String)
            let detail = try await Self.detail(service, conversationId)
            #expect(detail.conversation.provider == "anthropic" && detail.conversation.model == "claude-sonnet-4-5-20250929")
            #expect(detail.conversation.type == "RESUME_ANALYSIS" && detail.conversation.userId == "u-1")
            #expect(detail.messages.map(\.role) == [.system, .user, .assistant, .tool, .assistant])
            #expect(detail.messages.map(\.messageIndex) == [0, 1, 2, 3, 4])
            let (system, user, assistant, tool, reply) = (
                detail.messages[0], detail.messages[1], detail.messages[2], detail.messages[3], detail.messages[4]
            )
            #expect(system.content == "You are terse.")
            #expect(user.content == "[image: image/png, 70 bytes]\nDescribe it, then look up the weather in Rome.")
            #expect(
                Self.array(Self.object(user.metadata)["parts"]).first
                    == .object(["type": .string("image"), "mediaType": .string("image/png"), "bytes": .integer(70)]))
            #expect(assistant.content == "A cat. Checking the weather.")
            #expect(
                Self.object(assistant.metadata)["toolCalls"]
                    == .array([
                        .object([
                            "type": .string("tool_use"), "id": .string("toolu_01A"), "name": .string("get_weather"),
                            "input": .object(["city": .string("Rome")]),
                        ])
                    ]))
            #expect(
                tool.content == "21 °C, sunny"
                    && Self.object(tool.metadata)["toolResults"]
                        == .array([
                            .object([
                                "type": .string("tool_result"), "toolUseId": .string("toolu_01A"),
                            ])
                        ])
            )
            // input_tokens excludes both cache counts: nothing is subtracted.
            #expect(reply.content == "Rome: 21 °C and sunny." && reply.finishReason == "end_turn")
            #expect(reply.inputTokens == 1200 && reply.cachedInputTokens == 12000 && reply.cacheCreationInputTokens == 3000)
            #expect(reply.outputTokens == 850 && reply.reasoningTokens == 0 && reply.totalTokens == 17050)
            #expect(reply.temperature == 0.5 && reply.maxTokens == 1024 && reply.processingTime == 1800)
            let price = try await Self.price(service, "anthropic", pattern: "claude-sonnet-4-5%")
            let expected = price.cost(input: 1200, cached: 12000, cacheCreation: 3000, output: 850)
            #expect(expected == Decimal(string: "0.0312"))  // docs/pricing.md's worked example
            #expect(reply.cost == expected && reply.costSource == .computed)
            #expect(Self.object(reply.metadata)["responseId"] == .string("msg_01XFDUDYJgAACzvnptvVoYEL"))
        }
    }

    @Test func anthropicStreamingAssembledFollowUp() async throws {
        try await TestService.run(suite: Self.suite) { service in
            let conversationId = UUID().uuidString
            var messages: [[String: Any]] = [["role": "user", "content": "Plan a trip."]]
            // Assembled from events: thinking and tool_use blocks, the tool input still the accumulated partial_json text.
            let assembled = Self.anthropicResponse(
                content: [
                    ["type": "thinking", "thinking": "The user wants a plan.", "signature": "EqQBCgIYAhIM"],
                    ["type": "text", "text": "Searching flights."],
                    ["type": "tool_use", "id": "toolu_02B", "name": "search_flights", "input": #"{"to": "Lisbon"}"#],
                ], stop: "tool_use", usage: ["input_tokens": 20, "cache_read_input_tokens": 0, "cache_creation_input_tokens": 0, "output_tokens": 95])
            let first: [String: Any] = [
                "conversationId": conversationId, "type": "CHAT",
                "request": ["model": "claude-sonnet-4-5", "messages": messages, "max_tokens": 2048], "response": assembled,
            ]
            let one = try await service.request(.post, "/v1/ingest/anthropic", json: TestService.json(first))
            #expect(one.status == .created, "\(String(buffer: one.body))")
            let reply = try one.decode(ReplyOnly.self).reply
            #expect(reply.content == "Searching flights." && reply.finishReason == "tool_use" && reply.outputTokens == 95)
            let metadata = Self.object(reply.metadata)
            #expect(Self.array(metadata["parts"]).first == .object(["type": .string("thinking"), "characters": .integer(22)]))
            #expect(
                Self.array(metadata["toolCalls"]).first
                    == .object([
                        "type": .string("tool_use"), "id": .string("toolu_02B"), "name": .string("search_flights"),
                        "input": .string(#"{"to": "Lisbon"}"#),
                    ]))

            // The follow-up resends the history with the reply's blocks and the tool result.
            messages.append(["role": "assistant", "content": (assembled["content"] as? [[String: Any]]) ?? []])
            messages.append([
                "role": "user",
                "content": [
                    [
                        "type": "tool_result", "tool_use_id": "toolu_02B",
                        "content": [["type": "text", "text": "TAP 1234, 09:00"]],
                    ]
                ],
            ])
            let second: [String: Any] = [
                "conversationId": conversationId, "type": "CHAT",
                "request": ["model": "claude-sonnet-4-5", "messages": messages, "max_tokens": 2048],
                "response": Self.anthropicResponse(
                    content: [["type": "text", "text": "Book TAP 1234."]], stop: "end_turn",
                    usage: ["input_tokens": 30, "cache_read_input_tokens": 100, "output_tokens": 7]),
            ]
            let two = try await service.request(.post, "/v1/ingest/anthropic", json: TestService.json(second))
            #expect(two.status == .created)
            #expect(Self.loggedMessages(two).map { $0["replayed"] as? Bool } == [true, true, false, false])
            #expect(Self.loggedMessages(two).map { $0["role"] as? String } == ["USER", "ASSISTANT", "TOOL", "ASSISTANT"])
            #expect(try await Self.messageCount(service, conversationId) == 4)
            let detail = try await Self.detail(service, conversationId)
            #expect(detail.messages.map(\.content) == ["Plan a trip.", "Searching flights.", "TAP 1234, 09:00", "Book TAP 1234."])
            let price = try await Self.price(service, "anthropic", pattern: "claude-sonnet-4-5%")
            #expect(detail.conversation.totalCost == price.cost(input: 20, output: 95) + price.cost(input: 30, cached: 100, output: 7))
        }
    }

    // MARK: access and bad input

    @Test func accessFollowsTheOtherWriteRoutes() async throws {
        try await TestService.run(suite: Self.suite) { service in
            let body = TestService.json([
                "type": "CHAT", "request": ["messages": [["role": "user", "content": "hi"]]],
                "response": Self.anthropicResponse(
                    content: [["type": "text", "text": "hello"]], stop: "end_turn",
                    usage: ["input_tokens": 1, "output_tokens": 1]),
            ])
            #expect(try await service.request(.post, "/v1/ingest/anthropic", json: body, key: service.tenant.adminKey).status == .created)
            #expect(try await service.request(.post, "/v1/ingest/anthropic", json: body, key: "").status == .unauthorized)
            let token = try await service.request(.post, "/v1/tokens", json: #"{"userId": "u-1", "ttlSeconds": 60}"#, key: service.tenant.adminKey)
            let userToken = try #require(token.object["token"] as? String)
            let forbidden = try await service.request(.post, "/v1/ingest/anthropic", json: body, key: userToken)
            #expect(forbidden.status == .forbidden)
        }
    }

    @Test func badPayloadsAreRefusedNamingTheField() async throws {
        try await TestService.run(suite: Self.suite) { service in
            let goodOpenAI: [String: Any] = [
                "type": "CHAT",
                "request": [
                    "model": "gpt-5",
                    "messages": [["role": "system", "content": "s"], ["role": "user", "content": "u"], ["role": "user", "content": "v"]],
                ],
                "response": Self.openAIChatResponse(content: "ok", prompt: 10, cached: 2, completion: 5, reasoning: 1),
            ]
            #expect(try await service.request(.post, "/v1/ingest/openai", json: TestService.json(goodOpenAI)).status == .created)

            func openAI(_ change: (inout [String: Any], inout [String: Any], inout [String: Any]) -> Void) -> String {
                var body = goodOpenAI
                var request = body["request"] as? [String: Any] ?? [:]
                var response = body["response"] as? [String: Any] ?? [:]
                change(&body, &request, &response)
                // A change that replaced or removed `request` or `response` itself wins.
                if body["request"] is [String: Any] { body["request"] = request }
                if body["response"] is [String: Any] { body["response"] = response }
                return TestService.json(body)
            }
            let cases: [(String, String, Int, String)] = [
                (
                    "openai",
                    openAI { _, request, _ in
                        request["messages"] = [
                            ["role": "system", "content": "s"], ["role": "user", "content": "u"], ["role": "robot", "content": "x"],
                        ]
                    },
                    400, "request.messages[2].role"
                ),
                (
                    "openai", openAI { _, request, _ in request["messages"] = [["role": "user", "content": "u"], ["content": "no role"]] }, 400,
                    "request.messages[1].role"
                ),
                ("openai", openAI { _, request, _ in request["messages"] = [] as [Any] }, 400, "request.messages"),
                ("openai", openAI { _, request, _ in request["messages"] = nil }, 400, "request.messages"),
                ("openai", openAI { _, request, _ in request["messages"] = [["role": "user", "content": 42]] }, 400, "request.messages[0].content"),
                (
                    "openai", openAI { _, request, _ in request["messages"] = [["role": "user", "content": "a\u{0}b"]] }, 400,
                    "request.messages[0].content"
                ),
                ("openai", openAI { _, _, response in response["choices"] = [] as [Any] }, 400, "response.choices"),
                ("openai", openAI { _, _, response in response["choices"] = nil }, 400, "response.choices"),
                (
                    "openai", openAI { _, _, response in response["choices"] = [["index": 0, "finish_reason": "stop"]] }, 400,
                    "response.choices[0].message"
                ),
                (
                    "openai",
                    openAI { _, _, response in
                        response["usage"] = ["prompt_tokens": 10, "completion_tokens": 5, "prompt_tokens_details": ["cached_tokens": 11]]
                    }, 400,
                    "response.usage.prompt_tokens_details.cached_tokens"
                ),
                (
                    "openai",
                    openAI { _, _, response in
                        response["usage"] = ["prompt_tokens": 10, "completion_tokens": 5, "completion_tokens_details": ["reasoning_tokens": 6]]
                    }, 400,
                    "response.usage.completion_tokens_details.reasoning_tokens"
                ),
                (
                    "openai", openAI { _, _, response in response["usage"] = ["prompt_tokens": -1, "completion_tokens": 5] }, 400,
                    "response.usage.prompt_tokens"
                ),
                (
                    "openai", openAI { _, _, response in response["usage"] = ["prompt_tokens": 1.5, "completion_tokens": 5] }, 400,
                    "response.usage.prompt_tokens"
                ),
                (
                    "openai",
                    openAI { _, request, response in
                        response["model"] = nil
                        request["model"] = nil
                    }, 400, "response.model"
                ),
                ("openai", openAI { _, request, _ in request["temperature"] = -1 }, 400, "request.temperature"),
                ("openai", openAI { _, request, _ in request["max_completion_tokens"] = -5 }, 400, "request.max_completion_tokens"),
                ("openai", openAI { body, _, _ in body["type"] = "chat" }, 400, "type"),
                ("openai", openAI { body, _, _ in body["type"] = nil }, 400, "type"),
                ("openai", openAI { body, _, _ in body["conversationId"] = "not-a-uuid" }, 400, "conversationId"),
                ("openai", openAI { body, _, _ in body["processingTime"] = -3 }, 400, "processingTime"),
                ("openai", openAI { body, _, _ in body["userId"] = "" }, 400, "userId"),
                ("openai", openAI { body, _, _ in body["request"] = "text" }, 400, "request"),
                ("openai", openAI { body, _, _ in body["response"] = nil }, 400, "response"),
                (
                    "anthropic",
                    TestService.json([
                        "type": "CHAT", "request": ["messages": [["role": "system", "content": "x"]]],
                        "response": Self.anthropicResponse(content: [], stop: "end_turn", usage: [:]),
                    ]), 400, "request.messages[0].role"
                ),
                (
                    "anthropic",
                    TestService.json([
                        "type": "CHAT", "request": ["messages": [["role": "user", "content": "x"]]],
                        "response": Self.anthropicResponse(content: [], stop: "end_turn", usage: ["input_tokens": -2]),
                    ]), 400, "response.usage.input_tokens"
                ),
                (
                    "anthropic",
                    TestService.json([
                        "type": "CHAT", "request": ["messages": [["role": "user", "content": [["text": "no type"]]]]],
                        "response": Self.anthropicResponse(content: [], stop: "end_turn", usage: [:]),
                    ]), 400, "request.messages[0].content[0].type"
                ),
                (
                    "anthropic",
                    TestService.json([
                        "type": "CHAT", "request": ["messages": [["role": "user", "content": "x"]]],
                        "response": ["model": "claude-sonnet-4-5"],
                    ]), 400, "response.content"
                ),
                (
                    "anthropic",
                    TestService.json([
                        "type": "CHAT", "request": ["model": "m", "max_tokens": 10] as [String: Any],
                        "response": Self.anthropicResponse(content: [], stop: "end_turn", usage: [:]),
                    ]), 400, "request.messages"
                ),
            ]
            let document = try OpenAPIDocument.load()
            for (provider, body, status, field) in cases {
                let response = try await service.request(.post, "/v1/ingest/\(provider)", json: body)
                OpenAPIDocumentTests.expectConforms(document, response, "POST", "/v1/ingest/\(provider)", String(status))
                #expect(response.errorField == field, "\(field): \(String(buffer: response.body))")
            }
            let notJSON = try await service.request(.post, "/v1/ingest/openai", json: "{not json")
            #expect(notJSON.status == .badRequest && notJSON.errorField == "body")
            // Nothing of the refused calls was stored: only the good call's conversation and its 4 messages.
            let counts = try await service.database.query(
                """
                SELECT (SELECT count(*) FROM llm_conversations WHERE tenant_id = \(service.tenant.tenantId)),
                       (SELECT count(*) FROM llm_messages WHERE tenant_id = \(service.tenant.tenantId))
                """)[0].decode((Int, Int).self)
            #expect(counts == (1, 4))
        }
    }
}
