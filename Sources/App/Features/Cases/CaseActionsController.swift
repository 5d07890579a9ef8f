import EgideCore
import Fluent
import Vapor

/// The forms of the case file. Each checks the actor against `CasePolicy` (a case outside their
/// scope answers 404), validates the form (problems are shown on the case page, 422), and runs
/// one `CaseWorkflow` step; a refused step is shown with its reason (409).
enum CaseActionsController {
    static func authorise(_ request: Request, _ action: CaseAction) async throws -> (Actor, UUID) {
        let actor = try request.actor()
        let id = try request.requireUUID("id")
        _ = try await CaseQueries.authorized(id, for: actor, action, on: request.db)
        return (actor, id)
    }

    /// The `:item` of the case, of `kind`: 404 unless it is one of this case's items (another
    /// case's item answers like a missing one), checked before the form is read.
    static func item(_ request: Request, of caseID: UUID, _ kind: CaseItemRecord.Kind) async throws -> UUID {
        _ = try await CaseWorkflow.item(try request.requireUUID("item"), of: caseID, kind: kind, on: request.db)
        return try request.requireUUID("item")
    }

    /// Runs a workflow step; a refusal re-renders the case file with the message, success returns
    /// to the part of the file that changed with the confirmation `done`.
    static func perform(_ request: Request, id: UUID, field: String, anchor: String, done: String,
                        _ body: () async throws -> Void) async throws -> Response {
        do {
            try await body()
        } catch let refusal as Refusal {
            return try await CaseFileController.render(request, id: id, problems: [FieldProblem(field: field, message: request.t(refusal.key))],
                                                       status: .conflict)
        }
        return request.redirect(to: SiteURL.caseFile(id).href + "#" + anchor, flash: done)
    }

    static func invalid(_ request: Request, _ id: UUID, _ form: FormChecker) async throws -> Response {
        try await CaseFileController.render(request, id: id, problems: form.problems)
    }

    /// A date typed as `YYYY-MM-DD` (the browser's date field), as midnight UTC like the API's.
    static func date(_ form: inout FormChecker, _ field: String, required: Bool) -> Date? { form.day(field, required: required) }

    static func choice<T: RawRepresentable>(_ form: inout FormChecker, _ field: String, _ type: T.Type, required: Bool = true) -> T?
    where T.RawValue == String { form.choice(field, type, required: required) }

    // MARK: People

    @Sendable static func savePerson(_ request: Request) async throws -> Response {
        let (actor, id) = try await authorise(request, .editCase)
        var personID: UUID?
        if request.parameters.get("person") != nil {
            // Another case's person answers like a missing one, before the form is read.
            let person = try request.requireUUID("person")
            guard try await CasePersonRecord.query(on: request.db).filter(\.$id == person).filter(\.$caseID == id).count() == 1 else {
                throw Abort(.notFound)
            }
            personID = person
        }
        var form = FormChecker(request)
        let role = choice(&form, "role", PersonRole.self)
        let name = form.text("name", max: 300, kind: .name)
        let identity = CaseContent.Identity(
            name: name ?? "", aliases: form.text("aliases", required: false, max: 500, kind: .name), dateOfBirth: form.text("dateOfBirth", required: false, max: 40),
            contacts: form.text("contacts", required: false, max: 2_000), address: form.text("address", required: false, max: 2_000),
            notes: form.text("notes", required: false, max: 5_000))
        let consent = (try? request.content.get(String.self, at: "consent")) == "1"
        let sensitive = CaseContent.Sensitive(genderIdentity: form.text("genderIdentity", required: false, max: 200),
                                              sexualOrientation: form.text("sexualOrientation", required: false, max: 200))
        if !sensitive.isEmpty, !consent { form.fail("consent", "case.refused.consent") }
        guard form.isValid, let role else { return try await invalid(request, id, form) }
        let isOrganisation = (try? request.content.get(String.self, at: "isOrganisation")) == "1"
        // Sensitive fields are written only by someone allowed to read them; others keep what is there.
        let record = try await CaseRecord.find(id, on: request.db)!
        let access = try await CaseQueries.access(record, on: request.db)
        let permissions = try await CaseQueries.permissions(of: actor.userID, on: request.db)
        let mayWriteSensitive = SensitiveField.allCases.allSatisfy {
            CasePolicy.maySee($0, actor: actor, grantedPermissions: permissions, context: access).isAllowed
        }
        return try await perform(request, id: id, field: "name", anchor: "people", done: "flash.case.personSaved") {
            try await CaseWorkflow.savePerson(personID, in: id, role: role, isOrganisation: isOrganisation, identity: identity,
                                              sensitive: mayWriteSensitive ? sensitive : nil, consent: consent, by: actor, app: request.application)
        }
    }

