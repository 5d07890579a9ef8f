import App
import EgideCore
import Fluent
import Foundation
import Vapor

/// The appeals of the demo: about thirty documents of every kind and state, written about Lyon's
/// cases by their officers, reviewed and approved by the communications officer (Léa Moreau) and
/// the coordinator (Karim Benali), each published only after the defender's consent; French
/// originals with English versions, follow-ups, targets and replies, one consent withdrawn.
enum DemoAppeals {
    static let communications = "lea.moreau@example.org"
    static let coordinator = "karim.benali@example.org"
    static let lyonStaff: Set<String> = ["aissatou.diallo@example.org", "julien.roux@example.org", coordinator]

    /// Where a document's story ends.
    enum Fate: CaseIterable { case draft, inReview, returned, approved, published, updated, withdrawn, closed }

    enum Step: Sendable {
        case draft(doc: Int, caseIndex: Int?, kind: AppealKind, scenario: Int, by: String)
        case translate(doc: Int)
        case suggest(doc: Int, language: AppealLanguage, by: String)
        case comment(doc: Int, language: AppealLanguage, by: String, text: String)
        case submit(doc: Int, language: AppealLanguage, by: String)
        case returnToDraft(doc: Int, language: AppealLanguage, by: String)
        case approve(doc: Int, language: AppealLanguage, by: String)
        case consent(doc: Int, channel: AppealChannel, granted: Bool)
        case publish(doc: Int, language: AppealLanguage, by: String)
        case close(doc: Int, language: AppealLanguage)
        case targets(doc: Int)
        case reply(doc: Int)
        case followUp(doc: Int, parent: Int, kind: FollowUpKind)
        case subscribers
        /// A document about no case: declared to name no defender at risk.
        case declare(doc: Int, by: String)
        /// Mails the published version; `delivered`: as if the instance's mail server had accepted
        /// every message (the demo has none), else left waiting for one.
        case mailing(doc: Int, language: AppealLanguage, delivered: Bool)
    }

    struct Plan: Sendable {
        var steps: [(at: Date, step: Step)]
    }

    /// The kinds and fates of the originals, in order (follow-ups come after).
    static let originals: [(AppealKind, Fate)] = [
        (.urgentAppeal, .published), (.urgentAppeal, .published), (.urgentAppeal, .updated), (.statement, .published), (.urgentAppeal, .published),
        (.closedLetter, .published), (.urgentAppeal, .withdrawn), (.pressRelease, .published), (.urgentAppeal, .closed), (.openLetter, .published),
        (.urgentAppeal, .published), (.report, .published), (.urgentAppeal, .approved), (.statement, .inReview), (.closedLetter, .approved),
        (.urgentAppeal, .inReview), (.analysisNote, .inReview), (.pressRelease, .returned), (.urgentAppeal, .draft), (.openLetter, .draft),
        (.urgentAppeal, .draft), (.statement, .draft), (.urgentAppeal, .published), (.analysisNote, .published), (.urgentAppeal, .inReview),
        (.closedLetter, .draft),
    ]

