@testable import App
import EgideCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

@Suite struct APITokenTests {
    func createToken(_ client: TestClient, scopes: [String] = ["account:read"], days: String = "30") async throws -> String? {
        let res = try await client.post("/account/tokens", [("name", "integration"), ("days", days), ("password", Fixtures.password)] + scopes.map { ("scopes[]", $0) })
        return res.text.range(of: #"egide_[A-Za-z0-9_-]+"#, options: .regularExpression).map { String(res.text[$0]) }
    }

    @Test func a_token_created_on_my_account_reads_me_through_the_api() async throws {
        try await withApp { app in
            let (_, admin) = try await Fixtures.hostAdmin(app)
            let client = TestClient(app)
            try await client.signIn(admin)
            let token = try #require(try await createToken(client))
            let res = try await app.send(.GET, "/api/v1/me", headers: ["Authorization": "Bearer \(token)"])
            #expect(res.status == .ok)
            let me = try JSONDecoder().decode(MeController.Me.self, from: Data(res.text.utf8))
            #expect(me.email == admin.email)
            #expect(me.roles == ["administrator"])
            #expect(me.organisation.type == "host")
            let stored = try await APITokenRecord.query(on: app.db).all()
            #expect(stored.count == 1 && stored[0].tokenHash == Secrets.hash(token))
        }
    }

    @Test func the_api_refuses_missing_unknown_revoked_and_expired_tokens_with_a_problem() async throws {
        try await withApp { app in
            let (_, admin) = try await Fixtures.hostAdmin(app)
            let client = TestClient(app)
            try await client.signIn(admin)
            let token = try #require(try await createToken(client, days: "1"))
            for headers: HTTPHeaders in [[:], ["Authorization": "Bearer egide_not-a-real-token"], ["Authorization": "Basic eDp5"]] {
                let res = try await app.send(.GET, "/api/v1/me", headers: headers)
                #expect(res.status == .unauthorized)
                #expect(res.headers.first(name: .contentType)?.hasPrefix("application/problem+json") == true)
            }
            app.clock.advance(by: 86400 + 1)
            #expect(try await app.send(.GET, "/api/v1/me", headers: ["Authorization": "Bearer \(token)"]).status == .unauthorized)
            try await client.signIn(admin)  // the day also ended the browser session
            let other = try #require(try await createToken(client))
            let id = try #require(try await APITokenRecord.query(on: app.db).filter(\.$tokenHash == Secrets.hash(other)).first()?.id)
            #expect(try await client.post("/account/tokens/\(SiteURL.id(id))/revoke").status == .seeOther)
            #expect(try await app.send(.GET, "/api/v1/me", headers: ["Authorization": "Bearer \(other)"]).status == .unauthorized)
        }
    }

    @Test func a_browser_session_cookie_does_not_open_the_api() async throws {
        try await withApp { app in
            let (_, admin) = try await Fixtures.hostAdmin(app)
            let client = TestClient(app)
            try await client.signIn(admin)
            #expect(try await client.get("/api/v1/me").status == .unauthorized)
        }
    }

    @Test func a_token_for_a_disabled_account_stops_working() async throws {
        try await withApp { app in
            let (host, admin) = try await Fixtures.hostAdmin(app)
            let officer = try await Fixtures.account(app, in: host, roles: [.protectionOfficer])
            let officerClient = TestClient(app)
            try await officerClient.signIn(officer)
            let token = try #require(try await createToken(officerClient))
            let adminClient = TestClient(app)
            try await adminClient.signIn(admin)
            try await adminClient.post("/admin/users/\(SiteURL.id(officer.id))/disable", [("confirm", "yes")])
            #expect(try await app.send(.GET, "/api/v1/me", headers: ["Authorization": "Bearer \(token)"]).status == .unauthorized)
        }
    }

    @Test func a_token_form_without_scope_or_with_a_silly_duration_is_refused() async throws {
        try await withApp { app in
            let (_, admin) = try await Fixtures.hostAdmin(app)
            let client = TestClient(app)
            try await client.signIn(admin)
            #expect(try await createToken(client, scopes: []) == nil)
            #expect(try await createToken(client, days: "9999") == nil)
            #expect(try await APITokenRecord.query(on: app.db).count() == 0)
        }
    }

    @Test func every_api_route_is_in_the_openapi_document() async throws {
        try await withApp { app in
            let res = try await app.send(.GET, "/api/v1/openapi.json")
            #expect(res.status == .ok)
            let document = try #require(try JSONSerialization.jsonObject(with: Data(res.text.utf8)) as? [String: Any])
            #expect(document["openapi"] as? String == "3.1.0")
            let paths = try #require(document["paths"] as? [String: [String: Any]])
            let routes = app.routes.all.filter { $0.path.first?.description == "api" }
            #expect(!routes.isEmpty)
            for route in routes {
                let path = "/" + route.path.map { component -> String in
                    if case .parameter(let name) = component { return "{\(name)}" }
                    return component.description
                }.joined(separator: "/")
                let operations = paths[path]
                #expect(operations != nil, "\(path) is missing from openapi.json")
                #expect(operations?[route.method.rawValue.lowercased()] != nil, "\(route.method) \(path) is missing from openapi.json")
                #expect(APIURL.all.contains { $0.openAPIPath == path }, "\(path) is registered without an APIURL")
            }
            // …and the other way: every documented path and every APIURL is a registered route.
            let registered = Set(APIURL.all.map(\.openAPIPath))
            #expect(Set(paths.keys) == registered, "documented but not an APIURL: \(Set(paths.keys).subtracting(registered).sorted())")
            for url in APIURL.all {
                #expect(routes.contains { $0.path == url.pattern }, "\(url) builds \(url.href), which no route answers")
            }
        }
    }
}

@Suite struct CredentialChangeTests {
    @Test func a_token_needs_the_password_and_dies_with_a_password_change_or_a_second_factor_reset() async throws {
        try await withApp { app in
            let (host, admin) = try await Fixtures.hostAdmin(app)
            let officer = try await Fixtures.account(app, in: host, roles: [.protectionOfficer])
            let client = TestClient(app)
            try await client.signIn(officer)
            let noPassword = try await client.post("/account/tokens", [("name", "t"), ("days", "5"), ("scopes[]", "account:read")])
            #expect(noPassword.status == .unprocessableEntity)
            let made = try await client.post("/account/tokens", [("name", "t"), ("days", "5"), ("scopes[]", "account:read"), ("password", officer.password)])
            let token = try #require(made.text.range(of: #"egide_[A-Za-z0-9_-]+"#, options: .regularExpression).map { String(made.text[$0]) })
            #expect(try await app.send(.GET, "/api/v1/me", headers: ["Authorization": "Bearer \(token)"]).status == .ok)
            try await client.post("/account/password", [("currentPassword", officer.password), ("password", "another long passphrase here"),
                                                        ("passwordConfirmation", "another long passphrase here")])
            #expect(try await app.send(.GET, "/api/v1/me", headers: ["Authorization": "Bearer \(token)"]).status == .unauthorized)
            _ = admin
        }
    }

    @Test func guessing_the_password_from_a_stolen_session_is_throttled_and_audited() async throws {
        try await withApp { app in
            let (host, _) = try await Fixtures.hostAdmin(app)
            let officer = try await Fixtures.account(app, in: host, roles: [.protectionOfficer])
            let client = TestClient(app)
            try await client.signIn(officer)
            var statuses: [UInt] = []
            for attempt in 0..<7 {
                let res = try await client.post("/account/password", [("currentPassword", "guess \(attempt) of the password"),
                                                                      ("password", "another long passphrase here"), ("passwordConfirmation", "another long passphrase here")])
                statuses.append(res.status.code)
            }
            #expect(statuses.prefix(5).allSatisfy { $0 == 422 })
            let last = try await client.post("/account/password", [("currentPassword", officer.password),
                                                                   ("password", "another long passphrase here"), ("passwordConfirmation", "another long passphrase here")])
            #expect(last.status == .unprocessableEntity && last.text.contains("Too many failed attempts"))
            let audited = try await AuditEventModel.query(on: app.db).filter(\.$action == "user.reauth_failed").count()
            #expect(audited >= 5)
        }
    }
}
