import EgideCore
import Fluent
import Vapor

/// An alert's page for its handlers: facts, contact, narrative, files, verification, duplicates,
/// history and the protocol's forms, built apart from `AlertsController` (which authorises and
/// audits the read) in a few short builders.
enum AlertPage {
    struct FileLink: Encodable { var href: String; var name: String; var size: String; var source: String }
    struct TimelineItem: Encodable { var when: String; var who: String; var what: String; var body: String? }
    struct DuplicateView: Encodable { var href: String; var reference: String; var name: String; var status: String; var score: String; var mergeAction: String }
    struct RequestView: Encodable { var verifier: String; var organisation: String; var state: String; var tone: String; var asked: String }
    struct FindingView: Encodable {
        var verifier: String; var organisation: String; var grade: String; var reliability: String; var credibility: String
        var notes: String; var when: String; var files: [FileLink]
    }

    struct ShowContext: Encodable {
        var id: String
        var reference: String
        var name: String
        var status: String
        var urgency: String?
        var urgencyTone: String
        var deadline: String
        var deadlineState: String?
        var deadlineTone: String
        var recorded: Bool
        var problems: [FieldProblem]
        var facts: [Fact]
        var contact: [Fact]
        var narrative: String
        var files: [FileLink]
        var mergedInto: String?
        var mergedIntoHref: String?
        var duplicates: [DuplicateView]
        var requests: [RequestView]
        var findings: [FindingView]
        var proposal: String
        var proposesVerified: Bool
        var decisionGrounds: String?
        var timeline: [TimelineItem]
        var urgencies: [SelectOption]
        var assignees: [SelectOption]
        var verifiers: [SelectOption]
        var decisions: [SelectOption]
        var actions: Actions
        var isOpen: Bool
        /// Opening a case from a verified alert, or attaching it to one.
        var caseActions: CaseActions?
        var caseHref: String?
    }

    struct CaseActions: Encodable { var open: String; var attach: String }

    struct Actions: Encodable {
        var triage: String, assign: String, comment: String, verification: String, decision: String, merge: String
    }

    /// The page context of `alert` for `actor` (who may view it: the controller checked).
    static func build(_ alert: AlertRecord, actor: Actor, problems: [FieldProblem], request: Request, now: Date) async throws -> ShowContext {
        let id = try alert.requireID()
        let vault = request.application.vault
        let opened = try AlertQueries.open(alert, vault: vault)
        let directory = StaffDirectory(request)
        let settings = try await AlertSettingsRecord.current(on: request.db)
        let (facts, contact) = try await self.facts(alert, opened, request: request, directory: directory)
        // Files, history, verification: this alert's and those of alerts merged into it.
        let merged = try await AlertRecord.query(on: request.db).filter(\.$mergedInto == id).all()
        let family = [id] + merged.compactMap(\.id)
        let attachments = try await AlertAttachmentRecord.query(on: request.db).filter(\.$alertID ~~ family).sort(\.$createdAt).all()
        let fileRecords = Dictionary(uniqueKeysWithValues: try await EncryptedFileRecord.query(on: request.db)
            .filter(\.$id ~~ attachments.map(\.fileID)).all().map { (try $0.requireID(), $0) })
        func link(_ attachment: AlertAttachmentRecord) -> FileLink? {
            guard let record = fileRecords[attachment.fileID], let name = try? FileStore.open(record, vault: vault).name else { return nil }
            return FileLink(href: SiteURL.alertFile(id, attachment.fileID).href, name: name,
                            size: request.fileSize(record.size),
                            source: request.t("alert.file.source.\(attachment.source)"))
        }
        let (requestViews, findingViews, findings) = try await verification(alert, family: family, attachments: attachments, link: link,
                                                                          request: request, directory: directory)
        let proposal = settings.rule.evaluate(findings.map(\.graded))
        let proposalText = Self.proposal(proposal, rule: settings.rule, findings: findings.map(\.graded), request: request)
        let timeline = try await self.timeline(alert, family: family, merged: merged, request: request, directory: directory)
        let duplicates = try await self.duplicates(alert, request: request)
        let handlers = try await directory.members(of: alert.organisationID, roles: AlertPolicy.handlerRoles)
        let assignees = [SelectOption(value: "", label: request.t("alert.unassigned"), selected: alert.assigneeID == nil)]
            + (try await directory.options(handlers) { $0 == alert.assigneeID })
        let verifiers = try await AlertsController.verifierOptions(for: alert, request: request, directory: directory)
        let deadline = AlertQueuePage.deadlineState(alert, deadlines: settings.deadlines, now: now)
        var mergedInto: AlertRecord?
        if let target = alert.mergedInto { mergedInto = try await AlertRecord.find(target, on: request.db) }

        return ShowContext(
            id: SiteURL.id(id), reference: alert.reference, name: opened.displayName,
            status: request.t(alert.status.labelKey),
            urgency: alert.urgency.map { request.t($0.labelKey) }, urgencyTone: alert.urgency.map(AlertQueuePage.tone) ?? "",
            deadline: request.moment(alert.deadlineAt), deadlineState: deadline.map { request.t($0.labelKey) },
            deadlineTone: deadline.map(AlertQueuePage.tone) ?? "",
            recorded: (try? request.query.get(String.self, at: "recorded")) != nil,
            problems: problems, facts: facts, contact: contact, narrative: opened.narrative,
            files: attachments.filter { $0.findingID == nil }.compactMap(link),
            mergedInto: mergedInto?.reference, mergedIntoHref: try mergedInto.map { SiteURL.alert(try $0.requireID()).href },
            duplicates: duplicates, requests: requestViews, findings: findingViews,
            proposal: proposalText, proposesVerified: proposal.proposesVerified, decisionGrounds: opened.decisionGrounds,
            timeline: timeline.reversed(),
            urgencies: Urgency.allCases.map { SelectOption(value: $0.rawValue, label: request.t($0.labelKey), selected: $0 == alert.urgency) },
            assignees: assignees, verifiers: verifiers,
            decisions: AlertsController.decisionOptions(for: alert, request: request),
            actions: Actions(triage: SiteURL.alertAction(id, .triage).href, assign: SiteURL.alertAction(id, .assign).href,
                             comment: SiteURL.alertAction(id, .comments).href, verification: SiteURL.alertAction(id, .verification).href,
                             decision: SiteURL.alertAction(id, .decision).href, merge: SiteURL.alertAction(id, .merge).href),
            isOpen: alert.status.isOpen && alert.mergedInto == nil,
            caseActions: alert.status == .verified && alert.mergedInto == nil
                && CasePolicy.evaluate(actor, .createCase, nil).isAllowed
                ? CaseActions(open: SiteURL.newCase.href + "?alert=" + SiteURL.id(id), attach: SiteURL.alertAction(id, .attachToCase).href) : nil,
            caseHref: try await CaseRecord.query(on: request.db).filter(\.$alertID == id).first().map { SiteURL.caseFile(try $0.requireID()).href })
    }

