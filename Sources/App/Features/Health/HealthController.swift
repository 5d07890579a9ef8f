import Fluent
import SQLKit
import Vapor

/// `GET /healthz` for load balancers and supervisors: 200 when the database answers and the keys
/// are unlocked, 503 otherwise.
/// It says nothing else, so it reveals nothing about the instance.
enum HealthController {
    @Sendable static func check(_ request: Request) async -> Response {
        var healthy = request.application.vault.isOpen  // a sealed node cannot serve anything
        do {
            guard let sql = request.db as? any SQLDatabase else { throw Abort(.serviceUnavailable) }
            try await sql.raw("SELECT 1").run()
        } catch {
            request.logger.warning("health check: database did not answer")
            healthy = false
        }
        let response = Response(status: healthy ? .ok : .serviceUnavailable, body: .init(string: healthy ? "ok\n" : "unavailable\n"))
        response.headers.contentType = .plainText
        return response
    }
}
