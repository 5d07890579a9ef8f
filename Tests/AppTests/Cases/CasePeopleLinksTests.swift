@testable import App
import EgideCore
import Fluent
import Foundation
import Testing
import Vapor

/// People across cases: the same defender written in two scripts in two offices' cases. Each
/// office learns the other case exists only as a referral to the coordinator; a case the reader may
/// see is linked.
@Suite struct CasePeopleLinksTests {
    @Test func the_same_defender_in_another_case_is_linked_or_referred_by_access() async throws {
        try await withApp { app in
            let lyon = try await Fixtures.organisation(app, type: .host, slug: "lyon", country: "FR", name: "Lyon")
            let tunis = try await Fixtures.organisation(app, type: .consortiumMember, slug: "tunis", country: "TN", name: "Tunis")
            let lyonOfficer = try await Fixtures.account(app, in: lyon, roles: [.protectionOfficer])
            let lyonCoordinator = try await Fixtures.account(app, in: lyon, roles: [.coordinator])
            let tunisOfficer = try await Fixtures.account(app, in: tunis, roles: [.protectionOfficer])
            func actor(_ account: TestAccount, _ type: OrganisationType) -> Actor {
                Actor(userID: account.id, organisationID: account.organisationID, organisationType: type, roles: [.protectionOfficer])
            }
            let first = try await CaseWorkflow.open(.init(country: "TN", summary: "Threatened in Sfax.", defender: .init(name: "Hocine Bensalah")),
                                                    by: actor(lyonOfficer, .host), app: app)
            let second = try await CaseWorkflow.open(.init(country: "TN", summary: "Followed.", defender: .init(name: "Houssein Ben Salah", dateOfBirth: "1984-03-12")),
                                                     by: actor(lyonOfficer, .host), app: app)
            let tunisCase = try await CaseWorkflow.open(.init(country: "TN", summary: "Summoned.", defender: .init(name: "حسين بن صالح")),
                                                        by: actor(tunisOfficer, .consortiumMember), app: app)
            _ = try await CaseWorkflow.open(.init(country: "TN", summary: "Other.", defender: .init(name: "Hassan Ben Salem")),
                                            by: actor(lyonOfficer, .host), app: app)
            let codes = try await CaseRecord.query(on: app.db).all().reduce(into: [UUID: String]()) { $0[$1.id!] = $1.code }

            let officer = TestClient(app)
            try await officer.signIn(lyonOfficer)
            let page = try await officer.get("/cases/\(SiteURL.id(first))")
            #expect(page.text.contains(codes[second]!) && page.text.contains("Possibly the same person in:"), "the officer's other case is linked")
            #expect(!page.text.contains(codes[tunisCase]!) && !page.text.contains("حسين") && !page.text.contains("cannot see"),
                    "an officer learns nothing of cases they may not see, not even a count")
            #expect(!page.text.contains("Houssein") && !page.text.contains("Hassan Ben Salem"), "no name from another case, and no different person")

            // The API answers the same as the page.
            let token = try await CaseAPINetwork.token(app, lyonOfficer, [.readCases])
            let response = try await app.send(.GET, "/api/v1/cases/\(SiteURL.id(first))", headers: ["Authorization": "Bearer \(token)"])
            let body = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any]
            let person = try #require((body?["people"] as? [[String: Any]])?.first)
            let matches = try #require(person["possibleMatches"] as? [[String: Any]])
            #expect(matches.map { $0["code"] as? String } == [codes[second]!] && matches.first?["name"] == nil)
            #expect(person["matchesInCasesYouCannotSee"] as? Int == 0)

            // Lyon's coordinator sees every Lyon case, and a count of the Tunis office's, to follow up.
            let coordinator = TestClient(app)
            try await coordinator.signIn(lyonCoordinator)
            let seen = try await coordinator.get("/cases/\(SiteURL.id(second))").text
            #expect(seen.contains(codes[first]!) && seen.contains("that you cannot see: 1."))
            #expect(!seen.contains(codes[tunisCase]!) && !seen.contains("حسين"))

            // A Tunis officer (not a coordinator) sees nothing of Lyon's cases.
            let tunisClient = TestClient(app)
            try await tunisClient.signIn(tunisOfficer)
            let theirs = try await tunisClient.get("/cases/\(SiteURL.id(tunisCase))")
            #expect(!theirs.text.contains("cannot see") && !theirs.text.contains("Bensalah"))
        }
    }

    @Test func dates_of_birth_further_than_a_typing_error_rule_a_pair_out() {
        #expect(!CasePeopleLinks.bornApart("1984-03-12", "1984-03-21"))
        #expect(!CasePeopleLinks.bornApart("1984-03-12", nil))
        #expect(CasePeopleLinks.bornApart("1984-03-12", "1990-07-01"))
    }
}
