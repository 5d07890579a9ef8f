import EgideCore
import Fluent
import Vapor

/// Invitation links and second-factor resets, shared by the administration pages and the CLI.
enum Invitations {
    /// A new single-use invitation for account `userID`, valid 72 hours; earlier unused links die.
    static func issue(for userID: UUID, by actor: AuditActor, organisation: UUID, at now: Date, on db: any Database) async throws -> String {
        try await InvitationRecord.query(on: db).filter(\.$user.$id == userID).filter(\.$acceptedAt == nil)
            .set(\.$expiresAt, to: now).update()
        let token = Secrets.token()
        try await InvitationRecord(id: UUID(), tokenHash: Secrets.hash(token), userID: userID, createdBy: actor.value,
                                   now: now, expiresAt: now.addingTimeInterval(InvitationController.lifetime)).create(on: db)
        try await AuditRecorder.record(
            .init(actor: actor, organisation: organisation, action: "user.invite", objectType: "user", objectID: SiteURL.id(userID)),
            at: now, on: db)
        return token
    }

    /// The full link to give the invitee, on this server's address.
    /// Uses `EGIDE_BASE_URL`; without it, only a loopback `Host` is believed (a forged Host header
    /// must not turn an invitation into a link to someone else's server).
    static func link(_ token: String, request: Request) -> String {
        let path = SiteURL.invitation(token: token).href
        if let base = request.application.egideConfig.publicBaseURL { return base + path }
        let host = request.headers.first(name: .host) ?? ""
        let name = host.split(separator: ":").first.map(String.init) ?? ""
        let port = host.split(separator: ":").dropFirst().first.flatMap { Int($0) }
        guard ["127.0.0.1", "localhost"].contains(name) else { return path }
        return "http://\(name)" + (port.map { ":\($0)" } ?? "") + path
    }

    /// Clears the second factor and recovery codes and ends every session: the person must enrol
    /// again at their next sign-in (with their password).
    static func resetTwoFactor(of user: UserRecord, on db: any Database) async throws {
        let id = try user.requireID()
        user.totpSeedCiphertext = nil
        user.totpConfirmedAt = nil
        user.totpLastStep = nil
        try await user.save(on: db)
        try await RecoveryCodeRecord.query(on: db).filter(\.$user.$id == id).delete()
        try await SessionManager.endAll(of: id, on: db)
        try await Reauthentication.revokeTokens(of: id, at: Date(), on: db)
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
