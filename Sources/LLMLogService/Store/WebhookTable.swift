import Foundation
import PGClient

/// A registered webhook as the API shows it (never its secret).
struct WebhookRecord: Codable, Sendable {
    let id: UUID
    let url: String
    let createdAt: Date
}

/// One delivery of an alert to a webhook, as its log shows it.
struct WebhookDeliveryRecord: Encodable, Sendable {
    let id: UUID
    let alertId: UUID
    let attempts: Int
    let statusCode: Int?
    let lastError: String?
    let nextAttemptAt: Date?
    let deliveredAt: Date?
    let failedAt: Date?
    let createdAt: Date

    /// `delivered`, `failed` (gave up) or `pending`.
    var status: String { deliveredAt != nil ? "delivered" : failedAt != nil ? "failed" : "pending" }

    enum CodingKeys: String, CodingKey {
        case id, alertId, attempts, statusCode, lastError, nextAttemptAt, deliveredAt, failedAt, createdAt, status
    }

    func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(alertId, forKey: .alertId)
        try container.encode(status, forKey: .status)
        try container.encode(attempts, forKey: .attempts)
        try container.encode(statusCode, forKey: .statusCode)
        try container.encode(lastError, forKey: .lastError)
        try container.encode(status == "pending" ? nextAttemptAt : nil, forKey: .nextAttemptAt)
        try container.encode(deliveredAt, forKey: .deliveredAt)
        try container.encode(failedAt, forKey: .failedAt)
        try container.encode(createdAt, forKey: .createdAt)
    }
}

/// A delivery the worker claimed: where to send which alert, signed with which secret.
struct ClaimedDelivery: Sendable {
    let tenantId: UUID
    let id: UUID
    let attempts: Int
    let createdAt: Date
    let url: String
    let secret: String
    let alert: BudgetAlert
}

/// `llm_webhooks` and `llm_webhook_deliveries` (sql/017_budgets.sql).
enum WebhookTable {
    /// Most webhooks per tenant.
    static let maxPerTenant = 20

    static func insert(_ connection: PGConnection, tenantId: UUID, id: UUID, url: String, secret: String) async throws -> WebhookRecord {
        let row = try await connection.query(
            """
            INSERT INTO llm_webhooks (tenant_id, id, url, secret) VALUES (\(tenantId), \(id), \(url), \(secret))
            RETURNING id, url, created_at
            """)[0]
        let (id, url, createdAt) = try row.decode((UUID, String, Date).self)
        return WebhookRecord(id: id, url: url, createdAt: createdAt)
    }

    static func count(_ connection: PGConnection, tenantId: UUID) async throws -> Int {
        try await connection.query("SELECT pg_advisory_xact_lock(\(BudgetTable.lockNamespace + 1), hashtext(\(tenantId.uuidString)))")
        return try await connection.query("SELECT count(*) FROM llm_webhooks WHERE tenant_id = \(tenantId)")[0].decode(Int.self, column: 0)
    }

    static func list(_ connection: PGConnection, tenantId: UUID) async throws -> [WebhookRecord] {
        try await connection.query("SELECT id, url, created_at FROM llm_webhooks WHERE tenant_id = \(tenantId) ORDER BY created_at, id")
            .map { row in
                let (id, url, createdAt) = try row.decode((UUID, String, Date).self)
                return WebhookRecord(id: id, url: url, createdAt: createdAt)
            }
    }

    static func exists(_ connection: PGConnection, tenantId: UUID, id: UUID) async throws -> Bool {
        try await connection.query("SELECT 1 FROM llm_webhooks WHERE tenant_id = \(tenantId) AND id = \(id)").count == 1
    }

    /// Removes a webhook and its delivery log; false when the tenant has none of that id.
    static func delete(_ connection: PGConnection, tenantId: UUID, id: UUID) async throws -> Bool {
        try await connection.query("DELETE FROM llm_webhooks WHERE tenant_id = \(tenantId) AND id = \(id) RETURNING id").count == 1
    }

