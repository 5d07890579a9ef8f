@testable import App
import EgideCore
import EgideCrypto
import Fluent
import Testing
import Vapor

@Suite struct SessionTests {
    func isSignedIn(_ client: TestClient) async throws -> Bool {
        try await client.get("/account").status == .ok
    }

    @Test func a_session_ends_after_thirty_idle_minutes() async throws {
        try await withApp { app in
            let (_, admin) = try await Fixtures.hostAdmin(app)
            let client = TestClient(app)
            try await client.signIn(admin)
            app.clock.advance(by: 29 * 60)
            #expect(try await isSignedIn(client))
            app.clock.advance(by: 30 * 60 + 1)
            #expect(try await !isSignedIn(client))
            #expect(try await SessionRecord.query(on: app.db).filter(\.$user.$id == admin.id).count() == 0)
        }
    }

    /// Disabling ends the account's sessions; a session that survived anyway (a restore, a
    /// hand-made row) must still open nothing once its account is disabled.
    @Test func a_session_of_a_disabled_account_opens_nothing() async throws {
        try await withApp { app in
            let (_, admin) = try await Fixtures.hostAdmin(app)
            let client = TestClient(app)
            try await client.signIn(admin)
            #expect(try await isSignedIn(client))
            try await UserRecord.query(on: app.db).filter(\.$id == admin.id).set(\.$disabledAt, to: app.clock.now()).update()
            #expect(try await SessionRecord.query(on: app.db).filter(\.$user.$id == admin.id).count() == 1)
            #expect(try await !isSignedIn(client))
        }
    }

    /// The standing read on every request gives the account's organisation and every role it holds.
    @Test func the_standing_of_an_account_carries_all_its_roles() async throws {
        try await withApp { app in
            let (organisation, admin) = try await Fixtures.hostAdmin(app)
            try await UserRoleRecord(userID: admin.id, role: .protectionOfficer).create(on: app.db)
            let standing = try #require(try await Accounts.standing(of: admin.id, on: app.db))
            #expect(standing.actor.organisationID == organisation.id && standing.actor.organisationType == .host)
            #expect(standing.actor.roles == [.administrator, .protectionOfficer])
            #expect(!standing.disabled)
            #expect(try await Accounts.standing(of: UUID(), on: app.db) == nil)
        }
    }

    @Test func a_session_ends_after_twelve_hours_however_active() async throws {
        try await withApp { app in
            let (_, admin) = try await Fixtures.hostAdmin(app)
            let client = TestClient(app)
            try await client.signIn(admin)
            for _ in 0..<(12 * 3 - 1) {
                app.clock.advance(by: 20 * 60)
                #expect(try await isSignedIn(client))
            }
            app.clock.advance(by: 20 * 60)
            #expect(try await !isSignedIn(client))
        }
    }

    @Test func disabling_an_account_ends_its_sessions() async throws {
        try await withApp { app in
            let (host, admin) = try await Fixtures.hostAdmin(app)
            let officer = try await Fixtures.account(app, in: host, roles: [.protectionOfficer])
            let officerClient = TestClient(app)
            try await officerClient.signIn(officer)
            #expect(try await isSignedIn(officerClient))
            let adminClient = TestClient(app)
            try await adminClient.signIn(admin)
            let res = try await adminClient.post("/admin/users/\(SiteURL.id(officer.id))/disable", [("confirm", "yes")])
            #expect(res.status == .ok)
            #expect(try await !isSignedIn(officerClient))
        }
    }

    @Test func changing_the_password_ends_every_other_session_and_keeps_mine() async throws {
        try await withApp { app in
            let (host, _) = try await Fixtures.hostAdmin(app)
            let officer = try await Fixtures.account(app, in: host, roles: [.protectionOfficer])
            let laptop = TestClient(app), phone = TestClient(app)
            try await laptop.signIn(officer)
            try await phone.signIn(officer)
            let before = laptop.sessionCookie
            let res = try await laptop.post("/account/password", [
                ("currentPassword", officer.password), ("password", "another long passphrase here"),
                ("passwordConfirmation", "another long passphrase here")])
            #expect(res.status == .seeOther)
            #expect(laptop.sessionCookie != before)
            #expect(try await isSignedIn(laptop))
            #expect(try await !isSignedIn(phone))
        }
    }

    @Test func a_weak_or_mismatched_new_password_is_refused_and_nothing_changes() async throws {
        try await withApp { app in
            let (host, _) = try await Fixtures.hostAdmin(app)
            let officer = try await Fixtures.account(app, in: host, roles: [.protectionOfficer])
            let client = TestClient(app)
            try await client.signIn(officer)
            for (new, confirm, message) in [("short", "short", "at least 12 characters"),
                                            ("1Q2W3E4R5T6Y", "1Q2W3E4R5T6Y", "most commonly used"),
                                            ("a fine long passphrase", "a different passphrase", "not the same")] {
                let res = try await client.post("/account/password", [("currentPassword", officer.password), ("password", new), ("passwordConfirmation", confirm)])
                #expect(res.status == .unprocessableEntity)
                #expect(res.text.contains(message), "\(message)")
            }
            let hash = try await UserRecord.find(officer.id, on: app.db)?.passwordHash
            #expect(await app.passwordService.verify(officer.password, against: hash))
        }
    }

