import EgideCore
import Vapor

/// What every page's layout needs: language, title, links for the language switch and navigation.
struct LayoutContext: Encodable {
    struct Link: Encodable {
        var href: String
        var label: String
        var current: Bool
        /// The link's language (`hreflang`/`lang`), for the language switch.
        var lang: String?
    }

    var title: String
    var languages: [Link]
    var navigation: [Link]
}

/// The context of one rendered page: the layout plus the page's own typed content.
/// `lang` sits at the top level because the `#t` tag reads it from there.
struct Page<Content: Encodable>: Encodable {
    var lang: String
    var layout: LayoutContext
    var page: Content
}

extension Request {
    /// Renders `template` with `content` inside the layout, in the request's language.
    func render<Content: Encodable>(
        _ template: Template, titleKey: String, _ content: Content, status: HTTPStatus = .ok
    ) async throws -> Response {
        let page = Page(lang: language.rawValue, layout: layoutContext(titleKey: titleKey), page: content)
        let view = try await self.view.render(template.rawValue, page).get()
        let response = try await view.encodeResponse(status: status, for: self)
        response.headers.replaceOrAdd(name: .contentLanguage, value: language.rawValue)
        return response
    }

    /// The layout for this request: translated title, language switch back to this path, navigation.
    func layoutContext(titleKey: String) -> LayoutContext {
        let catalogue = application.catalogue
        let here = url.path + (url.query.map { "?" + $0 } ?? "")
        let languages = Language.allCases.map { language in
            LayoutContext.Link(
                href: SiteURL.language(language, next: here).href,
                label: language.endonym, current: language == self.language, lang: language.rawValue)
        }
        let navigation = [
            LayoutContext.Link(
                href: SiteURL.home.href, label: catalogue.text("nav.home", in: language),
                current: url.path == SiteURL.home.href, lang: nil),
        ]
        return LayoutContext(
            title: catalogue.text(titleKey, in: language), languages: languages, navigation: navigation)
    }
}
