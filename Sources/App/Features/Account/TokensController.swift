import EgideCore
import Fluent
import Vapor

/// Personal access tokens for the JSON API: named, scoped, expiring; shown once, stored hashed.
enum TokensController {
    static let prefix = "egide_"

    struct Row: Encodable {
        var name: String
        var scopes: String
        var created: String
        var expires: String
        var lastUsed: String?
        var revokeAction: String
    }

    struct Context: Encodable {
        var rows: [Row]
        var action: String
        var scopes: [UsersController.RoleOption]
        var problems: [FieldProblem]
        var newToken: String?
    }

    /// Creates a token for `userID` and returns its secret (the only time it exists in clear).
    static func create(userID: UUID, organisation: UUID, name: String, scopes: Set<APIScope>, days: Int,
                       by actor: AuditActor, at now: Date, on db: any Database) async throws -> String {
        let secret = prefix + Secrets.token()
        let id = UUID()
        try await APITokenRecord(id: id, userID: userID, name: name, tokenHash: Secrets.hash(secret),
                                 scopes: scopes.map(\.rawValue).sorted().joined(separator: " "), now: now,
                                 expiresAt: now.addingTimeInterval(TimeInterval(days) * 86400)).create(on: db)
        try await AuditRecorder.record(
            .init(actor: actor, organisation: organisation, action: "token.create", objectType: "api_token",
                  objectID: SiteURL.id(id), details: ["scopes": scopes.map(\.rawValue).sorted().joined(separator: " "), "days": String(days)]),
            at: now, on: db)
        return secret
    }

    @Sendable static func list(_ request: Request) async throws -> Response {
        try await render(request, problems: [], newToken: nil)
    }

    static func render(_ request: Request, problems: [FieldProblem], newToken: String?, status: HTTPStatus = .ok) async throws -> Response {
        let actor = try request.actor()
        let tokens = try await APITokenRecord.query(on: request.db).filter(\.$user.$id == actor.userID)
            .filter(\.$revokedAt == nil).sort(\.$createdAt, .descending).all()
        let rows = try tokens.map { token in
            Row(name: token.name, scopes: token.scopes, created: request.day(token.createdAt),
                expires: request.day(token.expiresAt), lastUsed: token.lastUsedAt.map(request.day),
                revokeAction: SiteURL.revokeToken(try token.requireID()).href)
        }
        let scopes = APIScope.allCases.map { UsersController.RoleOption(value: $0.rawValue, label: request.t("token.scope.\($0.rawValue)"), checked: false) }
        return try await request.render(
            .accountTokens, titleKey: "account.tokens.title",
            Context(rows: rows, action: SiteURL.accountTokens.href, scopes: scopes, problems: problems, newToken: newToken),
            status: status, forms: true)
    }

    @Sendable static func submit(_ request: Request) async throws -> Response {
        let actor = try request.actor()
        var form = FormChecker(request)
        let name = form.text("name", max: 80)
        let scopes = Set(((try? request.content.get([String].self, at: "scopes")) ?? []).compactMap(APIScope.init(rawValue:)))
        if scopes.isEmpty { form.fail("scopes", "token.scopes.required") }
        let days = form.text("days").flatMap(Int.init) ?? 0
        if !(1...365).contains(days) { form.fail("days", "token.days.invalid") }
        // A token outlives the session: minting one needs the password, not just a session cookie.
        guard let user = try await UserRecord.find(actor.userID, on: request.db) else { throw Abort(.unauthorized) }
        switch try await Reauthentication.check(request, user: user, password: form.secret("password"), code: nil) {
        case .throttled(let minutes): form.problems.append(FieldProblem(field: "password", message: request.t("signIn.throttled", minutes)))
        case .failed: form.fail("password", "account.password.currentWrong")
        case .confirmed: break
        }
        guard form.isValid, let name else { return try await render(request, problems: form.problems, newToken: nil, status: .unprocessableEntity) }
        let now = request.application.clock.now()
        let secret = try await request.transaction { db in
            try await create(userID: actor.userID, organisation: actor.organisationID, name: name, scopes: scopes, days: days,
                             by: .user(actor.userID), at: now, on: db)
        }
        return try await render(request, problems: [], newToken: secret)
    }

    @Sendable static func revoke(_ request: Request) async throws -> Response {
        let actor = try request.actor()
        guard let id = request.uuid("id"),
              let token = try await APITokenRecord.query(on: request.db).filter(\.$id == id)
                .filter(\.$user.$id == actor.userID).filter(\.$revokedAt == nil).first() else { throw Abort(.notFound) }
        let now = request.application.clock.now()
        try await request.transaction { db in
            token.revokedAt = now
            try await token.save(on: db)
            try await AuditRecorder.record(
                .init(actor: .user(actor.userID), organisation: actor.organisationID, action: "token.revoke",
                      objectType: "api_token", objectID: SiteURL.id(id)), at: now, on: db)
        }
        return request.redirect(to: SiteURL.accountTokens.href, flash: "flash.token.revoked")
    }
}
