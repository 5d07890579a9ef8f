import EgideCore
import Fluent
import Vapor

/// The protection team's side of alerts: the queue, an alert's page and every step of the protocol.
enum AlertsController {
    @Sendable static func queue(_ request: Request) async throws -> Response {
        let actor = try request.actor()
        try request.authorize(AlertPolicy.evaluate(actor, .listAlerts))
        return try await request.render(.alertQueue, titleKey: "alert.queue.title", try await AlertQueuePage.build(for: actor, on: request))
    }

    // MARK: Recording an alert received by phone, Signal, email, in person or from a partner

    @Sendable static func new(_ request: Request) async throws -> Response {
        try request.authorize(AlertPolicy.evaluate(try request.actor(), .recordAlert))
        return try await PublicAlertController.renderForm(request, posted: nil, problems: [], staff: true)
    }

    struct StaffPosted: Content {
        var channel: String?
    }

    @Sendable static func create(_ request: Request) async throws -> Response {
        let actor = try request.actor()
        try request.authorize(AlertPolicy.evaluate(actor, .recordAlert))
        let posted = try request.content.decode(PublicAlertController.Posted.self)
        let channelText = try request.content.decode(StaffPosted.self).channel
        let app = request.application
        let categories = try await request.application.alertCategories.codes(on: request.db)
        var problems: AlertIntake.Problems = []
        let channel = channelText.flatMap(AlertChannel.init(rawValue:)).flatMap { AlertChannel.staffChannels.contains($0) ? $0 : nil }
        if channel == nil { problems.append(("channel", "alert.form.choice.invalid")) }
        let uploads = AlertIntake.uploads(posted.files ?? [], problems: &problems)
        let validated = AlertIntake.validate(posted.input, categories: categories, now: app.clock.now(), fallbackLanguage: request.language)
        if case .failure(let list) = validated { problems = list.items + problems }
        guard problems.isEmpty, case .success(let draft) = validated, let channel else {
            return try await PublicAlertController.renderForm(request, posted: posted, problems: PublicAlertController.fieldProblems(problems, request),
                                                              staff: true, channel: channelText)
        }
        // A handler's alert belongs to their organisation; a partner's goes to the host's team.
        let owner = AlertPolicy.isHandler(actor) ? actor.organisationID : nil
        let result: (receipt: AlertReceipt, alertID: UUID, created: Bool)
        do {
            result = try await AlertIntake.submit(draft, uploads: uploads, origin: .init(
                channel: channel, recordedBy: actor.userID, recordedByOrganisation: actor.organisationID, audit: .user(actor.userID)),
                owner: owner, app: app)
        } catch AlertIntake.SubmitError.noHost {
            return try await PublicAlertController.renderForm(request, posted: posted,
                problems: [FieldProblem(field: "narrative", message: request.t("alert.public.notReady"))], staff: true,
                status: .serviceUnavailable, channel: channelText)
        } catch AlertIntake.SubmitError.idempotencyConflict {
            var fresh = posted
            fresh.idempotencyKey = nil
            return try await PublicAlertController.renderForm(request, posted: fresh,
                problems: [FieldProblem(field: "narrative", message: request.t("alert.public.resubmit"))], staff: true, channel: channelText)
        }
        if AlertPolicy.isHandler(actor) { return request.redirect(to: SiteURL.alert(result.alertID).href + "?recorded=1") }
        // Partner staff do not read the queue: they get the receipt to pass on to the defender.
        return try await PublicAlertController.receiptPage(request, result.receipt)
    }

    // MARK: One alert

    @Sendable static func show(_ request: Request) async throws -> Response {
        try await renderShow(request, id: try request.requireUUID("id"), problems: [])
    }

