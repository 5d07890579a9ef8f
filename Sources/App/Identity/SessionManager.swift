import EgideCore
import Fluent
import Foundation
import SQLKit
import Vapor

/// Server-side sessions: created at sign-in with a fresh id, ended at sign-out, on idle and absolute
/// timeouts, and all at once when an account is disabled or changes its password or second factor.
enum SessionManager {
    /// A half-signed-in session (password given, code not yet) lasts this long.
    static let secondFactorWindow: TimeInterval = 5 * 60
    /// …and a session that must enrol a second factor lasts this long: enrolment is done at once.
    static let enrolmentWindow: TimeInterval = 15 * 60

    static func cookieName(_ config: AppConfig) -> String {
        config.secureCookies ? "__Host-egide-session" : "egide-session"
    }

    /// Starts a session for `userID` at `stage` and sets its cookie on `response`. Any session
    /// the request already had is ended first, so the id always changes at sign-in.
    static func start(
        userID: UUID, stage: SessionRecord.Stage, for request: Request, response: Response
    ) async throws {
        let now = request.application.clock.now()
        let config = request.application.egideConfig
        let token = Secrets.token()
        let old = request.principal?.sessionID
        let absolute = switch stage {
        case .passwordVerified: secondFactorWindow
        case .enrolling: enrolmentWindow
        case .active: config.sessionAbsoluteTimeout
        }
        let record = SessionRecord(id: UUID(), tokenHash: Secrets.hash(token), userID: userID, stage: stage,
                                   now: now, expiresAt: now.addingTimeInterval(absolute))
        try await request.application.transaction { db in
            if let old { try await SessionRecord.query(on: db).filter(\.$id == old).delete() }
            try await record.create(on: db)
        }
        response.cookies[cookieName(config)] = cookie(token, config)
    }

    static func cookie(_ value: String, _ config: AppConfig) -> HTTPCookies.Value {
        HTTPCookies.Value(string: value, expires: nil, maxAge: nil, path: "/",
                          isSecure: config.secureCookies, isHTTPOnly: true, sameSite: .strict)
    }

    /// Removes the session cookie from the browser.
    static func clearCookie(on response: Response, _ config: AppConfig) {
        var expired = cookie("", config)
        expired.expires = Date(timeIntervalSince1970: 0)
        expired.maxAge = 0
        response.cookies[cookieName(config)] = expired
    }

    /// What a live session cookie stands for.
    struct Live: Sendable {
        var sessionID: UUID
        var stage: SessionRecord.Stage
        var standing: Accounts.Standing
    }

    /// The live session behind `token` and its account, or `nil` (and the session deleted) if it
    /// has expired. Read as columns, not as models: it runs on every signed-in request.
    static func live(token: String, app: Application) async throws -> Live? {
        guard let row = try await (app.db as! any SQLDatabase).raw("""
            SELECT id, user_id, stage, last_seen_at, expires_at FROM \(ident: SessionRecord.schema)
            WHERE token_hash = \(bind: Secrets.hash(token))
            """).first() else { return nil }
        let id = try row.decode(column: "id", as: UUID.self)
        let lastSeenAt = try row.decode(column: "last_seen_at", as: Date.self)
        let now = app.clock.now()
        if now >= (try row.decode(column: "expires_at", as: Date.self)) || now.timeIntervalSince(lastSeenAt) >= app.egideConfig.sessionIdleTimeout {
            try await app.transaction { db in try await SessionRecord.query(on: db).filter(\.$id == id).delete() }
            return nil
        }
        if now.timeIntervalSince(lastSeenAt) >= 60 {
            try await app.transaction { db in try await SessionRecord.query(on: db).filter(\.$id == id).set(\.$lastSeenAt, to: now).update() }
        }
        guard let standing = try await Accounts.standing(of: try row.decode(column: "user_id", as: UUID.self), on: app.db) else { return nil }
        return Live(sessionID: id, stage: try row.decode(column: "stage", as: SessionRecord.Stage.self), standing: standing)
    }

    /// Deletes every session past its absolute or idle timeout (a scheduled job: a session nobody
    /// comes back to is otherwise deleted only when its cookie is next shown).
    static func prune(_ app: Application, now: Date) async throws {
        let idleSince = now.addingTimeInterval(-app.egideConfig.sessionIdleTimeout)
        try await app.transaction { db in
            try await SessionRecord.query(on: db).group(.or) { $0.filter(\.$expiresAt <= now).filter(\.$lastSeenAt <= idleSince) }.delete()
        }
    }

    /// Ends every session of `userID` (disable, password or second-factor change), except `keeping`.
    static func endAll(of userID: UUID, keeping: UUID? = nil, on db: any Database) async throws {
        var query = SessionRecord.query(on: db).filter(\.$user.$id == userID)
        if let keeping { query = query.filter(\.$id != keeping) }
        try await query.delete()
    }
}

/// Resolves the session cookie into `request.principal`; never rejects (gates do). Cookies are
/// ignored under `/api/`, which only accepts bearer tokens — so the API, exempt from CSRF tokens,
/// can never be driven by a browser's ambient session.
struct SessionAuthenticator: Middleware {
    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        let app = request.application
        // No session cookie (every public visitor): nothing to look up.
        guard !request.path.hasPrefix("/api/"), let token = request.cookie(SessionManager.cookieName(app.egideConfig)), !token.isEmpty,
              app.vault.isOpen else { return next.respond(to: request) }
        return request.eventLoop.makeFutureWithTask {
            if let session = try await SessionManager.live(token: token, app: app), !session.standing.disabled {
                let actor = session.standing.actor
                request.principal = Principal(userID: actor.userID, actor: actor, session: session.stage, sessionID: session.sessionID)
            }
        }.flatMap { next.respond(to: request) }
    }
}
