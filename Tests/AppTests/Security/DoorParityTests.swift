@testable import App
import EgideCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

/// The web page and the API are two doors to one operation (issue #14): for every action with
/// both, every role gets the same allow/deny; and no role's API body holds a field its page hides.
@Suite struct DoorParityTests {
    /// Everyone around one case: its organisation's coordinator (with both sensitive permissions),
    /// its lead officer, another officer of the host, an officer of a partner granted the case and
    /// one of a partner that is not, a host administrator and an auditor — each with a browser
    /// session and a token with every scope.
    struct Network {
        struct Member { var name: String; var account: TestAccount; var web: TestClient; var token: String }
        var members: [Member]
        var caseID: UUID
        var alertID: UUID
        var lead: Actor
        var partner: Actor
        var coordinator: Member { members[0] }
        func member(_ name: String) -> Member { members.first { $0.name == name }! }
    }

    static func network(_ app: Application) async throws -> Network {
        let host = try await Fixtures.organisation(app, type: .host, slug: "host", country: "FR", name: "Host NGO")
        let granted = try await Fixtures.organisation(app, type: .partner, slug: "cm", country: "CM", name: "Partner Granted")
        let other = try await Fixtures.organisation(app, type: .partner, slug: "cd", country: "CD", name: "Partner Other")
        let people: [(String, OrganisationRecord, Set<Role>)] = [
            ("coordinator", host, [.coordinator]), ("lead", host, [.protectionOfficer]), ("other officer", host, [.protectionOfficer]),
            ("granted partner", granted, [.protectionOfficer]), ("other partner", other, [.protectionOfficer]),
            ("administrator", host, [.administrator]), ("auditor", host, [.auditor]),
        ]
        var members: [Network.Member] = []
        for (name, organisation, roles) in people {
            let account = try await Fixtures.account(app, in: organisation, roles: roles, name: name.capitalized)
            let web = TestClient(app)
            try await web.signIn(account)
            let token = try await CaseAPINetwork.token(app, account, Set(APIScope.allCases))
            members.append(.init(name: name, account: account, web: web, token: token))
        }
        let coordinator = members[0].account
        for field in SensitiveField.allCases {
            try await app.transaction { db in
                try await UserPermissionRecord(userID: coordinator.id, permission: field.permission, grantedBy: coordinator.id, grantedAt: app.clock.now())
                    .create(on: db)
            }
        }
        func actor(_ account: TestAccount, _ type: OrganisationType, _ roles: Set<Role>) -> Actor {
            Actor(userID: account.id, organisationID: account.organisationID, organisationType: type, roles: roles)
        }
        let lead = actor(members[1].account, .host, [.protectionOfficer])
        let partner = actor(members[3].account, .partner, [.protectionOfficer])
        let caseID = try await CaseWorkflow.open(.init(country: "CM", summary: "A case.", defender: .init(name: "Aline Mbarga")), by: lead, app: app)
        try await CaseWorkflow.setGrant(caseID, organisation: try granted.requireID(), granted: true, by: lead, app: app)
        let receipt = try await AlertFixtures.submit(app, AlertFixtures.alert())
        let alertID = try await AlertFixtures.alertID(app, receipt: receipt.receipt)
        return Network(members: members, caseID: caseID, alertID: alertID, lead: lead, partner: partner)
    }

    /// What a door answered, as far as access goes.
    enum Outcome: String, Equatable { case allowed, forbidden, notFound, other }

    static func outcome(_ status: HTTPStatus) -> Outcome {
        switch status.code {
        case 200..<400, 422: .allowed  // 422: past every access check, refused on the input only
        case 403: .forbidden
        case 404: .notFound
        default: .other
        }
    }

    /// One action through both doors: the web request and the API request.
    struct Action {
        var name: String
        var web: (TestClient, Network) async throws -> TestingHTTPResponse
        var api: (Application, String, Network) async throws -> TestingHTTPResponse
    }

    static func json(_ app: Application, _ method: HTTPMethod, _ path: String, _ token: String, _ body: [String: Any]? = nil) async throws -> TestingHTTPResponse {
        var headers: HTTPHeaders = ["Authorization": "Bearer \(token)"]
        if body != nil { headers.add(name: .contentType, value: "application/json") }
        return try await app.send(method, path, headers: headers, body: body.map(AlertFixtures.json))
    }

