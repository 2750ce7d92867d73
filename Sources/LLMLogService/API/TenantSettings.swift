import Foundation

/// A tenant's data-lifecycle settings (`GET/PATCH /v1/tenant/settings`, `llmlog tenant settings`). Null days: kept
/// for ever.
public struct TenantSettings: Codable, Sendable, Equatable {
    /// Message content, conversation titles and metadata are cleared after this many days; figures stay.
    public var contentRetentionDays: Int?
    /// Messages and conversations are removed after this many days; rollups (every report) stay.
    public var retentionDays: Int?
    /// False: message content is never written (stored and returned as an empty string).
    public var storeContent: Bool

    /// Kept for ever, with content: what a tenant without settings has.
    public static let defaults = TenantSettings(contentRetentionDays: nil, retentionDays: nil, storeContent: true)

    /// Valid days.
    public static let dayRange = 1...36500

    public init(contentRetentionDays: Int?, retentionDays: Int?, storeContent: Bool) {
        self.contentRetentionDays = contentRetentionDays
        self.retentionDays = retentionDays
        self.storeContent = storeContent
    }

    enum CodingKeys: String, CodingKey { case contentRetentionDays, retentionDays, storeContent }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(contentRetentionDays, forKey: .contentRetentionDays)
        try container.encode(retentionDays, forKey: .retentionDays)
        try container.encode(storeContent, forKey: .storeContent)
    }
}

/// `PATCH /v1/tenant/settings`: only the fields present change; `null` days means "keep for ever".
public struct TenantSettingsPatch: Decodable, Sendable {
    public var contentRetentionDays: Int??
    public var retentionDays: Int??
    public var storeContent: Bool?

    public init(contentRetentionDays: Int?? = nil, retentionDays: Int?? = nil, storeContent: Bool? = nil) {
        self.contentRetentionDays = contentRetentionDays
        self.retentionDays = retentionDays
        self.storeContent = storeContent
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: TenantSettings.CodingKeys.self)
        func days(_ key: TenantSettings.CodingKeys) throws -> Int?? {
            guard container.contains(key) else { return nil }
            if try container.decodeNil(forKey: key) { return .some(nil) }
            return .some(Int(exactly: try container.decodeInteger(forKey: key) ?? 0))
        }
        contentRetentionDays = try days(.contentRetentionDays)
        retentionDays = try days(.retentionDays)
        storeContent = try container.decodeIfPresent(Bool.self, forKey: .storeContent)
    }

    /// `settings` with this patch applied; 400 naming the field for days outside `TenantSettings.dayRange`.
    public func applied(to settings: TenantSettings) throws(APIError) -> TenantSettings {
        var result = settings
        for (field, value) in [("contentRetentionDays", contentRetentionDays), ("retentionDays", retentionDays)] {
            guard case .some(let days) = value else { continue }
            if let days, !TenantSettings.dayRange.contains(days) {
                throw APIError.invalid(field, "must be null or an integer from 1 to \(TenantSettings.dayRange.upperBound)")
            }
            if field == "retentionDays" { result.retentionDays = days } else { result.contentRetentionDays = days }
        }
        if let storeContent { result.storeContent = storeContent }
        return result
    }
}
