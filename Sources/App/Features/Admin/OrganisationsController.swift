import EgideCore
import Fluent
import Vapor

/// Administration of organisations: host administrators see and create all of them; an
/// administrator of another organisation sees their own only.
enum OrganisationsController {
    struct Row: Encodable {
        var href: String
        var name: String
        var slug: String
        var type: String
        var country: String
        var users: Int
    }

    struct ListContext: Encodable {
        var rows: [Row]
        var canCreate: Bool
        var newHref: String
    }

    struct FormContext: Encodable {
        var action: String
        var heading: String
        var problems: [FieldProblem]
        var name: String?
        var slug: String?
        var slugLocked: Bool
        var types: [SelectOption]
        var countries: String
    }

    struct ShowContext: Encodable {
        var name: String
        var slug: String
        var type: String
        var country: String
        var users: [UsersController.Row]
        var canEdit: Bool
        var editHref: String
        var inviteHref: String
        var created: Bool
    }

    @Sendable static func list(_ request: Request) async throws -> Response {
        let actor = try request.actor()
        try request.authorize(AdminPolicy.evaluate(actor, .listOrganisations))
        let vault = request.application.vault
        var rows: [Row] = []
        for organisation in try await OrganisationRecord.visible(to: actor, on: request.db).all() {
            let id = try organisation.requireID()
            rows.append(Row(
                href: SiteURL.adminOrganisation(id).href, name: try AdminQueries.name(of: organisation, vault: vault),
                slug: organisation.slug, type: request.t(organisation.type.labelKey),
                country: Countries.name(organisation.country, in: request.language),
                users: try await UserRecord.query(on: request.db).filter(\.$organisation.$id == id).count()))
        }
        rows.sort { $0.name.localizedCaseInsensitiveCompare($1.name) == .orderedAscending }
        let context = ListContext(rows: rows, canCreate: AdminPolicy.evaluate(actor, .createOrganisation).isAllowed,
                                  newHref: SiteURL.newOrganisation.href)
        return try await request.render(.adminOrganisations, titleKey: "admin.organisations.title", context)
    }

    @Sendable static func show(_ request: Request) async throws -> Response {
        let actor = try request.actor()
        let organisation = try await AdminQueries.organisation(request.uuid("id"), for: actor, on: request.db)
        let id = try organisation.requireID()
        try request.authorize(AdminPolicy.evaluate(actor, .viewOrganisation, AdminTarget(organisation: id)), orNotFound: true)
        let users = try await UserRecord.query(on: request.db).filter(\.$organisation.$id == id).all()
        let context = ShowContext(
            name: try AdminQueries.name(of: organisation, vault: request.application.vault), slug: organisation.slug,
            type: request.t(organisation.type.labelKey), country: Countries.name(organisation.country, in: request.language),
            users: try await UsersController.rows(users, request: request),
            canEdit: AdminPolicy.evaluate(actor, .editOrganisation, AdminTarget(organisation: id)).isAllowed,
            editHref: SiteURL.editOrganisation(id).href,
            inviteHref: SiteURL.inviteUser.href + "?organisation=" + SiteURL.id(id),
            created: (try? request.query.get(String.self, at: "created")) != nil)
        return try await request.render(.adminOrganisation, titleKey: "admin.organisation.title", context)
    }

    @Sendable static func new(_ request: Request) async throws -> Response {
        try request.authorize(AdminPolicy.evaluate(try request.actor(), .createOrganisation))
        return try await renderForm(request, editing: nil, problems: [])
    }

    @Sendable static func edit(_ request: Request) async throws -> Response {
        let actor = try request.actor()
        let organisation = try await AdminQueries.organisation(request.uuid("id"), for: actor, on: request.db)
        try request.authorize(AdminPolicy.evaluate(actor, .editOrganisation, AdminTarget(organisation: organisation.id)))
        return try await renderForm(request, editing: organisation, problems: [])
    }

