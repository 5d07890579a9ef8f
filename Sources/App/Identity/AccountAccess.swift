import EgideCore
import Fluent
import Vapor

/// Taking access away — disabling an account, resetting its second factor — shared by the
/// administration pages, the CLI and crypto-shredding.
enum AccountAccess {
    /// Clears the second factor and recovery codes and ends every session: the person must enrol
    /// again at their next sign-in (with their password).
    static func resetTwoFactor(of user: UserRecord, at now: Date, on db: any Database) async throws {
        let id = try user.requireID()
        user.totpSeedCiphertext = nil
        user.totpConfirmedAt = nil
        user.totpLastStep = nil
        try await user.save(on: db)
        try await RecoveryCodeRecord.query(on: db).filter(\.$user.$id == id).delete()
        try await SessionManager.endAll(of: id, on: db)
        try await Reauthentication.revokeTokens(of: id, at: now, on: db)
    }

    /// Disables an account: it can no longer sign in, and every session and API token ends.
    static func disable(_ user: UserRecord, by actor: AuditActor, details: [String: String] = [:], at now: Date, on db: any Database) async throws {
        let id = try user.requireID()
        user.disabledAt = now
        try await user.save(on: db)
        try await SessionManager.endAll(of: id, on: db)
        try await APITokenRecord.query(on: db).filter(\.$user.$id == id).filter(\.$revokedAt == nil).set(\.$revokedAt, to: now).update()
        try await AuditRecorder.record(.init(actor: actor, organisation: user.$organisation.id, action: "user.disable",
                                             objectType: "user", objectID: SiteURL.id(id), details: details), at: now, on: db)
    }
}
