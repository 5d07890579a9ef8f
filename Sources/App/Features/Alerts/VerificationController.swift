import EgideCore
import Fluent
import Vapor

/// A verifier's side: the requests addressed to them, and for each only what verifying needs —
/// never the sender's contact, the internal comments or the other verifiers' findings.
enum VerificationController {
    @Sendable static func list(_ request: Request) async throws -> Response {
        let actor = try request.actor()
        try request.authorize(AlertPolicy.evaluate(actor, .respondToVerification))
        return try await request.render(.verificationList, titleKey: "verification.list.title", try await VerificationPage.list(for: actor, on: request))
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

    /// The request page; reading a pending request is an audit event.
    static func render(_ request: Request, problems: [FieldProblem], status: HTTPStatus? = nil) async throws -> Response {
        let (actor, item, alert) = try await load(request)
        if item.state == .pending {
            let now = request.application.clock.now()
            try await request.transaction { db in
                try await AuditRecorder.record(.init(actor: .user(actor.userID), organisation: actor.organisationID, action: "verification.read",
                                                     objectType: "verification_request", objectID: SiteURL.id(try item.requireID())), at: now, on: db)
            }
        }
        let context = try await VerificationPage.show(item, of: alert, problems: problems, on: request)
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
