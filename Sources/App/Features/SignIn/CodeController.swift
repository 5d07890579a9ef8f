import EgideCore
import EgideCrypto
import Fluent
import Vapor

/// The second sign-in step: a TOTP code (each accepted once) or an unused recovery code.
enum CodeController {
    struct Context: Encodable {
        var action: String
        var error: String?
    }

    @Sendable static func show(_ request: Request) async throws -> Response {
        try await request.render(.signInCode, titleKey: "signIn.code.title",
                                 Context(action: SiteURL.signInCode.href + SignInController.nextQuery(request), error: nil), forms: true)
    }

    @Sendable static func submit(_ request: Request) async throws -> Response {
        let app = request.application
        guard let principal = request.principal, let user = try await UserRecord.find(principal.userID, on: app.db) else {
            throw Abort(.unauthorized)
        }
        let now = app.clock.now()
        let (email, _) = try Accounts.identity(of: user, vault: app.vault)
        if let wait = try await app.signInThrottle.wait(account: email, client: request.throttleClient, now: now) {
            let minutes = Throttle.minutes(wait)
            return try await render(request, error: request.t("signIn.throttled", minutes), status: .tooManyRequests)
        }
        let typed = ((try? request.content.get(String.self, at: "code")) ?? "").filter { !$0.isWhitespace }
        let method = try await TwoFactor.check(typed, for: user, at: now, app: app)
        guard let method else {
            try await app.signInThrottle.recordFailure(account: email, client: request.throttleClient, now: now)
            try await request.transaction { db in
                try await AuditRecorder.record(
                    .init(actor: .user(principal.userID), organisation: principal.actor.organisationID, action: "user.sign_in_failed",
                          objectType: "user", objectID: SiteURL.id(principal.userID), details: ["step": "code"]), at: now, on: db)
            }
            return try await render(request, error: request.t("signIn.code.failed"), status: .unauthorized)
        }
        try await app.signInThrottle.recordSuccess(account: email)
        let response = request.redirect(to: SignInController.nextPath(request))
        try await request.transaction { db in
            try await AuditRecorder.record(
                .init(actor: .user(principal.userID), organisation: principal.actor.organisationID, action: "user.sign_in",
                      objectType: "user", objectID: SiteURL.id(principal.userID), details: ["method": method]), at: now, on: db)
        }
        try await SessionManager.start(userID: principal.userID, stage: .active, for: request, response: response)
        return response
    }

    static func render(_ request: Request, error: String?, status: HTTPStatus) async throws -> Response {
        try await request.render(.signInCode, titleKey: "signIn.code.title",
                                 Context(action: SiteURL.signInCode.href + SignInController.nextQuery(request), error: error),
                                 status: status, forms: true)
    }
}
