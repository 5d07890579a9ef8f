import Vapor

/// `GET /attention`: what is waiting on the signed-in person now (see `AttentionPage`).
enum AttentionController {
    @Sendable static func show(_ request: Request) async throws -> Response {
        let actor = try request.actor()
        let context = try await AttentionPage.build(for: actor, on: request, now: request.application.clock.now())
        return try await request.render(.attention, titleKey: "attention.title", context)
    }
}
