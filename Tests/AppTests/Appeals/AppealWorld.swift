@testable import App
import EgideCore
import Fluent
import Foundation
import Testing
import Vapor

/// Urgent appeals' test world: Lyon (host) with a protection officer who leads a case about a
/// defender in Cameroon, two communications officers and a coordinator; Tunis (consortium member)
/// with its own communications officer. The case file holds canaries that must never reach a
/// public page, the feed or a mail.
struct AppealWorld {
    static let summaryCanary = "CANARY-CASE-SUMMARY-7f3a"
    static let contactCanary = "CANARY-CONTACT-+237-699-000-111"
    static let defender = "Aline Mbarga"

    var lyon: OrganisationRecord, tunis: OrganisationRecord
    var officer: Actor, comms1: Actor, comms2: Actor, coordinator: Actor, tunisComms: Actor
    var officerAccount: TestAccount, comms1Account: TestAccount, comms2Account: TestAccount, coordinatorAccount: TestAccount
    var caseID: UUID, caseCode: String, defenderID: UUID

    static func build(_ app: Application) async throws -> AppealWorld {
        let lyon = try await Fixtures.organisation(app, type: .host, slug: "lyon", country: "FR", name: "Lyon head office")
        let tunis = try await Fixtures.organisation(app, type: .consortiumMember, slug: "tunis", country: "TN", name: "Tunis office")
        let officer = try await Fixtures.account(app, in: lyon, roles: [.protectionOfficer], name: "Lyon officer")
        let comms1 = try await Fixtures.account(app, in: lyon, roles: [.communicationsOfficer], name: "Comms one")
        let comms2 = try await Fixtures.account(app, in: lyon, roles: [.communicationsOfficer], name: "Comms two")
        let coordinator = try await Fixtures.account(app, in: lyon, roles: [.coordinator], name: "Lyon coordinator")
        let tunisComms = try await Fixtures.account(app, in: tunis, roles: [.communicationsOfficer], name: "Tunis comms")
        let officerActor = try await FundWorld.actor(app, officer)
        let caseID = try await CaseWorkflow.open(.init(country: "CM", summary: "Threatened after the march. \(summaryCanary)",
                                                       defender: .init(name: defender, contacts: contactCanary)), by: officerActor, app: app)
        let record = try #require(try await CaseRecord.find(caseID, on: app.db))
        let person = try #require(try await CasePersonRecord.query(on: app.db).filter(\.$caseID == caseID).first())
        return AppealWorld(lyon: lyon, tunis: tunis, officer: officerActor, comms1: try await FundWorld.actor(app, comms1),
                           comms2: try await FundWorld.actor(app, comms2), coordinator: try await FundWorld.actor(app, coordinator),
                           tunisComms: try await FundWorld.actor(app, tunisComms), officerAccount: officer, comms1Account: comms1,
                           comms2Account: comms2, coordinatorAccount: coordinator, caseID: caseID, caseCode: record.code,
                           defenderID: try person.requireID())
    }

    /// An urgent appeal about the case, in French, drafted by the officer.
    func draft(_ app: Application, kind: AppealKind = .urgentAppeal, title: String = "Cameroun : menaces contre Aline Mbarga",
               body: String = "L'Observatoire a été informé par des sources fiables des menaces contre **Aline Mbarga**.\n\n## Actions requises\n\n- Garantir son intégrité.") async throws -> UUID {
        try await AppealWorkflow.create(.init(kind: kind, country: "CM", themes: [.threats], language: .fr,
                                              text: AppealText(title: title, body: body), caseIDs: [caseID]), by: officer, app: app)
    }

    /// Takes a draft through review and approval (by the second communications officer).
    func approve(_ app: Application, _ id: UUID, _ language: AppealLanguage = .fr) async throws {
        try await AppealWorkflow.submit(id, language, by: officer, app: app)
        try await AppealWorkflow.approve(id, language, read: nil, by: comms2, app: app)
    }

    func consent(_ app: Application, _ id: UUID, _ channel: AppealChannel, granted: Bool = true) async throws {
        try await AppealWorkflow.recordConsent(id, person: defenderID, channel: channel, granted: granted, note: "By phone, in person.", by: officer, app: app)
    }

    static func version(_ app: Application, _ id: UUID, _ language: AppealLanguage = .fr) async throws -> AppealVersionRecord {
        try #require(try await AppealVersionRecord.query(on: app.db).filter(\.$appealID == id).filter(\.$language == language).first())
    }
}
