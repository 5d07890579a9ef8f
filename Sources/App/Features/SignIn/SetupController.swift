import EgideCore
import Fluent
import Vapor

/// First run: the one-time link printed by `egide serve` creates the host organisation and the
/// first administrator, who then enrols their second factor.
enum SetupController {
    struct Context: Encodable {
        var action: String
        var problems: [FieldProblem]
        var organisationName: String?
        var slug: String?
        var countries: String
        var name: String?
        var email: String?
    }

    /// 404 unless the token is the live setup token of an unclaimed instance.
    static func requireValidToken(_ request: Request) async throws -> String {
        let token = request.parameters.get("token") ?? ""
        guard try await SetupGate.isValid(token, now: request.application.clock.now(), on: request.db),
              try await SetupGate.isUnclaimed(on: request.db) else { throw Abort(.notFound) }
        return token
    }

    @Sendable static func show(_ request: Request) async throws -> Response {
        let token = try await requireValidToken(request)
        return try await render(request, token: token, problems: [])
    }

    static func render(_ request: Request, token: String, problems: [FieldProblem]) async throws -> Response {
        let form = { (field: String) in (try? request.content.get(String.self, at: field)) }
        let context = Context(
            action: SiteURL.setup(token: token).href, problems: problems,
            organisationName: form("organisationName"), slug: form("slug"),
            countries: request.countryOptions(selected: form("country")), name: form("name"), email: form("email"))
        return try await request.render(.setup, titleKey: "setup.title", context,
                                        status: problems.isEmpty ? .ok : .unprocessableEntity, forms: true)
    }

    @Sendable static func submit(_ request: Request) async throws -> Response {
        let token = try await requireValidToken(request)
        var form = FormChecker(request)
        let organisationName = form.text("organisationName", kind: .name)
        let slug = form.text("slug", max: 40)
        if let slug, !OrganisationForm.isValidSlug(slug) { form.fail("slug", "organisation.slug.invalid") }
        let country = form.text("country", max: 2)
        if let country, !Countries.isValid(country) { form.fail("country", "form.country.invalid") }
        let name = form.text("name", kind: .name)
        let email = form.text("email", max: 254)
        if let email, !Accounts.isPlausibleEmail(email) { form.fail("email", "form.email.invalid") }
        let password = form.newPassword()
        guard form.isValid, let organisationName, let slug, let country, let name, let email, let password else {
            return try await render(request, token: token, problems: form.problems)
        }
        let app = request.application
        let hash = try await app.passwordService.hash(password)
        let now = app.clock.now()
        let vault = app.vault
        let userID = try await request.transaction { db in
            try await lockNamed(0x5345_5455_5000, on: db)  // two concurrent setups: the second finds an administrator
            guard try await SetupGate.isUnclaimed(on: db), try await SetupGate.isValid(token, now: now, on: db) else { throw Abort(.notFound) }
            try await SetupGate.consumeAll(on: db)
            let organisation = try await Accounts.createOrganisation(
                name: organisationName, slug: slug.lowercased(), type: .host, country: country.uppercased(),
                by: .system, at: now, on: db, vault: vault)
            let user = try await Accounts.createUser(
                organisation: try organisation.requireID(), email: email, name: name, roles: [.administrator],
                by: .system, at: now, on: db, vault: vault)
            user.passwordHash = hash
            try await user.save(on: db)
            let id = try user.requireID()
            try await AuditRecorder.record(
                .init(actor: .user(id), organisation: organisation.id, action: "instance.setup", objectType: "user",
                      objectID: SiteURL.id(id)), at: now, on: db)
            return id
        }
        let response = request.redirect(to: SiteURL.enrolTwoFactor.href)
        try await SessionManager.start(userID: userID, stage: .enrolling, for: request, response: response)
        return response
    }
}

/// Rules for organisation fields shared by setup and administration.
enum OrganisationForm {
    /// 2–40 characters: lower-case letters, digits and single dashes, starting with a letter.
    static func isValidSlug(_ slug: String) -> Bool {
        let s = slug.lowercased()
        guard (2...40).contains(s.count), let first = s.first, first.isLetter, first.isASCII,
              !s.hasSuffix("-"), !s.contains("--") else { return false }
        return s.allSatisfy { ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "-" }
    }
}