    /// Writes the appeals' story beside the cases' plans: each document a few days after its case opened.
    static func plan(cases: [DemoCases.Plan], end: Date) -> Plan {
        let lyonCases: [(index: Int, opened: Date, by: String)] = cases.enumerated().compactMap { index, plan in
            guard let (at, step) = plan.steps.first, case .open(let by) = step, lyonStaff.contains(by), plan.fate != .closed, !plan.defenderIsOrganisation,
                  at < end.addingTimeInterval(-12 * 86400) else { return nil }
            return (index, at, by)
        }.sorted { $0.opened < $1.opened }
        guard !lyonCases.isEmpty else { return Plan(steps: []) }
        var steps: [(at: Date, step: Step)] = []
        var published: [(doc: Int, at: Date)] = []
        var mailings = 0
        let hour: TimeInterval = 3600
        for (doc, (kind, fate)) in originals.enumerated() {
            let source = lyonCases[doc % lyonCases.count]
            let needsCase = kind != .report && kind != .analysisNote
            // Spread over the cases' time, the last ones recent.
            let latest = end.addingTimeInterval(-Double(originals.count - doc) * 3 * 86400)
            var at = max(source.opened.addingTimeInterval(2 * 86400), min(latest, end.addingTimeInterval(-10 * 86400)))
            func add(_ step: Step, after hours: Double) {
                at = at.addingTimeInterval(hours * hour)
                steps.append((at, step))
            }
            let author = needsCase ? source.by : communications
            // Who wrote the French text so far: none of them approves it.
            var authors: Set<String> = [author]
            func approver() -> String { [coordinator, communications].first { !authors.contains($0) } ?? coordinator }
            add(.draft(doc: doc, caseIndex: needsCase ? source.index : nil, kind: kind, scenario: doc % DemoAppealTexts.scenarios.count, by: author), after: 0)
            if fate == .draft { continue }
            if needsCase, kind != .closedLetter { add(.targets(doc: doc), after: 1) }
            add(.submit(doc: doc, language: .fr, by: author), after: 2)
            // The communications officer reviews: a comment, and on some a suggested edit (when someone is left to approve).
            add(.comment(doc: doc, language: .fr, by: communications, text: doc % 2 == 0
                         ? "Pouvez-vous préciser la date de l'arrestation et vérifier l'orthographe du nom avec le partenaire ?"
                         : "Le ton est juste. J'ai resserré le premier paragraphe."), after: 3)
            if (doc % 2 == 1 || fate == .returned), author != coordinator {
                add(.suggest(doc: doc, language: .fr, by: communications), after: 1)
                authors.insert(communications)
            }
            if fate == .inReview { continue }
            if fate == .returned { add(.returnToDraft(doc: doc, language: .fr, by: coordinator), after: 2); continue }
            let frApprover = approver()
            add(.approve(doc: doc, language: .fr, by: frApprover), after: 4)
            if fate == .approved { continue }
            let publisher = frApprover
            if kind == .closedLetter {
                add(.consent(doc: doc, channel: .authorities, granted: true), after: 6)
                add(.publish(doc: doc, language: .fr, by: publisher), after: 1)
                continue
            }
            // The English version, translated by the communications officer and approved by the coordinator.
            add(.translate(doc: doc), after: 2)
            add(.submit(doc: doc, language: .en, by: communications), after: 3)
            add(.approve(doc: doc, language: .en, by: coordinator), after: 2)
            if needsCase {
                add(.consent(doc: doc, channel: .publicPage, granted: true), after: 5)
                add(.consent(doc: doc, channel: .mailing, granted: true), after: 0.1)
            } else {
                add(.declare(doc: doc, by: approver()), after: 1)
            }
            add(.publish(doc: doc, language: .fr, by: communications), after: 1)
            add(.publish(doc: doc, language: .en, by: coordinator), after: 1)
            published.append((doc, at))
            if mailings == 0 { steps.append((at, .subscribers)) }
            mailings += 1
            add(.mailing(doc: doc, language: .fr, delivered: at < end.addingTimeInterval(-20 * 86400)), after: 1)
            add(.mailing(doc: doc, language: .en, delivered: at < end.addingTimeInterval(-20 * 86400)), after: 0.1)
            if needsCase, kind == .urgentAppeal { add(.reply(doc: doc), after: 5 * 24) }
            switch fate {
            case .updated:
                // The author updates the published text; someone who wrote none of it approves the update.
                add(.suggest(doc: doc, language: .fr, by: author), after: 24)
                add(.submit(doc: doc, language: .fr, by: author), after: 1)
                add(.approve(doc: doc, language: .fr, by: approver()), after: 2)
                add(.publish(doc: doc, language: .fr, by: approver()), after: 1)
            case .withdrawn:
                add(.consent(doc: doc, channel: .publicPage, granted: false), after: 48)
            case .closed:
                add(.close(doc: doc, language: .fr), after: 72)
                add(.close(doc: doc, language: .en), after: 0.1)
            default: break
            }
        }
        // Follow-ups of published urgent appeals.
        let followable = published.filter { originals[$0.doc].0 == .urgentAppeal && originals[$0.doc].1 == .published }
        for (offset, (parent, at)) in followable.prefix(4).enumerated() {
            let doc = originals.count + offset
            var when = min(at.addingTimeInterval(Double(6 + offset) * 86400), end.addingTimeInterval(-2 * 86400))
            func add(_ step: Step, after hours: Double) {
                when = when.addingTimeInterval(hours * hour)
                steps.append((when, step))
            }
            add(.followUp(doc: doc, parent: parent, kind: [FollowUpKind.release, .sentencing, .newInformation, .newInformation][offset]), after: 0)
            guard offset < 3 else { continue }  // the last one is still a draft
            add(.submit(doc: doc, language: .fr, by: communications), after: 1)
            add(.approve(doc: doc, language: .fr, by: coordinator), after: 2)
            add(.consent(doc: doc, channel: .publicPage, granted: true), after: 2)
            add(.publish(doc: doc, language: .fr, by: coordinator), after: 1)
        }
        return Plan(steps: steps)
    }