    // MARK: Security plan

    @Sendable static func addMeasure(_ request: Request) async throws -> Response {
        let (actor, id) = try await authorise(request, .editPlan)
        var form = FormChecker(request)
        let stage = choice(&form, "stage", MeasureStage.self)
        let domain = choice(&form, "domain", MeasureDomain.self)
        let owner = choice(&form, "owner", MeasureOwnerKind.self)
        let description = form.text("description", max: 2_000)
        let ownerName = form.text("ownerName", required: false, max: 200, kind: .name)
        let assignee = form.text("assignee", required: false, max: 40).flatMap(UUID.init(uuidString:))
        let due = date(&form, "due", required: false)
        guard form.isValid, let stage, let domain, let owner, let description else { return try await invalid(request, id, form) }
        return try await perform(request, id: id, field: "description", anchor: "plan", done: "flash.case.measureAdded") {
            try await CaseWorkflow.addMeasure(id, stage: stage, .init(description: description, domain: domain, ownerKind: owner, ownerName: ownerName),
                                              assignee: assignee, due: due, by: actor, app: request.application)
        }
    }

    @Sendable static func updateMeasure(_ request: Request) async throws -> Response {
        let (actor, id) = try await authorise(request, .editPlan)
        let item = try await item(request, of: id, .measure)
        var form = FormChecker(request)
        let state = choice(&form, "state", MeasureState.self)
        let note = form.text("note", required: false, max: 2_000)
        guard form.isValid, let state else { return try await invalid(request, id, form) }
        return try await perform(request, id: id, field: "state", anchor: "plan", done: "flash.case.measureUpdated") {
            try await CaseWorkflow.updateMeasure(item, in: id, state: state, note: note, by: actor, app: request.application)
        }
    }

    @Sendable static func reviewPlan(_ request: Request) async throws -> Response {
        let (actor, id) = try await authorise(request, .editPlan)
        var form = FormChecker(request)
        let summary = form.text("planSummary", max: 10_000)
        guard form.isValid, let summary else { return try await invalid(request, id, form) }
        return try await perform(request, id: id, field: "planSummary", anchor: "plan", done: "flash.case.planReviewed") {
            try await CaseWorkflow.reviewPlan(id, summary: summary, by: actor, app: request.application)
        }
    }

    // MARK: Support

    @Sendable static func addSupport(_ request: Request) async throws -> Response {
        let (actor, id) = try await authorise(request, .manageSupport)
        var form = FormChecker(request)
        let type = choice(&form, "supportType", SupportType.self)
        let provider = choice(&form, "provider", SupportProvider.self)
        let description = form.text("supportDescription", max: 2_000)
        let providerName = form.text("providerName", required: false, max: 200, kind: .name)
        let partner = form.text("partner", required: false, max: 40).flatMap(UUID.init(uuidString:))
        var cost: Money?
        if let amount = form.text("amount", required: false, max: 40) {
            let currency = form.text("currency", max: 3) ?? "EUR"
            do { cost = try Money.parse(amount, currency: currency) } catch { form.fail("amount", "case.form.amount") }
        }
        if provider == .partnerReferral, partner == nil { form.fail("partner", "form.required") }
        guard form.isValid, let type, let provider, let description else { return try await invalid(request, id, form) }
        return try await perform(request, id: id, field: "supportDescription", anchor: "support", done: "flash.case.supportAdded") {
            try await CaseWorkflow.addSupport(id, type: type, .init(description: description, provider: provider, providerName: providerName, outcome: nil),
                                              cost: cost, partner: partner, by: actor, app: request.application)
        }
    }

