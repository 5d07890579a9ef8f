import Vapor

/// Logs each request at debug level as its method and **route pattern** (`GET /invitation/:token`),
/// never the concrete path, query, body or client address: tokens and identifiers stay out of logs.
struct RouteLogger: Middleware {
    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        next.respond(to: request).map { response in
            request.logger.debug("\(request.method) \(request.routePattern) → \(response.status.code)")
            return response
        }
    }
}

extension Request {
    /// The matched route's pattern, or a placeholder when no route matched.
    var routePattern: String {
        guard let route else { return "(no route)" }
        return "/" + route.path.map(\.description).joined(separator: "/")
    }
}
