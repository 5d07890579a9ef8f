import EgideCore
import Fluent
import Vapor

/// Urgent appeals and publishing: the menu entry, the encrypted records, the versions waiting
/// on a person (to review or approve, to publish), and the documents on a case file.
enum AppealsModule: Module {
    static let navigation: [NavigationEntry] = [
        NavigationEntry(position: 55, url: .appeals, labelKey: "nav.appeals", shows: { AppealPolicy.evaluate($0, .view, nil).isAllowed },
                        landsHere: { $0.has(.communicationsOfficer) }),
    ]

    static let encryptedRecords: [any EncryptedRecord.Type] = [
        AppealRevisionRecord.self, AppealCommentRecord.self, AppealConsentRecord.self, AppealReplyRecord.self, AppealSubscriberRecord.self,
    ]

    static func attention(for actor: Actor, on request: Request, now: Date) async throws -> [WorkList] {
        guard AppealPolicy.evaluate(actor, .review, nil).isAllowed || AppealPolicy.evaluate(actor, .publish, nil).isAllowed else { return [] }
        let db = request.db
        let versions = try await AppealVersionRecord.query(on: db).filter(\.$organisationID == actor.organisationID)
            .filter(\.$state ~~ [.inReview, .approved]).sort(\.$updatedAt).limit(300).all()
        guard !versions.isEmpty else { return [] }
        let appeals = Dictionary(try await AppealRecord.query(on: db).filter(\.$id ~~ Array(Set(versions.map(\.appealID)))).all()
            .compactMap { appeal in appeal.id.map { ($0, appeal) } }, uniquingKeysWith: { a, _ in a })
        var items: [WorkItem] = []
        for version in versions {
            guard let appeal = appeals[version.appealID], let versionID = version.id else { continue }
            let reason: String
            switch version.state {
            case .inReview:
                let authors = try await AppealQueries.authors(of: versionID, on: db)
                let target = AppealTarget(organisationID: appeal.organisationID, authors: authors)
                if AppealPolicy.evaluate(actor, .approve, target).isAllowed { reason = "attention.reason.appealToApprove" }
                else if !authors.contains(actor.userID) { reason = "attention.reason.appealToReview" }
                else { continue }
            default:
                guard AppealPolicy.evaluate(actor, .publish, nil).isAllowed else { continue }
                reason = "attention.reason.appealToPublish"
            }
            let title = try await AppealQueries.text(of: versionID, revision: version.revision, on: db, vault: request.application.vault)?.title ?? ""
            items.append(WorkItem(href: SiteURL.appeal(version.appealID, language: version.language).href,
                                  code: appeal.reference ?? request.t("appeal.notIssued"),
                                  title: "\(title) (\(version.language.rawValue.uppercased()))",
                                  reasons: [Badge(label: request.t(reason), tone: "warn")], due: nil,
                                  rank: .init(severity: version.state == .approved ? 1 : 2, date: version.updatedAt)))
        }
        return [WorkList(id: "appeals", heading: request.t("attention.appeals"), items: items,
                         moreHref: SiteURL.appeals.href + "?state=in_review", moreLabel: request.t("attention.allAppeals"))]
    }

    /// The case's documents (to a reader of the case in an appeals role), their steps on the
    /// case timeline, and the way to draft one from the case.
    static func casePanel(_ caseID: UUID, for actor: Actor, on request: Request) async throws -> CasePanel? {
        guard AppealPolicy.evaluate(actor, .view, nil).isAllowed else { return nil }
        let db = request.db
        let linked = try await AppealCaseRecord.query(on: db).filter(\.$caseID == caseID).all().map(\.appealID)
        let appeals = linked.isEmpty ? [] : try await AppealQueries.visible(to: actor, on: db).filter(\.$id ~~ linked).sort(\.$createdAt).all()
        let mayWrite = AppealPolicy.evaluate(actor, .write, nil).isAllowed
        guard !appeals.isEmpty || mayWrite else { return nil }
        let ids = appeals.compactMap(\.id)
        let versions = Dictionary(grouping: ids.isEmpty ? [] : try await AppealVersionRecord.query(on: db).filter(\.$appealID ~~ ids).all(), by: \.appealID)
        var rows: [CasePanel.Row] = []
        for appeal in appeals {
            let id = try appeal.requireID()
            let own = (versions[id] ?? []).sorted { $0.language < $1.language }
            let original = own.first { $0.language == appeal.originalLanguage } ?? own.first
            let title = try await original.asyncFlatMap { version in
                try await AppealQueries.text(of: try version.requireID(), revision: version.revision, on: db, vault: request.application.vault)?.title
            } ?? ""
            let state = original?.state ?? .draft
            rows.append(CasePanel.Row(href: SiteURL.appeal(id, language: nil).href, code: appeal.reference ?? request.t("appeal.notIssued"),
                                      title: request.t(appeal.kind.labelKey) + " — " + title,
                                      state: own.map { "\($0.language.rawValue.uppercased()) " + request.t($0.state.labelKey) }.joined(separator: " · "),
                                      tone: AppealPage.tone(state)))
        }
        let codes = Dictionary(appeals.compactMap { appeal in appeal.id.map { ($0, appeal.reference ?? request.t("appeal.notIssued")) } }, uniquingKeysWith: { a, _ in a })
        let events = ids.isEmpty ? [] : try await AppealEventRecord.query(on: db).filter(\.$appealID ~~ ids)
            .filter(\.$kind ~~ ["created", "approve", "publish", "withdrawn", "close"]).all()
        return CasePanel(
            id: "appeals", heading: request.t("appeal.case.heading"), rows: rows, empty: request.t("appeal.case.none"),
            actionHref: mayWrite ? SiteURL.newAppeal(case: caseID, parent: nil).href : nil, actionLabel: request.t("appeal.case.draft"),
            events: events.map { CasePanel.Event(at: $0.createdAt, actorID: $0.actorID,
                                                 what: "\(codes[$0.appealID] ?? "") — " + request.t("appeal.event.\($0.kind)") + ($0.language.map { " (\($0.rawValue.uppercased()))" } ?? "")) })
    }
}
