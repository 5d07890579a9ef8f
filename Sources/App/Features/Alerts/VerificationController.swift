import EgideCore
import Fluent
import Vapor

/// A verifier's side: the requests addressed to them, and for each only what verifying needs —
/// never the sender's contact, the internal comments or the other verifiers' findings.
enum VerificationController {
    struct Row: Encodable {
        var href: String
        var reference: String
        var country: String
        var urgency: String?
        var asked: String
        var state: String
        var tone: String
    }

    struct ListContext: Encodable { var pending: [Row]; var done: [Row] }

    @Sendable static func list(_ request: Request) async throws -> Response {
        let actor = try request.actor()
        try request.authorize(AlertPolicy.evaluate(actor, .respondToVerification))
        let requests = try await VerificationRequestRecord.query(on: request.db).filter(\.$verifierID == actor.userID)
            .sort(\.$createdAt, .descending).limit(500).all()
        var pending: [Row] = [], done: [Row] = []
        for item in requests {
            guard let alert = try await AlertRecord.find(item.alertID, on: request.db) else { continue }
            let row = Row(href: SiteURL.verificationRequest(try item.requireID()).href, reference: alert.reference,
                          country: Countries.name(alert.country, in: request.language), urgency: alert.urgency?.code,
                          asked: request.moment(item.createdAt), state: request.t(item.state.labelKey),
                          tone: item.state == .pending ? "warn" : item.state == .answered ? "ok" : "")
            if item.state == .pending { pending.append(row) } else { done.append(row) }
        }
        return try await request.render(.verificationList, titleKey: "verification.list.title", ListContext(pending: pending, done: done))
    }

    struct ShowContext: Encodable {
        var reference: String
        var state: String
        var pending: Bool
        var problems: [FieldProblem]
        var message: String?
        var askedBy: String
        var asked: String
        var facts: [Fact]
        var defenderName: String?
        var organisationName: String?
        var narrative: String
        var reliabilities: [SelectOption]
        var credibilities: [SelectOption]
        var notes: String?
        var action: String
        var declineAction: String
        var maxFiles: Int
    }

    /// The request addressed to this verifier, or 404 (someone else's request looks missing).
    static func load(_ request: Request) async throws -> (Actor, VerificationRequestRecord, AlertRecord) {
        let actor = try request.actor()
        let id = try request.requireUUID("id")
        guard let item = try await VerificationRequestRecord.find(id, on: request.db), item.verifierID == actor.userID,
              let alert = try await AlertRecord.find(item.alertID, on: request.db) else { throw Abort(.notFound) }
        try request.authorize(AlertPolicy.evaluate(actor, .respondToVerification, AlertTarget(verifier: item.verifierID)), orNotFound: true)
        return (actor, item, alert)
    }

    @Sendable static func show(_ request: Request) async throws -> Response {
        try await render(request, problems: [])
    }

