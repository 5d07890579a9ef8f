import EgideCore
import Fluent
import Vapor

/// Protection cases: menu entries, encrypted records, and the casework waiting on a person.
enum CasesModule: Module {
    static let navigation: [NavigationEntry] = [
        NavigationEntry(position: 30, url: .cases, labelKey: "nav.cases", shows: { CasePolicy.evaluate($0, .listCases, nil).isAllowed }),
        NavigationEntry(position: 31, url: .referrals, labelKey: "nav.referrals",
                        shows: { CasePolicy.evaluate($0, .listCases, nil).isAllowed && !$0.organisationType.handlesProtection }),
    ]

    static let encryptedRecords: [any EncryptedRecord.Type] = [CaseRecord.self, CasePersonRecord.self, CaseItemRecord.self]

    static func attention(for actor: Actor, on request: Request, now: Date) async throws -> [WorkList] {
        guard CasePolicy.evaluate(actor, .listCases, nil).isAllowed else { return [] }
        if actor.organisationType.handlesProtection { return [try await casework(for: actor, on: request, now: now)] }
        return [try await referrals(for: actor, on: request)]
    }

    /// The open and recently closed cases with something due from this person: follow-ups assigned
    /// to them (due within a day or overdue), risk reviews of the cases they lead (all cases for a
    /// coordinator), and the impact to record 3 and 12 months after closure. Each case once.
    static func casework(for actor: Actor, on request: Request, now: Date) async throws -> WorkList {
        let db = request.db
        let soon = now.addingTimeInterval(24 * 3600)
        let responsible = { (record: CaseRecord) in record.leadID == actor.userID || actor.has(.coordinator) }
        let open = try await CaseQueries.visible(to: actor, on: db).filter(\.$status != .closed).all()
        var reasons: [UUID: [(badge: Badge, due: Date)]] = [:]
        var cases: [UUID: CaseRecord] = Dictionary(open.compactMap { record in record.id.map { ($0, record) } }, uniquingKeysWith: { a, _ in a })
        for item in try await CaseItemRecord.query(on: db).filter(\.$kind == .followUp).filter(\.$state == FollowUpState.scheduled.rawValue)
            .filter(\.$assigneeID == actor.userID).filter(\.$dueAt < soon).filter(\.$caseID ~~ Array(cases.keys)).all() {
            guard let due = item.dueAt else { continue }
            reasons[item.caseID, default: []].append((Badge(label: request.t("attention.reason.followUp", request.day(due)), tone: due < now ? "danger" : "warn"), due))
        }
        for record in open where responsible(record) {
            guard let id = record.id else { continue }
            if let review = record.nextReviewAt, review <= now {
                reasons[id, default: []].append((Badge(label: request.t("attention.reason.riskReview", request.day(review)), tone: "warn"), review))
            } else if record.nextReviewAt == nil, record.riskLevel == nil {
                reasons[id, default: []].append((Badge(label: request.t("attention.reason.firstAssessment"), tone: "warn"), record.openedAt))
            }
        }
        // Impact at 3 and 12 months after closure: the data of the protection mechanism's assessment.
        let threeMonthsAgo = Calendar(identifier: .gregorian).date(byAdding: .month, value: -3, to: now)!
        let closed = try await CaseQueries.visible(to: actor, on: db).filter(\.$status == .closed).filter(\.$closedAt < threeMonthsAgo).all()
            .filter(responsible)
        var recorded: [UUID: Set<String>] = [:]
        for item in try await CaseItemRecord.query(on: db).filter(\.$kind == .impact).filter(\.$caseID ~~ closed.compactMap(\.id)).all() {
            recorded[item.caseID, default: []].insert(item.state)
        }
        for record in closed {
            guard let id = record.id, let closedAt = record.closedAt else { continue }
            for moment in [ImpactMoment.threeMonths, .twelveMonths] where !(recorded[id]?.contains(moment.rawValue) ?? false) {
                let due = moment.dueDate(closedAt: closedAt)
                guard due <= now else { continue }
                cases[id] = record
                reasons[id, default: []].append((Badge(label: request.t(moment.labelKey), tone: ""), due))
            }
        }
        let items = reasons.compactMap { id, found -> WorkItem? in
            guard let record = cases[id] else { return nil }
            let earliest = found.map(\.due).min() ?? now
            return WorkItem(href: SiteURL.caseFile(id).href, code: record.code, title: request.t(record.status.labelKey),
                            reasons: found.sorted { $0.due < $1.due }.map(\.badge), due: request.day(earliest),
                            rank: .init(severity: found.contains { $0.badge.tone == "danger" } ? 0 : 2, date: earliest))
        }
        return WorkList(id: "casework", heading: request.t("attention.casework"), items: items,
                        moreHref: SiteURL.cases.href, moreLabel: request.t("attention.allCases"))
    }

    /// Referrals proposed to this partner organisation and not answered yet.
    static func referrals(for actor: Actor, on request: Request) async throws -> WorkList {
        let waiting = try await ReferralsController.addressed(to: actor, on: request.db)
            .filter(\.$state == ReferralState.proposed.rawValue).sort(\.$createdAt).limit(500).all()
        let cases = try await CaseRecord.query(on: request.db).filter(\.$id ~~ waiting.map(\.caseID)).all()
        let codes = Dictionary(cases.compactMap { record in record.id.map { ($0, record.code) } }, uniquingKeysWith: { a, _ in a })
        let items = waiting.compactMap { item -> WorkItem? in
            guard let id = item.id, let code = codes[item.caseID] else { return nil }
            return WorkItem(href: SiteURL.referral(id).href, code: code, title: request.t("case.referral.state.proposed"),
                            reasons: [Badge(label: request.t("attention.reason.referred", request.day(item.createdAt)), tone: "warn")],
                            due: nil, rank: .init(severity: 2, date: item.createdAt))
        }
        return WorkList(id: "referrals-waiting", heading: request.t("attention.referrals"), items: items,
                        moreHref: SiteURL.referrals.href, moreLabel: request.t("attention.allReferrals"))
    }
}
