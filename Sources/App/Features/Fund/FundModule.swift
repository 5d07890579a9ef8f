import EgideCore
import Fluent
import Vapor

/// The emergency fund: menu entries, encrypted records, and the money decisions waiting on a person.
enum FundModule: Module {
    static let navigation: [NavigationEntry] = [
        NavigationEntry(position: 50, url: .grants, labelKey: "nav.grants", shows: { FundPolicy.evaluate($0, .viewGrants, nil).isAllowed }),
        NavigationEntry(position: 51, url: .funds, labelKey: "nav.funds",
                        shows: { $0.has(.fundManager) || $0.has(.coordinator) || $0.has(.auditor) }),
    ]

    static let encryptedRecords: [any EncryptedRecord.Type] = [GrantRecord.self, GrantEntryRecord.self]

    static func attention(for actor: Actor, on request: Request, now: Date) async throws -> [WorkList] {
        guard FundPolicy.evaluate(actor, .viewGrants, nil).isAllowed else { return [] }
        let db = request.db
        let scope = try await FundQueries.scope(for: actor, on: db)
        guard !scope.funds.isEmpty else { return [] }
        let funds = Dictionary(try await FundRecord.query(on: db).filter(\.$id ~~ Array(scope.funds)).all().compactMap { fund in fund.id.map { ($0, fund) } },
                               uniquingKeysWith: { a, _ in a })
        var decisions: [WorkItem] = []
        if actor.has(.fundManager) {
            decisions += try await approvals(for: actor, scope: scope, funds: funds, on: request)
            decisions += try await allocations(for: actor, scope: scope, funds: funds, on: request)
        }
        // The requester's own requests sent back with a question.
        for grant in try await FundQueries.visibleGrants(to: actor, scope: scope, on: db).filter(\.$requestedBy == actor.userID)
            .filter(\.$state == .moreInformation).limit(200).all() {
            decisions.append(item(grant, request: request, badge: Badge(label: request.t("attention.reason.grantQuestion"), tone: "warn"),
                                  rank: .init(severity: 1, date: grant.updatedAt)))
        }
        var lists: [WorkList] = []
        if !decisions.isEmpty || actor.has(.fundManager) {
            lists.append(WorkList(id: "fund-decisions", heading: request.t("attention.fundDecisions"), items: decisions,
                                  moreHref: SiteURL.grants.href, moreLabel: request.t("attention.allGrants")))
        }
        if actor.has(.fundManager) {
            lists.append(WorkList(id: "grant-reports", heading: request.t("attention.grantReports"),
                                  items: try await reports(for: actor, scope: scope, on: request, now: now),
                                  moreHref: SiteURL.grants.href + "?state=report_due", moreLabel: request.t("attention.allGrants")))
        }
        return lists
    }

    /// Requests to screen or approve where this person's approval would count (`FourEyes`).
    static func approvals(for actor: Actor, scope: FundScope, funds: [UUID: FundRecord], on request: Request) async throws -> [WorkItem] {
        let waiting = try await FundQueries.visibleGrants(to: actor, scope: scope, on: request.db).filter(\.$state ~~ [.submitted, .screening])
            .sort(\.$submittedAt).limit(500).all()
        let byGrant = Dictionary(grouping: try await GrantApprovalRecord.query(on: request.db).filter(\.$grantID ~~ waiting.compactMap(\.id)).all(),
                                 by: \.grantID)
        var items: [WorkItem] = []
        for grant in waiting {
            guard let fund = funds[grant.fundID] else { continue }
            let recorded = (byGrant[grant.id!] ?? []).map { RecordedApproval(userID: $0.userID, level: $0.level) }
            guard FourEyes.refusal(approver: actor.userID, approverOrganisation: actor.organisationID, requester: grant.requestedBy, amount: grant.amount,
                                   ceiling: fund.grantCeiling, chain: chain(grant.allocationID, fund: fund, scope: scope), approvals: recorded) == nil
            else { continue }
            let since = grant.submittedAt ?? grant.createdAt
            let reason = recorded.isEmpty ? "attention.reason.grantToDecide" : "attention.reason.grantSecondApproval"
            items.append(item(grant, request: request, badge: Badge(label: request.t(reason, request.day(since)), tone: "warn"),
                              rank: .init(severity: recorded.isEmpty ? 2 : 1, date: since)))
        }
        return items
    }

