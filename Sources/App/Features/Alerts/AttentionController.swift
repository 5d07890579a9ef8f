import EgideCore
import Fluent
import Vapor

/// "Needs my attention": what is waiting on this person now — alerts not yet triaged, new P1
/// alerts, their alerts whose deadline is near or passed, and verification requests sent to them.
enum AttentionController {
    struct Section: Encodable {
        var heading: String
        var rows: [AlertsController.Row]
        var empty: String
    }

    struct CaseLine: Encodable { var href: String; var code: String; var what: String; var due: String; var tone: String }
    struct CaseSection: Encodable { var heading: String; var lines: [CaseLine]; var empty: String; var id: String }

    struct Context: Encodable {
        var sections: [Section]
        var caseSections: [CaseSection]
        var requests: [VerificationController.Row]
        var isHandler: Bool
        var isVerifier: Bool
        var queueHref: String
    }

    @Sendable static func show(_ request: Request) async throws -> Response {
        let actor = try request.actor()
        let app = request.application
        let now = app.clock.now()
        var sections: [Section] = []
        let isHandler = AlertPolicy.isHandler(actor)
        if isHandler {
            let directory = StaffDirectory(request)
            let settings = try await AlertSettingsRecord.current(on: request.db)
            let open = AlertStatus.allCases.filter(\.isOpen)
            let base = { AlertQueries.visible(to: actor, on: request.db).filter(\.$mergedInto == nil).filter(\.$status ~~ open) }
            func rows(_ alerts: [AlertRecord]) async throws -> [AlertsController.Row] {
                var result: [AlertsController.Row] = []
                for alert in alerts { result.append(try await AlertsController.row(alert, request: request, directory: directory, settings: settings, now: now)) }
                return result
            }
            let untriaged = try await base().filter(\.$status == .received).sort(\.$receivedAt).limit(100).all()
            let urgent = try await base().filter(\.$urgency == .p1).filter(\.$status != .received).sort(\.$deadlineAt).limit(100).all()
            let soon = now.addingTimeInterval(24 * 3600)
            let mine = try await base().filter(\.$assigneeID == actor.userID).filter(\.$answeredAt == nil).filter(\.$deadlineAt < soon).sort(\.$deadlineAt).limit(100).all()
            let overdue = try await base().filter(\.$answeredAt == nil).filter(\.$deadlineAt < now).sort(\.$deadlineAt).limit(100).all()
            sections = [
                Section(heading: request.t("attention.untriaged"), rows: try await rows(untriaged), empty: request.t("attention.none")),
                Section(heading: request.t("attention.p1"), rows: try await rows(urgent), empty: request.t("attention.none")),
                Section(heading: request.t("attention.mine"), rows: try await rows(mine), empty: request.t("attention.none")),
                Section(heading: request.t("attention.overdue"), rows: try await rows(overdue), empty: request.t("attention.none")),
            ]
        }
        var requests: [VerificationController.Row] = []
        if actor.has(.verifier) {
            for item in try await VerificationRequestRecord.query(on: request.db).filter(\.$verifierID == actor.userID)
                .filter(\.$state == .pending).sort(\.$createdAt).limit(100).all() {
                guard let alert = try await AlertRecord.find(item.alertID, on: request.db) else { continue }
                requests.append(.init(href: SiteURL.verificationRequest(try item.requireID()).href, reference: alert.reference,
                                      country: Countries.name(alert.country, in: request.language), urgency: alert.urgency?.code,
                                      asked: request.moment(item.createdAt), state: request.t(item.state.labelKey), tone: "warn"))
            }
        }
        let caseSections = try await caseWork(request, actor: actor, now: now)
        let context = Context(sections: sections, caseSections: caseSections, requests: requests, isHandler: isHandler, isVerifier: actor.has(.verifier),
                              queueHref: SiteURL.alerts.href)
        return try await request.render(.attention, titleKey: "attention.title", context)
    }

