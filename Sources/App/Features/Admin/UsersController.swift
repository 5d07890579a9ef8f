import EgideCore
import Fluent
import Vapor

/// Administration of accounts: invite, change roles, disable or enable, reset the second factor.
/// Every action is checked by `AdminPolicy` after a scoped lookup, and audited.
enum UsersController {
    struct Row: Encodable {
        var href: String
        var name: String
        var email: String
        var organisation: String
        var roles: String
        var status: String
        var tone: String
    }

    struct ListContext: Encodable {
        var rows: [Row]
        var inviteHref: String
    }

    struct RoleOption: Encodable {
        var value: String
        var label: String
        var checked: Bool
    }

    struct ShowContext: Encodable {
        var id: String
        var name: String
        var email: String
        var organisation: String
        var organisationHref: String
        var status: String
        var tone: String
        var roles: [RoleOption]
        var rolesAction: String
        var actionBase: String
        var canChangeRoles: Bool
        var canDisable: Bool
        var canEnable: Bool
        var canResetTwoFactor: Bool
        var canReinvite: Bool
        /// Host administrators, on a case handler: the permissions to see sensitive fields in cases.
        var canChangePermissions: Bool
        var permissions: [RoleOption]
        var permissionsAction: String
        var invitationLink: String?
        var notice: String?
        var problems: [FieldProblem]
    }

    /// Table rows for `users`, decrypted for the page.
    static func rows(_ users: [UserRecord], request: Request) async throws -> [Row] {
        let vault = request.application.vault
        var organisationNames: [UUID: String] = [:]
        var rows: [Row] = []
        for user in users {
            let id = try user.requireID()
            let (email, name) = (try? Accounts.identity(of: user, vault: vault)) ?? (request.t("user.unreadable"), request.t("user.unreadable"))
            let orgID = user.$organisation.id
            if organisationNames[orgID] == nil, let organisation = try await OrganisationRecord.find(orgID, on: request.db) {
                organisationNames[orgID] = try AdminQueries.name(of: organisation, vault: vault)
            }
            let status = AdminQueries.status(of: user)
            let roles = try await AdminQueries.roles(of: id, on: request.db).map { request.t($0.labelKey) }
            rows.append(Row(href: SiteURL.adminUser(id).href, name: name.isEmpty ? "—" : name, email: email,
                            organisation: organisationNames[orgID] ?? "", roles: request.list(roles),
                            status: request.t(status.key), tone: status.tone))
        }
        return rows.sorted { ($0.organisation, $0.name) < ($1.organisation, $1.name) }
    }

    @Sendable static func list(_ request: Request) async throws -> Response {
        let actor = try request.actor()
        try request.authorize(AdminPolicy.evaluate(actor, .listUsers))
        let users = try await UserRecord.visible(to: actor, on: request.db).all()
        let context = ListContext(rows: try await rows(users, request: request), inviteHref: SiteURL.inviteUser.href)
        return try await request.render(.adminUsers, titleKey: "admin.users.title", context)
    }

    @Sendable static func show(_ request: Request) async throws -> Response {
        let saved = request.query[String.self, at: "saved"] == "permissions"
        return try await render(request, notice: saved ? request.t("admin.user.permissions.saved") : nil, invitationLink: nil, problems: [])
    }

    static func render(_ request: Request, notice: String?, invitationLink: String?, problems: [FieldProblem],
                       status: HTTPStatus = .ok) async throws -> Response {
        let actor = try request.actor()
        let user = try await AdminQueries.user(request.uuid("id"), for: actor, on: request.db)
        let id = try user.requireID()
        let orgID = user.$organisation.id
        try request.authorize(AdminPolicy.evaluate(actor, .viewUser, AdminTarget(organisation: orgID, user: id)), orNotFound: true)
        guard let organisation = try await OrganisationRecord.find(orgID, on: request.db) else { throw Abort(.notFound) }
        let unreadable = request.t("user.unreadable")
        let (email, name) = (try? Accounts.identity(of: user, vault: request.application.vault)) ?? (unreadable, unreadable)
        let held = Set(try await AdminQueries.roles(of: id, on: request.db))
        let allowed = { (action: AdminAction) in AdminPolicy.evaluate(actor, action, AdminTarget(organisation: orgID, user: id)).isAllowed }
        let state = AdminQueries.status(of: user)
        let canChangePermissions = allowed(.changeSensitivePermissions) && PermissionsController.isEligible(roles: held, in: organisation.type)
        let permissions = canChangePermissions ? try await CaseQueries.permissions(of: id, on: request.db) : []
        let context = ShowContext(
            id: SiteURL.id(id), name: name.isEmpty ? email : name, email: email,
            organisation: try AdminQueries.name(of: organisation, vault: request.application.vault),
            organisationHref: SiteURL.adminOrganisation(orgID).href, status: request.t(state.key), tone: state.tone,
            roles: AdminPolicy.assignableRoles(in: organisation.type).map {
                RoleOption(value: $0.rawValue, label: request.t($0.labelKey), checked: held.contains($0))
            },
            rolesAction: SiteURL.adminUserAction(id, .roles).href, actionBase: SiteURL.adminUser(id).href,
            canChangeRoles: allowed(.changeRoles),
            canDisable: allowed(.disableUser) && user.disabledAt == nil,
            canEnable: allowed(.enableUser) && user.disabledAt != nil,
            canResetTwoFactor: allowed(.resetTwoFactor) && user.totpConfirmedAt != nil && user.disabledAt == nil,
            canReinvite: allowed(.inviteUser) && user.passwordHash == nil && user.disabledAt == nil,
            canChangePermissions: canChangePermissions,
            permissions: PermissionsController.options(held: permissions, request: request),
            permissionsAction: SiteURL.adminUserAction(id, .permissions).href,
            invitationLink: invitationLink, notice: notice, problems: problems)
        return try await request.render(.adminUser, titleKey: "admin.user.title", context, status: status, forms: true)
    }