    /// Allocations proposed by someone else at a level this person answers for.
    static func allocations(for actor: Actor, scope: FundScope, funds: [UUID: FundRecord], on request: Request) async throws -> [WorkItem] {
        var items: [WorkItem] = []
        for allocation in scope.allAllocations.values where allocation.state == .proposed && allocation.proposedBy != actor.userID {
            guard let fund = funds[allocation.fundID], let id = allocation.id else { continue }
            let giver = allocation.parentID.flatMap { scope.allAllocations[$0]?.organisationID } ?? fund.organisationID
            guard giver == actor.organisationID else { continue }
            if allocation.parentID == nil, !(try await FundWorkflow.managesFund(actor, fund, on: request.db)) { continue }
            items.append(WorkItem(href: SiteURL.fund(allocation.fundID).href + "#allocation-\(SiteURL.id(id))", code: fund.name,
                                  title: Money(minorUnits: allocation.amount, currency: fund.currency).formatted(language: request.language),
                                  reasons: [Badge(label: request.t("attention.reason.allocationToConfirm"), tone: "warn")], due: nil,
                                  rank: .init(severity: 1, date: allocation.createdAt)))
        }
        return items
    }

    /// Reports due within a week, or overdue.
    static func reports(for actor: Actor, scope: FundScope, on request: Request, now: Date) async throws -> [WorkItem] {
        let soon = Day.text(now.addingTimeInterval(7 * 24 * 3600)), today = Day.text(now)
        var items: [WorkItem] = []
        for grant in try await FundQueries.visibleGrants(to: actor, scope: scope, on: request.db).filter(\.$state == .reportDue)
            .filter(\.$reportDueOn <= soon).sort(\.$reportDueOn).limit(500).all() {
            guard let due = grant.reportDueOn, let day = Day.parse(due) else { continue }
            let overdue = due < today
            items.append(item(grant, request: request,
                              badge: Badge(label: request.t(overdue ? "attention.reason.reportOverdue" : "attention.reason.reportDue", request.day(day)),
                                           tone: overdue ? "danger" : "warn"),
                              rank: .init(severity: overdue ? 0 : 2, date: day), due: request.day(day)))
        }
        return items
    }

    /// The case's grants the reader may see, their steps on the case timeline, and the way to
    /// request one when the reader's organisation holds an allocation.
    static func casePanel(_ caseID: UUID, for actor: Actor, on request: Request) async throws -> CasePanel? {
        guard FundPolicy.evaluate(actor, .viewGrants, nil).isAllowed else { return nil }
        let db = request.db
        let scope = try await FundQueries.scope(for: actor, on: db)
        let grants = try await FundQueries.visibleGrants(to: actor, scope: scope, on: db).filter(\.$caseID == caseID).sort(\.$createdAt).all()
        let mayRequest = FundPolicy.evaluate(actor, .requestGrant, nil).isAllowed && !scope.held(by: actor.organisationID).isEmpty
        guard !grants.isEmpty || mayRequest else { return nil }
        let codes = Dictionary(grants.compactMap { grant in grant.id.map { ($0, grant.code) } }, uniquingKeysWith: { a, _ in a })
        let entries = try await GrantEntryRecord.query(on: db).filter(\.$grantID ~~ Array(codes.keys)).all()
        return CasePanel(
            id: "grants", heading: request.t("grant.case.heading"),
            rows: grants.map { grant in
                CasePanel.Row(href: SiteURL.grant(grant.id!).href, code: grant.code,
                              title: request.t(grant.category.labelKey) + " — " + Money(minorUnits: grant.amount, currency: grant.currency).formatted(language: request.language),
                              state: request.t(grant.state.labelKey), tone: GrantPage.tone(grant.state))
            },
            empty: request.t("grant.case.none"),
            actionHref: mayRequest ? SiteURL.newGrant(case: caseID, allocation: nil).href : nil, actionLabel: request.t("grant.case.request"),
            events: entries.map { CasePanel.Event(at: $0.createdAt, actorID: $0.actorID, what: "\(codes[$0.grantID] ?? "") — " + request.t("grant.entry.\($0.kind)")) })
    }

    static func item(_ grant: GrantRecord, request: Request, badge: Badge, rank: WorkItem.Rank, due: String? = nil) -> WorkItem {
        WorkItem(href: SiteURL.grant(grant.id!).href, code: grant.code,
                 title: request.t(grant.category.labelKey) + " — " + Money(minorUnits: grant.amount, currency: grant.currency).formatted(language: request.language),
                 reasons: [badge], due: due, rank: rank)
    }

    /// The approval chain from the scope's allocations (already loaded): the same as
    /// `FundQueries.chain`, without a query per grant.
    static func chain(_ allocationID: UUID, fund: FundRecord, scope: FundScope) -> [ApprovalLevel] {
        var levels: [ApprovalLevel] = []
        var next: UUID? = allocationID
        while let id = next, let allocation = scope.allAllocations[id], levels.count < 32 {
            levels.append(ApprovalLevel(organisationID: allocation.organisationID, delegationLimit: allocation.delegationLimit))
            next = allocation.parentID
        }
        return levels + [ApprovalLevel(organisationID: fund.organisationID, delegationLimit: nil)]
    }
}