    static func render(_ request: Request, problems: [FieldProblem], status: HTTPStatus? = nil) async throws -> Response {
        let (actor, item, alert) = try await load(request)
        let vault = request.application.vault
        let itemID = try item.requireID()
        // Once answered, declined or withdrawn, the alert's content is no longer shown.
        let open = item.state == .pending
        let opened = open ? try AlertQueries.open(alert, vault: vault) : nil
        let categories = Dictionary(uniqueKeysWithValues: try await AlertQueries.categories(on: request.db, includeInactive: true)
            .map { ($0.code, $0.label(in: request.language)) })
        var facts: [Fact] = [
            .init(label: request.t("alert.field.country"), value: Countries.name(alert.country, in: request.language)),
            .init(label: request.t("alert.field.categories"), value: alert.categories.map { categories[$0] ?? $0 }.joined(separator: ", ").nonEmpty ?? "—"),
            .init(label: request.t("alert.field.fieldOfWork"), value: alert.fieldOfWork.map { request.t($0.labelKey) } ?? "—"),
        ]
        if let region = opened?.region { facts.insert(.init(label: request.t("alert.field.region"), value: region), at: 1) }
        if let date = opened?.incidentDate { facts.append(.init(label: request.t("alert.field.incidentDate"), value: date)) }
        let directory = StaffDirectory(request)
        if open {
            let now = request.application.clock.now()
            try await request.transaction { db in
                try await AuditRecorder.record(.init(actor: .user(actor.userID), organisation: actor.organisationID, action: "verification.read",
                                                     objectType: "verification_request", objectID: SiteURL.id(itemID)), at: now, on: db)
            }
        }
        let posted = { (field: String) in try? request.content.get(String.self, at: field) }
        let context = ShowContext(
            reference: alert.reference, state: request.t(item.state.labelKey), pending: open, problems: problems,
            message: try item.messageCiphertext.map { try vault.open($0, owner: alert.owner, VerificationRequestRecord.ref(itemID)) },
            askedBy: try await directory.user(item.requestedBy) + " — " + (try await directory.organisation(alert.organisationID)),
            asked: request.moment(item.createdAt), facts: facts,
            defenderName: opened?.defenderName, organisationName: opened?.organisationName, narrative: opened?.narrative ?? "",
            reliabilities: SourceReliability.allCases.map {
                SelectOption(value: $0.rawValue, label: $0.rawValue + " — " + request.t($0.labelKey), selected: posted("reliability") == $0.rawValue)
            },
            credibilities: InformationCredibility.allCases.map {
                SelectOption(value: String($0.rawValue), label: String($0.rawValue) + " — " + request.t($0.labelKey), selected: posted("credibility") == String($0.rawValue))
            },
            notes: posted("notes"), action: SiteURL.verificationAction(itemID, .findings).href,
            declineAction: SiteURL.verificationAction(itemID, .decline).href, maxFiles: AlertIntake.maximumFiles)
        return try await request.render(.verificationShow, titleKey: "verification.show.title", context,
                                        status: status ?? (problems.isEmpty ? .ok : .unprocessableEntity), forms: true)
    }

    struct FindingPosted: Content {
        var reliability: String?
        var credibility: String?
        var notes: String?
        var files: [File]?
    }

    @Sendable static func submitFinding(_ request: Request) async throws -> Response {
        let (actor, item, _) = try await load(request)
        let posted = try request.content.decode(FindingPosted.self)
        var problems: AlertIntake.Problems = []
        let reliability = posted.reliability.flatMap(SourceReliability.init(rawValue:))
        if reliability == nil { problems.append(("reliability", "form.required")) }
        let credibility = posted.credibility.flatMap(Int.init).flatMap(InformationCredibility.init(rawValue:))
        if credibility == nil { problems.append(("credibility", "form.required")) }
        let notes = posted.notes?.trimmedWhitespace ?? ""
        if notes.isEmpty { problems.append(("notes", "form.required")) } else if notes.count > 10_000 { problems.append(("notes", "form.tooLong.max")) }
        let uploads = AlertIntake.uploads(posted.files ?? [], problems: &problems)
        guard problems.isEmpty, let reliability, let credibility else {
            return try await render(request, problems: problems.map { FieldProblem(field: $0.field, message: request.t("verification.field.\($0.field)") + " — " + request.t($0.key, "10000")) })
        }
        do {
            try await AlertWorkflow.respond(try item.requireID(), finding: .init(reliability: reliability, credibility: credibility, notes: notes, uploads: uploads),
                                            by: actor, app: request.application)
        } catch let refusal as Refusal {
            return try await render(request, problems: [FieldProblem(field: "notes", message: request.t(refusal.key))], status: .conflict)
        }
        return request.redirect(to: SiteURL.verificationRequests.href, flash: "flash.verification.sent")
    }

    @Sendable static func decline(_ request: Request) async throws -> Response {
        let (actor, item, _) = try await load(request)
        var form = FormChecker(request)
        let reason = form.text("reason", max: 5_000)
        guard form.isValid, let reason else { return try await render(request, problems: form.problems) }
        do {
            try await AlertWorkflow.decline(try item.requireID(), reason: reason, by: actor, app: request.application)
        } catch let refusal as Refusal {
            return try await render(request, problems: [FieldProblem(field: "reason", message: request.t(refusal.key))], status: .conflict)
        }
        return request.redirect(to: SiteURL.verificationRequests.href, flash: "flash.verification.declined")
    }
}
