import EgideCore
import Fluent
import Vapor

/// The permissions a user holds beyond their roles (`UserPermissionRecord`): today, seeing each
/// sensitive field of the people in the cases they may read in full (`SensitiveField.permission`,
/// checked by `CasePolicy.maySee`). Granted and withdrawn on the admin user page by host
/// administrators only (`AdminPolicy`, `.changeSensitivePermissions`), never to themselves, and
/// only to case handlers: protection officers and coordinators of a host or consortium-member
/// organisation.
enum PermissionsController {
    /// What this page grants: one permission per sensitive field, in the fields' order.
    static let grantable: [String] = SensitiveField.allCases.map(\.permission)

    /// Whether a user with `roles` in an organisation of `type` may be granted these permissions.
    static func isEligible(roles: Set<Role>, in type: OrganisationType) -> Bool {
        type.handlesProtection && !roles.isDisjoint(with: CasePolicy.handlerRoles)
    }

    /// The checkboxes of the user page, ticked for the permissions `held`.
    static func options(held: Set<String>, request: Request) -> [UsersController.RoleOption] {
        SensitiveField.allCases.map {
            UsersController.RoleOption(value: $0.permission, label: request.t($0.labelKey), checked: held.contains($0.permission))
        }
    }

    /// `POST /admin/users/:id/permissions`: the form posts the permissions to hold (`permissions[]`);
    /// the ones not posted are withdrawn. Outside the actor's scope 404, refused by the policy 403.
    @Sendable static func change(_ request: Request) async throws -> Response {
        let (actor, user, id) = try await UsersController.target(request, .changeSensitivePermissions)
        guard let organisation = try await OrganisationRecord.find(user.$organisation.id, on: request.db) else { throw Abort(.notFound) }
        let roles = Set(try await AdminQueries.roles(of: id, on: request.db))
        guard isEligible(roles: roles, in: organisation.type) else {
            return try await UsersController.render(
                request, notice: nil, invitationLink: nil,
                problems: [FieldProblem(field: "roles", message: request.t("admin.user.permissions.ineligible"))],
                status: .unprocessableEntity)
        }
        let chosen = Set((try? request.content.get([String].self, at: "permissions")) ?? [])
        let known = Set(grantable)
        guard chosen.isSubset(of: known) else {
            return try await UsersController.render(
                request, notice: nil, invitationLink: nil,
                problems: [FieldProblem(field: "permissions", message: request.t("admin.user.permissions.invalid"))],
                status: .unprocessableEntity)
        }
        let now = request.application.clock.now()
        try await request.transaction { db in
            try await lockRow(UserRecord.schema, id: id, on: db)
            let held = try await UserPermissionRecord.query(on: db).filter(\.$userID == id).filter(\.$permission ~~ grantable).all()
            for row in held where !chosen.contains(row.permission) { try await row.delete(on: db) }
            for permission in chosen.subtracting(held.map(\.permission)).sorted() {
                try await UserPermissionRecord(userID: id, permission: permission, grantedBy: actor.userID, grantedAt: now).create(on: db)
            }
            try await UsersController.audit(actor, "user.permissions", user, id,
                                            details: ["permissions": chosen.sorted().joined(separator: " ")], at: now, on: db)
        }
        return request.redirect(to: SiteURL.adminUser(id).href + "?saved=permissions")
    }
}