    @Sendable static func updateSupport(_ request: Request) async throws -> Response {
        let (actor, id) = try await authorise(request, .manageSupport)
        let item = try await item(request, of: id, .support)
        var form = FormChecker(request)
        let state = choice(&form, "state", SupportState.self)
        let outcome = form.text("outcome", required: false, max: 5_000)
        guard form.isValid, let state else { return try await invalid(request, id, form) }
        // The form preselects the current state: sent unchanged without an outcome, nothing changes.
        if outcome == nil, state.rawValue == (try await CaseItemRecord.find(item, on: request.db))?.state {
            return request.redirect(to: SiteURL.caseFile(id).href + "#support", flash: "flash.case.unchanged")
        }
        return try await perform(request, id: id, field: "state", anchor: "support", done: "flash.case.supportUpdated") {
            try await CaseWorkflow.updateSupport(item, in: id, state: state, outcome: outcome, by: actor, app: request.application)
        }
    }

    // MARK: Referrals

    struct ShareChoice: Content { var shares: [String]? }

    @Sendable static func refer(_ request: Request) async throws -> Response {
        let (actor, id) = try await authorise(request, .refer)
        var form = FormChecker(request)
        let partner = form.text("referTo", max: 40).flatMap(UUID.init(uuidString:))
        if partner == nil, form.isValid { form.fail("referTo", "form.required") }
        let message = form.text("referralMessage", max: 5_000)
        let chosen = (try? request.content.decode(ShareChoice.self).shares) ?? []
        let shares = Set(chosen.compactMap(ReferralShare.init(rawValue:)))
        let consent = (try? request.content.get(String.self, at: "referralConsent")) == "1"
        if case .deny = ReferralShare.check(shares, consentRecorded: consent) { form.fail("referralConsent", "case.refused.referralConsent") }
        guard form.isValid, let partner, let message else { return try await invalid(request, id, form) }
        return try await perform(request, id: id, field: "referTo", anchor: "referrals", done: "flash.case.referred") {
            try await CaseWorkflow.refer(id, to: partner, shares: shares, consentRecorded: consent, message: message, by: actor, app: request.application)
        }
    }

    @Sendable static func withdrawReferral(_ request: Request) async throws -> Response {
        let (actor, id) = try await authorise(request, .refer)
        let item = try await item(request, of: id, .referral)
        return try await perform(request, id: id, field: "referrals", anchor: "referrals", done: "flash.case.referralWithdrawn") {
            try await CaseWorkflow.answerReferral(item, in: id, state: .withdrawn, text: nil, by: actor, app: request.application)
        }
    }

    // MARK: Follow-ups and partner notes

    @Sendable static func scheduleFollowUp(_ request: Request) async throws -> Response {
        let (actor, id) = try await authorise(request, .addFollowUp)
        var form = FormChecker(request)
        let due = date(&form, "followUpDue", required: true)
        let purpose = form.text("purpose", max: 2_000)
        let assignee = form.text("followUpAssignee", required: false, max: 40).flatMap(UUID.init(uuidString:))
        guard form.isValid, let due, let purpose else { return try await invalid(request, id, form) }
        return try await perform(request, id: id, field: "purpose", anchor: "follow-ups", done: "flash.case.followUpScheduled") {
            try await CaseWorkflow.scheduleFollowUp(id, due: due, purpose: purpose, assignee: assignee, by: actor, app: request.application)
        }
    }

