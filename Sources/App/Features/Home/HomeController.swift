import Vapor

/// The home page.
enum HomeController {
    /// The home page has no data of its own yet: its text comes from the catalogue.
    struct Context: Encodable {}

    @Sendable static func show(_ request: Request) async throws -> Response {
        try await request.render(.home, titleKey: "home.title", Context())
    }
}
