import EgideCore
import Fluent
import Vapor

/// Accepting an invitation: the invitee chooses their name and password, then enrols a second
/// factor. The link works once and for 72 hours; otherwise it answers 404 like any unknown link.
enum InvitationController {
    static let lifetime: TimeInterval = 72 * 3600

    struct Context: Encodable {
        var action: String
        var organisation: String
        var email: String
        var name: String?
        var problems: [FieldProblem]
    }

    static func load(_ request: Request) async throws -> (InvitationRecord, UserRecord) {
        let token = request.parameters.get("token") ?? ""
        let now = request.application.clock.now()
        guard let invitation = try await InvitationRecord.query(on: request.db).filter(\.$tokenHash == Secrets.hash(token)).first(),
              invitation.acceptedAt == nil, now < invitation.expiresAt,
              let user = try await UserRecord.find(invitation.$user.id, on: request.db),
              user.disabledAt == nil, user.passwordHash == nil else { throw Abort(.notFound) }
        return (invitation, user)
    }

    @Sendable static func show(_ request: Request) async throws -> Response {
        let (_, user) = try await load(request)
        return try await render(request, user: user, problems: [])
    }

    static func render(_ request: Request, user: UserRecord, problems: [FieldProblem]) async throws -> Response {
        let vault = request.application.vault
        let (email, _) = try Accounts.identity(of: user, vault: vault)
        guard let organisation = try await OrganisationRecord.find(user.$organisation.id, on: request.db) else { throw Abort(.notFound) }
        let organisationName = try vault.open(organisation.nameCiphertext, owner: Vault.instanceOwner,
                                              OrganisationRecord.nameContext(try organisation.requireID()))
        let context = Context(action: request.path, organisation: organisationName, email: email,
                              name: try? request.content.get(String.self, at: "name"), problems: problems)
        return try await request.render(.invitation, titleKey: "invitation.title", context,
                                        status: problems.isEmpty ? .ok : .unprocessableEntity, forms: true)
    }

    @Sendable static func accept(_ request: Request) async throws -> Response {
        let (invitation, user) = try await load(request)
        var form = FormChecker(request)
        let name = form.text("name", kind: .name)
        let password = form.newPassword()
        guard form.isValid, let name, let password else { return try await render(request, user: user, problems: form.problems) }
        let app = request.application
        let hash = try await app.passwordService.hash(password)
        let now = app.clock.now()
        let userID = try user.requireID()
        try await request.transaction { db in
            // Spend the invitation under a row lock: a second submission of the same link finds it used.
            let invitationID = try invitation.requireID()
            try await lockRow(InvitationRecord.schema, id: invitationID, on: db)
            guard let fresh = try await InvitationRecord.find(invitationID, on: db), fresh.acceptedAt == nil else {
                throw Abort(.notFound)
            }
            fresh.acceptedAt = now
            try await fresh.save(on: db)
            user.passwordHash = hash
            user.nameCiphertext = try app.vault.seal(name, owner: Accounts.owner(user.$organisation.id), UserRecord.nameRef(userID))
            try await user.save(on: db)
            try await AuditRecorder.record(
                .init(actor: .user(userID), organisation: user.$organisation.id, action: "invitation.accept",
                      objectType: "user", objectID: SiteURL.id(userID)), at: now, on: db)
        }
        let response = request.redirect(to: SiteURL.enrolTwoFactor.href)
        try await SessionManager.start(userID: userID, stage: .enrolling, for: request, response: response)
        return response
    }
}