    @Sendable static func recordFollowUp(_ request: Request) async throws -> Response {
        let (actor, id) = try await authorise(request, .addFollowUp)
        let item = try await item(request, of: id, .followUp)
        var form = FormChecker(request)
        let state = choice(&form, "state", FollowUpState.self)
        let notes = form.text("notes", max: 10_000)
        let newThreat = (try? request.content.get(String.self, at: "newThreat")) == "1"
        guard form.isValid, let state, let notes else { return try await invalid(request, id, form) }
        return try await perform(request, id: id, field: "notes", anchor: "follow-ups", done: "flash.case.followUpRecorded") {
            try await CaseWorkflow.completeFollowUp(item, in: id, state: state, notes: notes, newThreat: newThreat, by: actor, app: request.application)
        }
    }

    @Sendable static func partnerNote(_ request: Request) async throws -> Response {
        let (actor, id) = try await authorise(request, .addPartnerNote)
        var form = FormChecker(request)
        let notes = form.text("partnerNote", max: 10_000)
        guard form.isValid, let notes else { return try await invalid(request, id, form) }
        return try await perform(request, id: id, field: "partnerNote", anchor: "follow-ups", done: "flash.case.noteAdded") {
            try await CaseWorkflow.addPartnerNote(id, notes: notes, by: actor, app: request.application)
        }
    }

    // MARK: Reviews, status, closure, impact

    @Sendable static func recordReview(_ request: Request) async throws -> Response {
        let (actor, id) = try await authorise(request, .recordReview)
        var form = FormChecker(request)
        let kind = choice(&form, "reviewKind", CaseReviewKind.self)
        let findings = form.text("findings", max: 10_000)
        let actions = form.text("reviewActions", max: 10_000)
        guard form.isValid, let kind, let findings, let actions else { return try await invalid(request, id, form) }
        return try await perform(request, id: id, field: "findings", anchor: "reviews", done: "flash.case.reviewRecorded") {
            try await CaseWorkflow.recordReview(id, .init(kind: kind, findings: findings, actions: actions), by: actor, app: request.application)
        }
    }

    @Sendable static func setStatus(_ request: Request) async throws -> Response {
        let (actor, id) = try await authorise(request, .editCase)
        var form = FormChecker(request)
        let status = choice(&form, "status", CaseStatus.self)
        guard form.isValid, let status else { return try await invalid(request, id, form) }
        // The form preselects the current status: sent unchanged, nothing changes.
        if status == (try await CaseRecord.find(id, on: request.db))?.status {
            return request.redirect(to: SiteURL.caseFile(id).href + "#top", flash: "flash.case.unchanged")
        }
        return try await perform(request, id: id, field: "status", anchor: "top", done: "flash.case.statusChanged") {
            try await CaseWorkflow.setStatus(id, to: status, by: actor, app: request.application)
        }
    }

    @Sendable static func reopen(_ request: Request) async throws -> Response {
        let (actor, id) = try await authorise(request, .reopenCase)
        return try await perform(request, id: id, field: "status", anchor: "top", done: "flash.case.reopened") {
            try await CaseWorkflow.setStatus(id, to: .reopened, by: actor, app: request.application)
        }
    }

    static func impact(_ form: inout FormChecker, request: Request) -> CaseContent.Impact {
        var answers: [String: ImpactAnswer] = [:]
        for question in ImpactQuestion.allCases {
            let text = (try? request.content.get(String.self, at: "impact_\(question.rawValue)")) ?? "unknown"
            guard let answer = ImpactAnswer(rawValue: text) else { form.fail("impact_\(question.rawValue)", "form.choice.invalid"); continue }
            answers[question.rawValue] = answer
        }
        return CaseContent.Impact(answers: answers, notes: form.text("impactNotes", required: false, max: 5_000))
    }

    @Sendable static func close(_ request: Request) async throws -> Response {
        let (actor, id) = try await authorise(request, .closeCase)
        var form = FormChecker(request)
        let outcome = choice(&form, "outcome", CaseOutcome.self)
        let situation = form.text("situation", max: 10_000)
        let impact = impact(&form, request: request)
        guard form.isValid, let outcome, let situation else { return try await invalid(request, id, form) }
        return try await perform(request, id: id, field: "outcome", anchor: "closure", done: "flash.case.closed") {
            try await CaseWorkflow.close(id, outcome: outcome, situation: situation, impact: impact, by: actor, app: request.application)
        }
    }

