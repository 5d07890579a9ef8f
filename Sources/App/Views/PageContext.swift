import EgideCore
import Vapor

/// What every page's layout needs: language, title, the language switch, the navigation for this
/// person, and the CSRF token for its forms.
struct LayoutContext: Encodable {
    struct Link: Encodable {
        var href: String
        var label: String
        var current: Bool
        /// The link's language (`hreflang`/`lang`), for the language switch.
        var lang: String?
    }

    var title: String
    /// The versioned addresses of the style sheet and the icons (`StaticFiles`).
    var stylesheet: String
    var icon: String
    var iconICO: String
    /// Where the brand and "Home" lead: `/`, or on a page whose address carries its language
    /// (`/ar/alert`), that language's home (`/ar`), so a visitor without a cookie keeps it.
    var home: String
    var languages: [Link]
    var navigation: [Link]
    var signedIn: Bool
    var signInHref: String?
    /// The confirmation of the action just done, once (`Flash`).
    var flash: String?
    /// What a public document adds to the page's head: OpenGraph tags, its other languages, its feed.
    var head: PageHead?

    // The language switch and the menu reach the template as markup written here (`#unsafeHTML`),
    // each value escaped as Leaf's `#(…)` escapes it: looped in Leaf, an `#if` a link, they were a
    // quarter of the layout's rendering on every signed-in page.
    enum CodingKeys: String, CodingKey {
        case title, stylesheet, icon, iconICO, home, languagesHTML, navigationHTML, signedIn, signInHref, flash, head
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(title, forKey: .title)
        try container.encode(stylesheet, forKey: .stylesheet)
        try container.encode(icon, forKey: .icon)
        try container.encode(iconICO, forKey: .iconICO)
        try container.encode(home, forKey: .home)
        try container.encode(Self.languageSwitch(languages), forKey: .languagesHTML)
        try container.encode(Self.menu(navigation), forKey: .navigationHTML)
        try container.encode(signedIn, forKey: .signedIn)
        try container.encodeIfPresent(signInHref, forKey: .signInHref)
        try container.encodeIfPresent(flash, forKey: .flash)
        try container.encodeIfPresent(head, forKey: .head)
    }

    /// The language switch: the current language as text, the others as links in their language.
    static func languageSwitch(_ links: [Link]) -> String {
        var html = ""
        for link in links {
            let lang = SharedPages.escaped(link.lang ?? ""), label = SharedPages.escaped(link.label)
            html += link.current
                ? #"<span class="current" lang="\#(lang)" aria-current="true">\#(label)</span>"#
                : #"<a href="\#(SharedPages.escaped(link.href))" lang="\#(lang)" hreflang="\#(lang)">\#(label)</a>"#
        }
        return html
    }

    /// The menu's items, the current page's marked.
    static func menu(_ links: [Link]) -> String {
        var html = ""
        for link in links {
            let href = SharedPages.escaped(link.href), label = SharedPages.escaped(link.label)
            html += link.current ? #"<li><a href="\#(href)" aria-current="page">\#(label)</a></li>"# : #"<li><a href="\#(href)">\#(label)</a></li>"#
        }
        return html
    }
}

/// The `<head>` additions of a published document's page (`Request.pageHead`).
struct PageHead: Encodable, Sendable {
    struct Meta: Encodable, Sendable {
        var property: String
        var content: String
    }

    struct Alternate: Encodable, Sendable {
        var href: String
        var lang: String
    }

    var meta: [Meta]
    var alternates: [Alternate]
    var feedHref: String?
    var feedTitle: String?
    var canonical: String?
}

/// The context of one rendered page: the layout plus the page's own typed content.
/// `lang` sits at the top level because the `#t` tag reads it from there; `csrf` too, so every
/// form writes `<input type="hidden" name="_csrf" value="#(csrf)">`.
struct Page<Content: Encodable>: Encodable {
    var lang: String
    /// `rtl` for Arabic, `ltr` otherwise: the page's `dir`.
    var dir: String
    var csrf: String?
    var layout: LayoutContext
    var page: Content
}

