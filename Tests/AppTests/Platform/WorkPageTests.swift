@testable import App
import EgideCore
import Fluent
import Foundation
import Testing
import VaporTesting

/// Where each person starts, the menu assembled from the modules' declarations, and "Needs my
/// attention" listing each record once with all its reasons.
@Suite struct WorkPageTests {
    @Test func signing_in_lands_each_role_on_its_work_page_and_home_is_that_page() async throws {
        try await withApp { app in
            let chain = try await AlertFixtures.chain(app)
            let admin = try await Fixtures.account(app, in: chain.host, roles: [.administrator])
            let auditor = try await Fixtures.account(app, in: chain.host, roles: [.auditor])
            for (account, landing) in [(chain.officer, "/attention"), (chain.verifier, "/verification"),
                                       (admin, "/admin/organisations"), (auditor, "/admin/audit")] {
                let client = TestClient(app)
                let signedIn = try await client.signIn(account)
                #expect(signedIn.headers.first(name: .location) == "/", "the code step goes to / unless told otherwise")
                let home = try await client.get("/")
                #expect(home.status == .seeOther && home.headers.first(name: .location) == landing, "\(account.email) lands on \(landing)")
                #expect(try await client.get(landing).status == .ok)
            }
            // Signed out, / is the public home page.
            #expect(try await TestClient(app).get("/").status == .ok)
        }
    }

    @Test func the_menu_comes_from_the_module_declarations_and_every_entry_is_a_page() async throws {
        let entries = Modules.all.flatMap { $0.navigation }
        #expect(Set(entries.map(\.position)).count == entries.count, "two menu entries share a position")
        #expect(Set(entries.map(\.url.href)).count == entries.count, "a page is in the menu twice")
        try await withApp { app in
            let chain = try await AlertFixtures.chain(app)
            let client = TestClient(app)
            try await client.signIn(chain.verifier)
            let page = try await client.get("/verification").text
            let user = try #require(try await UserRecord.find(chain.verifier.id, on: app.db))
            let menu = Modules.navigation(for: try await Accounts.actor(for: user, on: app.db))
            #expect(menu.map(\.url.href) == [SiteURL.attention.href, SiteURL.newAlert.href, SiteURL.verificationRequests.href, SiteURL.account.href])
            for entry in menu { #expect(page.contains("href=\"\(entry.url.href)\"")) }
            #expect(!page.contains("href=\"/alerts\""), "a verifier does not see the alert queue in the menu")
        }
    }

    @Test func attention_lists_each_alert_once_with_every_reason() async throws {
        try await withApp { app in
            let chain = try await AlertFixtures.chain(app)
            let receipt = try await AlertFixtures.submit(app, AlertFixtures.alert(name: "Paul Biya Ndzana"))
            let id = try await AlertFixtures.alertID(app, receipt: receipt.receipt)
            let officer = TestClient(app)
            try await officer.signIn(chain.officer)
            #expect(try await officer.post(SiteURL.alertAction(id, .triage).href, [("urgency", "p1")]).status == .seeOther)
            app.clock.advance(by: 3 * 24 * 3600)  // past the P1 deadline, not answered
            try await officer.signIn(chain.officer)
            let page = try await officer.get("/attention").text
            let alerts = try #require(page.range(of: "id=\"alerts\"")).upperBound
            let section = String(page[alerts...]).components(separatedBy: "</section>")[0]
            #expect(section.components(separatedBy: "Paul Biya Ndzana").count == 2, "the alert is listed once")
            #expect(section.contains("Overdue") && section.contains(">P1<"))
            #expect(section.contains("class=\"count\">1<"))
            #expect(!page.contains("Nothing is waiting on you"))
        }
    }

    @Test func attention_says_so_when_nothing_is_waiting() async throws {
        try await withApp { app in
            let chain = try await AlertFixtures.chain(app)
            let officer = TestClient(app)
            try await officer.signIn(chain.officer)
            let page = try await officer.get("/attention").text
            #expect(page.contains("Nothing is waiting on you right now."))
        }
    }
}
