import EgideCore
import Vapor

/// CSRF protection for every state-changing form: a random token in a session cookie
/// (`__Host-egide-csrf`, SameSite=Strict) that each form repeats in a hidden `_csrf` field.
/// Another site can neither read the cookie nor set it (the `__Host-` prefix), so it cannot forge
/// the pair. The JSON API is exempt: it authenticates with bearer tokens, never cookies.
struct CSRFMiddleware: Middleware {
    static let field = "_csrf"

    static func cookieName(_ config: AppConfig) -> String {
        config.secureCookies ? "__Host-egide-csrf" : "egide-csrf"
    }

    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        let config = request.application.egideConfig
        let cookie = request.cookie(Self.cookieName(config))
        let existing = cookie.flatMap { Self.isWellFormed($0) ? $0 : nil }
        request.storage[TokenKey.self] = TokenBox(existing: existing)
        let answer: EventLoopFuture<Response>
        // Unsubscribing is exempt too: mail programs post `List-Unsubscribe=One-Click` to the link
        // (RFC 8058) without a form, and the link's token is the credential.
        if ![.GET, .HEAD, .OPTIONS].contains(request.method), !request.path.hasPrefix("/api/"), !request.path.hasPrefix("/unsubscribe/") {
            answer = request.eventLoop.makeFutureWithTask { try await Self.check(request, against: existing) }
                .flatMap { next.respond(to: request) }
        } else {
            answer = next.respond(to: request)
        }
        return answer.map { response in
            if existing == nil, let box = request.storage[TokenKey.self], box.used {
                response.cookies[Self.cookieName(config)] = Self.cookie(box.value, config)
            }
            return response
        }
    }

    /// The cookie that carries `token` (the front door sets the same one: `FrontDoorAnswer`).
    static func cookie(_ token: String, _ config: AppConfig) -> HTTPCookies.Value {
        HTTPCookies.Value(string: token, expires: nil, maxAge: nil, path: "/", isSecure: config.secureCookies, isHTTPOnly: true, sameSite: .strict)
    }

    /// A token as `Secrets.token()` draws it: 43 base64url characters. Anything else in the cookie
    /// is ignored and a new token drawn, so the value written into pages is always plain.
    static func isWellFormed(_ token: String) -> Bool {
        token.utf8.count == 43 && token.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x2D || byte == 0x5F
        }
    }

    /// Refuses a form whose `_csrf` field is not the cookie's token.
    static func check(_ request: Request, against existing: String?) async throws {
        // A large form (files) may still be streaming: read it whole before looking for the token,
        // up to the route's own limit (`Request.bodyLimit`; more is refused here with 413).
        if request.body.data == nil {
            _ = try await request.body.collect(max: request.bodyLimit).get()
        }
        // A body that cannot be read as a form is refused as such (400), not as an expired form.
        let sent = try FormBody.field(field, of: request)
        guard let existing, let sent,
              Secrets.constantTimeEqual(Data(sent.utf8), Data(existing.utf8)) else {
            throw CSRFFailure()
        }
    }

    /// The request's token: the cookie's, or a new one drawn only when a page asks for it (most
    /// requests, API calls above all, never do).
    final class TokenBox: @unchecked Sendable {
        private let existing: String?
        private var drawn: String?
        private(set) var used = false
        init(existing: String?) { self.existing = existing }

        /// The well-formed token the request's cookie carried, if any.
        var cookieToken: String? { existing }

        var value: String {
            if let existing { return existing }
            if drawn == nil { drawn = Secrets.token() }
            return drawn!
        }

        func take() -> String {
            used = true
            return value
        }
    }

    struct TokenKey: StorageKey { typealias Value = TokenBox }
}

/// A form came without its CSRF token, or with a wrong one.
struct CSRFFailure: Error {}

extension Request {
    /// The token to put in a form's hidden `_csrf` field (sets the CSRF cookie on the response).
    var csrfToken: String {
        storage[CSRFMiddleware.TokenKey.self]?.take() ?? ""
    }
}