    @Test func i_can_list_my_sessions_and_end_another_one_but_not_someone_elses() async throws {
        try await withApp { app in
            let (host, admin) = try await Fixtures.hostAdmin(app)
            let officer = try await Fixtures.account(app, in: host, roles: [.protectionOfficer])
            let laptop = TestClient(app), phone = TestClient(app), other = TestClient(app)
            try await laptop.signIn(officer)
            try await phone.signIn(officer)
            try await other.signIn(admin)
            let page = try await laptop.get("/account/sessions")
            #expect(page.text.components(separatedBy: "/end\"").count - 1 == 2)
            let sessions = try await SessionRecord.query(on: app.db).filter(\.$user.$id == officer.id).all()
            let adminSession = try #require(try await SessionRecord.query(on: app.db).filter(\.$user.$id == admin.id).first())
            #expect(try await laptop.post("/account/sessions/\(SiteURL.id(adminSession.requireID()))/end").status == .notFound)
            let phoneSession = try #require(sessions.first { $0.tokenHash == Secrets.hash(phone.sessionCookie ?? "") })
            #expect(try await laptop.post("/account/sessions/\(SiteURL.id(phoneSession.requireID()))/end").status == .seeOther)
            #expect(try await !isSignedIn(phone))
            #expect(try await isSignedIn(laptop))
            #expect(try await isSignedIn(other))
        }
    }

    @Test func the_session_cookie_never_holds_anything_the_database_stores() async throws {
        try await withApp { app in
            let (_, admin) = try await Fixtures.hostAdmin(app)
            let client = TestClient(app)
            try await client.signIn(admin)
            let token = try #require(client.sessionCookie)
            let stored = try await SessionRecord.query(on: app.db).all().map(\.tokenHash)
            #expect(!stored.contains(Data(token.utf8)))
            #expect(stored.contains(Secrets.hash(token)))
        }
    }
}

@Suite struct AdminSafetyTests {
    @Test func disabling_needs_an_explicit_confirmation() async throws {
        try await withApp { app in
            let (host, admin) = try await Fixtures.hostAdmin(app)
            let officer = try await Fixtures.account(app, in: host, roles: [.protectionOfficer])
            let client = TestClient(app)
            try await client.signIn(admin)
            let res = try await client.post("/admin/users/\(SiteURL.id(officer.id))/disable")
            #expect(res.status == .unprocessableEntity)
            #expect(try await UserRecord.find(officer.id, on: app.db)?.disabledAt == nil)
        }
    }

    @Test func a_partner_administrator_cannot_learn_whether_another_organisations_address_exists() async throws {
        try await withApp { app in
            let partner = try await Fixtures.organisation(app, type: .partner, slug: "p1")
            let other = try await Fixtures.organisation(app, type: .partner, slug: "p2")
            let admin = try await Fixtures.account(app, in: partner, roles: [.administrator])
            let foreign = try await Fixtures.account(app, in: other, roles: [.verifier])
            let client = TestClient(app)
            try await client.signIn(admin)
            let res = try await client.post("/admin/users/invite", [("organisation", SiteURL.id(try partner.requireID())),
                                                                   ("email", foreign.email), ("roles[]", "verifier")])
            #expect(res.status == .unprocessableEntity)
            #expect(!res.text.contains("already uses this email"))
        }
    }

    @Test func an_organisation_cannot_change_to_a_type_its_members_roles_do_not_fit() async throws {
        try await withApp { app in
            let (_, admin) = try await Fixtures.hostAdmin(app)
            let member = try await Fixtures.organisation(app, type: .consortiumMember, slug: "member", country: "CH")
            _ = try await Fixtures.account(app, in: member, roles: [.auditor])
            let client = TestClient(app)
            try await client.signIn(admin)
            let res = try await client.post("/admin/organisations/\(SiteURL.id(try member.requireID()))/edit",
                                            [("name", "Member"), ("type", "partner"), ("country", "CH")])
            #expect(res.status == .unprocessableEntity)
            #expect(try await OrganisationRecord.find(member.requireID(), on: app.db)?.type == .consortiumMember)
        }
    }

    @Test func one_address_cannot_hold_two_accounts_even_past_the_form() async throws {
        try await withApp { app in
            let (host, admin) = try await Fixtures.hostAdmin(app)
            await #expect(throws: (any Error).self) {
                _ = try await Fixtures.account(app, in: host, roles: [.trainer], email: admin.email.uppercased())
            }
        }
    }
}
