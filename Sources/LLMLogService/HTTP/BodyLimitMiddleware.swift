import Hummingbird

/// Sets the configured body limit (`IngestLimits.maxBodyBytes`) on the context of every request of a group, for
/// `APIRequestDecoder`; routes that take larger bodies raise it for themselves.
struct BodyLimitMiddleware: RouterMiddleware {
    let maxBodyBytes: Int

    func handle(_ request: Request, context: AppContext, next: (Request, AppContext) async throws -> Response) async throws -> Response {
        var context = context
        context.maxUploadSize = maxBodyBytes
        return try await next(request, context)
    }
}

extension AppContext {
    /// This context with a body limit of `bytes`, for a route whose bodies may be larger than the default.
    func allowingBodies(upTo bytes: Int) -> AppContext {
        var context = self
        context.maxUploadSize = bytes
        return context
    }
}