    static func renderForm(_ request: Request, editing: OrganisationRecord?, problems: [FieldProblem]) async throws -> Response {
        let posted = { (field: String) in try? request.content.get(String.self, at: field) }
        let name = try posted("name") ?? editing.map { try AdminQueries.name(of: $0, vault: request.application.vault) }
        let type = posted("type") ?? editing?.type.rawValue ?? OrganisationType.partner.rawValue
        let types = OrganisationType.allCases.filter { $0 != .host || editing?.type == .host }.map {
            SelectOption(value: $0.rawValue, label: request.t($0.labelKey), selected: $0.rawValue == type)
        }
        let context = FormContext(
            action: try editing.map { SiteURL.editOrganisation(try $0.requireID()).href } ?? SiteURL.adminOrganisations.href,
            heading: request.t(editing == nil ? "admin.organisation.new" : "admin.organisation.edit"),
            problems: problems, name: name, slug: posted("slug") ?? editing?.slug, slugLocked: editing != nil,
            types: types, countries: request.countryOptions(selected: posted("country") ?? editing?.country))
        return try await request.render(.adminOrganisationForm, titleKey: "admin.organisation.title", context,
                                        status: problems.isEmpty ? .ok : .unprocessableEntity, forms: true)
    }

    @Sendable static func create(_ request: Request) async throws -> Response {
        let actor = try request.actor()
        try request.authorize(AdminPolicy.evaluate(actor, .createOrganisation))
        var form = FormChecker(request)
        let name = form.text("name", kind: .name)
        let slug = form.text("slug", max: 40)?.lowercased()
        if let slug {
            if !OrganisationForm.isValidSlug(slug) { form.fail("slug", "organisation.slug.invalid") }
            else if try await OrganisationRecord.query(on: request.db).filter(\.$slug == slug).count() > 0 {
                form.fail("slug", "organisation.slug.taken")
            }
        }
        let type = form.text("type").flatMap(OrganisationType.init(rawValue:))
        if type == nil || type == .host { form.fail("type", "organisation.type.invalid") }
        let country = form.text("country", max: 2)
        if let country, !Countries.isValid(country) { form.fail("country", "form.country.invalid") }
        guard form.isValid, let name, let slug, let type, let country else {
            return try await renderForm(request, editing: nil, problems: form.problems)
        }
        let app = request.application
        let now = app.clock.now()
        let organisation = try await request.transaction { db in
            try await Accounts.createOrganisation(name: name, slug: slug, type: type, country: country.uppercased(),
                                                  by: .user(actor.userID), at: now, on: db, vault: app.vault)
        }
        return request.redirect(to: SiteURL.adminOrganisation(try organisation.requireID()).href + "?created=1")
    }

    @Sendable static func update(_ request: Request) async throws -> Response {
        let actor = try request.actor()
        let organisation = try await AdminQueries.organisation(request.uuid("id"), for: actor, on: request.db)
        let id = try organisation.requireID()
        try request.authorize(AdminPolicy.evaluate(actor, .editOrganisation, AdminTarget(organisation: id)))
        var form = FormChecker(request)
        let name = form.text("name", kind: .name)
        let country = form.text("country", max: 2)
        if let country, !Countries.isValid(country) { form.fail("country", "form.country.invalid") }
        var type = organisation.type
        if organisation.type != .host {
            guard let chosen = form.text("type").flatMap(OrganisationType.init(rawValue:)), chosen != .host else {
                form.fail("type", "organisation.type.invalid")
                return try await renderForm(request, editing: organisation, problems: form.problems)
            }
            type = chosen
            // Accounts must not keep roles the new type may not hold (e.g. an auditor in a partner).
            let allowed = Set(AdminPolicy.assignableRoles(in: chosen))
            let members = try await UserRecord.query(on: request.db).filter(\.$organisation.$id == id).all().compactMap(\.id)
            let held = try await UserRoleRecord.query(on: request.db).filter(\.$user.$id ~~ members).all().map(\.role)
            let conflicting = Set(held).subtracting(allowed)
            if !conflicting.isEmpty {
                form.problems.append(FieldProblem(field: "type", message: request.t("organisation.type.rolesConflict",
                    request.list(conflicting.sorted().map { request.t($0.labelKey) }))))
            }
        }
        guard form.isValid, let name, let country else {
            return try await renderForm(request, editing: organisation, problems: form.problems)
        }
        let app = request.application
        let now = app.clock.now()
        let newType = type
        try await request.transaction { db in
            let type = newType
            organisation.nameCiphertext = try app.vault.seal(name, owner: Vault.instanceOwner, OrganisationRecord.nameContext(id))
            organisation.country = country.uppercased()
            organisation.type = type
            try await organisation.save(on: db)
            try await AuditRecorder.record(
                .init(actor: .user(actor.userID), organisation: id, action: "organisation.update", objectType: "organisation",
                      objectID: SiteURL.id(id), details: ["type": type.rawValue, "country": country.uppercased()]), at: now, on: db)
        }
        return request.redirect(to: SiteURL.adminOrganisation(id).href, flash: "flash.organisation.saved")
    }
}