    struct StepFailed: Error, CustomStringConvertible {
        var step: String
        var underlying: any Error
        var description: String { "egide demo: appeals, step \(step): \(underlying)" }
    }

    /// Plays the appeals' steps (called by `DemoCases.play` in time order, with the cases made so far).
    struct Player {
        let app: Application
        let network: DemoData.Network
        var documents: [Int: UUID] = [:]
        var names: [Int: (name: String, country: String)] = [:]

        init(app: Application, network: DemoData.Network) {
            self.app = app
            self.network = network
        }

        func who(_ email: String) -> Actor { network.staff[email]! }

        mutating func perform(_ step: Step, caseIDs: [Int: UUID]) async throws {
            do { try await run(step, caseIDs: caseIDs) } catch { throw StepFailed(step: "\(step)", underlying: error) }
        }

        mutating func run(_ step: Step, caseIDs: [Int: UUID]) async throws {
            switch step {
            case .draft(let doc, let caseIndex, let kind, let scenario, let by):
                let caseID = caseIndex.flatMap { caseIDs[$0] }
                var name = "—", country = "CM"
                if let caseID, let record = try await CaseRecord.find(caseID, on: app.db) {
                    country = record.country
                    if let person = try await CasePersonRecord.query(on: app.db).filter(\.$caseID == caseID).filter(\.$role == .defender).first() {
                        name = try CaseContent.open(CaseContent.Identity.self, person.identityCiphertext, owner: Accounts.owner(person.organisationID),
                                                    CasePersonRecord.ref(try person.requireID(), "identity"), vault: app.vault).name
                    }
                }
                names[doc] = (name, country)
                let text = DemoAppealTexts.body(DemoAppealTexts.scenarios[scenario], language: .fr, name: name,
                                                country: Countries.name(country, in: .fr), kind: kind)
                documents[doc] = try await AppealWorkflow.create(
                    .init(kind: kind, country: country, themes: [DemoAppealTexts.scenarios[scenario].theme], language: .fr, text: text,
                          caseIDs: caseID.map { [$0] } ?? []), by: who(by), app: app)
            case .translate(let doc):
                let id = documents[doc]!
                guard let appeal = try await AppealRecord.find(id, on: app.db), let (name, country) = names[doc] else { return }
                let scenario = DemoAppealTexts.scenarios[doc % DemoAppealTexts.scenarios.count]
                let text = DemoAppealTexts.body(scenario, language: .en, name: name, country: Countries.name(country, in: .en), kind: appeal.kind)
                try await AppealWorkflow.addVersion(id, .en, text, by: who(communications), app: app)
            case .suggest(let doc, let language, let by):
                let id = documents[doc]!
                guard let version = try await AppealVersionRecord.query(on: app.db).filter(\.$appealID == id).filter(\.$language == language).first(),
                      let text = try await AppealQueries.text(of: try version.requireID(), revision: version.revision, on: app.db, vault: app.vault) else { return }
                let edited = text.body.replacingOccurrences(of: "a été informé par des sources fiables", with: "a été informé par des sources fiables et concordantes")
                    .replacingOccurrences(of: "Nos organisations ont été informées", with: "Nos organisations ont été informées par des sources concordantes")
                try await AppealWorkflow.revise(id, language, AppealText(title: text.title, body: edited == text.body ? text.body + "\n\nPrécisions vérifiées auprès du partenaire le jour même." : edited),
                                                by: who(by), app: app)
            case .comment(let doc, let language, let by, let text):
                try await AppealWorkflow.comment(documents[doc]!, language, text, by: who(by), app: app)
            case .submit(let doc, let language, let by):
                try await AppealWorkflow.submit(documents[doc]!, language, by: who(by), app: app)
            case .returnToDraft(let doc, let language, let by):
                try await AppealWorkflow.returnToDraft(documents[doc]!, language, comment: "À reprendre : le partenaire demande de retirer le nom du quartier.",
                                                       by: who(by), app: app)
            case .approve(let doc, let language, let by):
                try await AppealWorkflow.approve(documents[doc]!, language, read: nil, by: who(by), app: app)
            case .consent(let doc, let channel, let granted):
                let id = documents[doc]!
                for person in try await AppealQueries.defenders(of: id, on: app.db) {
                    guard let lead = try await CaseRecord.find(person.caseID, on: app.db)?.leadID,
                          let officer = network.staff.values.first(where: { $0.userID == lead }) else { continue }
                    try await AppealWorkflow.recordConsent(id, person: try person.requireID(), channel: channel, granted: granted,
                                                           note: granted ? "Accord donné par téléphone, sur une ligne sûre." : "Le défenseur craint des représailles contre sa famille.",
                                                           by: officer, app: app)
                }
            case .publish(let doc, let language, let by):
                try await AppealWorkflow.publish(documents[doc]!, language, by: who(by), app: app)
            case .close(let doc, let language):
                try await AppealWorkflow.close(documents[doc]!, language, by: who(coordinator), app: app)
            case .targets(let doc):
                for target in DemoAppealTexts.targets {
                    try await AppealWorkflow.addTarget(documents[doc]!, name: target.name, institution: target.institution, address: target.address,
                                                       by: who(communications), app: app)
                }
            case .reply(let doc):
                let id = documents[doc]!
                guard let target = try await AppealTargetRecord.query(on: app.db).filter(\.$appealID == id).sort(\.$createdAt).first() else { return }
                try await AppealWorkflow.recordReply(id, target: try target.requireID(), receivedOn: DemoAlerts.day(app.clock.now()),
                                                     summary: "Le cabinet accuse réception et indique que « la justice suit son cours ».",
                                                     by: who(communications), app: app)
            case .declare(let doc, let by):
                try await AppealWorkflow.declareNoDefender(documents[doc]!, by: who(by), app: app)
            case .subscribers:
                let lea = who(communications)
                for (email, name, languages) in DemoAppeals.readers {
                    try await AppealSubscribers.add(email: email, name: name, languages: languages, by: lea, app: app)
                }
                // Partners' staff who asked to receive the appeals.
                for (email, name) in [("amira.bensalah@example.org", "Amira Ben Salah"), ("helene.mvogo@example.org", "Hélène Mvogo")] {
                    try await AppealSubscribers.add(email: email, name: name, languages: [.fr, .ar], kind: "network", by: lea, app: app)
                }
            case .mailing(let doc, let language, let delivered):
                let id = documents[doc]!
                try await AppealMailings.send(id, language, by: who(communications), app: app)
                guard delivered, let version = try await AppealVersionRecord.query(on: app.db).filter(\.$appealID == id).filter(\.$language == language).first(),
                      let mailing = try await AppealMailingRecord.query(on: app.db).filter(\.$versionID == version.requireID()).first() else { return }
                let now = app.clock.now()
                try await AppealRecipientRecord.query(on: app.db).filter(\.$mailingID == mailing.requireID()).filter(\.$state == .pending)
                    .set(\.$state, to: .sent).set(\.$attempts, to: 1).set(\.$sentAt, to: now.addingTimeInterval(120)).update()
                mailing.state = "done"
                mailing.finishedAt = now.addingTimeInterval(180)
                try await mailing.save(on: app.db)
            case .followUp(let doc, let parent, let kind):
                let parentID = documents[parent]!
                let reference = try await AppealRecord.find(parentID, on: app.db)?.reference ?? ""
                let name = names[parent]?.name ?? "—"
                documents[doc] = try await AppealWorkflow.create(
                    .init(kind: .urgentAppeal, country: "ZZ", themes: [], language: .fr,
                          text: DemoAppealTexts.followUp(kind, language: .fr, name: name, original: reference), parentID: parentID, followUpKind: kind),
                    by: who(communications), app: app)
                names[doc] = names[parent]
            }
        }
    }

