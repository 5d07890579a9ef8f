@testable import App
import EgideCore
import EgideCrypto
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

@Suite struct InvitationTests {
    /// Invites through the admin page and returns the path of the link shown to the administrator.
    func invite(_ admin: TestClient, organisation: UUID, email: String, roles: [Role]) async throws -> (String, TestingHTTPResponse) {
        let res = try await admin.post("/admin/users/invite",
                                       [("organisation", SiteURL.id(organisation)), ("email", email)] + roles.map { ("roles[]", $0.rawValue) })
        let link = res.text.range(of: #"/invitation/[A-Za-z0-9_-]+"#, options: .regularExpression).map { String(res.text[$0]) }
        return (link ?? "", res)
    }

    @Test func an_invited_verifier_joins_enrols_and_signs_in() async throws {
        try await withApp { app in
            let (_, admin) = try await Fixtures.hostAdmin(app)
            let partner = try await Fixtures.organisation(app, type: .partner, country: "CM", name: "Réseau Yaoundé")
            let adminClient = TestClient(app)
            try await adminClient.signIn(admin)
            let (link, page) = try await invite(adminClient, organisation: try partner.requireID(), email: "verif@example.org", roles: [.verifier])
            #expect(page.status == .ok)
            #expect(link.hasPrefix("/invitation/"))

            let invitee = TestClient(app)
            let form = try await invitee.get(link)
            #expect(form.text.contains("Réseau Yaoundé"))
            let accepted = try await invitee.post(link, [("name", "Vérificatrice Test"), ("password", "a long and unusual passphrase"),
                                                        ("passwordConfirmation", "a long and unusual passphrase")])
            #expect(accepted.headers.first(name: .location) == "/account/two-factor")
            let enrol = try await invitee.get("/account/two-factor")
            let secretText = try #require(enrol.text.range(of: #"id="totp-secret">[A-Z2-7 ]+<"#, options: .regularExpression))
            let secret = String(enrol.text[secretText]).dropFirst(#"id="totp-secret">"#.count).dropLast().replacingOccurrences(of: " ", with: "")
            let seed = try Base32.decode(secret)
            let confirmed = try await invitee.post("/account/two-factor", [("code", TOTP(secret: seed).code(at: app.clock.now()))])
            #expect(confirmed.status == .ok)
            #expect(confirmed.text.components(separatedBy: "<li><code>").count - 1 == 10)
            #expect(try await invitee.get("/account").status == .ok)

            // The link is spent.
            #expect(try await TestClient(app).get(link).status == .notFound)
        }
    }

    @Test func an_invitation_expires_after_72_hours() async throws {
        try await withApp { app in
            let (host, admin) = try await Fixtures.hostAdmin(app)
            let adminClient = TestClient(app)
            try await adminClient.signIn(admin)
            let (link, _) = try await invite(adminClient, organisation: try host.requireID(), email: "late@example.org", roles: [.trainer])
            app.clock.advance(by: 71 * 3600)
            #expect(try await TestClient(app).get(link).status == .ok)
            app.clock.advance(by: 2 * 3600)
            #expect(try await TestClient(app).get(link).status == .notFound)
        }
    }

    @Test func a_partner_cannot_be_given_a_coordinating_role_and_an_email_is_used_once() async throws {
        try await withApp { app in
            let (host, admin) = try await Fixtures.hostAdmin(app)
            let partner = try await Fixtures.organisation(app, type: .partner)
            let adminClient = TestClient(app)
            try await adminClient.signIn(admin)
            let (_, refused) = try await invite(adminClient, organisation: try partner.requireID(), email: "x@example.org", roles: [.coordinator])
            #expect(refused.status == .unprocessableEntity)
            let (_, duplicate) = try await invite(adminClient, organisation: try host.requireID(), email: admin.email.uppercased(), roles: [.trainer])
            #expect(duplicate.status == .unprocessableEntity)
            #expect(duplicate.text.contains("already uses this email"))
            #expect(try await UserRecord.query(on: app.db).count() == 1)
        }
    }

    @Test func the_setup_link_claims_a_fresh_instance_once() async throws {
        try await withApp { app in
            let token = try await SetupGate.issue(app, now: app.clock.now())
            let client = TestClient(app)
            #expect(try await client.get("/setup/not-the-token").status == .notFound)
            let shown = try await client.get("/setup/\(token)")
            #expect(shown.status == .ok)
            let weak = try await client.post("/setup/\(token)", [
                ("organisationName", "Protection Lyon"), ("slug", "lyon"), ("country", "FR"), ("name", "Awa"),
                ("email", "awa@example.org"), ("password", "1qaz2wsx3edc"), ("passwordConfirmation", "1qaz2wsx3edc")])
            #expect(weak.status == .unprocessableEntity)
            #expect(try await OrganisationRecord.query(on: app.db).count() == 0)
            let ok = try await client.post("/setup/\(token)", [
                ("organisationName", "Protection Lyon"), ("slug", "lyon"), ("country", "FR"), ("name", "Awa"),
                ("email", "awa@example.org"), ("password", "a long and unusual passphrase"), ("passwordConfirmation", "a long and unusual passphrase")])
            #expect(ok.headers.first(name: .location) == "/account/two-factor")
            #expect(try await OrganisationRecord.query(on: app.db).first()?.type == .host)
            let reused = try await TestClient(app).get("/setup/\(token)")
            #expect(reused.status == .notFound)
            let again = try await SetupGate.issue(app, now: app.clock.now())
            let claimed = try await TestClient(app).get("/setup/\(again)")
            #expect(claimed.status == .notFound, "an instance with an administrator cannot be claimed")
        }
    }

    @Test func the_setup_link_expires_after_an_hour() async throws {
        try await withApp { app in
            let token = try await SetupGate.issue(app, now: app.clock.now())
            app.clock.advance(by: 3601)
            let expired = try await TestClient(app).get("/setup/\(token)")
            #expect(expired.status == .notFound)
        }
    }
}
