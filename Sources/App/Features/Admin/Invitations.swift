import EgideCore
import Fluent
import Vapor

/// Invitation links, shared by the administration pages and the CLI.
package enum Invitations {
    /// A new single-use invitation for account `userID`, valid 72 hours; earlier unused links die.
    package static func issue(for userID: UUID, by actor: AuditActor, organisation: UUID, at now: Date, on db: any Database) async throws -> String {
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
}
