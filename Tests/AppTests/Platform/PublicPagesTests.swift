@testable import App
import EgideCore
import Fluent
import LeafKit
import Foundation
import Testing
import Vapor
import VaporTesting

/// The public pages kept rendered (`SharedPages`), the files served from memory (`StaticFiles`)
/// and the gate on public forms (`PublicWorkGate`): fast, and nothing they promise changes.
@Suite struct PublicPagesTests {
    static let sharedPaths = ["/", "/fr", "/en", "/ar", "/en/alert", "/fr/alerte", "/ar/alert", "/alert", "/alerte",
                              "/en/alert/follow-up", "/fr/alerte/suivi", "/ar/alert/follow-up", "/sign-in", "/no-such-page"]

    static func hidden(_ name: String, in html: String) -> String? {
        guard let range = html.range(of: #"name="\#(name)" value=""#) else { return nil }
        return String(html[range.upperBound...].prefix { $0 != "\"" })
    }

    @Test func a_kept_page_gives_each_visitor_their_own_token_and_key() async throws {
        try await withApp { app in
            let first = TestClient(app), second = TestClient(app)
            let one = try await first.get("/en/alert"), two = try await second.get("/en/alert")
            #expect(one.status == .ok && two.status == .ok)
            let tokens = [Self.hidden("_csrf", in: one.text), Self.hidden("_csrf", in: two.text)]
            #expect(tokens[0] == first.csrfCookie && tokens[1] == second.csrfCookie)
            #expect(tokens[0] != nil && tokens[0] != tokens[1])
            let keys = [Self.hidden("idempotencyKey", in: one.text), Self.hidden("idempotencyKey", in: two.text)]
            #expect(keys[0] != nil && keys[0] != keys[1] && (keys[0]?.count ?? 0) >= 16)
            #expect(app.sharedPages.count == 1, "the second visitor was served the kept page")
            // Apart from the holes, the same bytes.
            func blank(_ text: String, _ values: [String?]) -> String {
                values.compactMap { $0 }.reduce(text) { $0.replacingOccurrences(of: $1, with: "") }
            }
            #expect(blank(one.text, [tokens[0], keys[0]]) == blank(two.text, [tokens[1], keys[1]]))
            // A visitor who already holds a CSRF cookie gets the same token again, and no new cookie.
            let again = try await first.get("/en/alert")
            #expect(Self.hidden("_csrf", in: again.text) == tokens[0])
            #expect(!again.headers[.setCookie].contains { $0.contains("egide-csrf") })
        }
    }

    @Test func an_alert_sent_from_a_kept_form_is_accepted_once() async throws {
        try await withApp { app in
            _ = try await AlertFixtures.chain(app)
            let client = TestClient(app)
            let form = try await client.get("/fr/alerte")
            let key = try #require(Self.hidden("idempotencyKey", in: form.text))
            let fields = [("defenderName", "Jean Mukendi"), ("narrative", "Il a été arrêté hier soir devant son domicile."), ("country", "CD"),
                          ("categories[]", "threats"), ("needs[]", "legal"), ("senderIsDefender", "no"), ("idempotencyKey", key)]
            let sent = try await client.post("/fr/alerte", fields)
            #expect(sent.status == .created, "\(sent.status)")
            let resent = try await client.post("/fr/alerte", fields)
            #expect(resent.status == .created)
            #expect(try await AlertRecord.query(on: app.db).count() == 1)
        }
    }

    @Test func no_hole_marker_ever_reaches_a_visitor() async throws {
        try await withApp { app in
            for path in Self.sharedPaths {
                for _ in 0..<2 {  // rendered, then kept
                    let res = try await app.send(.GET, path)
                    #expect(!res.text.contains("egide-hole"), "\(path)")
                    #expect(res.headers.contentType == .html, "\(path)")
                }
            }
            let refused = try await app.send(.POST, "/en/alert", headers: ["Content-Type": "application/x-www-form-urlencoded"], body: "a=b")
            #expect(refused.status == .forbidden && !refused.text.contains("egide-hole"))
        }
    }

    @Test func the_language_switch_of_a_kept_error_page_leads_back_to_the_address_asked() async throws {
        try await withApp { app in
            let first = try await app.send(.GET, "/first-missing")
            let second = try await app.send(.GET, "/second-missing?x=<b>")
            #expect(first.status == .notFound && second.status == .notFound)
            #expect(first.text.contains("/language/fr?next=/first-missing"))
            #expect(second.text.contains("/language/fr?next=/second-missing?x%3D%3Cb%3E") || second.text.contains("next=/second-missing"))
            #expect(!second.text.contains("<b>"))
            #expect(app.sharedPages.count == 1)
        }
    }

    @Test func a_signed_in_visitor_or_a_waiting_confirmation_is_never_served_a_kept_page() async throws {
        try await withApp { app in
            _ = try await app.send(.GET, "/en/alert")
            let organisation = try await Fixtures.organisation(app, type: .host, slug: "host", country: "FR")
            let account = try await Fixtures.account(app, in: organisation, roles: [.protectionOfficer])
            let client = TestClient(app)
            try await client.signIn(account)
            let kept = app.sharedPages.count  // the form, and the sign-in page the client passed through
            let page = try await client.get("/en/alert")
            #expect(page.text.contains("/sign-out"), "the signed-in layout, with its sign-out form")
            let flashed = try await app.send(.GET, "/en/alert", headers: ["Cookie": "__Host-egide-flash=flash.saved"])
            #expect(flashed.status == .ok)
            #expect(app.sharedPages.count == kept, "neither was rendered into, or served from, the kept pages")
        }
    }

    @Test func a_category_change_reaches_the_form_at_once() async throws {
        try await withApp { app in
            let before = try await app.send(.GET, "/en/alert")
            #expect(!before.text.contains("Seizure of equipment"))
            try await AlertCategoryRecord(code: "equipment_seizure", labelEN: "Seizure of equipment", labelFR: "Saisie de matériel", position: 99)
                .create(on: app.db)
            app.categoriesChanged()
            let after = try await app.send(.GET, "/en/alert")
            #expect(after.text.contains("Seizure of equipment"))
        }
    }

    @Test func country_options_are_escaped_names_with_the_chosen_one_selected() throws {
        for language in Language.allCases {
            let html = CountryOptions.html(in: language, selected: "cd")
            let options = html.matches(of: /<option value="([A-Z]{2})"( selected)?>([^<]*)<\/option>/)
            #expect(options.count == Countries.codes.count, "every country, and nothing else, in \(language)")
            #expect(options.map { String($0.1) } == Countries.all(in: language).map(\.code))
            #expect(options.filter { $0.2 != nil }.map { String($0.1) } == ["CD"])
            #expect(zip(options, Countries.all(in: language)).allSatisfy { String($0.3) == $1.name.htmlEscaped() })
            #expect(!CountryOptions.html(in: language, selected: "XX").contains("selected"))
            #expect(!CountryOptions.html(in: language, selected: nil).contains("selected"))
        }
        #expect(CountryOptions.html(in: .en, selected: nil).contains("Trinidad &amp; Tobago"))
    }

    @Test func a_resent_alert_form_keeps_the_chosen_country() async throws {
        try await withApp { app in
            let client = TestClient(app)
            _ = try await client.get("/en/alert")
            let resent = try await client.post("/en/alert", [("country", "TN"), ("narrative", "x")])
            #expect(resent.status == .unprocessableEntity)
            #expect(resent.text.contains(#"<option value="TN" selected>Tunisia</option>"#))
            #expect(resent.text.components(separatedBy: " selected>").count == 2 + 1, "the country, the language, and nothing else")
        }
    }

    /// A CSRF cookie Egide could not have drawn (here, markup) is ignored: a new token is drawn, and
    /// nothing from the cookie reaches the page.
    @Test func a_malformed_csrf_cookie_never_reaches_a_page() async throws {
        try await withApp { app in
            let planted = #"\"><script>alert(1)</script>aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"#
            for _ in 0..<2 {
                let res = try await app.send(.GET, "/en/alert", headers: ["Cookie": "__Host-egide-csrf=\(planted)"])
                #expect(res.status == .ok && !res.text.contains("<script>"))
                #expect(res.headers[.setCookie].contains { $0.contains("egide-csrf=") }, "a fresh token replaces it")
            }
            #expect(CSRFMiddleware.isWellFormed(Secrets.token()))
            #expect(!CSRFMiddleware.isWellFormed(String(repeating: "a", count: 42)) && !CSRFMiddleware.isWellFormed(String(repeating: "+", count: 43)))
        }
    }

    @Test func a_page_rendered_before_a_change_is_not_kept() {
        let pages = SharedPages()
        let generation = pages.generation
        pages.invalidate()
        pages.store(SharedPages.Entry(html: "<p>old</p>", until: .now + .seconds(10)), as: "k", renderedAt: generation)
        #expect(pages.count == 0)
        pages.store(SharedPages.Entry(html: "<p>new</p>", until: .now + .seconds(10)), as: "k", renderedAt: pages.generation)
        #expect(pages.count == 1)
    }

    // MARK: Static files

    @Test func the_layout_links_a_versioned_style_sheet_kept_for_a_year() async throws {
        try await withApp { app in
            let page = try await app.send(.GET, "/")
            let href = try #require(page.text.firstMatch(of: /href="(\/css\/egide\.[0-9a-f]{24}\.css)"/)?.1).description
            let versioned = try await app.send(.GET, href)
            let plain = try await app.send(.GET, "/css/egide.css")
            let file = try String(contentsOfFile: packageRoot + "/Public/css/egide.css", encoding: .utf8)
            #expect(versioned.status == .ok && versioned.text == file && plain.text == file)
            #expect(versioned.headers.first(name: .cacheControl) == "public, max-age=31536000, immutable")
            #expect(plain.headers.first(name: .cacheControl) == "public, max-age=86400, must-revalidate")
            #expect(versioned.headers.contentType?.subType == "css")
            let etag = try #require(plain.headers.first(name: .eTag))
            #expect(versioned.headers.first(name: .eTag) == etag)
            let revalidated = try await app.send(.GET, "/css/egide.css", headers: ["If-None-Match": etag])
            #expect(revalidated.status == .notModified && revalidated.body.readableBytes == 0)
            let stale = try await app.send(.GET, "/css/egide.css", headers: ["If-None-Match": "\"0000\""])
            #expect(stale.status == .ok)
            // Security headers still on every file; no path outside Public/ is reachable.
            #expect(versioned.headers.first(name: .contentSecurityPolicy) != nil)
            #expect(try await app.send(.GET, "/css/../Package.swift").status == .notFound)
            #expect(try await app.send(.GET, "/css/egide.000000000000000000000000.css").status == .notFound)
        }
    }

    @Test func the_icons_are_served_from_memory_too() async throws {
        try await withApp { app in
            let page = try await app.send(.GET, "/")
            for icon in ["/favicon.ico", "/favicon.svg"] {
                #expect(try await app.send(.GET, icon).status == .ok)
                let versioned = app.staticFiles.href(icon)
                #expect(versioned != icon && page.text.contains(versioned))
            }
        }
    }

    @Test func etags_compare_weakly_and_accept_lists() {
        #expect(StaticFiles.matches(#""a", "b""#, #""b""#))
        #expect(StaticFiles.matches(#"W/"b""#, #""b""#))
        #expect(StaticFiles.matches("*", #""b""#))
        #expect(!StaticFiles.matches(#""c""#, #""b""#))
    }

    // MARK: The gate on public forms

    @Test func a_full_gate_answers_503_at_once_and_the_other_kind_still_passes() async throws {
        try await withApp { app in
            _ = try await AlertFixtures.chain(app)
            let gate = app.publicWorkGate
            for _ in 0..<gate.limit { #expect(gate.enter(.credentials)) }
            let client = TestClient(app)
            _ = try await client.get("/fr/alerte")
            let refused = try await client.post("/sign-in", [("email", "a@example.org"), ("password", "x")])
            #expect(refused.status == .serviceUnavailable)
            #expect(refused.headers.first(name: .retryAfter) == "30")
            #expect(refused.text.contains("Rien n’a été envoyé") || refused.text.contains("Nothing was sent"))
            // An alert is another kind of work: still taken.
            let alert = try await client.post("/fr/alerte", [("defenderName", "Aline Mbarga"), ("narrative", "Menaces répétées contre la défenseure."),
                                                            ("country", "CM"), ("categories[]", "threats"), ("needs[]", "legal"), ("senderIsDefender", "no")])
            #expect(alert.status == .created, "\(alert.status)")
            for _ in 0..<gate.limit { gate.leave(.credentials) }
            #expect(gate.count(.credentials) == 0)
            let admitted = try await client.post("/sign-in", [("email", "a@example.org"), ("password", "x")])
            #expect(admitted.status == .unauthorized)
            #expect(gate.count(.credentials) == 0, "every request gives its place back")
        }
    }

    @Test func a_full_gate_answers_the_api_with_a_problem_document() async throws {
        try await withApp { app in
            let gate = app.publicWorkGate
            for _ in 0..<gate.limit { #expect(gate.enter(.alerts)) }
            let res = try await app.send(.POST, "/api/v1/public/alerts", headers: AlertFixtures.jsonHeaders,
                                         body: AlertFixtures.json(AlertFixtures.alert()))
            #expect(res.status == .serviceUnavailable)
            #expect(res.headers.contentType == Problem.mediaType)
            #expect(res.headers.first(name: .retryAfter) == "30")
            // Looking an alert up is another budget: still answered.
            let lookup = try await app.send(.POST, "/api/v1/public/alerts/status", headers: AlertFixtures.jsonHeaders,
                                            body: #"{"receipt":"nope","passphrase":"nope"}"#)
            #expect(lookup.status != .serviceUnavailable, "\(lookup.status)")
            for _ in 0..<gate.limit { gate.leave(.alerts) }
            // The gate reads a body whole (up to the route's own limit) before taking a place.
            let intake = try #require(app.routes.all.first { AccessMatrixTests.key($0) == "POST /api/v1/public/alerts" })
            #expect(intake.declaredBodyLimit == 256 * 1024)
        }
    }

    /// Derived from the route table and the access matrix: any form an anonymous visitor can post
    /// declares its kind of public work, so a new public form cannot escape the gate.
    @Test func every_form_anyone_can_post_declares_its_public_work() async throws {
        try await withApp { app in
            let anonymous = AccessMatrixTests.Persona(role: nil, organisationType: .partner)
            // Signing out ends a session: no secret checked, nothing written but the deletion.
            let cheap: Set<String> = ["POST /sign-out"]
            var undeclared: [String] = []
            for route in app.routes.all where route.method != .GET {
                let key = AccessMatrixTests.key(route)
                let rule = try #require(AccessMatrixTests.rules[key], "\(key)")
                let anonymousReaches = rule(anonymous, .own) != .signInRequired
                let preSignIn = ["POST /sign-in/code", "POST /account/two-factor"].contains(key)
                if (anonymousReaches || preSignIn), !cheap.contains(key), route.declaredPublicWork == nil { undeclared.append(key) }
            }
            #expect(undeclared.isEmpty, "public forms without a PublicWork kind: \(undeclared)")
            #expect(app.routes.all.filter { $0.declaredPublicWork != nil }.count >= 15)
        }
    }
}
