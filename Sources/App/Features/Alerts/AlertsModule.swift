import EgideCore
import Fluent
import Vapor

/// Alerts and their verification: what the module puts in the menu, its encrypted records, and
/// the work it puts on a person's "Needs my attention" page.
enum AlertsModule: Module {
    static let navigation: [NavigationEntry] = [
        NavigationEntry(position: 20, url: .alerts, labelKey: "nav.alerts", shows: AlertPolicy.isHandler),
        NavigationEntry(position: 21, url: .newAlert, labelKey: "nav.recordAlert",
                        shows: { !AlertPolicy.isHandler($0) && AlertPolicy.evaluate($0, .recordAlert).isAllowed }),
        NavigationEntry(position: 40, url: .verificationRequests, labelKey: "nav.verification",
                        shows: { $0.has(.verifier) }, landsHere: { $0.has(.verifier) }),
        NavigationEntry(position: 80, url: .alertSettings, labelKey: "nav.alertSettings",
                        shows: { AlertPolicy.evaluate($0, .configureAlerts).isAllowed }),
    ]

    static let encryptedRecords: [any EncryptedRecord.Type] = [
        AlertRecord.self, AlertEntryRecord.self, VerificationRequestRecord.self, VerificationFindingRecord.self,
    ]

    static func attention(for actor: Actor, on request: Request, now: Date) async throws -> [WorkList] {
        var lists: [WorkList] = []
        if AlertPolicy.isHandler(actor) { lists.append(try await alerts(for: actor, on: request, now: now)) }
        if actor.has(.verifier) { lists.append(try await verificationRequests(for: actor, on: request, now: now)) }
        return lists
    }

    /// Open alerts waiting on the team or on this officer: not triaged yet, P1, theirs and due
    /// within a day, or past their response deadline. Each alert once, with all its reasons.
    static func alerts(for actor: Actor, on request: Request, now: Date) async throws -> WorkList {
        let soon = now.addingTimeInterval(24 * 3600)
        let waitingQuery = { AlertQueries.visible(to: actor, on: request.db)
            .filter(\.$mergedInto == nil).filter(\.$status ~~ AlertStatus.allCases.filter(\.isOpen))
            .group(.or) { or in
                or.filter(\.$status == .received).filter(\.$urgency == .p1)
                    .group(.and) { $0.filter(\.$answeredAt == nil).filter(\.$deadlineAt < now) }
                    .group(.and) { $0.filter(\.$assigneeID == actor.userID).filter(\.$answeredAt == nil).filter(\.$deadlineAt < soon) }
            }
        }
        // The most pressing are among the earliest deadlines; the heading counts them all.
        let alerts = try await waitingQuery().sort(\.$deadlineAt).limit(500).all()
        let total = try await waitingQuery().count()
        // Reasons and order first; the names are decrypted for the alerts shown only.
        let waiting = alerts.compactMap { alert -> (alert: AlertRecord, id: UUID, reasons: [Badge], rank: WorkItem.Rank)? in
            guard let id = alert.id else { return nil }
            let overdue = alert.answeredAt == nil && alert.deadlineAt < now
            var reasons: [Badge] = []
            if overdue { reasons.append(Badge(label: request.t("attention.reason.overdue"), tone: "danger")) }
            if alert.urgency == .p1 { reasons.append(Badge(label: "P1", tone: "danger")) }
            if alert.status == .received { reasons.append(Badge(label: request.t("attention.reason.untriaged"), tone: "warn")) }
            if alert.assigneeID == actor.userID, alert.answeredAt == nil, !overdue, alert.deadlineAt < soon {
                reasons.append(Badge(label: request.t("attention.reason.mineDueSoon"), tone: "warn"))
            }
            return (alert, id, reasons, .init(severity: overdue ? 0 : (alert.urgency == .p1 ? 1 : 2), date: alert.deadlineAt))
        }.sorted { $0.rank < $1.rank }
        let vault = request.application.vault
        let items = waiting.prefix(WorkList.limit).map { entry -> WorkItem in
            let who = (try? AlertQueries.shownName(entry.alert, vault: vault)) ?? "—"
            return WorkItem(href: SiteURL.alert(entry.id).href, code: entry.alert.reference,
                            title: who + " · " + Countries.name(entry.alert.country, in: request.language), reasons: entry.reasons,
                            due: entry.alert.answeredAt == nil ? request.moment(entry.alert.deadlineAt) : nil, rank: entry.rank)
        }
        return WorkList(id: "alerts", heading: request.t("attention.alerts"), items: Array(items), total: total,
                        moreHref: SiteURL.alerts.href, moreLabel: request.t("attention.queue"))
    }

    /// Verification requests sent to this verifier and not answered yet.
    static func verificationRequests(for actor: Actor, on request: Request, now: Date) async throws -> WorkList {
        let pending = try await VerificationRequestRecord.query(on: request.db).filter(\.$verifierID == actor.userID)
            .filter(\.$state == .pending).sort(\.$createdAt).limit(500).all()
        let alerts = try await AlertRecord.query(on: request.db).filter(\.$id ~~ pending.map(\.alertID)).all()
        let byID = Dictionary(alerts.compactMap { alert in alert.id.map { ($0, alert) } }, uniquingKeysWith: { first, _ in first })
        let items = pending.compactMap { item -> WorkItem? in
            guard let id = item.id, let alert = byID[item.alertID] else { return nil }
            var reasons = [Badge(label: request.t("attention.reason.asked", request.day(item.createdAt)), tone: "warn")]
            if alert.urgency == .p1 { reasons.insert(Badge(label: "P1", tone: "danger"), at: 0) }
            return WorkItem(href: SiteURL.verificationRequest(id).href, code: alert.reference,
                            title: Countries.name(alert.country, in: request.language), reasons: reasons, due: nil,
                            rank: .init(severity: alert.urgency == .p1 ? 1 : 2, date: item.createdAt))
        }
        return WorkList(id: "verification-requests", heading: request.t("attention.requests"), items: items,
                        moreHref: SiteURL.verificationRequests.href, moreLabel: request.t("attention.allRequests"))
    }
}
