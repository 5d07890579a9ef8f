import EgideCore
import EgideCrypto
import Fluent
import Vapor

/// Sign-in in two steps — email and password, then the authenticator code (or a recovery code) —
/// with one generic error, the same work for unknown accounts, and throttling.
enum SignInController {
    struct Context: Encodable {
        var action: String
        var email: String?
        var error: String?
    }

    @Sendable static func show(_ request: Request) async throws -> Response {
        if request.principal?.session == .active { return request.redirect(to: nextPath(request)) }
        // Without `next` the page is the same for every visitor: kept rendered (`SharedPages`).
        guard nextPath(request) == SiteURL.home.href else { return try await render(request, email: nil, error: nil, status: .ok) }
        return try await request.renderShared(.signIn, titleKey: "signIn.title", forms: true) { _ in
            Context(action: SiteURL.signIn(next: nil).href, email: nil, error: nil)
        }
    }

    static func nextPath(_ request: Request) -> String {
        SiteURL.localPath((try? request.query.get(String.self, at: "next")) ?? (try? request.content.get(String.self, at: "next")))
    }

    static func render(_ request: Request, email: String?, error: String?, status: HTTPStatus) async throws -> Response {
        let next = nextPath(request)
        let context = Context(action: SiteURL.signIn(next: next).href, email: email, error: error)
        return try await request.render(.signIn, titleKey: "signIn.title", context, status: status, forms: true)
    }

    @Sendable static func submit(_ request: Request) async throws -> Response {
        let app = request.application
        let email = ((try? request.content.get(String.self, at: "email")) ?? "").trimmedWhitespace
        let password = (try? request.content.get(String.self, at: "password")) ?? ""
        let account = Accounts.normaliseEmail(email)
        let now = app.clock.now()
        if let wait = try await app.signInThrottle.wait(account: account, client: request.throttleClient, now: now) {
            let minutes = Throttle.minutes(wait)
            // Recorded so a brute-force run stays visible after the lock-out (bounded by the per-client limit).
            let known = try await Accounts.findUser(email: account, on: app.db, vault: app.vault)
            try await request.transaction { db in
                try await AuditRecorder.record(
                    .init(actor: .publicSender, organisation: known?.$organisation.id, action: "user.sign_in_throttled",
                          objectType: known == nil ? nil : "user", objectID: known.flatMap { $0.id.map(SiteURL.id) }), at: now, on: db)
            }
            return try await render(request, email: email, error: request.t("signIn.throttled", minutes), status: .tooManyRequests)
        }
        let user = try await Accounts.findUser(email: account, on: app.db, vault: app.vault)
        let passwordOK = await app.passwordService.verify(password, against: user?.passwordHash)
        guard let user, passwordOK, user.disabledAt == nil else {
            try await app.signInThrottle.recordFailure(account: account, client: request.throttleClient, now: now)
            try await request.transaction { db in
                try await AuditRecorder.record(
                    .init(actor: .publicSender, organisation: user?.$organisation.id, action: "user.sign_in_failed",
                          objectType: user == nil ? nil : "user", objectID: user.flatMap { $0.id.map(SiteURL.id) },
                          details: ["step": "password"]), at: now, on: db)
            }
            return try await render(request, email: email, error: request.t("signIn.failed"), status: .unauthorized)
        }
        let stage: SessionRecord.Stage = user.totpConfirmedAt == nil ? .enrolling : .passwordVerified
        let target = stage == .enrolling ? SiteURL.enrolTwoFactor.href : SiteURL.signInCode.href + nextQuery(request)
        let response = request.redirect(to: target)
        try await SessionManager.start(userID: try user.requireID(), stage: stage, for: request, response: response)
        return response
    }

    static func nextQuery(_ request: Request) -> String {
        let next = nextPath(request)
        return next == "/" ? "" : "?next=" + (next.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
    }

    @Sendable static func signOut(_ request: Request) async throws -> Response {
        let app = request.application
        let response = request.redirect(to: SiteURL.home.href)
        if let principal = request.principal, let sessionID = principal.sessionID {
            try await request.transaction { db in
                try await SessionRecord.query(on: db).filter(\.$id == sessionID).delete()
                try await AuditRecorder.record(
                    .init(actor: .user(principal.userID), organisation: principal.actor.organisationID, action: "user.sign_out",
                          objectType: "user", objectID: SiteURL.id(principal.userID)), at: app.clock.now(), on: db)
            }
        }
        SessionManager.clearCookie(on: response, app.egideConfig)
        return response
    }
}
