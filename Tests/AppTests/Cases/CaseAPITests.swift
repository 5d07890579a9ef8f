@testable import App
import EgideCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

/// A small protection network for the cases API: a host officer (who opens the cases), a partner
/// organisation that may be granted a case, another partner that never is, and their tokens.
struct CaseAPINetwork {
    let app: Application
    var host: OrganisationRecord
    var officer: TestAccount
    var partner: OrganisationRecord
    var partnerOfficer: TestAccount
    var otherPartnerOfficer: TestAccount
    /// `cases:read cases:write` for the officer; `cases:read cases:write` for the partner officers.
    var officerToken: String
    var partnerToken: String
    var otherPartnerToken: String

    static func make(_ app: Application) async throws -> CaseAPINetwork {
        let host = try await Fixtures.organisation(app, type: .host, slug: "host", country: "FR", name: "Host NGO")
        let officer = try await Fixtures.account(app, in: host, roles: [.protectionOfficer])
        let partner = try await Fixtures.organisation(app, type: .partner, slug: "cm", country: "CM", name: "Partner CM")
        let partnerOfficer = try await Fixtures.account(app, in: partner, roles: [.protectionOfficer])
        let other = try await Fixtures.organisation(app, type: .partner, slug: "cd", country: "CD", name: "Partner CD")
        let otherOfficer = try await Fixtures.account(app, in: other, roles: [.protectionOfficer])
        let both: Set<APIScope> = [.readCases, .writeCases]
        return CaseAPINetwork(app: app, host: host, officer: officer, partner: partner, partnerOfficer: partnerOfficer,
                              otherPartnerOfficer: otherOfficer,
                              officerToken: try await token(app, officer, both), partnerToken: try await token(app, partnerOfficer, both),
                              otherPartnerToken: try await token(app, otherOfficer, both))
    }

    static func token(_ app: Application, _ account: TestAccount, _ scopes: Set<APIScope>) async throws -> String {
        try await app.transaction { db in
            try await TokensController.create(userID: account.id, organisation: account.organisationID, name: "t", scopes: scopes, days: 5,
                                              by: .system, at: app.clock.now(), on: db)
        }
    }

    var officerActor: Actor {
        Actor(userID: officer.id, organisationID: officer.organisationID, organisationType: .host, roles: [.protectionOfficer])
    }

    func get(_ path: String, token: String) async throws -> TestingHTTPResponse {
        try await app.send(.GET, path, headers: ["Authorization": "Bearer \(token)"])
    }

    func post(_ path: String, _ fields: [String: Any], token: String) async throws -> TestingHTTPResponse {
        try await app.send(.POST, path, headers: ["Authorization": "Bearer \(token)", "Content-Type": "application/json"],
                           body: AlertFixtures.json(fields))
    }

    /// Opens a case through the API for the officer and returns it.
    func open(defender: String = "Aline Mbarga", contacts: String = "+237 699 12 34 56", country: String = "CM") async throws -> CasesAPIController.CaseDetail {
        let res = try await post("/api/v1/cases", ["country": country, "summary": "Followed and threatened after a hearing.", "region": "Littoral",
                                                   "fieldOfWork": "journalism",
                                                   "defender": ["name": defender, "contacts": contacts, "address": "Rue 12, Douala"]],
                                 token: officerToken)
        #expect(res.status == .created, "open: \(res.status) \(res.text)")
        return try Self.decode(CasesAPIController.CaseDetail.self, res)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ res: TestingHTTPResponse) throws -> T {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(T.self, from: Data(res.text.utf8))
    }

    static func fields(_ res: TestingHTTPResponse) throws -> Set<String> {
        Set(try decode(Problem.self, res).errors?.map(\.field) ?? [])
    }

    static var assessment: [String: Any] { [
        "threats": [["actor": "police", "space": "offline", "description": "Summoned twice without charge.", "likelihood": 3, "impact": 4]],
        "vulnerabilities": [["description": "Lives alone near the station.", "weight": 3]],
        "capacities": [["description": "Known to the local bar association.", "weight": 2]],
        "judgedLevel": "critical",
        "justification": "The summons came with threats to the family.",
    ] }
}

