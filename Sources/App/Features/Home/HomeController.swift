import EgideCore
import Vapor

/// The home page.
enum HomeController {
    /// The home page: its text comes from the catalogue; the alert links follow the language.
    struct Context: Encodable {
        var alertHref = SiteURL.publicAlert(.en).href
        var followUpHref = SiteURL.publicFollowUp(.en).href
    }

    /// `/fr`, `/en`, `/ar`: the home page in that language, whatever the browser prefers.
    static func show(in language: Language) -> @Sendable (Request) async throws -> Response {
        { request in
            request.pin(language, to: SiteURL.homeIn)
            return try await show(request)
        }
    }

    /// Signed in, `/` is the person's work page (`Modules.landing`), so signing in lands there.
    @Sendable static func show(_ request: Request) async throws -> Response {
        if request.principal?.session == .active, let actor = request.principal?.actor {
            return request.redirect(to: Modules.landing(for: actor).href)
        }
        return try await request.renderShared(.home, titleKey: "home.title") { _ in
            Context(alertHref: SiteURL.publicAlert(request.language).href, followUpHref: SiteURL.publicFollowUp(request.language).href)
        }
    }
}
