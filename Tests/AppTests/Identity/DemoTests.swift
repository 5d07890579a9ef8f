@testable import App
import EgideCore
import Fluent
import Testing
import Vapor
import EgideCrypto

@Suite struct DemoTests {
    @Test func the_demo_builds_a_network_with_every_role_and_anyone_can_sign_in() async throws {
        try await withApp { app in
            let printed = try await DemoData.load(into: app)
            #expect(try await OrganisationRecord.query(on: app.db).count() == DemoData.organisations.count)
            let roles = Set(try await UserRoleRecord.query(on: app.db).all().map(\.role))
            #expect(roles == Set(Role.allCases))
            let countries = Set(try await OrganisationRecord.query(on: app.db).all().map(\.country))
            #expect(countries.isSuperset(of: ["FR", "CM", "CD", "TN", "GE"]))
            let verifier = try #require(printed.first { $0.roles == "verifier" && $0.organisation == "cm-yaounde" })
            let user = try #require(try await Accounts.findUser(email: verifier.email, on: app.db, vault: app.vault))
            let account = TestAccount(id: try user.requireID(), organisationID: user.$organisation.id, email: verifier.email,
                                      password: DemoData.password, seed: try EgideCrypto.Base32.decode(verifier.secret))
            let client = TestClient(app)
            try await client.signIn(account)
            #expect(try await client.get("/account").status == .ok)
        }
    }

    @Test func the_demo_refuses_a_database_that_has_data() async throws {
        try await withApp { app in
            _ = try await Fixtures.hostAdmin(app)
            await #expect(throws: CommandFailure.self) { try await DemoData.load(into: app) }
            #expect(try await OrganisationRecord.query(on: app.db).count() == 1)
        }
    }
}