    static func renderShow(_ request: Request, id: UUID, problems: [FieldProblem], status: HTTPStatus? = nil) async throws -> Response {
        let actor = try request.actor()
        let alert = try await AlertQueries.alert(id, for: actor, on: request.db)
        try request.authorize(AlertPolicy.evaluate(actor, .viewAlert, AlertTarget(organisation: alert.organisationID)), orNotFound: true)
        let now = request.application.clock.now()
        // Reading an alert is an access to personal data: it is in the audit log, like any change.
        try await request.transaction { db in
            try await AuditRecorder.record(.init(actor: .user(actor.userID), organisation: alert.organisationID, action: "alert.read",
                                                 objectType: "alert", objectID: SiteURL.id(id)), at: now, on: db)
        }
        let context = try await AlertPage.build(alert, actor: actor, problems: problems, request: request, now: now)
        return try await request.render(.alertShow, titleKey: "alert.show.title", context,
                                        status: status ?? (problems.isEmpty ? .ok : .unprocessableEntity), forms: true)
    }

    static func describe(_ entry: AlertEntryRecord, details: [String: String], request: Request, ownReference: String?) -> String {
        var text: String
        switch entry.kind {
        case .triage: text = request.t("alert.entry.triage", details["urgency"].flatMap(Urgency.init(rawValue:)).map { request.t($0.labelKey) } ?? "")
        case .decision: text = request.t("alert.entry.decision", details["status"].flatMap(AlertStatus.init(rawValue:)).map { request.t($0.labelKey) } ?? "")
            + (details["reason"].flatMap(RejectionReason.init(rawValue:)).map { " — " + request.t($0.labelKey) } ?? "")
        case .finding: text = request.t("alert.entry.finding", (details["reliability"] ?? "") + (details["credibility"] ?? ""))
        case .merged: text = request.t("alert.entry.merged", details["into"] ?? "")
        case .mergedFrom: text = request.t("alert.entry.merged_from", details["from"] ?? "")
        case .received: text = request.t("alert.entry.received", details["channel"].flatMap(AlertChannel.init(rawValue:)).map { request.t($0.labelKey) } ?? "")
        default: text = request.t("alert.entry.\(entry.kind.rawValue)")
        }
        if let ownReference { text += " (" + ownReference + ")" }
        return text
    }

    /// Verifiers of partner and network organisations, those working in the alert's country first.
    /// The people who can be asked to verify: verifiers of partner and network organisations whose
    /// account is active (joined and enrolled, not disabled), with their organisation. The options
    /// the page offers and the check of a posted choice both come from here.
    static func askableVerifiers(on db: any Database) async throws -> [(user: UserRecord, organisation: OrganisationRecord)] {
        let holders = try await UserRoleRecord.query(on: db).filter(\.$role == .verifier).all().map { $0.$user.id }
        guard !holders.isEmpty else { return [] }
        let users = try await UserRecord.query(on: db).filter(\.$id ~~ holders).filter(\.$disabledAt == nil)
            .filter(\.$totpConfirmedAt != nil).all()
        let organisations = try await OrganisationRecord.query(on: db).filter(\.$id ~~ users.map { $0.$organisation.id }).all()
        let partnering = Dictionary(organisations.filter { $0.type.isPartnering }.compactMap { org in org.id.map { ($0, org) } },
                                    uniquingKeysWith: { first, _ in first })
        return users.compactMap { user in partnering[user.$organisation.id].map { (user, $0) } }
    }

    static func verifierOptions(for alert: AlertRecord, request: Request, directory: StaffDirectory) async throws -> [SelectOption] {
        let askable = try await askableVerifiers(on: request.db)
        try await directory.preload(users: askable.compactMap(\.user.id), organisations: askable.compactMap(\.organisation.id))
        var options: [(Bool, SelectOption)] = []
        for (user, organisation) in askable {
            let sameCountry = organisation.country == alert.country
            let label = try await directory.user(user.id) + " — " + (try await directory.organisation(user.$organisation.id))
                + " (" + Countries.name(organisation.country, in: request.language) + ")"
            options.append((sameCountry, SelectOption(value: SiteURL.id(try user.requireID()), label: label, selected: false)))
        }
        return options.sorted { ($0.0 ? 0 : 1, $0.1.label) < ($1.0 ? 0 : 1, $1.1.label) }.map(\.1)
    }

