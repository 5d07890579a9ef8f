import Vapor

/// The home page.
enum HomeController {
    /// The home page: its text comes from the catalogue; the alert links follow the language.
    struct Context: Encodable {
        var alertHref = SiteURL.publicAlert(.en).href
        var followUpHref = SiteURL.publicFollowUp(.en).href
    }

    @Sendable static func show(_ request: Request) async throws -> Response {
        try await request.render(.home, titleKey: "home.title", Context(
            alertHref: SiteURL.publicAlert(request.language).href, followUpHref: SiteURL.publicFollowUp(request.language).href))
    }
}
