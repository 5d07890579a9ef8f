import EgideCore
import Fluent
import Vapor

/// A verifier's pages: the requests addressed to them, and for each only what verifying needs —
/// never the sender's contact, the internal comments or the other verifiers' findings.
enum VerificationPage {
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

    /// The requests addressed to `actor`, newest first, the alerts read in one query.
    static func list(for actor: Actor, on request: Request) async throws -> ListContext {
        let requests = try await VerificationRequestRecord.query(on: request.db).filter(\.$verifierID == actor.userID)
            .sort(\.$createdAt, .descending).limit(500).all()
        let alerts = try await AlertRecord.query(on: request.db).filter(\.$id ~~ requests.map(\.alertID)).all()
        let byID = Dictionary(alerts.compactMap { alert in alert.id.map { ($0, alert) } }, uniquingKeysWith: { first, _ in first })
        var pending: [Row] = [], done: [Row] = []
        for item in requests {
            guard let alert = byID[item.alertID] else { continue }
            let row = Row(href: SiteURL.verificationRequest(try item.requireID()).href, reference: alert.reference,
                          country: Countries.name(alert.country, in: request.language), urgency: alert.urgency?.code,
                          asked: request.moment(item.createdAt), state: request.t(item.state.labelKey),
                          tone: item.state == .pending ? "warn" : item.state == .answered ? "ok" : "")
            if item.state == .pending { pending.append(row) } else { done.append(row) }
        }
        return ListContext(pending: pending, done: done)
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

    /// One request. Once answered, declined or withdrawn, the alert's content is no longer shown.
    static func show(_ item: VerificationRequestRecord, of alert: AlertRecord, problems: [FieldProblem], on request: Request) async throws -> ShowContext {
        let vault = request.application.vault
        let itemID = try item.requireID()
        let open = item.state == .pending
        let opened = open ? try AlertQueries.open(alert, vault: vault) : nil
        let directory = StaffDirectory(request)
        let posted = { (field: String) in try? request.content.get(String.self, at: field) }
        return ShowContext(
            reference: alert.reference, state: request.t(item.state.labelKey), pending: open, problems: problems,
            message: try item.messageCiphertext.map { try vault.open($0, owner: alert.owner, VerificationRequestRecord.ref(itemID)) },
            askedBy: try await directory.user(item.requestedBy) + " — " + (try await directory.organisation(alert.organisationID)),
            asked: request.moment(item.createdAt), facts: try await facts(alert, opened: opened, on: request),
            defenderName: opened?.defenderName, organisationName: opened?.organisationName, narrative: opened?.narrative ?? "",
            reliabilities: SourceReliability.allCases.map {
                SelectOption(value: $0.rawValue, label: $0.rawValue + " — " + request.t($0.labelKey), selected: posted("reliability") == $0.rawValue)
            },
            credibilities: InformationCredibility.allCases.map {
                SelectOption(value: String($0.rawValue), label: String($0.rawValue) + " — " + request.t($0.labelKey),
                             selected: posted("credibility") == String($0.rawValue))
            },
            notes: posted("notes"), action: SiteURL.verificationAction(itemID, .findings).href,
            declineAction: SiteURL.verificationAction(itemID, .decline).href, maxFiles: AlertIntake.maximumFiles)
    }

    /// What the verifier is told of the alert: where, what kind, when (the day formatted).
    static func facts(_ alert: AlertRecord, opened: AlertQueries.Opened?, on request: Request) async throws -> [Fact] {
        let categories = Dictionary(uniqueKeysWithValues: try await request.application.alertCategories.all(on: request.db)
            .map { ($0.code, $0.label(in: request.language)) })
        var facts: [Fact] = [
            .init(label: request.t("alert.field.country"), value: Countries.name(alert.country, in: request.language)),
            .init(label: request.t("alert.field.categories"), value: request.list(alert.categories.map { categories[$0] ?? $0 }).nonEmpty ?? "—"),
            .init(label: request.t("alert.field.fieldOfWork"), value: alert.fieldOfWork.map { request.t($0.labelKey) } ?? "—"),
        ]
        if let region = opened?.region { facts.insert(.init(label: request.t("alert.field.region"), value: region), at: 1) }
        if let date = opened?.incidentDate {
            facts.append(.init(label: request.t("alert.field.incidentDate"), value: request.day(iso: date)))
        }
        return facts
    }
}