    /// Casework waiting on this person: follow-ups due (theirs, within a day or overdue), risk
    /// reviews due on their cases, and — for partner staff — referrals awaiting an answer.
    static func caseWork(_ request: Request, actor: Actor, now: Date) async throws -> [CaseSection] {
        guard CasePolicy.evaluate(actor, .listCases, nil).isAllowed else { return [] }
        var sections: [CaseSection] = []
        let db = request.db
        if actor.organisationType.handlesProtection {
            let soon = now.addingTimeInterval(24 * 3600)
            let mine = try await CaseQueries.visible(to: actor, on: db).filter(\.$status != .closed).all()
            let byID = Dictionary(uniqueKeysWithValues: mine.compactMap { record in record.id.map { ($0, record) } })
            var followUps: [CaseLine] = []
            for item in try await CaseItemRecord.query(on: db).filter(\.$kind == .followUp).filter(\.$state == FollowUpState.scheduled.rawValue)
                .filter(\.$assigneeID == actor.userID).filter(\.$dueAt < soon).sort(\.$dueAt).limit(100).all() {
                guard let record = byID[item.caseID], let due = item.dueAt else { continue }
                followUps.append(CaseLine(href: SiteURL.caseFile(item.caseID).href + "#follow-ups", code: record.code,
                                          what: request.t("case.section.followUps"), due: request.day(due), tone: due < now ? "danger" : "warn"))
            }
            let reviews = mine.filter { record in
                (record.leadID == actor.userID || actor.has(.coordinator)) && (record.nextReviewAt.map { $0 <= now } ?? (record.riskLevel == nil))
            }.sorted { ($0.nextReviewAt ?? $0.openedAt) < ($1.nextReviewAt ?? $1.openedAt) }.prefix(100)
            // Impact at 3 and 12 months after closure: the data of the protection mechanism's assessment.
            let closed = try await CaseQueries.visible(to: actor, on: db).filter(\.$status == .closed)
                .filter(\.$closedAt < Calendar(identifier: .gregorian).date(byAdding: .month, value: -3, to: now)!).sort(\.$closedAt).all()
                .filter { $0.leadID == actor.userID || actor.has(.coordinator) }
            var recorded: [UUID: Set<String>] = [:]
            for item in try await CaseItemRecord.query(on: db).filter(\.$kind == .impact).filter(\.$caseID ~~ closed.compactMap(\.id)).all() {
                recorded[item.caseID, default: []].insert(item.state)
            }
            var impacts: [CaseLine] = []
            for record in closed {
                guard let id = record.id, let closedAt = record.closedAt else { continue }
                for moment in [ImpactMoment.threeMonths, .twelveMonths] where !(recorded[id]?.contains(moment.rawValue) ?? false) {
                    let due = moment.dueDate(closedAt: closedAt)
                    guard due <= now else { continue }
                    impacts.append(CaseLine(href: SiteURL.caseFile(id).href + "#closure", code: record.code, what: request.t(moment.labelKey),
                                            due: request.day(due), tone: "warn"))
                }
            }
            sections.append(CaseSection(heading: request.t("attention.followUps"), lines: followUps, empty: request.t("attention.none"), id: "follow-ups-due"))
            sections.append(CaseSection(heading: request.t("attention.impactDue"), lines: Array(impacts.prefix(100)), empty: request.t("attention.none"),
                                        id: "impact-due"))
            sections.append(CaseSection(heading: request.t("attention.riskReviews"), lines: reviews.map { record in
                CaseLine(href: SiteURL.caseFile(record.id!).href + "#risk", code: record.code, what: request.t("case.show.reviewDue"),
                         due: request.day(record.nextReviewAt ?? record.openedAt), tone: "warn")
            }, empty: request.t("attention.none"), id: "risk-reviews-due"))
        } else {
            var lines: [CaseLine] = []
            for item in try await ReferralsController.addressed(to: actor, on: db).filter(\.$state == ReferralState.proposed.rawValue)
                .sort(\.$createdAt).limit(100).all() {
                guard let record = try await CaseRecord.find(item.caseID, on: db) else { continue }
                lines.append(CaseLine(href: SiteURL.referral(try item.requireID()).href, code: record.code,
                                      what: request.t("case.referral.state.proposed"), due: request.day(item.createdAt), tone: "warn"))
            }
            sections.append(CaseSection(heading: request.t("attention.referrals"), lines: lines, empty: request.t("attention.none"), id: "referrals-waiting"))
        }
        return sections
    }
}
