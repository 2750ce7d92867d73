/// `POST /v1/webhooks`: where to send alerts and the secret that signs them.
struct WebhookCreateRequest: Decodable, Sendable {
    var url: String
    var secret: String

    /// Secrets: 16 to 256 bytes, no NUL.
    func checkSecret() throws(APIError) {
        try IngestValidation.text(secret, field: "secret", max: 256, required: true)
        guard secret.utf8.count >= 16 else { throw APIError.invalid("secret", "must be at least 16 bytes") }
    }
}
