import Foundation
import PGClient
import PGTestSupport
import Testing

@testable import LLMLogService

/// A table declared once in Swift (`MessageTable.columns`) is the table the migrations made: same columns, same types;
/// and what its insert writes, its select and decoder read back unchanged.
@Suite struct TableDeclarationTests {
    static let suite = "table-declarations"

    /// The declared columns and their SQL types are the migrated table's, one for one.
    static func expectDeclared<Row>(_ columns: [TableColumn<Row>], are table: String, _ service: TestService) async throws {
        let rows = try await service.database.query(
            """
            SELECT column_name::text, udt_name::text FROM information_schema.columns
            WHERE table_schema = 'public' AND table_name = \(table)
            """)
        let migrated = Dictionary(uniqueKeysWithValues: try rows.map { try $0.decode((String, String).self) })
        #expect(Dictionary(uniqueKeysWithValues: columns.map { ($0.name, $0.sqlType) }) == migrated, "\(table)")
    }

    @Test func theDeclarationsAreTheMigratedTables() async throws {
        try await TestService.run(suite: Self.suite) { service in
            try await Self.expectDeclared(MessageTable.columns, are: MessageTable.name, service)
            try await Self.expectDeclared(ConversationTable.allColumns, are: ConversationTable.name, service)
        }
    }

    @Test func whatTheInsertWritesTheDecoderReadsBack() async throws {
        try await TestService.run(suite: Self.suite) { service in
            let conversation = try await HostileTenantTests.conversation(service, key: service.tenant.ingestKey)
            let record = MessageRecord(
                id: UUID(), conversationId: conversation.id, role: .tool, content: "ünïcode ✓", provider: "openai", model: "gpt-4o",
                inputTokens: 1, outputTokens: 2, totalTokens: 3, cachedInputTokens: 4, cacheCreationInputTokens: 5, reasoningTokens: 6,
                cost: Decimal(string: "0.000123456789"), costSource: .provided, processingTime: 2_000_000_000, messageIndex: 41,
                finishReason: "stop", temperature: 0.25, maxTokens: 4096, errorMessage: "e",
                metadata: .object(["k": .array([.string("v"), .null, .bool(true)])]), createdAt: Date(timeIntervalSince1970: 1_764_000_000.123456))
            let stored = StoredMessage(tenantId: service.tenant.tenantId, record: record, requestHash: Data([1, 2, 3]), userId: "u")
            try await service.database.query(MessageTable.insert([stored]))
            let read = try await service.database.query(
                "SELECT \(unsafeSQL: MessageTable.selectList()) FROM llm_messages WHERE id = \(record.id)"
            ).map(MessageTable.decode)
            #expect(read.count == 1)
            #expect(read.first?.record == record && read.first?.requestHash == Data([1, 2, 3]) && read.first?.userId == "u")
            #expect(read.first?.tenantId == service.tenant.tenantId)
        }
    }
}
