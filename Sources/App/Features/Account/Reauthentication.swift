import EgideCore
import Fluent
import Vapor

/// Asking a signed-in person for their password (and code) again before a sensitive change. Shares
/// the sign-in throttle, so a stolen session cannot be used to guess the password, and every
/// failure is audited.
enum Reauthentication {
    enum Outcome { case confirmed, failed, throttled(minutes: String) }

    static func check(_ request: Request, user: UserRecord, password: String, code: String?) async throws -> Outcome {
        let app = request.application
        let now = app.clock.now()
        let userID = try user.requireID()
        let email = (try? Accounts.identity(of: user, vault: app.vault).email) ?? SiteURL.id(userID)
        if let wait = try await app.signInThrottle.wait(account: email, client: request.throttleClient, now: now) {
            return .throttled(minutes: Throttle.minutes(wait))
        }
        var confirmed = await app.passwordService.verify(password, against: user.passwordHash)
        if confirmed, let code { confirmed = try await TwoFactor.check(code, for: user, at: now, app: app) != nil }
        guard confirmed else {
            try await app.signInThrottle.recordFailure(account: email, client: request.throttleClient, now: now)
            try await app.transaction { db in
                try await AuditRecorder.record(
                    .init(actor: .user(userID), organisation: user.$organisation.id, action: "user.reauth_failed",
                          objectType: "user", objectID: SiteURL.id(userID), details: ["page": request.path]), at: now, on: db)
            }
            return .failed
        }
        return .confirmed
    }

    /// Revokes every API token of `userID`: a credential change must shut out whoever minted one.
    static func revokeTokens(of userID: UUID, at now: Date, on db: any Database) async throws {
        try await APITokenRecord.query(on: db).filter(\.$user.$id == userID).filter(\.$revokedAt == nil).set(\.$revokedAt, to: now).update()
    }
}