    static func decisionOptions(for alert: AlertRecord, request: Request) -> [SelectOption] {
        var options: [SelectOption] = []
        for (value, status) in [("verified", AlertStatus.verified), ("not_verified", .notVerified), ("closed", .closed)]
        where AlertLifecycle.canMove(from: alert.status, to: status) {
            options.append(SelectOption(value: value, label: request.t(status.labelKey), selected: false))
        }
        if AlertLifecycle.canMove(from: alert.status, to: .rejected) {
            for reason in RejectionReason.allCases where reason != .duplicate {
                options.append(SelectOption(value: "rejected:" + reason.rawValue,
                                            label: request.t(AlertStatus.rejected.labelKey) + " — " + request.t(reason.labelKey), selected: false))
            }
        }
        if alert.status == .rejected || alert.status == .closed, alert.mergedInto == nil {
            options.append(SelectOption(value: "reopen", label: request.t("alert.decision.reopen"), selected: false))
        }
        return options
    }

    // MARK: Actions

    /// Loads the alert in scope and checks the action; returns the actor and alert id.
    static func authorise(_ request: Request, _ action: AlertAction) async throws -> (Actor, UUID) {
        let actor = try request.actor()
        let id = try request.requireUUID("id")
        let alert = try await AlertQueries.alert(id, for: actor, on: request.db)
        try request.authorize(AlertPolicy.evaluate(actor, action, AlertTarget(organisation: alert.organisationID)), orNotFound: true)
        return (actor, id)
    }

    /// Runs a workflow step; a refusal re-renders the alert page with the message.
    static func perform(_ request: Request, id: UUID, field: String, done: String, _ body: () async throws -> Void) async throws -> Response {
        do {
            try await body()
        } catch let refusal as Refusal {
            return try await renderShow(request, id: id, problems: [FieldProblem(field: field, message: request.t(refusal.key))], status: .conflict)
        }
        return request.redirect(to: SiteURL.alert(id).href, flash: done)
    }

    @Sendable static func triage(_ request: Request) async throws -> Response {
        let (actor, id) = try await authorise(request, .triage)
        var form = FormChecker(request)
        let urgency = form.text("urgency", max: 4).flatMap(Urgency.init(rawValue:))
        if urgency == nil, form.isValid { form.fail("urgency", "alert.form.choice.invalid") }
        let note = form.text("note", required: false, max: 5_000)
        guard form.isValid, let urgency else { return try await renderShow(request, id: id, problems: form.problems) }
        return try await perform(request, id: id, field: "urgency", done: "flash.alert.triaged") {
            try await AlertWorkflow.triage(id, urgency: urgency, note: note, by: actor, app: request.application)
        }
    }

    @Sendable static func assign(_ request: Request) async throws -> Response {
        let (actor, id) = try await authorise(request, .assign)
        var form = FormChecker(request)
        let chosen = form.text("assignee", required: false, max: 40)
        var assignee: UUID?
        if let chosen {
            let handlers = try await StaffDirectory.members(of: actor.organisationID, roles: AlertPolicy.handlerRoles, on: request.db)
            assignee = UUID(uuidString: chosen).flatMap { handlers.contains($0) ? $0 : nil }
            if assignee == nil { form.fail("assignee", "alert.form.choice.invalid") }
        }
        guard form.isValid else { return try await renderShow(request, id: id, problems: form.problems) }
        return try await perform(request, id: id, field: "assignee", done: "flash.alert.assigned") {
            try await AlertWorkflow.assign(id, to: assignee, by: actor, app: request.application)
        }
    }

    @Sendable static func comment(_ request: Request) async throws -> Response {
        let (actor, id) = try await authorise(request, .comment)
        var form = FormChecker(request)
        let text = form.text("comment", max: 10_000)
        guard form.isValid, let text else { return try await renderShow(request, id: id, problems: form.problems) }
        return try await perform(request, id: id, field: "comment", done: "flash.alert.commented") {
            try await AlertWorkflow.comment(id, text: text, by: actor, app: request.application)
        }
    }

    struct VerifierChoice: Content { var verifiers: [String]?; var message: String? }

