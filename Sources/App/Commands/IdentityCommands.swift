import EgideCore
import Fluent
import Foundation
import Vapor

/// `egide org create --name N --slug S --type partner --country CM`
struct OrgCommands: AsyncCommandGroup {
    var commands: [String: any AnyAsyncCommand] { ["create": OrgCreateCommand()] }
    var help: String { "Manages organisations." }
}

struct OrgCreateCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "name", help: "The organisation's name (stored encrypted).") var name: String?
        @Option(name: "slug", help: "A short neutral identifier: lower-case letters, digits and dashes.") var slug: String?
        @Option(name: "type", help: "partner, consortium_member or network_member.") var type: String?
        @Option(name: "country", help: "ISO 3166-1 alpha-2 code, e.g. CM.") var country: String?
    }

    var help: String { "Creates an organisation with its own encryption key." }

    func run(using context: CommandContext, signature: Signature) async throws {
        var problems: [String] = []
        let name = signature.name?.trimmingCharacters(in: .whitespaces) ?? ""
        if name.isEmpty { problems.append("--name is required") }
        let slug = signature.slug?.lowercased() ?? ""
        if !OrganisationForm.isValidSlug(slug) { problems.append("--slug must be 2 to 40 lower-case letters, digits and dashes, starting with a letter") }
        let type = signature.type.flatMap(OrganisationType.init(rawValue:))
        if type == nil || type == .host { problems.append("--type must be partner, consortium_member or network_member") }
        let country = signature.country?.uppercased() ?? ""
        if !Countries.isValid(country) { problems.append("--country must be an ISO 3166-1 alpha-2 code such as CM") }
        let app = context.application
        if try await OrganisationRecord.query(on: app.db).filter(\.$slug == slug).count() > 0 {
            problems.append("--slug \(slug) is already used by another organisation")
        }
        guard problems.isEmpty, let type else { throw CommandFailure(message: problems.map { "egide org create: \($0)" }.joined(separator: "\n")) }
        let organisation = try await app.transaction { db in
            try await Accounts.createOrganisation(name: name, slug: slug, type: type, country: country, by: .system,
                                                  at: app.clock.now(), on: db, vault: app.vault)
        }
        context.console.output("created organisation \(slug) (\(type.rawValue), \(country)) id \(SiteURL.id(try organisation.requireID()))")
    }
}

/// `egide user invite|disable|reset-2fa`
struct UserCommands: AsyncCommandGroup {
    var commands: [String: any AnyAsyncCommand] {
        ["invite": UserInviteCommand(), "disable": UserDisableCommand(), "reset-2fa": UserResetTwoFactorCommand()]
    }
    var help: String { "Manages accounts." }
}

struct UserInviteCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "org", help: "The organisation's slug.") var organisation: String?
        @Option(name: "role", help: "Role(s), comma-separated: administrator, coordinator, protection_officer, verifier, fund_manager, communications_officer, trainer, auditor.") var role: String?
        @Option(name: "email", help: "The invitee's email address.") var email: String?
        @Option(name: "base-url", help: "The address people use to reach Egide (default EGIDE_BASE_URL or http://127.0.0.1:8080).") var baseURL: String?
    }

    var help: String { "Invites someone and prints the single-use link (valid 72 hours) to pass on by a secure channel." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        var problems: [String] = []
        let organisation = try await OrganisationRecord.query(on: app.db).filter(\.$slug == (signature.organisation ?? "").lowercased()).first()
        if organisation == nil { problems.append("--org must name an existing organisation's slug") }
        let rawRoles = (signature.role ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        let roles = Set(rawRoles.compactMap(Role.init(rawValue:)))
        if roles.isEmpty || roles.count != rawRoles.count { problems.append("--role must list valid roles") }
        if let organisation, !roles.isSubset(of: AdminPolicy.assignableRoles(in: organisation.type)) {
            problems.append("--role: a \(organisation.type.rawValue) organisation cannot hold \(roles.subtracting(AdminPolicy.assignableRoles(in: organisation.type)).map(\.rawValue).sorted().joined(separator: ", "))")
        }
        let email = signature.email ?? ""
        if !Accounts.isPlausibleEmail(email) { problems.append("--email must be an email address") }
        else if try await Accounts.findUser(email: email, on: app.db, vault: app.vault) != nil { problems.append("--email is already used by an account") }
        guard problems.isEmpty, let organisation else { throw CommandFailure(message: problems.map { "egide user invite: \($0)" }.joined(separator: "\n")) }
        let orgID = try organisation.requireID()
        let now = app.clock.now()
        let token = try await app.transaction { db in
            let user = try await Accounts.createUser(organisation: orgID, email: email, name: "", roles: roles, by: .system, at: now, on: db, vault: app.vault)
            return try await Invitations.issue(for: try user.requireID(), by: .system, organisation: orgID, at: now, on: db)
        }
        let base = signature.baseURL ?? ProcessInfo.processInfo.environment["EGIDE_BASE_URL"] ?? "http://127.0.0.1:8080"
        context.console.output("Invitation for \(email) (\(roles.sorted().map(\.rawValue).joined(separator: ", ")) at \(organisation.slug)), valid 72 hours.")
        context.console.output("Give this link to the person by a secure channel (not plain email or SMS):")
        context.console.output(((base.hasSuffix("/") ? String(base.dropLast()) : base) + SiteURL.invitation(token: token).href).consoleText())
    }
}