/// One invalid form field and the catalogue key of its message.
struct FieldProblem: Encodable, Equatable, Sendable {
    var field: String
    var message: String
    /// The in-page link to the field (`#email`).
    var anchor: String { "#" + field }

    enum CodingKeys: String, CodingKey { case field, message, anchor }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(field, forKey: .field)
        try container.encode(message, forKey: .message)
        try container.encode(anchor, forKey: .anchor)
    }
}

extension Request {
    /// Renders `template` with `content` inside the layout, in the request's language. Pages with
    /// forms pass `forms: true` (signed-in pages always carry the token, for the sign-out button).
    /// `title`: the tab's words when the page names a record (a document's title), instead of the catalogue's.
    func render<Content: Encodable>(
        _ template: Template, titleKey: String, _ content: Content, status: HTTPStatus = .ok, forms: Bool = false, title: String? = nil
    ) async throws -> Response {
        let needsToken = forms || principal?.sessionID != nil
        var page = Page(lang: language.rawValue, dir: language.direction, csrf: needsToken ? csrfToken : nil,
                        layout: layoutContext(titleKey: titleKey, flash: status == .ok), page: content)
        if let title { page.layout.title = title }
        let view = try await self.view.render(template.rawValue, page).get()
        let response = try await view.encodeResponse(status: status, for: self)
        response.headers.replaceOrAdd(name: .contentLanguage, value: language.rawValue)
        if status == .ok { Flash.clear(on: response, self) }
        return response
    }

    /// The catalogue string for `key` in this request's language.
    func t(_ key: String, _ arguments: String...) -> String {
        application.catalogue.text(key, in: language, arguments)
    }

    /// The layout for this request: translated title, language switch back to this path, navigation.
    /// `flash`: show (and so use up) the confirmation waiting, which only a page that rendered
    /// normally does (an error page leaves it for the next).
    func layoutContext(titleKey: String, flash: Bool = false) -> LayoutContext {
        let here = path + (url.query.map { "?" + $0 } ?? "")
        let languages = Language.allCases.map { language in
            LayoutContext.Link(
                href: languageAlternates?[language] ?? SiteURL.language(language, next: here).href,
                label: language.endonym, current: language == self.language, lang: language.rawValue)
        }
        // The menu comes from the modules' declarations (`Modules.navigation`); signed out, just home.
        let actor = principal?.session == .active ? principal?.actor : nil
        let items: [(SiteURL, String)] = actor.map { actor in Modules.navigation(for: actor).map { ($0.url, $0.labelKey) } }
            ?? [(languageAlternates == nil ? .home : .homeIn(language), "nav.home")]
        let home = actor == nil && languageAlternates != nil ? SiteURL.homeIn(language).href : SiteURL.home.href
        let navigation = items.map { target, key in
            let href = target.href
            let current = href == "/" || href == home ? path == href : path.hasPrefix(href)
            return LayoutContext.Link(href: href, label: t(key), current: current, lang: nil)
        }
        let files = (try? application.currentStaticFiles()) ?? application.staticFiles
        return LayoutContext(
            title: t(titleKey), stylesheet: files.href(SiteURL.stylesheet.href), icon: files.href("/favicon.svg"),
            iconICO: files.href("/favicon.ico"), home: home, languages: languages, navigation: navigation, signedIn: principal?.sessionID != nil,
            signInHref: principal == nil && !path.hasPrefix("/sign-in") ? SiteURL.signIn(next: nil).href : nil,
            flash: flash ? Flash.pending(self).map { t($0) } : nil, head: pageHead)
    }
}

extension Request {
    private struct PageHeadKey: StorageKey { typealias Value = PageHead }

    /// Set by a published document's page before it renders.
    var pageHead: PageHead? {
        get { storage[PageHeadKey.self] }
        set { storage[PageHeadKey.self] = newValue }
    }
}

extension Request {
    private struct PathKey: StorageKey { typealias Value = String }

    /// The request's path (`url.path`), worked out once: Vapor's `URI.path` parses the address
    /// again on every call, and the middlewares and the layout ask for it a dozen times a request.
    var path: String {
        if let path = storage[PathKey.self] { return path }
        let path = url.path
        storage[PathKey.self] = path
        return path
    }
}