    /// The facts of the alert, and the sender's contact (handlers only: this page is theirs).
    static func facts(_ alert: AlertRecord, _ opened: AlertQueries.Opened, request: Request, directory: StaffDirectory) async throws -> ([Fact], [Fact]) {
        let categories = Dictionary(uniqueKeysWithValues: try await request.application.alertCategories.all(on: request.db).map { ($0.code, $0.label(in: request.language)) })
        let yes = request.t("form.yes"), no = request.t("form.no")
        var facts: [Fact] = [
            Fact(label: request.t("alert.field.channel"), value: request.t(alert.channel.labelKey)),
            Fact(label: request.t("alert.field.received"), value: request.moment(alert.receivedAt)),
            Fact(label: request.t("alert.field.country"), value: Countries.name(alert.country, in: request.language)),
        ]
        if let region = opened.region { facts.append(Fact(label: request.t("alert.field.region"), value: region)) }
        if let date = opened.incidentDate {
            facts.append(Fact(label: request.t("alert.field.incidentDate"), value: request.day(iso: date)))
        }
        if let organisation = opened.organisationName, opened.defenderName != nil {
            facts.append(Fact(label: request.t("alert.field.organisationName"), value: organisation))
        }
        facts.append(Fact(label: request.t("alert.field.categories"),
                          value: request.list(alert.categories.map { categories[$0] ?? $0 }).nonEmpty ?? "—"))
        facts.append(Fact(label: request.t("alert.field.fieldOfWork"), value: alert.fieldOfWork.map { request.t($0.labelKey) } ?? "—"))
        facts.append(Fact(label: request.t("alert.field.needs"), value: request.list(alert.needs.map { request.t($0.labelKey) }).nonEmpty ?? "—"))
        facts.append(Fact(label: request.t("alert.fact.sentByDefender"), value: alert.senderIsDefender ? yes : no))
        facts.append(Fact(label: request.t("alert.field.language"), value: Language(rawValue: alert.language)?.endonym ?? alert.language))
        facts.append(Fact(label: request.t("alert.field.assignee"), value: alert.assigneeID == nil ? request.t("alert.unassigned") : try await directory.user(alert.assigneeID)))
        if let recorder = alert.recordedBy {
            var who = try await directory.user(recorder)
            if let organisation = alert.recordedByOrganisation { who += " — " + (try await directory.organisation(organisation)) }
            facts.append(Fact(label: request.t("alert.field.recordedBy"), value: who))
        }
        if let answered = alert.answeredAt { facts.append(Fact(label: request.t("alert.field.answered"), value: request.moment(answered))) }
        if let reason = alert.rejectionReason { facts.append(Fact(label: request.t("alert.field.rejection"), value: request.t(reason.labelKey))) }
        var contact: [Fact] = []
        if let value = opened.contact {
            contact = [Fact(label: request.t("alert.field.contact"), value: value, dir: "ltr"),
                       Fact(label: request.t("alert.field.contactChannel"), value: alert.contactChannel.map { request.t($0.labelKey) } ?? "—"),
                       Fact(label: request.t("alert.field.consentToContact"), value: alert.consentToContact ? yes : no)]
        }

        return (facts, contact)
    }

