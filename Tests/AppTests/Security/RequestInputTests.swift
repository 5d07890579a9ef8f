@testable import App
import EgideCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

/// Whatever a request carries, the server answers 4xx and stays up, and nothing saved is touched
/// (issue #14: one request used to trap the process on `page * pageSize`).
@Suite struct RequestInputTests {
    /// `queryValues` reads a list's filters as Vapor's `query.get` does (the filters used to read them
    /// one `query.get` at a time).
    @Test func query_values_are_read_as_vapor_reads_them() async throws {
        try await withApp { app in
            for query in ["state=open&fund=a%2Fb+c", "state=open&state=all", "kind=urgent+appeal&x=%41%42", "a=1&b=&c=%C3%A9t%C3%A9"] {
                let request = Request(application: app, url: URI(string: "/grants?" + query), on: app.eventLoopGroup.next())
                let values = request.queryValues
                for name in ["state", "fund", "kind", "x", "a", "b", "c"] {
                    #expect(values[name] == (try? request.query.get(String.self, at: name)), "\(name) in \(query)")
                }
            }
            let odd = Request(application: app, url: URI(string: "/grants?state&kind=x"), on: app.eventLoopGroup.next())
            #expect(odd.queryValues == ["kind": "x"] && (try? odd.query.get(String.self, at: "state")) == nil, "a name without = is no value")
        }
    }

    static let numbers = ["999999999999999999", "9223372036854775807", "9223372036854775808", "-9223372036854775808",
                          "1e9", "abc", "%00", String(repeating: "9", count: 4_000), "2"]

    /// Every GET route of the table without a path parameter: pages for signed-in staff, the API for tokens.
    static func listRoutes(_ app: Application) -> (pages: [String], api: [String]) {
        let paths = app.routes.all.filter { $0.method == .GET && !$0.path.contains { if case .parameter = $0 { true } else { false } } }
            .map { "/" + $0.path.map(\.description).joined(separator: "/") }
        return (paths.filter { !$0.hasPrefix("/api/") }, paths.filter { $0.hasPrefix("/api/") })
    }

    @Test func numeric_query_parameters_never_bring_the_server_down() async throws {
        try await withApp { app in
            let host = try await Fixtures.organisation(app, type: .host, slug: "host", country: "FR", name: "Host NGO")
            let coordinator = try await Fixtures.account(app, in: host, roles: [.coordinator, .administrator, .auditor])
            let web = TestClient(app)
            try await web.signIn(coordinator)
            let token = try await CaseAPINetwork.token(app, coordinator, Set(APIScope.allCases))
            let (pages, api) = Self.listRoutes(app)
            #expect(pages.contains("/alerts") && pages.contains("/cases") && api.contains("/api/v1/cases") && api.contains("/api/v1/alerts"))
            for path in pages + api {
                for value in Self.numbers {
                    for name in ["page", "limit", "before"] {
                        let target = "\(path)?\(name)=\(value)"
                        let res = path.hasPrefix("/api/")
                            ? try await app.send(.GET, target, headers: ["Authorization": "Bearer \(token)"])
                            : try await web.get(target)
                        #expect(res.status.code < 500, "\(target): \(res.status)")
                    }
                }
            }
            #expect(try await app.send(.GET, "/healthz").status == .ok)
        }
    }

    @Test func the_two_reproduced_page_numbers_answer_4xx() async throws {
        try await withApp { app in
            let network = try await CaseAPINetwork.make(app)
            let web = TestClient(app)
            try await web.signIn(network.officer)
            let queue = try await web.get("/alerts?page=999999999999999999")
            #expect(queue.status == .badRequest)
            #expect(queue.text.contains(app.catalogue.text("error.query.title", in: .fr)) || queue.text.contains(app.catalogue.text("error.query.title", in: .en)))
            #expect(try await web.get("/cases?page=-1").status == .badRequest)
            #expect(try await web.get("/alerts?page=2").status == .ok, "a page past the end is an empty page")
            let api = try await network.get("/api/v1/cases?page=9223372036854775807", token: network.partnerToken)
            #expect(api.status == .unprocessableEntity)
            #expect(try CaseAPINetwork.fields(api) == ["page"])
            let alerts = try await CaseAPINetwork.token(app, network.officer, [.readAlerts])
            let alertsPage = try await network.get("/api/v1/alerts?page=9223372036854775807", token: alerts)
            #expect(alertsPage.status == .unprocessableEntity)
            #expect(try CaseAPINetwork.fields(alertsPage) == ["page"])
            #expect(try await network.get("/api/v1/cases?page=1&limit=100", token: network.partnerToken).status == .ok)
        }
    }

