import Vapor

/// While Egide is sealed (its key file is protected by a passphrase nobody has typed yet), every
/// request gets the "sealed" page — 503, or a 503 problem document under `/api/` — except the
/// unseal page itself and the stylesheet. Nothing can be read, so nothing is shown.
struct SealedGate: Middleware {
    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        let path = request.path
        if request.application.vault.isOpen || path == SiteURL.unseal.href || path.hasPrefix("/css/") {
            return next.respond(to: request)
        }
        return request.eventLoop.makeFutureWithTask { try await sealed(request, path: path) }
    }

    func sealed(_ request: Request, path: String) async throws -> Response {
        if path.hasPrefix("/api/") { throw Abort(.serviceUnavailable, reason: "Egide is sealed: an administrator must unlock it.") }
        return try await request.render(.sealed, titleKey: "sealed.title", UnsealController.SealedContext(unsealHref: SiteURL.unseal.href),
                                        status: .serviceUnavailable)
    }
}

/// The unseal page: the passphrase that protects the key file opens the vault of this process.
enum UnsealController {
    struct SealedContext: Encodable { var unsealHref: String }

    struct Context: Encodable {
        var action: String
        var error: String?
    }

    @Sendable static func show(_ request: Request) async throws -> Response {
        if request.application.vault.isOpen { return request.redirect(to: SiteURL.home.href) }
        return try await request.render(.unseal, titleKey: "unseal.title", Context(action: SiteURL.unseal.href, error: nil), forms: true)
    }

    @Sendable static func submit(_ request: Request) async throws -> Response {
        let app = request.application
        if app.vault.isOpen { return request.redirect(to: SiteURL.home.href) }
        let now = app.clock.now()
        if let wait = try await app.signInThrottle.wait(account: "\u{0}unseal", client: request.throttleClient, now: now) {
            let minutes = Throttle.minutes(wait)
            return try await request.render(.unseal, titleKey: "unseal.title",
                                            Context(action: SiteURL.unseal.href, error: request.t("signIn.throttled", minutes)),
                                            status: .tooManyRequests, forms: true)
        }
        let passphrase = (try? request.content.get(String.self, at: "passphrase")) ?? ""
        do {
            try await KeyCustody.unseal(app, passphrase: passphrase)
        } catch KeyCustody.UnsealError.wrongPassphrase {
            try await app.signInThrottle.recordFailure(account: "\u{0}unseal", client: request.throttleClient, now: now)
            return try await request.render(.unseal, titleKey: "unseal.title",
                                            Context(action: SiteURL.unseal.href, error: request.t("unseal.failed")),
                                            status: .unprocessableEntity, forms: true)
        }
        return request.redirect(to: SiteURL.home.href)
    }
}
