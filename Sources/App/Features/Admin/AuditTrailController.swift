import EgideCore
import Vapor

/// `GET /admin/audit`: the audit trail for host administrators and auditors (see `AuditTrailPage`).
enum AuditTrailController {
    @Sendable static func list(_ request: Request) async throws -> Response {
        let actor = try request.actor()
        try request.authorize(AdminPolicy.evaluate(actor, .viewAuditTrail))
        return try await request.render(.adminAudit, titleKey: "audit.title", try await AuditTrailPage.build(for: actor, on: request))
    }
}