    @Test func names_with_control_or_direction_override_characters_are_refused() async throws {
        try await withApp { app in
            _ = try await Fixtures.hostAdmin(app)  // public intake needs a set-up instance
            for name in ["Aline\u{0}Mbarga", "Aline \u{202E}agrabM", "Aline\u{2066}Mbarga\u{2069}", "Aline\u{1B}[2JMbarga"] {
                let res = try await app.send(.POST, "/api/v1/public/alerts", headers: ["Content-Type": "application/json"],
                                             body: AlertFixtures.json(AlertFixtures.alert(name: name)))
                #expect(res.status == .unprocessableEntity, "\(name.unicodeScalars.map { String($0.value, radix: 16) })")
                #expect(try CaseAPINetwork.fields(res) == ["defenderName"])
            }
            var narrative = AlertFixtures.alert()
            narrative["narrative"] = "Line one\u{0}hidden"
            let refused = try await app.send(.POST, "/api/v1/public/alerts", headers: ["Content-Type": "application/json"], body: AlertFixtures.json(narrative))
            #expect(try CaseAPINetwork.fields(refused) == ["narrative"])
            #expect(try await AlertRecord.query(on: app.db).count() == 0, "nothing was saved")
            // Arabic names, and a narrative that mixes directions, are welcome.
            var arabic = AlertFixtures.alert(name: "أمينة بن صالح")
            arabic["narrative"] = "She said: \u{2067}لن أصمت\u{2069} and left.\r\nThen the police came."
            _ = try await AlertFixtures.submit(app, arabic)
            #expect(try await AlertRecord.query(on: app.db).count() == 1)
        }
    }

    @Test func lists_are_collapsed_and_a_refused_form_echoes_no_more_than_the_field_takes() async throws {
        try await withApp { app in
            var repeated = AlertFixtures.alert()
            repeated["categories"] = Array(repeating: "threats", count: 10_000)
            let many = try await app.send(.POST, "/api/v1/public/alerts", headers: ["Content-Type": "application/json"], body: AlertFixtures.json(repeated))
            #expect(many.status != .internalServerError)
            var distinct = AlertFixtures.alert()
            distinct["categories"] = (0..<60).map { "category-\($0)" }
            let tooMany = try await app.send(.POST, "/api/v1/public/alerts", headers: ["Content-Type": "application/json"], body: AlertFixtures.json(distinct))
            #expect(tooMany.status == .unprocessableEntity)
            #expect(try CaseAPINetwork.fields(tooMany).contains("categories"))

            let web = TestClient(app)
            let huge = String(repeating: "x", count: 3_000_000)
            let page = try await web.post("/alert", [("narrative", huge), ("country", "CM"), ("defenderName", "Aline")])
            #expect(page.status == .unprocessableEntity)
            #expect(page.body.readableBytes < 200_000, "the 422 page is \(page.body.readableBytes) bytes")
            #expect(page.text.contains(String(repeating: "x", count: AlertIntake.maximumNarrative)))
        }
    }

    @Test func an_unreadable_form_is_not_called_expired_and_the_api_takes_json_only() async throws {
        try await withApp { app in
            let web = TestClient(app)
            _ = try await web.get("/alert")
            let token = try #require(web.csrfCookie)
            let nested = String(repeating: "[a]", count: 2_000)
            let res = try await web.send(.POST, "/alert", headers: ["Content-Type": "application/x-www-form-urlencoded"],
                                         body: "narrative\(nested)=x&_csrf=\(token)")
            #expect(res.status == .badRequest)
            #expect(res.text.contains(app.catalogue.text("error.form.title", in: .en)), "says the form could not be read")
            #expect(!res.text.contains(app.catalogue.text("error.csrf.title", in: .en)))
            // The CSRF check still refuses a well-formed form without its token.
            #expect(try await web.post("/alert", [("narrative", "x")], csrf: false).status == .forbidden)

            let form = try await app.send(.POST, "/api/v1/public/alerts", headers: ["Content-Type": "application/x-www-form-urlencoded"],
                                          body: "defenderName=Aline&country=CM&narrative=Threatened")
            #expect(form.status == .unsupportedMediaType && form.headers.contentType == Problem.mediaType)
            let none = try await app.send(.POST, "/api/v1/public/alerts", headers: [:], body: "{}")
            #expect(none.status == .unsupportedMediaType)
            let upper = try await app.send(.POST, "/api/v1/public/alerts", headers: ["Content-Type": "APPLICATION/JSON; charset=UTF-8"], body: "{}")
            #expect(upper.status == .unprocessableEntity, "media types compare case-insensitively")
            #expect(try await AlertRecord.query(on: app.db).count() == 0)
        }
    }
}