    /// The list's readers outside the network: newsrooms, NGOs, diplomats (fictional addresses).
    static let readers: [(String, String?, [AppealLanguage])] = [
        ("redaction.afrique@example.org", "Rédaction Afrique", [.fr]), ("newsdesk@example.net", "Newsdesk", [.en]),
        ("droits.humains@example.org", "Ligue des droits", [.fr, .en]), ("ngo.coalition@example.net", nil, [.en]),
        ("mission.ue@example.org", "Délégation de l'UE", [.fr, .en]), ("ambassade.droits@example.org", nil, [.fr]),
        ("observatoire.amis@example.org", "Amis de l'Observatoire", [.fr]), ("press.freedom@example.net", nil, [.en]),
        ("sahel.defenseurs@example.org", "Réseau Sahel", [.fr, .ar]), ("maghreb.watch@example.net", "Maghreb Watch", [.fr, .ar, .en]),
        ("defensores@example.org", "Red de defensores", [.es, .en]), ("rapporteur.staff@example.net", nil, [.en, .fr]),
    ]

    struct Summary: Sendable {
        var documents = 0
        var online = 0
        var inReview = 0
        var sample: String?
        var subscribers = 0
        var mailings = 0
        var lines: [String] {
            guard documents > 0 else { return [] }
            var lines = ["Appeals: \(documents) documents, \(online) language versions online, \(inReview) in review. Sign in as \(communications) "
                + "(communications) or \(coordinator) (approves); public pages at /fr/appels and /en/appeals, feeds at /fr/appels.atom and /en/appeals.atom."]
            if let sample { lines.append("A published appeal: \(sample)") }
            lines.append("Mailing: \(subscribers) addresses on the list (/appeals/subscribers), \(mailings) mailings; the recent ones wait for a mail server "
                + "(EGIDE_SMTP_URL, docs/APPEALS.md).")
            return lines
        }
    }

    static func summary(on db: any Database) async throws -> Summary {
        var summary = Summary()
        summary.documents = try await AppealRecord.query(on: db).count()
        summary.online = try await AppealVersionRecord.query(on: db).filter(\.$publishedRevision != nil).count()
        summary.inReview = try await AppealVersionRecord.query(on: db).filter(\.$state == .inReview).count()
        summary.subscribers = try await AppealSubscriberRecord.query(on: db).count()
        summary.mailings = try await AppealMailingRecord.query(on: db).count()
        if let version = try await AppealVersionRecord.query(on: db).filter(\.$publishedRevision != nil).filter(\.$language == .fr).first(),
           let slug = try await AppealRecord.find(version.appealID, on: db)?.slug {
            summary.sample = "/fr/appels/\(slug)"
        }
        return summary
    }
}
