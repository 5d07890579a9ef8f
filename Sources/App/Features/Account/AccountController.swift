import EgideCore
import EgideCrypto
import Fluent
import Vapor

/// "My account": who I am, my password, my second factor, my sessions.
enum AccountController {
    struct Context: Encodable {
        var name: String
        var email: String
        var organisation: String
        var roles: String
        var links: [LayoutContext.Link]
        var resetAction: String
        var error: String?
    }

    @Sendable static func show(_ request: Request) async throws -> Response {
        try await render(request, error: nil)
    }

    static func render(_ request: Request, error: String?, status: HTTPStatus = .ok) async throws -> Response {
        let actor = try request.actor()
        let vault = request.application.vault
        guard let user = try await UserRecord.find(actor.userID, on: request.db),
              let organisation = try await OrganisationRecord.find(actor.organisationID, on: request.db) else { throw Abort(.unauthorized) }
        let (email, name) = try Accounts.identity(of: user, vault: vault)
        let links = [(SiteURL.accountPassword, "account.password.title"), (.accountSessions, "account.sessions.title"),
                     (.accountTokens, "account.tokens.title")].map {
            LayoutContext.Link(href: $0.0.href, label: request.t($0.1), current: false, lang: nil)
        }
        let context = Context(
            name: name, email: email, organisation: try AdminQueries.name(of: organisation, vault: vault),
            roles: request.list(actor.roles.sorted().map { request.t($0.labelKey) }),
            links: links, resetAction: SiteURL.replaceTwoFactor.href, error: error)
        return try await request.render(.account, titleKey: "account.title", context, status: status)
    }

    /// Replacing the authenticator: password and a current code (or recovery code) prove it is me;
    /// then every session ends and this one continues at the enrolment step.
    @Sendable static func replaceTwoFactor(_ request: Request) async throws -> Response {
        let actor = try request.actor()
        let app = request.application
        guard let user = try await UserRecord.find(actor.userID, on: app.db) else { throw Abort(.unauthorized) }
        let password = (try? request.content.get(String.self, at: "password")) ?? ""
        let code = ((try? request.content.get(String.self, at: "code")) ?? "").filter { !$0.isWhitespace }
        let now = app.clock.now()
        switch try await Reauthentication.check(request, user: user, password: password, code: code) {
        case .throttled(let minutes):
            return try await render(request, error: request.t("signIn.throttled", minutes), status: .tooManyRequests)
        case .failed:
            return try await render(request, error: request.t("account.twoFactor.failed"), status: .unprocessableEntity)
        case .confirmed: break
        }
        try await request.transaction { db in
            try await AccountAccess.resetTwoFactor(of: user, at: now, on: db)
            try await AuditRecorder.record(
                .init(actor: .user(actor.userID), organisation: actor.organisationID, action: "user.two_factor_replace",
                      objectType: "user", objectID: SiteURL.id(actor.userID)), at: now, on: db)
        }
        request.principal = nil
        let response = request.redirect(to: SiteURL.enrolTwoFactor.href)
        try await SessionManager.start(userID: actor.userID, stage: .enrolling, for: request, response: response)
        return response
    }
}

/// Changing my password: the current one, then the new one twice. Every other session ends.
enum PasswordController {
    struct Context: Encodable {
        var action: String
        var problems: [FieldProblem]
        var done: Bool
    }

    @Sendable static func show(_ request: Request) async throws -> Response {
        _ = try request.actor()
        let done = (try? request.query.get(String.self, at: "done")) != nil
        return try await request.render(.accountPassword, titleKey: "account.password.title",
                                        Context(action: SiteURL.accountPassword.href, problems: [], done: done), forms: true)
    }

    @Sendable static func change(_ request: Request) async throws -> Response {
        let actor = try request.actor()
        let app = request.application
        guard let user = try await UserRecord.find(actor.userID, on: app.db) else { throw Abort(.unauthorized) }
        var form = FormChecker(request)
        switch try await Reauthentication.check(request, user: user, password: form.secret("currentPassword"), code: nil) {
        case .throttled(let minutes): form.problems.append(FieldProblem(field: "currentPassword", message: request.t("signIn.throttled", minutes)))
        case .failed: form.fail("currentPassword", "account.password.currentWrong")
        case .confirmed: break
        }
        let password = form.newPassword()
        guard form.isValid, let password else {
            return try await request.render(.accountPassword, titleKey: "account.password.title",
                                            Context(action: SiteURL.accountPassword.href, problems: form.problems, done: false),
                                            status: .unprocessableEntity, forms: true)
        }
        let hash = try await app.passwordService.hash(password)
        let now = app.clock.now()
        try await request.transaction { db in
            user.passwordHash = hash
            try await user.save(on: db)
            try await SessionManager.endAll(of: actor.userID, on: db)
            try await Reauthentication.revokeTokens(of: actor.userID, at: now, on: db)
            try await AuditRecorder.record(
                .init(actor: .user(actor.userID), organisation: actor.organisationID, action: "user.password_change",
                      objectType: "user", objectID: SiteURL.id(actor.userID)), at: now, on: db)
        }
        request.principal = nil
        let response = request.redirect(to: SiteURL.accountPassword.href + "?done=1")
        try await SessionManager.start(userID: actor.userID, stage: .active, for: request, response: response)
        return response
    }
}
