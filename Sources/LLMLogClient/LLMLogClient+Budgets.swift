import AsyncHTTPClient
import Foundation
import NIOCore

/// The answer of `GET /v1/budgets/status`: every budget that applies to a call, with its spend in the current period.
public struct BudgetStatus: Sendable, Decodable, Equatable {
    /// One applicable budget.
    public struct Budget: Sendable, Decodable, Equatable {
        public let id: UUID
        /// `tenant`, `user`, `type` or `model`.
        public let scope: String
        /// `day`, `week` or `month` (UTC).
        public let period: String
        /// The amount, spend and what remains (never below 0), in USD, exact.
        public let amount: Decimal
        public let spent: Decimal
        public let remaining: Decimal
        /// True once the period's spend reached the amount.
        public let exceeded: Bool

        enum CodingKeys: String, CodingKey { case id, scope, period, amount, spent, remaining, exceeded }

        public init(from decoder: Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            func decimal(_ key: CodingKeys) throws -> Decimal {
                let text = try container.decode(String.self, forKey: key)
                guard let value = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")) else {
                    throw DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: "not a decimal: \(text)")
                }
                return value
            }
            id = try container.decode(UUID.self, forKey: .id)
            scope = try container.decode(String.self, forKey: .scope)
            period = try container.decode(String.self, forKey: .period)
            amount = try decimal(.amount)
            spent = try decimal(.spent)
            remaining = try decimal(.remaining)
            exceeded = try container.decode(Bool.self, forKey: .exceeded)
        }
    }

    /// True when any applicable budget is exceeded.
    public let exceeded: Bool
    public let budgets: [Budget]
}

/// A request the service answered with an error (or did not answer).
public struct LLMLogRequestError: Error, Sendable, CustomStringConvertible {
    /// The HTTP status; nil when no answer came.
    public let status: Int?
    /// The service's error body, or the network error.
    public let message: String
    public var description: String { status.map { "HTTP \($0): \(message)" } ?? message }
}

extension LLMLogClient {
    /// Asks the service whether a call may go ahead: `GET /v1/budgets/status` for the given user, conversation type
    /// and model (each optional; the tenant's own budgets always apply). Unlike the logging calls this one waits for
    /// the answer and throws `LLMLogRequestError` when there is none (the app decides whether to call the model then).
    public func budgetStatus(
        userId: String? = nil, type: String? = nil, model: String? = nil, timeout: Duration = .seconds(5)
    ) async throws
        -> BudgetStatus
    {
        var components = URLComponents()
        components.queryItems = [("userId", userId), ("type", type), ("model", model)].compactMap { name, value in
            value.map { URLQueryItem(name: name, value: $0) }
        }
        // `+` is a space in a query: encode it too.
        let query = (components.percentEncodedQuery ?? "").replacingOccurrences(of: "+", with: "%2B")
        var request = HTTPClientRequest(url: configuration.baseURL + "/v1/budgets/status" + (query.isEmpty ? "" : "?" + query))
        request.headers.add(name: "Authorization", value: "Bearer \(configuration.apiKey)")
        request.headers.add(name: "User-Agent", value: "llmlog-swift-client")
        let client = httpClient ?? HTTPClient.shared
        let response: HTTPClientResponse
        let body: ByteBuffer
        do {
            response = try await client.execute(request, timeout: .nanoseconds(max(1_000_000, timeout.inNanoseconds)))
            body = try await response.body.collect(upTo: 4 << 20)
        } catch {
            throw LLMLogRequestError(status: nil, message: String(describing: error))
        }
        guard response.status.code == 200 else {
            throw LLMLogRequestError(status: Int(response.status.code), message: String(buffer: body))
        }
        return try JSONDecoder().decode(BudgetStatus.self, from: Data(body.readableBytesView))
    }
}