    /// The verification requests and the findings of the alert and the alerts merged into it.
    static func verification(_ alert: AlertRecord, family: [UUID], attachments: [AlertAttachmentRecord], link: (AlertAttachmentRecord) -> FileLink?,
                             request: Request, directory: StaffDirectory) async throws -> ([RequestView], [FindingView], [VerificationFindingRecord]) {
        let vault = request.application.vault
        let requests = try await VerificationRequestRecord.query(on: request.db).filter(\.$alertID ~~ family).sort(\.$createdAt).all()
        var requestViews: [RequestView] = []
        for item in requests {
            requestViews.append(RequestView(
                verifier: try await directory.user(item.verifierID), organisation: try await directory.organisation(item.verifierOrganisationID),
                state: request.t(item.state.labelKey), tone: item.state == .answered ? "ok" : item.state == .pending ? "warn" : "",
                asked: request.moment(item.createdAt)))
        }
        let findings = try await VerificationFindingRecord.query(on: request.db).filter(\.$alertID ~~ family).sort(\.$createdAt).all()
        var findingViews: [FindingView] = []
        for finding in findings {
            let findingID = try finding.requireID()
            findingViews.append(FindingView(
                verifier: try await directory.user(finding.verifierID), organisation: try await directory.organisation(finding.organisationID),
                grade: finding.reliability.rawValue + String(finding.credibility.rawValue),
                reliability: request.t(finding.reliability.labelKey), credibility: request.t(finding.credibility.labelKey),
                notes: (try? vault.open(finding.notesCiphertext, owner: alert.owner, VerificationFindingRecord.ref(findingID))) ?? "",
                when: request.moment(finding.createdAt),
                files: attachments.filter { $0.findingID == findingID }.compactMap(link)))
        }
        return (requestViews, findingViews, findings)
    }

    /// The history of the alert and of the alerts merged into it.
    static func timeline(_ alert: AlertRecord, family: [UUID], merged: [AlertRecord], request: Request, directory: StaffDirectory) async throws -> [TimelineItem] {
        let id = try alert.requireID(), vault = request.application.vault
        let entries = try await AlertEntryRecord.query(on: request.db).filter(\.$alertID ~~ family).sort(\.$createdAt).all()
        var timeline: [TimelineItem] = []
        for entry in entries {
            let details = AuditEventModel.decode(entry.details)
            let body = try entry.bodyCiphertext.map { try vault.open($0, owner: alert.owner, AlertEntryRecord.ref(try entry.requireID())) }
            timeline.append(TimelineItem(
                when: request.moment(entry.createdAt),
                who: entry.actorID == nil ? request.t(entry.kind == .received || entry.kind == .senderUpdate ? "alert.sender" : "alert.system")
                    : try await directory.user(entry.actorID),
                what: AlertsController.describe(entry, details: details, request: request, ownReference: entry.alertID == id ? nil : merged.first { $0.id == entry.alertID }?.reference),
                body: body))
        }

        return timeline
    }

    /// Possible duplicates of an alert not merged itself, with their scores.
    static func duplicates(_ alert: AlertRecord, request: Request) async throws -> [DuplicateView] {
        let vault = request.application.vault
        var duplicates: [DuplicateView] = []
        if alert.mergedInto == nil {
            for (other, score) in try await AlertQueries.duplicates(of: alert, on: request.db, vault: vault) where other.mergedInto == nil {
                let otherID = try other.requireID()
                let names = try AlertQueries.names(other, vault: vault)
                duplicates.append(DuplicateView(
                    href: SiteURL.alert(otherID).href, reference: other.reference, name: names.defender ?? names.organisation ?? "—",
                    status: request.t(other.status.labelKey), score: request.language.percent(Int((score * 100).rounded())),
                    mergeAction: SiteURL.alertAction(otherID, .merge).href))
            }
        }

        return duplicates
    }

    /// What the verification rule proposes, naming the branch met — or, when none is, what each
    /// branch still lacks — so the sentence never contradicts the proposal.
    static func proposal(_ proposal: VerificationRule.Proposal, rule: VerificationRule, findings: [GradedFinding], request: Request) -> String {
        let credible = String(rule.credibleAtMost.rawValue)
        let organisations = String(Set(findings.filter { $0.credibility <= rule.credibleAtMost }.map(\.organisationID)).count)
        let needed = String(rule.independentFindings)
        switch proposal {
        case .verifiedByIndependentFindings(let count):
            return request.t("alert.proposal.independent", String(count), needed, credible)
        case .verifiedByReliableSource(let reliability, let credibility):
            return request.t("alert.proposal.reliable", reliability.rawValue + String(credibility.rawValue),
                             rule.singleSourceReliabilityAtMost?.rawValue ?? reliability.rawValue, organisations, needed)
        case .notYet(let count):
            let independent = request.t("alert.proposal.notYet", String(count), needed, credible)
            guard let single = rule.singleSourceReliabilityAtMost else { return independent }
            return independent + " " + request.t("alert.proposal.notYet.single", single.rawValue, credible)
        }
    }
}
