@testable import App
import EgideCore
import EgideCrypto
import Fluent
import Foundation
import Testing
import SQLKit
import Vapor

@Suite struct IdentityAuditTests {
    @Test func identity_changes_are_audited_in_an_intact_chain() async throws {
        try await withApp { app in
            let (host, admin) = try await Fixtures.hostAdmin(app)
            let officer = try await Fixtures.account(app, in: host, roles: [.protectionOfficer])
            let client = TestClient(app)
            try await TestClient(app).post("/sign-in", [("email", admin.email), ("password", "wrong password here")])
            try await client.signIn(admin)
            let officerPath = "/admin/users/\(SiteURL.id(officer.id))"
            try await client.post(officerPath + "/roles", [("roles[]", "protection_officer"), ("roles[]", "trainer")])
            try await client.post(officerPath + "/reset-two-factor")
            try await client.post(officerPath + "/disable", [("confirm", "yes")])
            try await client.post("/admin/users/invite", [("organisation", SiteURL.id(try host.requireID())), ("email", "new@example.org"), ("roles[]", "verifier")])
            try await client.post("/account/tokens", [("name", "t"), ("days", "5"), ("scopes[]", "account:read"), ("password", Fixtures.password)])
            try await client.post("/sign-out")

            let events = try await AuditEventModel.query(on: app.db).sort(\.$id).all()
            let actions = events.map(\.action)
            for expected in ["user.sign_in_failed", "user.sign_in", "user.roles_change", "user.two_factor_reset", "user.disable",
                             "user.create", "user.invite", "token.create", "user.sign_out"] {
                #expect(actions.contains(expected), "missing audit event \(expected)")
            }
            let verdict = AuditChainVerifier.verify(events.map(\.stored))
            guard case .intact(let head) = verdict else { Issue.record("chain broken: \(verdict)"); return }
            #expect(head.sequence == Int64(events.count))
            // Actors and objects are identifiers, never names or addresses.
            let text = events.map { [$0.actor, $0.objectID ?? "", $0.details].joined(separator: " ") }.joined(separator: "\n")
            #expect(!text.contains(admin.email) && !text.contains(officer.email) && !text.contains("new@example.org"))
            #expect(!text.contains("Test Person"))
        }
    }

    @Test func no_email_name_password_or_seed_is_stored_in_clear() async throws {
        try await withApp { app in
            guard testPostgresURL == nil else { return }  // scans the SQLite files; PostgreSQL's are the server's
            let organisation = try await Fixtures.organisation(app, type: .partner, name: "Canary-Org-Ⴀ-Вера")
            let person = try await Fixtures.account(app, in: organisation, roles: [.verifier],
                                                    email: "canary.hélène@example.org", name: "Hélène Canary-Ⴀ-خديجة")
            try await TestClient(app).signIn(person)
            let folder = app.egideConfig.dataDirectory
            try await (app.db as! any SQLDatabase).raw("PRAGMA wal_checkpoint(PASSIVE)").run()
            let canaries = ["canary.hélène@example.org", "Hélène Canary", "Canary-Org", "خديجة", "Вера", Fixtures.password,
                            Base32.encode(person.seed)]
            let hits = Canaries.scan(folder: folder, logs: "", for: canaries)
            #expect(hits.isEmpty, "found in clear: \(hits)")
        }
    }
}
