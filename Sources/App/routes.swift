import EgideCore
import Vapor

/// THE route table: every route Egide answers, grouped by who may call it. Authorization has one
/// home per layer: the gates here (signed in? which roles?), the policies in EgideCore
/// (`AdminPolicy`…), and the scoped queries (`visible(to:)`) that make a record outside the
/// actor's scope answer 404. A route added here without a row in `AccessMatrixTests` fails the suite.
func routes(_ app: Application) throws {
    // Forms that may carry files: five files of 10 MiB and the text.
    let uploadLimit: ByteCount = "56mb"

    // Public: no account needed, nothing personal shown.
    app.get("", use: HomeController.show)
    app.get("healthz", use: HealthController.check)
    app.get("language", ":code", use: LanguageController.choose)

    // Raising an alert without an account (French and English addresses), and following it up
    // with the receipt and passphrase. Files may come with the form (hence the larger bodies).
    for (language, form, followUp, add) in [(Language.fr, "alerte", ["alerte", "suivi"], ["alerte", "suivi", "ajout"]),
                                            (.en, "alert", ["alert", "follow-up"], ["alert", "follow-up", "add"])] {
        let fr = language == .fr
        app.get(PathComponent(stringLiteral: form), use: fr ? PublicAlertController.formFR : PublicAlertController.formEN)
        app.on(.POST, PathComponent(stringLiteral: form), body: .collect(maxSize: uploadLimit),
               use: fr ? PublicAlertController.submitFR : PublicAlertController.submitEN)
        app.get(followUp.map(PathComponent.init(stringLiteral:)), use: fr ? PublicAlertController.followUpFormFR : PublicAlertController.followUpFormEN)
        app.post(followUp.map(PathComponent.init(stringLiteral:)), use: fr ? PublicAlertController.followUpFR : PublicAlertController.followUpEN)
        app.on(.POST, add.map(PathComponent.init(stringLiteral:)), body: .collect(maxSize: uploadLimit),
               use: fr ? PublicAlertController.addFR : PublicAlertController.addEN)
    }

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

    // What is waiting on me (alerts to triage, deadlines, verification requests).
    signedIn.get("attention", use: AttentionController.show)

    // Alerts: the protection team's queue and protocol (AlertPolicy: handlers of the owning
    // organisation; partner staff may record alerts they received).
    let alertStaff = signedIn.grouped(RequireRole(roles: [.protectionOfficer, .coordinator, .verifier]))
    alertStaff.get("alerts", "new", use: AlertsController.new)
    alertStaff.on(.POST, "alerts", body: .collect(maxSize: uploadLimit), use: AlertsController.create)
    let handlers = signedIn.grouped(RequireRole(roles: [.protectionOfficer, .coordinator]))
    handlers.get("alerts", use: AlertsController.queue)
    handlers.get("alerts", ":id", use: AlertsController.show)
    handlers.get("alerts", ":id", "files", ":file", use: AlertsController.file)
    handlers.post("alerts", ":id", "triage", use: AlertsController.triage)
    handlers.post("alerts", ":id", "assign", use: AlertsController.assign)
    handlers.post("alerts", ":id", "comments", use: AlertsController.comment)
    handlers.post("alerts", ":id", "verification", use: AlertsController.requestVerification)
    handlers.post("alerts", ":id", "decision", use: AlertsController.decide)
    handlers.post("alerts", ":id", "merge", use: AlertsController.merge)

    handlers.post("alerts", ":id", "case", use: CaseActionsController.attachAlert)

    // Cases (CasePolicy decides who sees and changes which case, through the scoped queries:
    // a case outside the actor's scope answers 404). Partner staff reach the cases granted to
    // their organisation and the referrals addressed to it.
    handlers.get("cases", use: CasesController.list)
    handlers.get("cases", "new", use: CasesController.new)
    handlers.post("cases", use: CasesController.create)
    handlers.get("cases", ":id", use: CaseFileController.show)
    handlers.get("cases", ":id", "access", use: CasesController.accessLog)
    handlers.get("cases", ":id", "assessments", "new", use: AssessmentController.new)
    handlers.post("cases", ":id", "assessments", use: AssessmentController.create)
    handlers.post("cases", ":id", "people", use: CaseActionsController.savePerson)
    handlers.post("cases", ":id", "people", ":person", use: CaseActionsController.savePerson)
    handlers.post("cases", ":id", "measures", use: CaseActionsController.addMeasure)
    handlers.post("cases", ":id", "measures", ":item", use: CaseActionsController.updateMeasure)
    handlers.post("cases", ":id", "plan-reviews", use: CaseActionsController.reviewPlan)
    handlers.post("cases", ":id", "support", use: CaseActionsController.addSupport)
    handlers.post("cases", ":id", "support", ":item", use: CaseActionsController.updateSupport)
    handlers.post("cases", ":id", "referrals", use: CaseActionsController.refer)
    handlers.post("cases", ":id", "referrals", ":item", use: CaseActionsController.withdrawReferral)
    handlers.post("cases", ":id", "follow-ups", use: CaseActionsController.scheduleFollowUp)
    handlers.post("cases", ":id", "follow-ups", ":item", use: CaseActionsController.recordFollowUp)
    handlers.post("cases", ":id", "notes", use: CaseActionsController.partnerNote)
    handlers.post("cases", ":id", "reviews", use: CaseActionsController.recordReview)
    handlers.post("cases", ":id", "status", use: CaseActionsController.setStatus)
    handlers.post("cases", ":id", "close", use: CaseActionsController.close)
    handlers.post("cases", ":id", "impact", use: CaseActionsController.recordImpact)
    handlers.post("cases", ":id", "reopen", use: CaseActionsController.reopen)
    handlers.post("cases", ":id", "team", use: CaseActionsController.setTeam)
    handlers.post("cases", ":id", "grants", use: CaseActionsController.setGrants)
    handlers.get("referrals", use: ReferralsController.list)
    handlers.get("referrals", ":id", use: ReferralsController.show)
    handlers.post("referrals", ":id", "answer", use: ReferralsController.answer)

    // Verification requests: each verifier sees only those addressed to them.
    let verifiers = signedIn.grouped(RequireRole(roles: [.verifier]))
    verifiers.get("verification", use: VerificationController.list)
    verifiers.get("verification", ":id", use: VerificationController.show)
    verifiers.on(.POST, "verification", ":id", "findings", body: .collect(maxSize: uploadLimit), use: VerificationController.submitFinding)
    verifiers.post("verification", ":id", "decline", use: VerificationController.decline)

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
    admin.post("admin", "users", ":id", "permissions", use: PermissionsController.change)

    // Alert settings: deadlines, the verification rule, categories (host administrators).
    admin.get("admin", "alert-settings", use: AlertSettingsController.show)
    admin.post("admin", "alert-settings", use: AlertSettingsController.save)
    admin.post("admin", "alert-settings", "categories", use: AlertSettingsController.addCategory)
    admin.post("admin", "alert-settings", "categories", ":id", use: AlertSettingsController.updateCategory)

    // The audit trail: host administrators and auditors (AdminPolicy.viewAuditTrail).
    signedIn.grouped(RequireRole(roles: [.administrator, .auditor])).get("admin", "audit", use: AuditTrailController.list)

    // JSON API (bearer tokens; JSON bodies only; errors are problem documents).
    let api = app.grouped("api", "v1").grouped(BearerAuthenticator())
    api.get("openapi.json", use: OpenAPIController.document)
    api.grouped(RequireSignIn(), RequireScope(scope: .readAccount)).get("me", use: MeController.show)
    let publicAPI = api.grouped(RequireJSONBody())
    publicAPI.on(.POST, "public", "alerts", body: .collect(maxSize: "256kb"), use: AlertsAPIController.submit)
    publicAPI.post("public", "alerts", "status", use: AlertsAPIController.status)
    publicAPI.on(.POST, "public", "alerts", "updates", body: .collect(maxSize: "256kb"), use: AlertsAPIController.addInformation)
    // The same role gates as the pages' (`handlers`), so the two doors of an action answer alike.
    let apiHandlers = api.grouped(RequireSignIn()).grouped(RequireRole(roles: [.protectionOfficer, .coordinator]))
    let alertReaders = apiHandlers.grouped(RequireScope(scope: .readAlerts))
    alertReaders.get("alerts", use: AlertsAPIController.list)
    alertReaders.get("alerts", ":id", use: AlertsAPIController.show)

    // Cases API (CasePolicy decides, through the scoped queries).
    let caseReaders = apiHandlers.grouped(RequireScope(scope: .readCases))
    caseReaders.get("cases", use: CasesAPIController.list)
    caseReaders.get("cases", ":id", use: CasesAPIController.show)
    let caseWriters = apiHandlers.grouped(RequireScope(scope: .writeCases), RequireJSONBody())
    caseWriters.on(.POST, "cases", body: .collect(maxSize: "256kb"), use: CasesAPIController.create)
    caseWriters.on(.POST, "cases", ":id", "assessments", body: .collect(maxSize: "256kb"), use: CasesAPIController.assess)
    caseWriters.post("cases", ":id", "follow-ups", use: CasesAPIController.scheduleFollowUp)
}