    @Sendable static func recordImpact(_ request: Request) async throws -> Response {
        let (actor, id) = try await authorise(request, .closeCase)
        var form = FormChecker(request)
        let moment = choice(&form, "moment", ImpactMoment.self)
        let impact = impact(&form, request: request)
        guard form.isValid, let moment else { return try await invalid(request, id, form) }
        return try await perform(request, id: id, field: "moment", anchor: "closure", done: "flash.case.impactRecorded") {
            try await CaseWorkflow.recordImpact(id, moment: moment, impact, by: actor, app: request.application)
        }
    }

    // MARK: Team and partner access

    struct TeamChoice: Content { var lead: String?; var team: [String]? }
    struct GrantChoice: Content { var organisations: [String]? }

    @Sendable static func setTeam(_ request: Request) async throws -> Response {
        let (actor, id) = try await authorise(request, .manageTeam)
        let choice = try request.content.decode(TeamChoice.self)
        guard let lead = choice.lead.flatMap(UUID.init(uuidString:)) else {
            var form = FormChecker(request)
            form.fail("lead", "form.required")
            return try await invalid(request, id, form)
        }
        let team = Set((choice.team ?? []).compactMap(UUID.init(uuidString:)))
        return try await perform(request, id: id, field: "lead", anchor: "team", done: "flash.case.teamSaved") {
            try await CaseWorkflow.setTeam(id, lead: lead, team: team, by: actor, app: request.application)
        }
    }

    @Sendable static func setGrants(_ request: Request) async throws -> Response {
        let (actor, id) = try await authorise(request, .manageTeam)
        let chosen = Set(((try? request.content.decode(GrantChoice.self).organisations) ?? []).compactMap(UUID.init(uuidString:)))
        let record = try await CaseRecord.find(id, on: request.db)!
        let current = try await CaseQueries.access(record, on: request.db).grantedOrganisationIDs
        return try await perform(request, id: id, field: "grants", anchor: "team", done: "flash.case.grantsSaved") {
            for organisation in chosen.subtracting(current) {
                try await CaseWorkflow.setGrant(id, organisation: organisation, granted: true, by: actor, app: request.application)
            }
            for organisation in current.subtracting(chosen) {
                try await CaseWorkflow.setGrant(id, organisation: organisation, granted: false, by: actor, app: request.application)
            }
        }
    }

    // MARK: Attaching an alert to a case

    @Sendable static func attachAlert(_ request: Request) async throws -> Response {
        let actor = try request.actor()
        let alertID = try request.requireUUID("id")
        let alert = try await AlertQueries.alert(alertID, for: actor, on: request.db)
        var form = FormChecker(request)
        let code = form.text("caseCode", max: 40).flatMap(CaseCode.init(parsing:))
        var target: CaseRecord?
        if let code {
            target = try await CaseQueries.visible(to: actor, on: request.db).filter(\.$code == code.description).first()
        }
        guard let target, let caseID = target.id, CasePolicy.evaluate(actor, .editCase, try await CaseQueries.access(target, on: request.db)).isAllowed else {
            return try await AlertsController.renderShow(request, id: alert.requireID(),
                                                         problems: [FieldProblem(field: "caseCode", message: request.t("case.attach.notFound"))])
        }
        do {
            try await CaseWorkflow.attach(alert: alertID, to: caseID, by: actor, app: request.application)
        } catch let refusal as Refusal {
            return try await AlertsController.renderShow(request, id: alertID, problems: [FieldProblem(field: "caseCode", message: request.t(refusal.key))],
                                                         status: .conflict)
        }
        return request.redirect(to: SiteURL.caseFile(caseID).href, flash: "flash.case.alertAttached")
    }
}
