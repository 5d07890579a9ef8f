import EgideCore
import Vapor

/// THE route table: every route Egide answers, grouped by who may call it. Authorization has one
/// home per layer: the gates here (signed in? which roles?), the policies in EgideCore
/// (`AdminPolicy`…), and the scoped queries (`visible(to:)`) that make a record outside the
/// actor's scope answer 404. A route added here without a row in `AccessMatrixTests` fails the suite.
func routes(_ app: Application) throws {
    // Public: no account needed, nothing personal shown.
    app.get("", use: HomeController.show)
    app.get("healthz", use: HealthController.check)
    app.get("language", ":code", use: LanguageController.choose)

    // Unlocking a sealed instance (the passphrase is the credential).
    app.get("unseal", use: UnsealController.show)
    app.post("unseal", use: UnsealController.submit)

    // Claiming the instance, signing in, joining by invitation (each checks its own token).
    app.get("setup", ":token", use: SetupController.show)
    app.post("setup", ":token", use: SetupController.submit)
    app.get("sign-in", use: SignInController.show)
    app.post("sign-in", use: SignInController.submit)
    app.post("sign-out", use: SignInController.signOut)
    app.get("invitation", ":token", use: InvitationController.show)
    app.post("invitation", ":token", use: InvitationController.accept)

    // Half signed in: the code step, and second-factor enrolment.
    let secondStep = app.grouped(RequirePasswordVerified())
    secondStep.get("sign-in", "code", use: CodeController.show)
    secondStep.post("sign-in", "code", use: CodeController.submit)
    let enrolling = app.grouped(RequireEnrolling())
    enrolling.get("account", "two-factor", use: EnrolController.show)
    enrolling.post("account", "two-factor", use: EnrolController.confirm)

    // Signed in, any role: my account.
    let signedIn = app.grouped(RequireSignIn())
    signedIn.get("account", use: AccountController.show)
    signedIn.post("account", "two-factor", "replace", use: AccountController.replaceTwoFactor)
    signedIn.get("account", "password", use: PasswordController.show)
    signedIn.post("account", "password", use: PasswordController.change)
    signedIn.get("account", "sessions", use: SessionsController.list)
    signedIn.post("account", "sessions", ":id", "end", use: SessionsController.end)
    signedIn.get("account", "tokens", use: TokensController.list)
    signedIn.post("account", "tokens", use: TokensController.submit)
    signedIn.post("account", "tokens", ":id", "revoke", use: TokensController.revoke)

    // Administrators: organisations and accounts (AdminPolicy decides which ones).
    let admin = signedIn.grouped(RequireRole(roles: [.administrator]))
    admin.get("admin", "organisations", use: OrganisationsController.list)
    admin.post("admin", "organisations", use: OrganisationsController.create)
    admin.get("admin", "organisations", "new", use: OrganisationsController.new)
    admin.get("admin", "organisations", ":id", use: OrganisationsController.show)
    admin.get("admin", "organisations", ":id", "edit", use: OrganisationsController.edit)
    admin.post("admin", "organisations", ":id", "edit", use: OrganisationsController.update)
    admin.get("admin", "users", use: UsersController.list)
    admin.get("admin", "users", "invite", use: InviteController.show)
    admin.post("admin", "users", "invite", use: InviteController.submit)
    admin.get("admin", "users", ":id", use: UsersController.show)
    admin.post("admin", "users", ":id", "roles", use: UsersController.changeRoles)
    admin.post("admin", "users", ":id", "disable", use: UsersController.disable)
    admin.post("admin", "users", ":id", "enable", use: UsersController.enable)
    admin.post("admin", "users", ":id", "reset-two-factor", use: UsersController.resetTwoFactor)
    admin.post("admin", "users", ":id", "reinvite", use: UsersController.reinvite)

    // The audit trail: host administrators and auditors (AdminPolicy.viewAuditTrail).
    signedIn.grouped(RequireRole(roles: [.administrator, .auditor])).get("admin", "audit", use: AuditTrailController.list)

    // JSON API (bearer tokens; errors are problem documents).
    let api = app.grouped("api", "v1").grouped(BearerAuthenticator())
    api.get("openapi.json", use: OpenAPIController.document)
    api.grouped(RequireSignIn(), RequireScope(scope: .readAccount)).get("me", use: MeController.show)
}
