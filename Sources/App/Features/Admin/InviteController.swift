import EgideCore
import Fluent
import Vapor

/// Inviting someone: organisation, email and roles → an account waiting for its owner, and a
/// single-use link (valid 72 hours) that the administrator passes on by a secure channel.
enum InviteController {
    struct Context: Encodable {
        var action: String
        var problems: [FieldProblem]
        var organisations: [SelectOption]
        var email: String?
        var roles: [UsersController.RoleOption]
    }

    static func organisationOptions(_ request: Request, actor: Actor, selected: String?) async throws -> [SelectOption] {
        let vault = request.application.vault
        return try await OrganisationRecord.visible(to: actor, on: request.db).all().map { organisation in
            let id = SiteURL.id(try organisation.requireID())
            return SelectOption(value: id, label: try AdminQueries.name(of: organisation, vault: vault), selected: id == selected)
        }.sorted { $0.label.localizedCaseInsensitiveCompare($1.label) == .orderedAscending }
    }

    @Sendable static func show(_ request: Request) async throws -> Response {
        try await render(request, problems: [])
    }

    static func render(_ request: Request, problems: [FieldProblem]) async throws -> Response {
        let actor = try request.actor()
        try request.authorize(AdminPolicy.evaluate(actor, .inviteUser))
        let selected = (try? request.content.get(String.self, at: "organisation")) ?? (try? request.query.get(String.self, at: "organisation"))
        let chosen = Set((try? request.content.get([String].self, at: "roles")) ?? [])
        let context = Context(
            action: SiteURL.inviteUser.href, problems: problems,
            organisations: try await organisationOptions(request, actor: actor, selected: selected ?? SiteURL.id(actor.organisationID)),
            email: try? request.content.get(String.self, at: "email"),
            roles: Role.allCases.map { UsersController.RoleOption(value: $0.rawValue, label: request.t($0.labelKey), checked: chosen.contains($0.rawValue)) })
        return try await request.render(.adminInvite, titleKey: "admin.invite.title", context,
                                        status: problems.isEmpty ? .ok : .unprocessableEntity, forms: true)
    }

    @Sendable static func submit(_ request: Request) async throws -> Response {
        let actor = try request.actor()
        var form = FormChecker(request)
        let organisationID = form.text("organisation").flatMap(UUID.init(uuidString:))
        // The organisation must be one the administrator may see: otherwise it "does not exist".
        let organisation = await organisationID.asyncFlatMap { try? await AdminQueries.organisation($0, for: actor, on: request.db) }
        if organisation == nil { form.fail("organisation", "admin.invite.organisation.invalid") }
        let email = form.text("email", max: 254)
        if let email {
            if !Accounts.isPlausibleEmail(email) { form.fail("email", "form.email.invalid") }
            else if let existing = try await Accounts.findUser(email: email, on: request.db, vault: request.application.vault) {
                // Whether an address has an account in another organisation is not a partner's business.
                let visible = actor.isHostAdministrator || existing.$organisation.id == actor.organisationID
                form.fail("email", visible ? "admin.invite.email.taken" : "admin.invite.email.unavailable")
            }
        }
        let roles = Set(((try? request.content.get([String].self, at: "roles")) ?? []).compactMap(Role.init(rawValue:)))
        if let organisation, !AdminPolicy.mayGrant(roles, in: organisation.type, by: actor).isAllowed {
            form.fail("roles", roles.isEmpty ? "admin.invite.roles.required" : "admin.user.roles.invalid")
        }
        guard form.isValid, let organisation, let email else { return try await render(request, problems: form.problems) }
        let orgID = try organisation.requireID()
        try request.authorize(AdminPolicy.evaluate(actor, .inviteUser, AdminTarget(organisation: orgID)))
        let app = request.application
        let now = app.clock.now()
        let (userID, token) = try await request.transaction { db in
            let user = try await Accounts.createUser(organisation: orgID, email: email, name: "", roles: roles,
                                                     by: .user(actor.userID), at: now, on: db, vault: app.vault)
            let id = try user.requireID()
            return (id, try await Invitations.issue(for: id, by: .user(actor.userID), organisation: orgID, at: now, on: db))
        }
        request.parameters.set("id", to: SiteURL.id(userID))
        return try await UsersController.render(request, notice: request.t("admin.invite.sent"),
                                                invitationLink: Invitations.link(token, request: request), problems: [])
    }
}

extension Optional {
    /// `flatMap` with an async transform.
    func asyncFlatMap<U>(_ transform: (Wrapped) async throws -> U?) async rethrows -> U? {
        guard let self else { return nil }
        return try await transform(self)
    }
}