    nonisolated(unsafe) static let actions: [Action] = [
        Action(name: "list cases", web: { web, _ in try await web.get("/cases") },
               api: { app, token, _ in try await json(app, .GET, "/api/v1/cases", token) }),
        Action(name: "view a case", web: { web, n in try await web.get(SiteURL.caseFile(n.caseID).href) },
               api: { app, token, n in try await json(app, .GET, "/api/v1/cases/\(SiteURL.id(n.caseID))", token) }),
        Action(name: "open a case", web: { web, _ in try await web.post("/cases", [("country", "CM"), ("summary", "Opened on the web.")]) },
               api: { app, token, _ in try await json(app, .POST, "/api/v1/cases", token, ["country": "CM", "summary": "Opened through the API."]) }),
        Action(name: "assess the risk",
               web: { web, n in
                   try await web.post(SiteURL.caseAction(n.caseID, .assessments).href,
                                      [("threat_description_0", "Summoned."), ("threat_likelihood_0", "3"), ("threat_impact_0", "4"),
                                       ("judgedLevel", "high"), ("justification", "As computed.")])
               },
               api: { app, token, n in
                   try await json(app, .POST, "/api/v1/cases/\(SiteURL.id(n.caseID))/assessments", token,
                                  ["threats": [["actor": "police", "space": "offline", "description": "Summoned.", "likelihood": 3, "impact": 4]],
                                   "judgedLevel": "high", "justification": "As computed."])
               }),
        Action(name: "schedule a follow-up",
               web: { web, n in try await web.post(SiteURL.caseAction(n.caseID, .followUps).href, [("followUpDue", "2999-01-01"), ("purpose", "Call.")]) },
               api: { app, token, n in
                   try await json(app, .POST, "/api/v1/cases/\(SiteURL.id(n.caseID))/follow-ups", token, ["due": "2999-01-01", "purpose": "Call."])
               }),
        Action(name: "list alerts", web: { web, _ in try await web.get("/alerts") },
               api: { app, token, _ in try await json(app, .GET, "/api/v1/alerts", token) }),
        Action(name: "view an alert", web: { web, n in try await web.get(SiteURL.alert(n.alertID).href) },
               api: { app, token, n in try await json(app, .GET, "/api/v1/alerts/\(SiteURL.id(n.alertID))", token) }),
    ]

    @Test func every_role_gets_the_same_answer_from_the_page_and_the_api() async throws {
        try await withApp { app in
            let network = try await Self.network(app)
            var table: [String] = []
            for action in Self.actions {
                for member in network.members {
                    let web = Self.outcome(try await action.web(member.web, network).status)
                    let api = Self.outcome(try await action.api(app, member.token, network).status)
                    #expect(web == api, "\(action.name) as \(member.name): the page says \(web), the API \(api)")
                    #expect(web != .other && api != .other, "\(action.name) as \(member.name): an answer that is not about access")
                    table.append("\(action.name) / \(member.name): \(web.rawValue)")
                }
            }
            // The table is not vacuous: the roles are told apart, both ways.
            #expect(table.contains("schedule a follow-up / lead: allowed") && table.contains("schedule a follow-up / granted partner: forbidden"))
            #expect(table.contains("view a case / granted partner: allowed") && table.contains("view a case / other partner: notFound"))
            #expect(table.contains("view a case / other officer: notFound") && table.contains("assess the risk / granted partner: forbidden"))
            #expect(table.contains("list alerts / coordinator: allowed") && table.contains("list alerts / granted partner: forbidden"))
        }
    }

    // MARK: Fields

