import Fluent
import NIOConcurrencyHelpers
import SQLKit
import Vapor

/// `GET /healthz` for load balancers and supervisors: 200 when the database answers and the keys
/// are unlocked, 503 otherwise.
/// It says nothing else, so it reveals nothing about the instance.
///
/// The database is asked at most once a second: a supervisor polling every few seconds sees every
/// change, while a flood of `/healthz` costs no query (the answer was a round trip to the SQLite
/// thread or the PostgreSQL server each time). A failure is never remembered: after one, the next
/// check asks again. The vault is read on every check.
enum HealthController {
    static let databaseAnswerKept: Duration = .seconds(1)

    /// When this node's database last answered.
    final class LastAnswer: Sendable {
        let instant = NIOLockedValueBox<ContinuousClock.Instant?>(nil)
    }

    @Sendable static func check(_ request: Request) async -> Response {
        var healthy = request.application.vault.isOpen  // a sealed node cannot serve anything
        let now = ContinuousClock.now
        let lastAnswer = request.application.healthLastAnswer.instant
        var answered = lastAnswer.withLockedValue { $0 }
        if let last = answered, now - last < databaseAnswerKept, now >= last {
            // The database answered less than a second ago.
        } else {
            do {
                guard let sql = request.db as? any SQLDatabase else { throw Abort(.serviceUnavailable) }
                try await sql.raw("SELECT 1").run()
                lastAnswer.withLockedValue { $0 = now }
                answered = now
            } catch {
                request.logger.warning("health check: database did not answer")
                lastAnswer.withLockedValue { $0 = nil }
                healthy = false
            }
        }
        let response = Response(status: healthy ? .ok : .serviceUnavailable, body: .init(string: healthy ? "ok\n" : "unavailable\n"))
        response.headers.contentType = .plainText
        // The front door may give this answer again until the database's answer is a second old
        // (it reads the vault itself before every answer it gives).
        if healthy, let answered { response.keptUntil = answered + databaseAnswerKept }
        return response
    }
}

extension Application {
    private struct HealthKey: StorageKey { typealias Value = HealthController.LastAnswer }

    var healthLastAnswer: HealthController.LastAnswer {
        get { storage[HealthKey.self]! }
        set { storage[HealthKey.self] = newValue }
    }
}
