import EgideCore
import Fluent
import Vapor

/// A partner organisation's referrals: what the referring officer chose to share (frozen when
/// the referral was made — never the case file), and the partner's answer and report back.
enum ReferralsController {
    struct Row: Encodable { var href: String; var code: String; var country: String; var state: String; var tone: String; var when: String }
    struct ListContext: Encodable { var rows: [Row] }

    struct ShowContext: Encodable {
        var code: String
        var country: String
        var from: String
        var when: String
        var state: String
        var stateCode: String
        var message: String
        var summary: String?
        var riskLevel: String?
        var people: [String]
        var contacts: [String]
        var plan: [String]
        var response: String?
        var report: String?
        var problems: [FieldProblem]
        var canAnswer: Bool
        var canReport: Bool
        var action: String
    }

    /// Referrals addressed to the actor's organisation (any that the policy lets them answer).
    static func addressed(to actor: Actor, on db: any Database) -> QueryBuilder<CaseItemRecord> {
        CaseItemRecord.query(on: db).filter(\.$kind == .referral).filter(\.$targetOrganisationID == actor.organisationID)
            .filter(\.$state != ReferralState.withdrawn.rawValue)
    }

    @Sendable static func list(_ request: Request) async throws -> Response {
        let actor = try request.actor()
        let items = try await addressed(to: actor, on: request.db).sort(\.$createdAt, .descending).limit(200).all()
        var rows: [Row] = []
        for item in items {
            guard let record = try await CaseRecord.find(item.caseID, on: request.db) else { continue }
            let access = try await CaseQueries.access(record, referralTarget: item.targetOrganisationID, on: request.db)
            guard CasePolicy.evaluate(actor, .answerReferral, access).isAllowed else { continue }
            let state = ReferralState(rawValue: item.state) ?? .proposed
            rows.append(Row(href: SiteURL.referral(try item.requireID()).href, code: record.code,
                            country: Countries.name(record.country, in: request.language), state: request.t(state.labelKey),
                            tone: state == .proposed ? "warn" : "", when: request.day(item.createdAt)))
        }
        return try await request.render(.referralList, titleKey: "case.referrals.title", ListContext(rows: rows))
    }

    static func load(_ request: Request) async throws -> (Actor, CaseItemRecord, CaseRecord) {
        let actor = try request.actor()
        let id = try request.requireUUID("id")
        guard let item = try await addressed(to: actor, on: request.db).filter(\.$id == id).first(),
              let record = try await CaseRecord.find(item.caseID, on: request.db) else { throw Abort(.notFound) }
        let access = try await CaseQueries.access(record, referralTarget: item.targetOrganisationID, on: request.db)
        guard CasePolicy.evaluate(actor, .answerReferral, access).isAllowed else { throw Abort(.notFound) }
        return (actor, item, record)
    }

    @Sendable static func show(_ request: Request) async throws -> Response {
        try await render(request, problems: [])
    }

    static func render(_ request: Request, problems: [FieldProblem], status: HTTPStatus = .ok) async throws -> Response {
        let (actor, item, record) = try await load(request)
        let app = request.application
        let content = try CaseWorkflow.content(CaseContent.Referral.self, of: item, vault: app.vault)
        try await request.transaction { db in
            try await AuditRecorder.record(.init(actor: .user(actor.userID), organisation: actor.organisationID, action: "case.referral_read",
                                                 objectType: "case", objectID: SiteURL.id(record.requireID()),
                                                 details: ["item": SiteURL.id(try item.requireID())]), at: app.clock.now(), on: db)
        }
        let state = ReferralState(rawValue: item.state) ?? .proposed
        let directory = StaffDirectory(request)
        let context = ShowContext(
            code: record.code, country: Countries.name(record.country, in: request.language),
            from: try await directory.organisation(record.organisationID), when: request.day(item.createdAt),
            state: request.t(state.labelKey), stateCode: state.rawValue, message: content.message, summary: content.summary,
            riskLevel: content.riskLevel.flatMap(RiskLevel.init(value:)).map { request.t($0.labelKey) },
            people: content.people, contacts: content.contacts, plan: content.plan, response: content.response, report: content.report,
            problems: problems,
            canAnswer: ReferralLifecycle.canMove(from: state, to: .accepted) || ReferralLifecycle.canMove(from: state, to: .declined),
            canReport: ReferralLifecycle.canMove(from: state, to: .reported),
            action: SiteURL.referralAction(try item.requireID(), .answer).href)
        return try await request.render(.referralShow, titleKey: "case.referral.title", context, status: status)
    }

    @Sendable static func answer(_ request: Request) async throws -> Response {
        let (actor, item, record) = try await load(request)
        var form = FormChecker(request)
        let state = form.text("answer", max: 20).flatMap(ReferralState.init(rawValue:))
        if state == nil || ![.accepted, .declined, .reported].contains(state!) { form.fail("answer", "form.choice.invalid") }
        let text = form.text("text", required: state == .reported || state == .declined, max: 10_000)
        guard form.isValid, let state else { return try await render(request, problems: form.problems, status: .unprocessableEntity) }
        do {
            try await CaseWorkflow.answerReferral(try item.requireID(), in: try record.requireID(), state: state, text: text, by: actor,
                                                  app: request.application)
        } catch let refusal as Refusal {
            return try await render(request, problems: [FieldProblem(field: "answer", message: request.t(refusal.key))], status: .conflict)
        }
        return request.redirect(to: SiteURL.referral(try item.requireID()).href, flash: "flash.referral.answered")
    }
}
