import Foundation

/// The `207` answer of `POST /v1/batch`: one result per event, in order.
struct BatchResponse: Decodable, Sendable {
    struct Result: Decodable, Sendable {
        var id: String?
        var status: Int
        var resourceId: UUID?
        var error: ErrorDetail?
    }

    var results: [Result]
}

/// The service's `{"code", "message", "field"}` error detail.
struct ErrorDetail: Decodable, Sendable {
    var code: String
    var message: String?
    var field: String?
}

/// The service's error body `{"error": {…}}`.
struct ErrorBody: Decodable, Sendable {
    var error: ErrorDetail
}
