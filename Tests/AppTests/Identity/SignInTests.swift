@testable import App
import EgideCore
import EgideCrypto
import Fluent
import Testing
import Vapor

@Suite struct SignInTests {
    @Test func a_password_alone_opens_nothing_until_the_code_is_given() async throws {
        try await withApp { app in
            let (_, admin) = try await Fixtures.hostAdmin(app)
            let client = TestClient(app)
            let res = try await client.post("/sign-in", [("email", admin.email), ("password", admin.password)])
            #expect(res.headers.first(name: .location) == "/sign-in/code")
            let account = try await client.get("/account")
            #expect(account.headers.first(name: .location) == "/sign-in/code")
            let admin2 = try await client.get("/admin/users")
            #expect(admin2.status != .ok)
        }
    }

    @Test func the_full_sign_in_reaches_the_account_and_sets_a_strict_host_cookie() async throws {
        try await withApp { app in
            let (_, admin) = try await Fixtures.hostAdmin(app)
            let client = TestClient(app)
            let first = try await client.post("/sign-in", [("email", admin.email), ("password", admin.password)])
            let halfCookie = client.sessionCookie
            let code = TOTP(secret: admin.seed).code(at: app.clock.now())
            let second = try await client.post("/sign-in/code", [("code", code)])
            #expect(second.status == .seeOther)
            #expect(client.sessionCookie != nil && client.sessionCookie != halfCookie, "the session id must change at sign-in")
            let cookie = try #require(second.headers[.setCookie].first { $0.hasPrefix("__Host-egide-session=") })
            for attribute in ["HttpOnly", "Secure", "SameSite=Strict", "Path=/"] { #expect(cookie.contains(attribute), "\(attribute)") }
            #expect(!cookie.lowercased().contains("expires") && !cookie.lowercased().contains("max-age"))
            #expect(!cookie.lowercased().contains("domain"))
            _ = first
            let account = try await client.get("/account")
            #expect(account.status == .ok)
            #expect(account.text.contains(admin.email))
        }
    }

    @Test func a_wrong_password_and_an_unknown_email_get_the_same_answer() async throws {
        try await withApp { app in
            let (_, admin) = try await Fixtures.hostAdmin(app)
            let wrong = try await TestClient(app).post("/sign-in", [("email", admin.email), ("password", "not the password at all")])
            let unknown = try await TestClient(app).post("/sign-in", [("email", "nobody@example.org"), ("password", "not the password at all")])
            #expect(wrong.status == .unauthorized && unknown.status == .unauthorized)
            let message = "The email address or the password is not right."
            #expect(wrong.text.contains(message) && unknown.text.contains(message))
            #expect(wrong.headers[.setCookie].allSatisfy { !$0.contains("egide-session") })
        }
    }

    @Test func a_code_is_accepted_only_once() async throws {
        try await withApp { app in
            let (_, admin) = try await Fixtures.hostAdmin(app)
            let first = TestClient(app)
            try await first.post("/sign-in", [("email", admin.email), ("password", admin.password)])
            // The code of the moment it is sent: the password step (scrypt) can take long on a busy machine.
            let code = TOTP(secret: admin.seed).code(at: app.clock.now())
            #expect(try await first.post("/sign-in/code", [("code", code)]).status == .seeOther)
            let second = TestClient(app)
            try await second.post("/sign-in", [("email", admin.email), ("password", admin.password)])
            let replay = try await second.post("/sign-in/code", [("code", code)])
            #expect(replay.status == .unauthorized)
            #expect(second.sessionCookie.map { _ in true } ?? false)
            #expect(try await second.get("/account").status != .ok)
        }
    }

    @Test func the_previous_step_is_accepted_but_not_the_one_before() async throws {
        try await withApp { app in
            let (_, admin) = try await Fixtures.hostAdmin(app)
            let totp = TOTP(secret: admin.seed)
            let client = TestClient(app)
            try await client.post("/sign-in", [("email", admin.email), ("password", admin.password)])
            let tooOld = totp.code(at: app.clock.now().addingTimeInterval(-60))
            let stale = totp.code(at: app.clock.now().addingTimeInterval(-30))
            if tooOld != totp.code(at: app.clock.now()) && tooOld != stale {
                #expect(try await client.post("/sign-in/code", [("code", tooOld)]).status == .unauthorized)
            }
            #expect(try await client.post("/sign-in/code", [("code", stale)]).status == .seeOther)
        }
    }

    @Test func a_recovery_code_signs_in_once() async throws {
        try await withApp { app in
            let (_, admin) = try await Fixtures.hostAdmin(app)
            let codes = try await app.transaction { db in try await TwoFactor.newRecoveryCodes(for: admin.id, on: db) }
            let client = TestClient(app)
            try await client.post("/sign-in", [("email", admin.email), ("password", admin.password)])
            #expect(try await client.post("/sign-in/code", [("code", codes[0].uppercased())]).status == .seeOther)
            let again = TestClient(app)
            try await again.post("/sign-in", [("email", admin.email), ("password", admin.password)])
            #expect(try await again.post("/sign-in/code", [("code", codes[0])]).status == .unauthorized)
        }
    }

    @Test func repeated_failures_are_throttled_with_a_clear_message_even_for_the_right_password() async throws {
        try await withApp { app in
            let (_, admin) = try await Fixtures.hostAdmin(app)
            let client = TestClient(app)
            for _ in 0..<5 {
                #expect(try await client.post("/sign-in", [("email", admin.email), ("password", "wrong guess number x")]).status == .unauthorized)
            }
            let blocked = try await client.post("/sign-in", [("email", admin.email), ("password", admin.password)])
            #expect(blocked.status == .tooManyRequests)
            #expect(blocked.text.contains("Too many failed attempts"))
            #expect(client.sessionCookie == nil)
            // The delay grows, then passes.
            #expect(Throttle.delay(afterFailures: 6) > Throttle.delay(afterFailures: 5))
            app.clock.advance(by: 31)
            #expect(try await client.post("/sign-in", [("email", admin.email), ("password", admin.password)]).status == .seeOther)
        }
    }

    @Test func an_unknown_account_is_throttled_exactly_like_a_known_one() async throws {
        try await withApp { app in
            let client = TestClient(app)
            for _ in 0..<5 { try await client.post("/sign-in", [("email", "ghost@example.org"), ("password", "wrong guess number x")]) }
            #expect(try await client.post("/sign-in", [("email", "ghost@example.org"), ("password", "x")]).status == .tooManyRequests)
        }
    }

    @Test func a_disabled_account_cannot_sign_in() async throws {
        try await withApp { app in
            let (host, _) = try await Fixtures.hostAdmin(app)
            let person = try await Fixtures.account(app, in: host, roles: [.protectionOfficer])
            let user = try #require(try await UserRecord.find(person.id, on: app.db))
            user.disabledAt = app.clock.now()
            try await user.save(on: app.db)
            let res = try await TestClient(app).post("/sign-in", [("email", person.email), ("password", person.password)])
            #expect(res.status == .unauthorized)
        }
    }

    @Test func a_form_without_its_csrf_token_is_refused_with_a_clear_page() async throws {
        try await withApp { app in
            let (_, admin) = try await Fixtures.hostAdmin(app)
            let client = TestClient(app)
            let res = try await client.post("/sign-in", [("email", admin.email), ("password", admin.password)], csrf: false)
            #expect(res.status == .forbidden)
            #expect(res.text.contains("This form has expired"))
            try await client.get("/sign-in")
            let forged = try await client.post("/sign-in", [("email", admin.email), ("password", admin.password), ("_csrf", String(repeating: "a", count: 43))], csrf: false)
            #expect(forged.status == .forbidden)
        }
    }

    @Test func sign_out_ends_the_session_on_the_server() async throws {
        try await withApp { app in
            let (_, admin) = try await Fixtures.hostAdmin(app)
            let client = TestClient(app)
            try await client.signIn(admin)
            let stolen = try #require(client.sessionCookie)
            try await client.post("/sign-out")
            let replay = TestClient(app)
            replay.cookies["__Host-egide-session"] = stolen
            #expect(try await replay.get("/account").headers.first(name: .location)?.hasPrefix("/sign-in") == true)
        }
    }
}
