@testable import App
import EgideCore
import Foundation
import Testing
import Vapor

@Suite struct LayoutTests {
    /// `LayoutContext` writes its own `encode(to:)`: every stored property reaches the template (the
    /// links as their markup), so one added later cannot be left out unnoticed.
    @Test func the_layout_encodes_every_field_it_has() throws {
        let link = LayoutContext.Link(href: "/", label: "Home", current: true, lang: "en")
        let layout = LayoutContext(title: "t", stylesheet: "s", icon: "i", iconICO: "o", home: "/", languages: [link], navigation: [link],
                                   signedIn: true, signInHref: "/sign-in", flash: "f",
                                   head: PageHead(meta: [], alternates: [], feedHref: nil, feedTitle: nil, canonical: nil))
        let encoded = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(layout)) as? [String: Any])
        let stored = Set(Mirror(reflecting: layout).children.compactMap(\.label))
        #expect(Set(encoded.keys) == stored.subtracting(["languages", "navigation"]).union(["languagesHTML", "navigationHTML"]))
    }

    @Test func the_language_switch_and_the_menu_are_escaped_and_mark_where_the_reader_is() {
        let hostile = #"<b>"&'"#
        let switchHTML = LayoutContext.languageSwitch([
            .init(href: "/language/fr?next=%2F", label: "Français", current: true, lang: "fr"),
            .init(href: "/language/en?next=" + hostile, label: hostile, current: false, lang: "en"),
        ])
        #expect(switchHTML == #"<span class="current" lang="fr" aria-current="true">Français</span>"#
            + #"<a href="/language/en?next=&lt;b&gt;&quot;&amp;&#39;" lang="en" hreflang="en">&lt;b&gt;&quot;&amp;&#39;</a>"#)
        let menu = LayoutContext.menu([.init(href: "/alerts", label: "Alerts", current: true, lang: nil),
                                       .init(href: "/cases?" + hostile, label: hostile, current: false, lang: nil)])
        #expect(menu == #"<li><a href="/alerts" aria-current="page">Alerts</a></li>"#
            + #"<li><a href="/cases?&lt;b&gt;&quot;&amp;&#39;">&lt;b&gt;&quot;&amp;&#39;</a></li>"#)
    }

    @Test func home_page_is_french_for_a_french_browser() async throws {
        try await withApp { app in
            let res = try await app.send(.GET, "/", headers: ["Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"])
            #expect(res.status == .ok)
            #expect(res.text.contains(#"<html lang="fr" dir="ltr">"#))
            #expect(res.text.contains("Protéger les défenseur·ses des droits humains en danger"))
            #expect(res.text.contains("<title>Accueil · Egide</title>"))
            #expect(res.headers.first(name: .contentLanguage) == "fr")
        }
    }

    @Test func home_page_is_english_for_other_or_no_languages() async throws {
        try await withApp { app in
            for header in ["de-DE", ""] {
                let res = try await app.send(.GET, "/", headers: header.isEmpty ? [:] : ["Accept-Language": header])
                #expect(res.text.contains(#"<html lang="en" dir="ltr">"#))
                #expect(res.text.contains("Protecting human rights defenders at risk"))
            }
        }
    }

    @Test func the_preference_cookie_overrides_the_browser_language() async throws {
        try await withApp { app in
            let res = try await app.send(.GET, "/", headers: ["Accept-Language": "fr", "Cookie": "egide-lang=en"])
            #expect(res.text.contains(#"<html lang="en" dir="ltr">"#))
        }
    }

    @Test func arabic_pages_read_right_to_left_with_western_digits() async throws {
        try await withApp { app in
            let res = try await app.send(.GET, "/", headers: ["Accept-Language": "ar-TN,ar;q=0.9,fr;q=0.5"])
            #expect(res.text.contains(#"<html lang="ar" dir="rtl">"#))
            #expect(res.headers.first(name: .contentLanguage) == "ar")
            #expect(res.text.contains(#"<span class="current" lang="ar" aria-current="true">العربية</span>"#))
            let pinned = try await app.send(.GET, "/ar", headers: ["Accept-Language": "fr"])
            #expect(pinned.text.contains(#"<html lang="ar" dir="rtl">"#))
            // Eastern Arabic-Indic digits are not used: the same figures as the Tunis office's paperwork.
            let arabicIndic = CharacterSet(charactersIn: "\u{0660}"..."\u{0669}")
            #expect(Language.ar.moment(Date(timeIntervalSince1970: 1_780_000_000)).unicodeScalars.allSatisfy { !arabicIndic.contains($0) })
        }
    }

    @Test func a_refused_form_or_a_missing_page_under_a_language_address_answers_in_that_language() async throws {
        try await withApp { app in
            let web = TestClient(app)
            let refused = try await web.post("/ar/alert", [("narrative", "x")], csrf: false)
            #expect(refused.status == .forbidden && refused.text.contains(#"<html lang="ar" dir="rtl">"#))
            #expect(refused.text.contains(app.catalogue.text("error.csrf.title", in: .ar)))
            let missing = try await app.send(.GET, "/ar/nowhere", headers: ["Accept-Language": "fr", "Cookie": "egide-lang=en"])
            #expect(missing.status == .notFound && missing.text.contains(#"<html lang="ar" dir="rtl">"#))
            let earlier = try await app.send(.GET, "/alerte/suivi", headers: ["Accept-Language": "en"])
            #expect(earlier.text.contains(#"<html lang="fr" dir="ltr">"#))
            #expect(SiteURL.language(ofPath: "/alerts") == nil && SiteURL.language(ofPath: "/language/ar") == nil)
            // Home stays in the address's language for a visitor without a cookie.
            let form = try await app.send(.GET, "/ar/alert", headers: ["Accept-Language": "fr"])
            #expect(form.text.contains(#"class="brand" href="/ar""#))
            #expect(Fact(label: "", value: "+216 20 123 456").dir == "ltr" && Fact(label: "", value: "1988-06-11").dir == "ltr")
            #expect(Fact(label: "", value: "Amira Ben Salah").dir == "auto" && Fact(label: "", value: "6 ديسمبر 2026").dir == "auto")
        }
    }

    /// Right-to-left pages work by logical properties (`margin-inline-start`, `text-align: start`):
    /// a physical left or right in the stylesheet would lay one direction out wrong.
    @Test func the_stylesheet_names_no_physical_side() throws {
        let css = try String(contentsOfFile: packageRoot + "/Public/css/egide.css", encoding: .utf8)
        let physical = #"(margin|padding|border)-(left|right)|(^|[\s;{])(left|right)\s*:|text-align:\s*(left|right)|float:\s*(left|right)|clear:\s*(left|right)"#
        let offending = css.split(separator: "\n").filter { $0.range(of: physical, options: .regularExpression) != nil }
        #expect(offending.isEmpty, "\(offending)")
    }

    @Test func the_language_switch_remembers_the_choice_for_the_session_and_returns_to_the_page() async throws {
        try await withApp { app in
            let res = try await app.send(.GET, "/language/fr?next=%2Fsome%2Fpage%3Fx%3D1")
            #expect(res.status == .seeOther)
            #expect(res.headers.first(name: .location) == "/some/page?x=1")
            let cookie = try #require(res.headers.first(name: .setCookie))
            #expect(cookie.hasPrefix("egide-lang=fr"))
            #expect(!cookie.lowercased().contains("expires"))
            #expect(!cookie.lowercased().contains("max-age"))
        }
    }

    @Test func the_language_switch_never_redirects_to_another_site() async throws {
        try await withApp { app in
            for next in ["//evil.example", "https://evil.example/", "/\\evil.example", "javascript:alert(1)", "%2F%2Fevil.example",
                         "/%09/evil.example", "/%0A/evil.example", "%2F%09%2Fevil.example", "/%E2%80%8B/evil.example"] {
                let res = try await app.send(.GET, "/language/en?next=\(next)")
                #expect(res.headers.first(name: .location) == "/", "next=\(next)")
            }
        }
    }

    @Test func the_switch_links_lead_back_to_the_current_page() async throws {
        try await withApp { app in
            let res = try await app.send(.GET, "/", headers: ["Accept-Language": "en"])
            #expect(res.text.contains(#"href="/language/fr""#))
            #expect(res.text.contains(#"<span class="current" lang="en" aria-current="true">English</span>"#))
        }
    }

    @Test func an_unknown_language_answers_404() async throws {
        try await withApp { app in
            let res = try await app.send(.GET, "/language/xx")
            #expect(res.status == .notFound)
        }
    }

    @Test func pages_reference_no_other_origin() async throws {
        try await withApp { app in
            let res = try await app.send(.GET, "/")
            #expect(!res.text.contains("http://"))
            #expect(!res.text.contains("https://"))
            #expect(!res.text.contains("<script"))
            #expect(!res.text.contains("style="))
        }
    }

    @Test func health_check_answers_when_the_database_does() async throws {
        try await withApp { app in
            let res = try await app.send(.GET, "/healthz")
            #expect(res.status == .ok)
            #expect(res.text == "ok\n")
        }
    }
}