/// Finds the account named by the command's email argument, or explains why not.
func accountForCommand(_ email: String, _ command: String, _ app: Application) async throws -> UserRecord {
    guard let user = try await Accounts.findUser(email: email, on: app.db, vault: app.vault) else {
        throw CommandFailure(message: "egide \(command): no account with that email address")
    }
    return user
}

struct UserDisableCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "email", help: "The account's email address.") var email: String
    }

    var help: String { "Disables an account and ends all its sessions and API tokens." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let user = try await accountForCommand(signature.email, "user disable", app)
        let now = app.clock.now()
        try await app.transaction { db in try await AccountAccess.disable(user, by: .system, details: ["via": "cli"], at: now, on: db) }
        context.console.output("disabled; all sessions and API tokens ended")
    }
}

struct UserResetTwoFactorCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "email", help: "The account's email address.") var email: String
    }

    var help: String { "Clears an account's second factor: the person sets up a new one at their next sign-in." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let user = try await accountForCommand(signature.email, "user reset-2fa", app)
        let id = try user.requireID()
        let now = app.clock.now()
        try await app.transaction { db in
            try await AccountAccess.resetTwoFactor(of: user, at: now, on: db)
            try await AuditRecorder.record(.init(actor: .system, organisation: user.$organisation.id, action: "user.two_factor_reset",
                                                 objectType: "user", objectID: SiteURL.id(id), details: ["via": "cli"]), at: now, on: db)
        }
        context.console.output("second factor cleared; all sessions ended")
    }
}

/// `egide token create --email E --scopes account:read [--days 30] [--name N]`
struct TokenCommands: AsyncCommandGroup {
    var commands: [String: any AnyAsyncCommand] { ["create": TokenCreateCommand()] }
    var help: String { "Manages API tokens." }
}

struct TokenCreateCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "email", help: "The account the token acts for.") var email: String?
        @Option(name: "scopes", help: "Comma-separated scopes, e.g. account:read.") var scopes: String?
        @Option(name: "days", help: "Validity in days (1–365, default 30).") var days: Int?
        @Option(name: "name", help: "A name to recognise the token by (default: cli).") var name: String?
    }

    var help: String { "Creates a personal access token and prints it once." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let user = try await accountForCommand(signature.email ?? "", "token create", app)
        let raw = (signature.scopes ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        let scopes = Set(raw.compactMap(APIScope.init(rawValue:)))
        let days = signature.days ?? 30
        var problems: [String] = []
        if scopes.isEmpty || scopes.count != raw.count { problems.append("--scopes must list valid scopes: \(APIScope.allCases.map(\.rawValue).joined(separator: ", "))") }
        if !(1...365).contains(days) { problems.append("--days must be between 1 and 365") }
        if user.disabledAt != nil || user.totpConfirmedAt == nil { problems.append("the account must be active and enrolled") }
        guard problems.isEmpty else { throw CommandFailure(message: problems.map { "egide token create: \($0)" }.joined(separator: "\n")) }
        let now = app.clock.now()
        let secret = try await app.transaction { db in
            try await TokensController.create(userID: try user.requireID(), organisation: user.$organisation.id, name: signature.name ?? "cli",
                                              scopes: scopes, days: days, by: .system, at: now, on: db)
        }
        context.console.output(secret.consoleText())
    }
}