@Suite struct CaseAPITests {
    @Test func token_scopes_are_enforced() async throws {
        try await withApp { app in
            let network = try await CaseAPINetwork.make(app)
            let readOnly = try await CaseAPINetwork.token(app, network.officer, [.readCases])
            let alertsOnly = try await CaseAPINetwork.token(app, network.officer, [.readAlerts])
            let body: [String: Any] = ["country": "CM", "summary": "A case."]
            #expect(try await network.post("/api/v1/cases", body, token: readOnly).status == .forbidden)
            #expect(try await network.get("/api/v1/cases", token: alertsOnly).status == .forbidden)
            #expect(try await network.get("/api/v1/cases", token: readOnly).status == .ok)
            #expect(try await app.send(.GET, "/api/v1/cases").status == .unauthorized)
            let opened = try await network.open()
            let path = "/api/v1/cases/\(SiteURL.id(opened.header.id))"
            #expect(try await network.get(path, token: alertsOnly).status == .forbidden)
            #expect(try await network.post(path + "/assessments", CaseAPINetwork.assessment, token: readOnly).status == .forbidden)
            #expect(try await network.post(path + "/follow-ups", ["due": "2999-01-01", "purpose": "Call"], token: readOnly).status == .forbidden)
            #expect(try await CaseRecord.query(on: app.db).count() == 1)
        }
    }

    @Test func a_case_opened_through_the_api_is_listed_shown_and_assessed() async throws {
        try await withApp { app in
            let network = try await CaseAPINetwork.make(app)
            let opened = try await network.open()
            #expect(opened.header.code.hasPrefix("CMR-") && opened.header.code.hasSuffix("-0001"))
            #expect(opened.header.status == "open" && opened.header.leadId == network.officer.id && opened.header.riskLevel == nil)
            #expect(opened.file.view == "full" && opened.file.summary?.hasPrefix("Followed") == true && opened.file.region == "Littoral")
            #expect(opened.file.people.map(\.name) == ["Aline Mbarga"] && opened.file.people.first?.contacts == "+237 699 12 34 56")
            #expect(opened.file.timeline.map(\.kind).contains("opened"))

            let list = try await network.get("/api/v1/cases", token: network.officerToken)
            let page = try CaseAPINetwork.decode(CasesAPIController.CaseList.self, list)
            #expect(page.total == 1 && page.items.map(\.id) == [opened.header.id] && page.limit == 50)
            #expect(!list.text.contains("Mbarga") && !list.text.contains("Followed"), "the list carries no personal data")

            let path = "/api/v1/cases/\(SiteURL.id(opened.header.id))"
            let assessed = try await network.post(path + "/assessments", CaseAPINetwork.assessment, token: network.officerToken)
            #expect(assessed.status == .created, "assess: \(assessed.text)")
            let result = try CaseAPINetwork.decode(CasesAPIController.AssessmentResult.self, assessed)
            // T = 12, V = 1 + 3/15, C = 1 + 2/15: R = 12 × 1.2 ÷ 1.133… ≈ 12.7, high; the officer judged it critical.
            #expect(result.version == 1 && result.computed.level.name == "high" && result.computed.level.value == 4)
            #expect(abs(result.computed.score - 12 * 18.0 / 17.0) < 0.0001 && result.computed.threatFactor == 12)
            #expect(result.judgedLevel == CasesAPIController.Level(.critical))

            let shown = try CaseAPINetwork.decode(CasesAPIController.CaseDetail.self, try await network.get(path, token: network.officerToken))
            #expect(shown.header.riskLevel?.name == "high" && shown.header.judgedLevel?.value == 5 && shown.header.status == "active")
            #expect(shown.header.nextReviewAt != nil)
            let latest = try #require(shown.file.assessment)
            #expect(latest.version == 1 && latest.trigger == "initial" && latest.computed?.level.name == "high")
            #expect(latest.judgedLevel?.name == "critical" && latest.threats?.first?.actor == .police && latest.capacities?.first?.weight == 2)
            #expect(shown.file.pastAssessments.isEmpty)

            var lower = CaseAPINetwork.assessment
            lower["judgedLevel"] = "moderate"
            lower["nextReview"] = "2999-06-30"
            let second = try await network.post(path + "/assessments", lower, token: network.officerToken)
            #expect(try CaseAPINetwork.decode(CasesAPIController.AssessmentResult.self, second).version == 2)
            let followUp = try await network.post(path + "/follow-ups", ["due": "2999-01-15", "purpose": "Call after the hearing"], token: network.officerToken)
            #expect(followUp.status == .created && followUp.text.contains("Call after the hearing"), "follow-up: \(followUp.text)")

            let again = try CaseAPINetwork.decode(CasesAPIController.CaseDetail.self, try await network.get(path, token: network.officerToken))
            #expect(again.header.judgedLevel?.name == "moderate" && again.file.assessment?.version == 2 && again.file.assessment?.trigger == "scheduled")
            #expect(again.file.pastAssessments.map(\.version) == [1])
            #expect(again.file.followUps.map(\.purpose) == ["Call after the hearing"] && again.file.followUps.first?.assigneeId == network.officer.id)
            #expect(Set(again.file.timeline.map(\.kind)).isSuperset(of: ["opened", "assessed", "follow_up_scheduled"]))
        }
    }

