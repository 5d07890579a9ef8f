import EgideCore
import Fluent
import Vapor

/// My sessions: where I am signed in, and ending any of them.
enum SessionsController {
    struct Row: Encodable {
        var started: String
        var lastSeen: String
        var current: Bool
        var endAction: String
    }

    struct Context: Encodable {
        var rows: [Row]
    }

    @Sendable static func list(_ request: Request) async throws -> Response {
        let actor = try request.actor()
        let sessions = try await SessionRecord.query(on: request.db).filter(\.$user.$id == actor.userID)
            .filter(\.$stage == .active).sort(\.$lastSeenAt, .descending).all()
        let rows = try sessions.map { session in
            let id = try session.requireID()
            return Row(started: request.moment(session.createdAt), lastSeen: request.moment(session.lastSeenAt),
                       current: id == request.principal?.sessionID, endAction: SiteURL.endSession(id).href)
        }
        return try await request.render(.accountSessions, titleKey: "account.sessions.title", Context(rows: rows))
    }

    @Sendable static func end(_ request: Request) async throws -> Response {
        let actor = try request.actor()
        // Scoped to my own sessions: another person's session id answers 404.
        guard let id = request.uuid("id"),
              let session = try await SessionRecord.query(on: request.db).filter(\.$id == id)
                .filter(\.$user.$id == actor.userID).first() else { throw Abort(.notFound) }
        let now = request.application.clock.now()
        try await request.transaction { db in
            try await session.delete(on: db)
            try await AuditRecorder.record(
                .init(actor: .user(actor.userID), organisation: actor.organisationID, action: "user.session_end",
                      objectType: "session", objectID: SiteURL.id(id)), at: now, on: db)
        }
        if id == request.principal?.sessionID {
            let response = request.redirect(to: SiteURL.home.href)
            SessionManager.clearCookie(on: response, request.application.egideConfig)
            return response
        }
        return request.redirect(to: SiteURL.accountSessions.href, flash: "flash.session.ended")
    }
}