    /// A case with a distinct value planted in every field a person can write.
    static func plantedCase(_ app: Application, _ n: Network) async throws -> [String: String] {
        var canaries: [String: String] = [:]
        func plant(_ field: String) -> String {
            let value = "CANARY-\(field)-\(UUID().uuidString.prefix(6))"
            canaries[field] = value
            return value
        }
        let lead = n.lead, id = n.caseID
        let coordinator = Actor(userID: n.coordinator.account.id, organisationID: n.coordinator.account.organisationID, organisationType: .host,
                                roles: [.coordinator])
        let person = try #require(try await CasePersonRecord.query(on: app.db).filter(\.$caseID == id).first())
        try await CaseWorkflow.savePerson(
            try person.requireID(), in: id, role: .defender, isOrganisation: false,
            identity: .init(name: plant("name"), aliases: plant("aliases"), dateOfBirth: plant("dateOfBirth"), contacts: plant("contacts"),
                            address: plant("address"), notes: plant("personNotes")),
            sensitive: .init(genderIdentity: plant("genderIdentity"), sexualOrientation: plant("sexualOrientation")), consent: true, by: lead, app: app)
        try await CaseWorkflow.assess(
            id, .init(threats: [.init(actor: .police, space: .offline, description: plant("threat"), likelihood: 3, impact: 4)],
                      vulnerabilities: [.init(description: plant("vulnerability"), weight: 2)], capacities: [.init(description: plant("capacity"), weight: 2)],
                      justification: plant("justification"), trigger: "initial"),
            judged: .high, nextReview: nil, by: lead, app: app)
        try await CaseWorkflow.addMeasure(id, stage: .prevention, .init(description: plant("measure"), domain: .physical, ownerKind: .partner,
                                                                      ownerName: plant("measureOwner"), note: nil),
                                          assignee: nil, due: nil, by: lead, app: app)
        let measure = try #require(try await CaseItemRecord.query(on: app.db).filter(\.$kind == .measure).first()).id!
        try await CaseWorkflow.updateMeasure(measure, in: id, state: .inProgress, note: plant("measureNote"), by: lead, app: app)
        try await CaseWorkflow.reviewPlan(id, summary: plant("planReview"), by: lead, app: app)
        try await CaseWorkflow.addSupport(id, type: .legal, .init(description: plant("support"), provider: .external, providerName: plant("provider")),
                                          cost: nil, partner: nil, by: lead, app: app)
        try await CaseWorkflow.refer(id, to: n.partner.organisationID, shares: [], consentRecorded: true, message: plant("referralMessage"),
                                     by: lead, app: app)
        let referral = try #require(try await CaseItemRecord.query(on: app.db).filter(\.$kind == .referral).first()).id!
        try await CaseWorkflow.answerReferral(referral, in: id, state: .accepted, text: plant("referralResponse"), by: n.partner, app: app)
        try await CaseWorkflow.refer(id, to: n.member("other partner").account.organisationID, shares: [], consentRecorded: true,
                                     message: plant("otherReferral"), by: lead, app: app)
        let followUp = try await CaseWorkflow.scheduleFollowUp(id, due: app.clock.now().addingTimeInterval(86_400), purpose: plant("followUpPurpose"),
                                                               assignee: nil, by: lead, app: app)
        try await CaseWorkflow.completeFollowUp(followUp, in: id, state: .done, notes: plant("followUpNotes"), newThreat: false, by: lead, app: app)
        try await CaseWorkflow.addPartnerNote(id, notes: plant("partnerNote"), by: n.partner, app: app)
        try await CaseWorkflow.recordReview(id, .init(kind: .conference, findings: plant("reviewFindings"), actions: plant("reviewActions")),
                                            by: coordinator, app: app)
        try await CaseWorkflow.close(id, outcome: .riskReduced, situation: plant("closure"),
                                     impact: .init(answers: [:], notes: plant("impactNotes")), by: lead, app: app)
        return canaries
    }

    /// What a partner's limited view never shows (docs/ACCESS-CONTROL.md), and what it does.
    static let hiddenFromPartners: Set<String> = [
        "aliases", "dateOfBirth", "contacts", "address", "personNotes", "genderIdentity", "sexualOrientation", "threat", "vulnerability",
        "capacity", "justification", "referralMessage", "referralResponse", "otherReferral", "reviewFindings", "reviewActions", "closure",
        "impactNotes",
    ]
    static let shownToPartners: Set<String> = ["name", "measure", "measureOwner", "measureNote", "planReview", "support", "followUpPurpose",
                                               "followUpNotes", "partnerNote"]

    @Test func no_role_reads_through_the_api_a_field_its_page_hides() async throws {
        try await withApp { app in
            let network = try await Self.network(app)
            let canaries = try await Self.plantedCase(app, network)
            for member in network.members {
                let page = try await member.web.get(SiteURL.caseFile(network.caseID).href)
                let api = try await Self.json(app, .GET, "/api/v1/cases/\(SiteURL.id(network.caseID))", member.token)
                #expect(Self.outcome(page.status) == Self.outcome(api.status), "\(member.name)")
                for (field, value) in canaries where api.text.contains(value) {
                    #expect(page.text.contains(value), "\(member.name): the API gives \(field), which the page hides")
                }
                for (field, value) in canaries where page.text.contains(value) {
                    #expect(api.text.contains(value), "\(member.name): the page shows \(field), which the API leaves out")
                }
            }
            // The controls: who sees what, so the comparison above is never between two empty pages.
            let coordinator = try await network.coordinator.web.get(SiteURL.caseFile(network.caseID).href).text
            for (field, value) in canaries { #expect(coordinator.contains(value), "the coordinator sees \(field)") }
            let partner = network.member("granted partner")
            let partnerPage = try await partner.web.get(SiteURL.caseFile(network.caseID).href).text
            let partnerAPI = try await Self.json(app, .GET, "/api/v1/cases/\(SiteURL.id(network.caseID))", partner.token).text
            for field in Self.hiddenFromPartners {
                #expect(!partnerPage.contains(canaries[field]!) && !partnerAPI.contains(canaries[field]!), "a partner is shown \(field)")
            }
            for field in Self.shownToPartners {
                #expect(partnerPage.contains(canaries[field]!) && partnerAPI.contains(canaries[field]!), "a partner is not shown \(field)")
            }
            let lead = try await network.member("lead").web.get(SiteURL.caseFile(network.caseID).href).text
            #expect(lead.contains(canaries["contacts"]!) && !lead.contains(canaries["genderIdentity"]!), "sensitive fields need their permission")
        }
    }
}