    @Test func a_partner_sees_a_case_only_when_granted_and_then_without_contacts() async throws {
        try await withApp { app in
            let network = try await CaseAPINetwork.make(app)
            let opened = try await network.open(contacts: "+237 677 00 11 22")
            let path = "/api/v1/cases/\(SiteURL.id(opened.header.id))"

            let foreign = try await network.get(path, token: network.partnerToken)
            let missing = try await network.get("/api/v1/cases/\(SiteURL.id(UUID()))", token: network.partnerToken)
            #expect(foreign.status == .notFound && missing.status == .notFound)
            // The same problem and the same headers (the encoder's key order varies between any two responses).
            #expect(try CaseAPINetwork.decode(Problem.self, foreign) == (try CaseAPINetwork.decode(Problem.self, missing)),
                    "a foreign case answers exactly like a missing one")
            #expect(foreign.headers.map(\.name).sorted() == missing.headers.map(\.name).sorted() && foreign.body.readableBytes == missing.body.readableBytes)
            #expect(try CaseAPINetwork.decode(CasesAPIController.CaseList.self, try await network.get("/api/v1/cases", token: network.partnerToken)).total == 0)
            #expect(try await network.post(path + "/assessments", CaseAPINetwork.assessment, token: network.partnerToken).status == .notFound)

            try await CaseWorkflow.setGrant(opened.header.id, organisation: try network.partner.requireID(), granted: true,
                                            by: network.officerActor, app: app)
            let granted = try await network.get(path, token: network.partnerToken)
            #expect(granted.status == .ok)
            let limited = try CaseAPINetwork.decode(CasesAPIController.CaseDetail.self, granted)
            #expect(limited.file.view == "limited" && limited.file.people.map(\.name) == ["Aline Mbarga"])
            #expect(limited.file.people.allSatisfy { $0.contacts == nil && $0.address == nil && $0.genderIdentity == nil })
            #expect(!granted.text.contains("677 00 11 22") && !granted.text.contains("Rue 12"))
            let list = try CaseAPINetwork.decode(CasesAPIController.CaseList.self, try await network.get("/api/v1/cases", token: network.partnerToken))
            #expect(list.items.map(\.id) == [opened.header.id])
            // Granted a limited view, the partner still may not assess the risk; the other partner still sees nothing.
            #expect(try await network.post(path + "/assessments", CaseAPINetwork.assessment, token: network.partnerToken).status == .forbidden)
            // Issue #14: the limited view carried the assessment in full, and a partner could schedule follow-ups.
            #expect(try await network.post(path + "/assessments", CaseAPINetwork.assessment, token: network.officerToken).status == .created)
            let assessed = try await network.get(path, token: network.partnerToken)
            let partnerView = try CaseAPINetwork.decode(CasesAPIController.CaseDetail.self, assessed)
            #expect(partnerView.file.assessment?.judgedLevel?.name == "critical", "the levels are shown")
            #expect(partnerView.file.assessment?.threats == nil && partnerView.file.assessment?.justification == nil
                    && partnerView.file.assessment?.vulnerabilities == nil && partnerView.file.assessment?.capacities == nil)
            #expect(!assessed.text.contains("Summoned twice") && !assessed.text.contains("Lives alone") && !assessed.text.contains("bar association"))
            #expect(partnerView.file.summary == nil && !assessed.text.contains("Followed and threatened"))
            let scheduled = try await network.post(path + "/follow-ups", ["due": "2999-01-01", "purpose": "Call"], token: network.partnerToken)
            #expect(scheduled.status == .forbidden, "a partner schedules no follow-up through the API, as on the web")
            #expect(try await CaseItemRecord.query(on: app.db).filter(\.$kind == .followUp).count() == 0)
            #expect(try await network.get(path, token: network.otherPartnerToken).status == .notFound)
        }
    }

    @Test func sensitive_fields_appear_only_with_their_own_permission() async throws {
        try await withApp { app in
            let network = try await CaseAPINetwork.make(app)
            let opened = try await network.open()
            let person = try #require(opened.file.people.first)
            try await CaseWorkflow.savePerson(person.id, in: opened.header.id, role: .defender, isOrganisation: false,
                                              identity: .init(name: "Aline Mbarga", contacts: "+237 699 12 34 56"),
                                              sensitive: .init(genderIdentity: "trans woman", sexualOrientation: "lesbian"), consent: true,
                                              by: network.officerActor, app: app)
            let path = "/api/v1/cases/\(SiteURL.id(opened.header.id))"
            let without = try CaseAPINetwork.decode(CasesAPIController.CaseDetail.self, try await network.get(path, token: network.officerToken))
            #expect(without.file.people.first?.genderIdentity == nil && without.file.people.first?.sexualOrientation == nil)
            #expect(without.file.people.first?.consentRecorded == true)
            try await app.transaction { db in
                try await UserPermissionRecord(userID: network.officer.id, permission: SensitiveField.genderIdentity.permission,
                                               grantedBy: network.officer.id, grantedAt: app.clock.now()).create(on: db)
            }
            let with = try CaseAPINetwork.decode(CasesAPIController.CaseDetail.self, try await network.get(path, token: network.officerToken))
            #expect(with.file.people.first?.genderIdentity == "trans woman" && with.file.people.first?.sexualOrientation == nil)
        }
    }

    @Test func invalid_fields_are_named_in_a_422_problem() async throws {
        try await withApp { app in
            let network = try await CaseAPINetwork.make(app)
            let bad = try await network.post("/api/v1/cases", ["country": "XX", "fieldOfWork": "astrology", "defender": ["aliases": "A."]],
                                             token: network.officerToken)
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.headers.first(name: .contentType)?.hasPrefix("application/problem+json") == true)
            #expect(try CaseAPINetwork.fields(bad) == ["country", "summary", "fieldOfWork", "defender.name"])
            #expect(try await CaseRecord.query(on: app.db).count() == 0)

            let opened = try await network.open()
            let path = "/api/v1/cases/\(SiteURL.id(opened.header.id))/assessments"
            var assessment = CaseAPINetwork.assessment
            assessment["threats"] = [["actor": "police", "space": "offline", "description": "Summoned.", "likelihood": 9, "impact": 4],
                                     ["actor": "aliens", "space": "offline", "description": "", "likelihood": 2, "impact": 0]]
            assessment["judgedLevel"] = "extreme"
            assessment["nextReview"] = "2020-02-30"
            let refused = try await network.post(path, assessment, token: network.officerToken)
            #expect(refused.status == .unprocessableEntity)
            #expect(try CaseAPINetwork.fields(refused) == ["threats[0].likelihood", "threats[1].actor", "threats[1].description",
                                                          "threats[1].impact", "judgedLevel", "nextReview"])
            var wrongType = CaseAPINetwork.assessment
            wrongType["vulnerabilities"] = [["description": "Alone.", "weight": "heavy"]]
            #expect(try CaseAPINetwork.fields(try await network.post(path, wrongType, token: network.officerToken)) == ["vulnerabilities[0].weight"])
            let followUp = try await network.post("/api/v1/cases/\(SiteURL.id(opened.header.id))/follow-ups", ["due": "2001-01-01"], token: network.officerToken)
            #expect(try CaseAPINetwork.fields(followUp) == ["due", "purpose"])
            let filters = try await network.get("/api/v1/cases?country=France&limit=500&status=lost", token: network.officerToken)
            #expect(filters.status == .unprocessableEntity)
            #expect(try CaseAPINetwork.fields(filters) == ["country", "limit", "status"])
            #expect(try await CaseItemRecord.query(on: app.db).count() == 0)
        }
    }

    @Test func search_finds_a_case_by_its_code_or_a_word_of_a_name() async throws {
        try await withApp { app in
            let network = try await CaseAPINetwork.make(app)
            let first = try await network.open(defender: "Aline Mbarga Ndongo")
            let second = try await network.open(defender: "Joseph Kabila Tshisekedi", country: "CD")
            func search(_ q: String) async throws -> [UUID] {
                let q = q.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? q
                let res = try await network.get("/api/v1/cases?q=\(q)", token: network.officerToken)
                #expect(res.status == .ok, "q=\(q): \(res.text)")
                return try CaseAPINetwork.decode(CasesAPIController.CaseList.self, res).items.map(\.id)
            }
            #expect(try await search(first.header.code) == [first.header.id])
            // Typed loosely: lower case, no leading zeros.
            let loose = first.header.code.lowercased().replacingOccurrences(of: "-0001", with: "-1")
            #expect(try await search(loose) == [first.header.id])
            #expect(try await search("mbarga") == [first.header.id])
            #expect(try await search("Kabila") == [second.header.id])
            #expect(try await search("Zebulon").isEmpty)
            #expect(try await search("Aline Zebulon").isEmpty, "every word must match")
            // Another organisation's officer finds nothing, even by code.
            #expect(try CaseAPINetwork.decode(CasesAPIController.CaseList.self,
                                              try await network.get("/api/v1/cases?q=\(first.header.code)", token: network.partnerToken)).total == 0)
        }
    }

    @Test func every_read_of_one_case_is_audited_and_the_chain_verifies() async throws {
        try await withApp { app in
            let network = try await CaseAPINetwork.make(app)
            let opened = try await network.open()
            let path = "/api/v1/cases/\(SiteURL.id(opened.header.id))"
            _ = try await network.get("/api/v1/cases", token: network.officerToken)
            for _ in 0..<3 { #expect(try await network.get(path, token: network.officerToken).status == .ok) }
            _ = try await network.get(path, token: network.otherPartnerToken)  // 404: nothing was read
            let reads = try await AuditEventModel.query(on: app.db).filter(\.$action == "case.read").all()
            #expect(reads.count == 3)
            #expect(reads.allSatisfy {
                $0.objectType == "case" && $0.objectID == SiteURL.id(opened.header.id) && $0.actor == SiteURL.id(network.officer.id)
                    && AuditEventModel.decode($0.details) == ["via": "api"]
            })
            #expect(try await AuditEventModel.query(on: app.db).filter(\.$action == "case.open").count() == 1)
            _ = try await AuditLogCheck.verify(on: ProtectionTest.sql(app.db))
        }
    }
}