    /// Loads the target account and checks `action` on it: 404 outside scope, 403 if refused.
    static func target(_ request: Request, _ action: AdminAction) async throws -> (Actor, UserRecord, UUID) {
        let actor = try request.actor()
        let user = try await AdminQueries.user(request.uuid("id"), for: actor, on: request.db)
        let id = try user.requireID()
        try request.authorize(AdminPolicy.evaluate(actor, action, AdminTarget(organisation: user.$organisation.id, user: id)))
        return (actor, user, id)
    }

    static func audit(_ actor: Actor, _ action: String, _ user: UserRecord, _ id: UUID, details: [String: String] = [:],
                      at now: Date, on db: any Database) async throws {
        try await AuditRecorder.record(
            .init(actor: .user(actor.userID), organisation: user.$organisation.id, action: action, objectType: "user",
                  objectID: SiteURL.id(id), details: details), at: now, on: db)
    }

    @Sendable static func changeRoles(_ request: Request) async throws -> Response {
        let (actor, user, id) = try await target(request, .changeRoles)
        let chosen = Set(((try? request.content.get([String].self, at: "roles")) ?? []).compactMap(Role.init(rawValue:)))
        guard let organisation = try await OrganisationRecord.find(user.$organisation.id, on: request.db) else { throw Abort(.notFound) }
        guard AdminPolicy.mayGrant(chosen, in: organisation.type, by: actor).isAllowed else {
            return try await render(request, notice: nil, invitationLink: nil,
                                    problems: [FieldProblem(field: "roles", message: request.t("admin.user.roles.invalid"))],
                                    status: .unprocessableEntity)
        }
        let now = request.application.clock.now()
        try await request.transaction { db in
            try await UserRoleRecord.query(on: db).filter(\.$user.$id == id).delete()
            for role in chosen.sorted() { try await UserRoleRecord(userID: id, role: role).create(on: db) }
            var details = ["roles": chosen.sorted().map(\.rawValue).joined(separator: " ")]
            // Sensitive-field permissions go with the casework roles: without them, they are withdrawn.
            if chosen.isDisjoint(with: CasePolicy.handlerRoles),
               try await UserPermissionRecord.query(on: db).filter(\.$userID == id).count() > 0 {
                try await UserPermissionRecord.query(on: db).filter(\.$userID == id).delete()
                details["permissions"] = "withdrawn"
            }
            try await audit(actor, "user.roles_change", user, id, details: details, at: now, on: db)
        }
        return try await render(request, notice: request.t("admin.user.roles.saved"), invitationLink: nil, problems: [])
    }

    @Sendable static func disable(_ request: Request) async throws -> Response {
        let (actor, user, _) = try await target(request, .disableUser)
        guard (try? request.content.get(String.self, at: "confirm")) == "yes" else {
            return try await render(request, notice: nil, invitationLink: nil,
                                    problems: [FieldProblem(field: "confirm", message: request.t("admin.user.disable.unconfirmed"))],
                                    status: .unprocessableEntity)
        }
        let now = request.application.clock.now()
        try await request.transaction { db in try await AccountAccess.disable(user, by: .user(actor.userID), at: now, on: db) }
        return try await render(request, notice: request.t("admin.user.disabled"), invitationLink: nil, problems: [])
    }

    @Sendable static func enable(_ request: Request) async throws -> Response {
        let (actor, user, id) = try await target(request, .enableUser)
        let now = request.application.clock.now()
        try await request.transaction { db in
            user.disabledAt = nil
            try await user.save(on: db)
            try await audit(actor, "user.enable", user, id, at: now, on: db)
        }
        return try await render(request, notice: request.t("admin.user.enabled"), invitationLink: nil, problems: [])
    }

    @Sendable static func resetTwoFactor(_ request: Request) async throws -> Response {
        let (actor, user, id) = try await target(request, .resetTwoFactor)
        let now = request.application.clock.now()
        try await request.transaction { db in
            try await AccountAccess.resetTwoFactor(of: user, at: now, on: db)
            try await audit(actor, "user.two_factor_reset", user, id, at: now, on: db)
        }
        return try await render(request, notice: request.t("admin.user.twoFactorReset"), invitationLink: nil, problems: [])
    }

    @Sendable static func reinvite(_ request: Request) async throws -> Response {
        let (actor, user, id) = try await target(request, .inviteUser)
        guard user.passwordHash == nil else { throw Abort(.conflict) }
        let now = request.application.clock.now()
        let token = try await request.transaction { db in
            try await Invitations.issue(for: id, by: .user(actor.userID), organisation: user.$organisation.id, at: now, on: db)
        }
        return try await render(request, notice: request.t("admin.invite.sent"),
                                invitationLink: Invitations.link(token, request: request), problems: [])
    }
}