    /// The webhook's deliveries, newest first.
    static func deliveries(_ connection: PGConnection, tenantId: UUID, webhookId: UUID, limit: Int) async throws -> [WebhookDeliveryRecord] {
        try await connection.query(
            """
            SELECT id, alert_id, attempts, status_code, last_error, next_attempt_at, delivered_at, failed_at, created_at
            FROM llm_webhook_deliveries WHERE tenant_id = \(tenantId) AND webhook_id = \(webhookId)
            ORDER BY created_at DESC, id DESC LIMIT \(Int64(limit))
            """
        ).map { row in
            let (id, alertId, attempts, statusCode, lastError, next, delivered, failed, created) = try row.decode(
                (UUID, UUID, Int, Int?, String?, Date, Date?, Date?, Date).self)
            return WebhookDeliveryRecord(
                id: id, alertId: alertId, attempts: attempts, statusCode: statusCode, lastError: lastError, nextAttemptAt: next,
                deliveredAt: delivered, failedAt: failed, createdAt: created)
        }
    }

    /// Claims up to `limit` due deliveries (every tenant's; run with every tenant visible): each gets one more attempt
    /// and is leased until `now + lease`, so no other worker takes it while this one sends (`SKIP LOCKED` passes over
    /// the rows another worker is claiming right now). A worker that dies mid-send leaves the lease to expire: the
    /// delivery is sent again then (at least once; receivers deduplicate by the alert's `id`).
    static func claim(_ connection: PGConnection, limit: Int, lease: Duration) async throws -> [ClaimedDelivery] {
        let leaseMicros = lease.components.seconds * 1_000_000 + lease.components.attoseconds / 1_000_000_000_000
        return try await connection.query(
            """
            WITH due AS (
                SELECT tenant_id, id FROM llm_webhook_deliveries
                WHERE delivered_at IS NULL AND failed_at IS NULL AND next_attempt_at <= clock_timestamp()
                ORDER BY next_attempt_at LIMIT \(Int64(limit))
                FOR UPDATE SKIP LOCKED
            )
            UPDATE llm_webhook_deliveries d
            SET attempts = d.attempts + 1, next_attempt_at = clock_timestamp() + \(leaseMicros) * interval '1 microsecond'
            FROM due, llm_webhooks w, llm_budget_alerts a
            WHERE d.tenant_id = due.tenant_id AND d.id = due.id
              AND w.tenant_id = d.tenant_id AND w.id = d.webhook_id AND a.tenant_id = d.tenant_id AND a.id = d.alert_id
            RETURNING d.tenant_id, d.id, d.attempts, d.created_at, w.url, w.secret, \(unsafeSQL: BudgetAlert.columns)
            """
        ).map { row in
            ClaimedDelivery(
                tenantId: try row.decode(UUID.self, column: 0), id: try row.decode(UUID.self, column: 1),
                attempts: try row.decode(Int.self, column: 2), createdAt: try row.decode(Date.self, column: 3),
                url: try row.decode(String.self, column: 4), secret: try row.decode(String.self, column: 5),
                alert: try BudgetAlert.decode(row, from: 6))
        }
    }

    /// Records a delivery's outcome: delivered; or failed, with the next attempt after `retryIn` (nil: gave up).
    static func record(
        _ connection: PGConnection, tenantId: UUID, id: UUID, delivered: Bool, statusCode: Int?, error: String?, retryIn: Duration?
    ) async throws {
        let micros = retryIn.map { $0.components.seconds * 1_000_000 + $0.components.attoseconds / 1_000_000_000_000 } ?? 0
        try await connection.query(
            """
            UPDATE llm_webhook_deliveries SET status_code = \(statusCode.map(Int32.init)), last_error = \(error),
                delivered_at = CASE WHEN \(delivered) THEN clock_timestamp() END,
                failed_at = CASE WHEN NOT \(delivered) AND \(retryIn == nil) THEN clock_timestamp() END,
                next_attempt_at = clock_timestamp() + \(micros) * interval '1 microsecond'
            WHERE tenant_id = \(tenantId) AND id = \(id)
            """)
    }
}
