import Fluent
import Vapor

/// Resolves `Authorization: Bearer egide_…` into `request.principal` for the JSON API. A token that
/// is unknown, expired, revoked or whose owner is disabled is simply not accepted (401 at the gate).
struct BearerAuthenticator: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if let bearer = request.headers.bearerAuthorization?.token, bearer.hasPrefix(TokensController.prefix),
           request.application.vault.isOpen {
            let now = request.application.clock.now()
            if let token = try await APITokenRecord.query(on: request.db).filter(\.$tokenHash == Secrets.hash(bearer)).first(),
               token.revokedAt == nil, now < token.expiresAt,
               let standing = try await Accounts.standing(of: token.$user.id, on: request.db), !standing.disabled,
               standing.secondFactorConfirmed {
                let actor = standing.actor
                let scopes = Set(token.scopes.split(separator: " ").compactMap { APIScope(rawValue: String($0)) })
                request.principal = Principal(userID: actor.userID, actor: actor, session: nil, sessionID: nil, apiScopes: scopes)
                if token.lastUsedAt.map({ now.timeIntervalSince($0) > 3600 }) ?? true {
                    token.lastUsedAt = now
                    try await request.transaction { db in try await token.save(on: db) }
                }
            }
        }
        return try await next.respond(to: request)
    }
}

/// Route gate for the API: the token must carry `scope`.
struct RequireScope: Gate {
    let scope: APIScope

    func decide(_ request: Request) throws -> Response? {
        guard let principal = request.principal else { throw Abort(.unauthorized) }
        if let scopes = principal.apiScopes, !scopes.contains(scope) {
            throw Abort(.forbidden, reason: "This token does not have the \(scope.rawValue) scope.")
        }
        return nil
    }
}