    @Sendable static func requestVerification(_ request: Request) async throws -> Response {
        let (actor, id) = try await authorise(request, .requestVerification)
        let choice = try request.content.decode(VerifierChoice.self)
        var problems: [FieldProblem] = []
        let ids = (choice.verifiers ?? []).compactMap(UUID.init(uuidString:))
        let askable = try await askableVerifiers(on: request.db).map(\.user)
        let verifiers = askable.filter { user in user.id.map(ids.contains) ?? false }
        if verifiers.isEmpty || verifiers.count != (choice.verifiers ?? []).count {
            problems.append(FieldProblem(field: "verifiers", message: request.t("alert.form.verifiers.required")))
        }
        let message = choice.message?.trimmedWhitespace
        if (message?.count ?? 0) > 5_000 { problems.append(FieldProblem(field: "message", message: request.t("form.tooLong.max", "5000"))) }
        guard problems.isEmpty else { return try await renderShow(request, id: id, problems: problems) }
        return try await perform(request, id: id, field: "verifiers", done: "flash.alert.verificationRequested") {
            try await AlertWorkflow.requestVerification(id, verifiers: verifiers, message: message?.nonEmpty, by: actor, app: request.application)
        }
    }

    @Sendable static func decide(_ request: Request) async throws -> Response {
        let (actor, id) = try await authorise(request, .decide)
        var form = FormChecker(request)
        let raw = form.text("decision", max: 60)
        let grounds = form.text("grounds", max: 10_000)
        var decision: AlertWorkflow.Decision?
        switch raw {
        case "verified": decision = .verified
        case "not_verified": decision = .notVerified
        case "closed": decision = .closed
        case "reopen": decision = .reopen
        case let value? where value.hasPrefix("rejected:"):
            decision = RejectionReason(rawValue: String(value.dropFirst("rejected:".count))).map { .rejected($0) }
        default: break
        }
        if raw != nil, decision == nil { form.fail("decision", "alert.form.choice.invalid") }
        guard form.isValid, let decision, let grounds else { return try await renderShow(request, id: id, problems: form.problems) }
        return try await perform(request, id: id, field: "decision", done: "flash.alert.decided") {
            try await AlertWorkflow.decide(id, decision, grounds: grounds, by: actor, app: request.application)
        }
    }

    /// Merges the alert named in the path (a duplicate) into the one named in `into`.
    @Sendable static func merge(_ request: Request) async throws -> Response {
        let (actor, duplicateID) = try await authorise(request, .merge)
        var form = FormChecker(request)
        let target = form.text("into", max: 40).flatMap(UUID.init(uuidString:))
        guard let target else {
            return try await renderShow(request, id: duplicateID, problems: [FieldProblem(field: "into", message: request.t("form.required"))])
        }
        let primary = try await AlertQueries.alert(target, for: actor, on: request.db)
        try request.authorize(AlertPolicy.evaluate(actor, .merge, AlertTarget(organisation: primary.organisationID)), orNotFound: true)
        do {
            try await AlertWorkflow.merge(duplicateID, into: target, by: actor, app: request.application)
        } catch let refusal as Refusal {
            return try await renderShow(request, id: target, problems: [FieldProblem(field: "duplicates", message: request.t(refusal.key))], status: .conflict)
        }
        return request.redirect(to: SiteURL.alert(target).href, flash: "flash.alert.merged")
    }

    /// Downloads an attachment of an alert in scope (always as a download, never rendered inline).
    @Sendable static func file(_ request: Request) async throws -> Response {
        let (actor, id) = try await authorise(request, .viewAlert)
        let fileID = try request.requireUUID("file")
        let family = [id] + (try await AlertRecord.query(on: request.db).filter(\.$mergedInto == id).all().compactMap(\.id))
        guard try await AlertAttachmentRecord.query(on: request.db).filter(\.$alertID ~~ family).filter(\.$fileID == fileID).count() > 0,
              let record = try await EncryptedFileRecord.find(fileID, on: request.db) else { throw Abort(.notFound) }
        let (name, content) = try FileStore.open(record, vault: request.application.vault)
        let now = request.application.clock.now()
        try await request.transaction { db in
            try await AuditRecorder.record(.init(actor: .user(actor.userID), organisation: actor.organisationID, action: "alert.file.read",
                                                 objectType: "file", objectID: SiteURL.id(fileID), details: ["alert": SiteURL.id(id)]), at: now, on: db)
        }
        return Downloads.response(content, name: name, mediaType: record.mediaType)
    }
}
