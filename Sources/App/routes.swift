import EgideCore
import Vapor

/// THE route table: every route Egide answers, grouped by who may call it. Authorization has one
/// home per layer: the gates here (signed in? which roles?), the policies in EgideCore
/// (`AdminPolicy`…), and the scoped queries (`visible(to:)`) that make a record outside the
/// actor's scope answer 404. A route added here without a row in `AccessMatrixTests` fails the suite.
/// Pages and forms are registered by their `SiteURL` (the addresses pages link to), the JSON API
/// by its `APIURL`: no path is spelt here.
func routes(_ app: Application) throws {
    // Forms that may carry files: five files of 10 MiB and the text.
    let uploadLimit: ByteCount = "56mb"

    // Public: no account needed, nothing personal shown. Every form anyone can post without an
    // account declares what it costs (`PublicWork`): a bounded number run at once, the rest get a 503.
    app.get(SiteURL.home, use: HomeController.show)
    app.get(SiteURL.healthz, use: HealthController.check)
    for language in Language.allCases {
        app.get(SiteURL.language(language, next: nil), use: LanguageController.choose(language))
    }

    // Raising an alert without an account, and following it up with the receipt and passphrase:
    // one address per language (`/fr/alerte`, `/en/alert`, `/ar/alert`), and the French and English
    // addresses printed before the prefix. Files may come with the form (hence the larger bodies).
    for language in Language.allCases {
        let pages = PublicAlertController.pages(language)
        app.get(SiteURL.homeIn(language), use: HomeController.show(in: language))
        app.get(SiteURL.publicAlert(language), use: pages.form)
        app.post(SiteURL.publicAlert(language), collecting: uploadLimit, use: pages.submit).publicWork(.alerts)
        app.get(SiteURL.publicFollowUp(language), use: pages.followUpForm)
        app.post(SiteURL.publicFollowUp(language), use: pages.followUp).publicWork(.lookups)
        app.post(SiteURL.publicFollowUpAdd(language), collecting: uploadLimit, use: pages.add).publicWork(.alerts)
    }
    for language in SiteURL.earlierPublicLanguages {
        let pages = PublicAlertController.pages(language)
        app.get(SiteURL.earlierPublicAlert(language), use: pages.form)
        app.post(SiteURL.earlierPublicAlert(language), collecting: uploadLimit, use: pages.submit).publicWork(.alerts)
        app.get(SiteURL.earlierPublicFollowUp(language), use: pages.followUpForm)
        app.post(SiteURL.earlierPublicFollowUp(language), use: pages.followUp).publicWork(.lookups)
        app.post(SiteURL.earlierPublicFollowUpAdd(language), collecting: uploadLimit, use: pages.add).publicWork(.alerts)
    }

    // Published appeals: a page per document and language, the list and the Atom feed per
    // language. Only what was published, never a case code or anything of the case file.
    for language in AppealLanguage.allCases {
        app.get(SiteURL.publicAppeals(language), use: PublicAppealsController.list(language))
        app.get(SiteURL.publicAppeal(language, slug: SiteURL.anySlug), use: PublicAppealsController.show(language))
        app.get(SiteURL.appealFeed(language), use: PublicAppealsController.feed(language))
    }

    // Unsubscribing from the appeals' mailing (the token in the link is the subscriber's credential).
    app.get(SiteURL.unsubscribe(token: SiteURL.anyToken), use: UnsubscribeController.show)
    app.post(SiteURL.unsubscribe(token: SiteURL.anyToken), use: UnsubscribeController.submit).publicWork(.lookups)

    // Unlocking a sealed instance (the passphrase is the credential).
    app.get(SiteURL.unseal, use: UnsealController.show)
    app.post(SiteURL.unseal, use: UnsealController.submit).publicWork(.credentials)

    // Claiming the instance, signing in, joining by invitation (each checks its own token).
    app.get(SiteURL.setup(token: SiteURL.anyToken), use: SetupController.show)
    app.post(SiteURL.setup(token: SiteURL.anyToken), use: SetupController.submit).publicWork(.credentials)
    app.get(SiteURL.signIn(next: nil), use: SignInController.show)
    app.post(SiteURL.signIn(next: nil), use: SignInController.submit).publicWork(.credentials)
    app.post(SiteURL.signOut, use: SignInController.signOut)
    app.get(SiteURL.invitation(token: SiteURL.anyToken), use: InvitationController.show)
    app.post(SiteURL.invitation(token: SiteURL.anyToken), use: InvitationController.accept).publicWork(.credentials)

    // Half signed in: the code step, and second-factor enrolment.
    let secondStep = app.grouped(RequirePasswordVerified())
    secondStep.get(SiteURL.signInCode, use: CodeController.show)
    secondStep.post(SiteURL.signInCode, use: CodeController.submit).publicWork(.credentials)
    let enrolling = app.grouped(RequireEnrolling())
    enrolling.get(SiteURL.enrolTwoFactor, use: EnrolController.show)
    enrolling.post(SiteURL.enrolTwoFactor, use: EnrolController.confirm).publicWork(.credentials)

    // Signed in, any role: my account.
    let signedIn = app.grouped(RequireSignIn())
    signedIn.get(SiteURL.account, use: AccountController.show)
    signedIn.post(SiteURL.replaceTwoFactor, use: AccountController.replaceTwoFactor)
    signedIn.get(SiteURL.accountPassword, use: PasswordController.show)
    signedIn.post(SiteURL.accountPassword, use: PasswordController.change)
    signedIn.get(SiteURL.accountSessions, use: SessionsController.list)
    signedIn.post(SiteURL.endSession(SiteURL.anyID), use: SessionsController.end)
    signedIn.get(SiteURL.accountTokens, use: TokensController.list)
    signedIn.post(SiteURL.accountTokens, use: TokensController.submit)
    signedIn.post(SiteURL.revokeToken(SiteURL.anyID), use: TokensController.revoke)

    // What is waiting on me (alerts to triage, deadlines, verification requests).
    signedIn.get(SiteURL.attention, use: AttentionController.show)

    // Alerts: the protection team's queue and protocol (AlertPolicy: handlers of the owning
    // organisation; partner staff may record alerts they received).
    let alertStaff = signedIn.grouped(RequireRole(roles: [.protectionOfficer, .coordinator, .verifier]))
    alertStaff.get(SiteURL.newAlert, use: AlertsController.new)
    alertStaff.post(SiteURL.alerts, collecting: uploadLimit, use: AlertsController.create)
    let handlers = signedIn.grouped(RequireRole(roles: [.protectionOfficer, .coordinator]))
    handlers.get(SiteURL.alerts, use: AlertsController.queue)
    handlers.get(SiteURL.alert(SiteURL.anyID), use: AlertsController.show)
    handlers.get(SiteURL.alertFile(SiteURL.anyID, SiteURL.anyFile), use: AlertsController.file)
    handlers.post(SiteURL.alertAction(SiteURL.anyID, .triage), use: AlertsController.triage)
    handlers.post(SiteURL.alertAction(SiteURL.anyID, .assign), use: AlertsController.assign)
    handlers.post(SiteURL.alertAction(SiteURL.anyID, .comments), use: AlertsController.comment)
    handlers.post(SiteURL.alertAction(SiteURL.anyID, .verification), use: AlertsController.requestVerification)
    handlers.post(SiteURL.alertAction(SiteURL.anyID, .decision), use: AlertsController.decide)
    handlers.post(SiteURL.alertAction(SiteURL.anyID, .merge), use: AlertsController.merge)

    handlers.post(SiteURL.alertAction(SiteURL.anyID, .attachToCase), use: CaseActionsController.attachAlert)

    // Cases (CasePolicy decides who sees and changes which case, through the scoped queries:
    // a case outside the actor's scope answers 404). Partner staff reach the cases granted to
    // their organisation and the referrals addressed to it.
    handlers.get(SiteURL.cases, use: CasesController.list)
    handlers.get(SiteURL.newCase, use: CasesController.new)
    handlers.post(SiteURL.cases, use: CasesController.create)
    handlers.get(SiteURL.caseFile(SiteURL.anyID), use: CaseFileController.show)
    handlers.get(SiteURL.caseAction(SiteURL.anyID, .access), use: CasesController.accessLog)
    handlers.get(SiteURL.caseAction(SiteURL.anyID, .newAssessment), use: AssessmentController.new)
    handlers.post(SiteURL.caseAction(SiteURL.anyID, .assessments), use: AssessmentController.create)
    handlers.post(SiteURL.caseAction(SiteURL.anyID, .people), use: CaseActionsController.savePerson)
    handlers.post(SiteURL.caseItemAction(SiteURL.anyID, .people, SiteURL.anyPerson), use: CaseActionsController.savePerson)
    handlers.post(SiteURL.caseAction(SiteURL.anyID, .measures), use: CaseActionsController.addMeasure)
    handlers.post(SiteURL.caseItemAction(SiteURL.anyID, .measures, SiteURL.anyItem), use: CaseActionsController.updateMeasure)
    handlers.post(SiteURL.caseAction(SiteURL.anyID, .planReviews), use: CaseActionsController.reviewPlan)
    handlers.post(SiteURL.caseAction(SiteURL.anyID, .support), use: CaseActionsController.addSupport)
    handlers.post(SiteURL.caseItemAction(SiteURL.anyID, .support, SiteURL.anyItem), use: CaseActionsController.updateSupport)
    handlers.post(SiteURL.caseAction(SiteURL.anyID, .referrals), use: CaseActionsController.refer)
    handlers.post(SiteURL.caseItemAction(SiteURL.anyID, .referrals, SiteURL.anyItem), use: CaseActionsController.withdrawReferral)
    handlers.post(SiteURL.caseAction(SiteURL.anyID, .followUps), use: CaseActionsController.scheduleFollowUp)
    handlers.post(SiteURL.caseItemAction(SiteURL.anyID, .followUps, SiteURL.anyItem), use: CaseActionsController.recordFollowUp)
    handlers.post(SiteURL.caseAction(SiteURL.anyID, .notes), use: CaseActionsController.partnerNote)
    handlers.post(SiteURL.caseAction(SiteURL.anyID, .reviews), use: CaseActionsController.recordReview)
    handlers.post(SiteURL.caseAction(SiteURL.anyID, .status), use: CaseActionsController.setStatus)
    handlers.post(SiteURL.caseAction(SiteURL.anyID, .close), use: CaseActionsController.close)
    handlers.post(SiteURL.caseAction(SiteURL.anyID, .impact), use: CaseActionsController.recordImpact)
    handlers.post(SiteURL.caseAction(SiteURL.anyID, .reopen), use: CaseActionsController.reopen)
    handlers.post(SiteURL.caseAction(SiteURL.anyID, .team), use: CaseActionsController.setTeam)
    handlers.post(SiteURL.caseAction(SiteURL.anyID, .grants), use: CaseActionsController.setGrants)
    handlers.get(SiteURL.referrals, use: ReferralsController.list)
    handlers.get(SiteURL.referral(SiteURL.anyID), use: ReferralsController.show)
    handlers.post(SiteURL.referralAction(SiteURL.anyID, .answer), use: ReferralsController.answer)

    // The emergency fund (FundPolicy decides; the scoped queries make a sibling's allocation or
    // grant answer 404). Fund managers move money, with four eyes; protection officers and
    // coordinators request grants; auditors read.
    let fundStaff = signedIn.grouped(RequireRole(roles: FundPolicy.readerRoles))
    fundStaff.get(SiteURL.funds, use: FundsController.list)
    fundStaff.get(SiteURL.newFund, use: FundsController.new)
    fundStaff.post(SiteURL.funds, use: FundsController.create)
    fundStaff.get(SiteURL.exchangeRates, use: FundsController.rates)
    fundStaff.post(SiteURL.exchangeRates, use: FundsController.recordRate)
    fundStaff.get(SiteURL.fund(SiteURL.anyID), use: FundsController.show)
    fundStaff.post(SiteURL.fundAction(SiteURL.anyID, .allocations), use: FundsController.allocate)
    fundStaff.post(SiteURL.allocation(SiteURL.anyID, SiteURL.anyItem), use: FundsController.settle)
    fundStaff.get(SiteURL.fundAction(SiteURL.anyID, .statement), use: FundsController.statement)
    fundStaff.get(SiteURL.fundAction(SiteURL.anyID, .statementCSV), use: FundsController.statementCSV)
    fundStaff.get(SiteURL.grants, use: GrantsController.list)
    fundStaff.get(SiteURL.newGrant(case: nil, allocation: nil), use: GrantsController.new)
    fundStaff.post(SiteURL.grants, use: GrantsController.create)
    fundStaff.get(SiteURL.grant(SiteURL.anyID), use: GrantsController.show)
    fundStaff.get(SiteURL.grantAction(SiteURL.anyID, .edit), use: GrantsController.edit)
    fundStaff.get(SiteURL.grantFile(SiteURL.anyID, SiteURL.anyFile), use: GrantsController.file)
    let grantSteps: [(GrantForm, @Sendable (Request) async throws -> Response)] = [
        (.edit, GrantsController.update), (.submit, GrantsController.submit), (.screen, GrantsController.screen), (.ask, GrantsController.ask),
        (.reject, GrantsController.reject), (.approve, GrantsController.approve), (.withdraw, GrantsController.withdraw),
        (.cancel, GrantsController.cancel), (.complete, GrantsController.complete), (.requestReport, GrantsController.requestReport),
        (.close, GrantsController.close),
    ]
    for (form, handler) in grantSteps { fundStaff.post(SiteURL.grantAction(SiteURL.anyID, form), use: handler) }
    fundStaff.post(SiteURL.grantAction(SiteURL.anyID, .disburse), collecting: uploadLimit, use: GrantsController.disburse)
    fundStaff.post(SiteURL.grantAction(SiteURL.anyID, .report), collecting: uploadLimit, use: GrantsController.report)

    // Verification requests: each verifier sees only those addressed to them.
    let verifiers = signedIn.grouped(RequireRole(roles: [.verifier]))
    verifiers.get(SiteURL.verificationRequests, use: VerificationController.list)
    verifiers.get(SiteURL.verificationRequest(SiteURL.anyID), use: VerificationController.show)
    verifiers.post(SiteURL.verificationAction(SiteURL.anyID, .findings), collecting: uploadLimit, use: VerificationController.submitFinding)
    verifiers.post(SiteURL.verificationAction(SiteURL.anyID, .decline), use: VerificationController.decline)

    // Urgent appeals (AppealPolicy decides; a document of another organisation answers 404):
    // communications officers, coordinators and protection officers write; auditors read.
    let appealStaff = signedIn.grouped(RequireRole(roles: AppealPolicy.readerRoles.union([.administrator])))
    appealStaff.get(SiteURL.appeals, use: AppealsController.list)
    appealStaff.get(SiteURL.newAppeal(case: nil, parent: nil), use: AppealsController.new)
    appealStaff.post(SiteURL.appeals, use: AppealsController.create)
    appealStaff.get(SiteURL.appealSubscribers, use: SubscribersController.list)
    appealStaff.post(SiteURL.appealSubscribers, use: SubscribersController.add)
    appealStaff.post(SiteURL.appealSubscriberRemove(SiteURL.anyID), use: SubscribersController.remove)
    appealStaff.get(SiteURL.appealSettings, use: AppealsController.settings)
    appealStaff.post(SiteURL.appealSettings, use: AppealsController.saveSettings)
    appealStaff.get(SiteURL.appeal(SiteURL.anyID, language: nil), use: AppealsController.show)
    appealStaff.get(SiteURL.appealAction(SiteURL.anyID, .edit), use: AppealsController.edit)
    appealStaff.post(SiteURL.appealAction(SiteURL.anyID, .edit), use: AppealsController.revise)
    appealStaff.post(SiteURL.appealAction(SiteURL.anyID, .versions), use: AppealsController.addVersion)
    appealStaff.post(SiteURL.appealAction(SiteURL.anyID, .submit), use: AppealsController.step(.submit, done: "flash.appeal.submitted"))
    appealStaff.post(SiteURL.appealAction(SiteURL.anyID, .returnToDraft), use: AppealsController.step(.returnToDraft, done: "flash.appeal.returned"))
    appealStaff.post(SiteURL.appealAction(SiteURL.anyID, .approve), use: AppealsController.step(.approve, done: "flash.appeal.approved"))
    appealStaff.post(SiteURL.appealAction(SiteURL.anyID, .publish), use: AppealsController.step(.publish, done: "flash.appeal.published"))
    appealStaff.post(SiteURL.appealAction(SiteURL.anyID, .close), use: AppealsController.step(.close, done: "flash.appeal.closed"))
    appealStaff.post(SiteURL.appealAction(SiteURL.anyID, .comments), use: AppealsController.comment)
    appealStaff.post(SiteURL.appealAction(SiteURL.anyID, .consents), use: AppealsController.consent)
    appealStaff.post(SiteURL.appealAction(SiteURL.anyID, .targets), use: AppealsController.target)
    appealStaff.post(SiteURL.appealAction(SiteURL.anyID, .replies), use: AppealsController.reply)
    appealStaff.post(SiteURL.appealAction(SiteURL.anyID, .mailings), use: AppealsController.mail)
    appealStaff.post(SiteURL.appealAction(SiteURL.anyID, .cases), use: AppealsController.linkCase)
    appealStaff.post(SiteURL.appealAction(SiteURL.anyID, .declaration), use: AppealsController.declareNoDefender)

    // Administrators: organisations and accounts (AdminPolicy decides which ones).
    let admin = signedIn.grouped(RequireRole(roles: [.administrator]))
    admin.get(SiteURL.adminOrganisations, use: OrganisationsController.list)
    admin.post(SiteURL.adminOrganisations, use: OrganisationsController.create)
    admin.get(SiteURL.newOrganisation, use: OrganisationsController.new)
    admin.get(SiteURL.adminOrganisation(SiteURL.anyID), use: OrganisationsController.show)
    admin.get(SiteURL.editOrganisation(SiteURL.anyID), use: OrganisationsController.edit)
    admin.post(SiteURL.editOrganisation(SiteURL.anyID), use: OrganisationsController.update)
    admin.get(SiteURL.adminUsers, use: UsersController.list)
    admin.get(SiteURL.inviteUser, use: InviteController.show)
    admin.post(SiteURL.inviteUser, use: InviteController.submit)
    admin.get(SiteURL.adminUser(SiteURL.anyID), use: UsersController.show)
    admin.post(SiteURL.adminUserAction(SiteURL.anyID, .roles), use: UsersController.changeRoles)
    admin.post(SiteURL.adminUserAction(SiteURL.anyID, .disable), use: UsersController.disable)
    admin.post(SiteURL.adminUserAction(SiteURL.anyID, .enable), use: UsersController.enable)
    admin.post(SiteURL.adminUserAction(SiteURL.anyID, .resetTwoFactor), use: UsersController.resetTwoFactor)
    admin.post(SiteURL.adminUserAction(SiteURL.anyID, .reinvite), use: UsersController.reinvite)
    admin.post(SiteURL.adminUserAction(SiteURL.anyID, .permissions), use: PermissionsController.change)

    // Alert settings: deadlines, the verification rule, categories (host administrators).
    admin.get(SiteURL.alertSettings, use: AlertSettingsController.show)
    admin.post(SiteURL.alertSettings, use: AlertSettingsController.save)
    admin.post(SiteURL.alertCategories, use: AlertSettingsController.addCategory)
    admin.post(SiteURL.alertCategory(SiteURL.anyID), use: AlertSettingsController.updateCategory)

    // The audit trail: host administrators and auditors (AdminPolicy.viewAuditTrail).
    signedIn.grouped(RequireRole(roles: [.administrator, .auditor])).get(SiteURL.adminAudit, use: AuditTrailController.list)

    // JSON API (bearer tokens; JSON bodies only; errors are problem documents).
    let api = app.grouped(BearerAuthenticator())
    api.get(APIURL.openAPI, use: OpenAPIController.document)
    api.grouped(RequireSignIn(), RequireScope(scope: .readAccount)).get(APIURL.me, use: MeController.show)
    let publicAPI = api.grouped(RequireJSONBody())
    publicAPI.post(APIURL.publicAlerts, collecting: "256kb", use: AlertsAPIController.submit).publicWork(.alerts)
    publicAPI.post(APIURL.publicAlertStatus, use: AlertsAPIController.status).publicWork(.lookups)
    publicAPI.post(APIURL.publicAlertUpdates, collecting: "256kb", use: AlertsAPIController.addInformation).publicWork(.alerts)
    // The same role gates as the pages' (`handlers`), so the two doors of an action answer alike.
    let apiHandlers = api.grouped(RequireSignIn()).grouped(RequireRole(roles: [.protectionOfficer, .coordinator]))
    let alertReaders = apiHandlers.grouped(RequireScope(scope: .readAlerts))
    alertReaders.get(APIURL.alerts, use: AlertsAPIController.list)
    alertReaders.get(APIURL.alert(SiteURL.anyID), use: AlertsAPIController.show)

    // Cases API (CasePolicy decides, through the scoped queries).
    let caseReaders = apiHandlers.grouped(RequireScope(scope: .readCases))
    caseReaders.get(APIURL.cases, use: CasesAPIController.list)
    caseReaders.get(APIURL.caseFile(SiteURL.anyID), use: CasesAPIController.show)
    let caseWriters = apiHandlers.grouped(RequireScope(scope: .writeCases), RequireJSONBody())
    caseWriters.post(APIURL.cases, collecting: "256kb", use: CasesAPIController.create)
    caseWriters.post(APIURL.caseAssessments(SiteURL.anyID), collecting: "256kb", use: CasesAPIController.assess)
    caseWriters.post(APIURL.caseFollowUps(SiteURL.anyID), use: CasesAPIController.scheduleFollowUp)

    // Emergency fund API: the pages' role gate (`fundStaff`), FundPolicy and the scoped queries.
    let apiFundStaff = api.grouped(RequireSignIn()).grouped(RequireRole(roles: FundPolicy.readerRoles))
    let fundReaders = apiFundStaff.grouped(RequireScope(scope: .readFunds))
    fundReaders.get(APIURL.funds, use: FundsAPIController.list)
    fundReaders.get(APIURL.fund(SiteURL.anyID), use: FundsAPIController.show)
    fundReaders.get(APIURL.grants, use: FundsAPIController.grants)
    fundReaders.get(APIURL.grant(SiteURL.anyID), use: FundsAPIController.grant)
    let fundWriters = apiFundStaff.grouped(RequireScope(scope: .writeFunds), RequireJSONBody())
    fundWriters.post(APIURL.grants, collecting: "256kb", use: FundsAPIController.create)
    fundWriters.post(APIURL.grantApprovals(SiteURL.anyID), use: FundsAPIController.approve)
    fundWriters.post(APIURL.grantDisbursements(SiteURL.anyID), use: FundsAPIController.disburse)

    // Appeals API: the pages' role gate (`appealStaff`), AppealPolicy and the scoped queries.
    let apiAppealStaff = api.grouped(RequireSignIn()).grouped(RequireRole(roles: AppealPolicy.readerRoles))
    let appealReaders = apiAppealStaff.grouped(RequireScope(scope: .readAppeals))
    appealReaders.get(APIURL.appeals, use: AppealsAPIController.list)
    appealReaders.get(APIURL.appeal(SiteURL.anyID), use: AppealsAPIController.show)
    let appealWriters = apiAppealStaff.grouped(RequireScope(scope: .writeAppeals), RequireJSONBody())
    appealWriters.post(APIURL.appeals, collecting: "512kb", use: AppealsAPIController.create)
    appealWriters.post(APIURL.appealSteps(SiteURL.anyID), use: AppealsAPIController.step)
}
