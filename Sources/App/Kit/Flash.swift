import Vapor

/// A one-line confirmation of what was just done ("Urgency set.", "Follow-up scheduled."), shown
/// once on the page a form redirects to: post, redirect, get, and the officer sees the action
/// took. It travels in a short-lived cookie that holds only a catalogue key under `flash.` —
/// never a name or any text a user typed — and the page that shows it clears it. No JavaScript.
enum Flash {
    static func cookieName(_ config: AppConfig) -> String {
        config.secureCookies ? "__Host-egide-flash" : "egide-flash"
    }

    /// Sets the message a redirect carries.
    static func set(_ key: String, on response: Response, _ config: AppConfig) {
        precondition(key.hasPrefix("flash."), "a flash message is a catalogue key under flash.")
        response.cookies[cookieName(config)] = HTTPCookies.Value(
            string: key, expires: nil, maxAge: 120, path: "/", isSecure: config.secureCookies, isHTTPOnly: true, sameSite: .lax)
    }

    /// The message waiting for this request, if it is a known key (anything else is ignored).
    static func pending(_ request: Request) -> String? {
        guard let key = request.cookie(cookieName(request.application.egideConfig)), key.hasPrefix("flash."),
              key.count <= 80, request.application.catalogue.contains(key) else { return nil }
        return key
    }

    /// Clears a shown message so it appears once.
    static func clear(on response: Response, _ request: Request) {
        guard request.cookie(cookieName(request.application.egideConfig)) != nil else { return }
        let config = request.application.egideConfig
        response.cookies[cookieName(config)] = HTTPCookies.Value(
            string: "", expires: Date(timeIntervalSince1970: 0), maxAge: 0, path: "/", isSecure: config.secureCookies, isHTTPOnly: true, sameSite: .lax)
    }
}

extension Request {
    /// A 303 to `href` that shows the confirmation `key` on the next page.
    func redirect(to href: String, flash key: String) -> Response {
        let response = redirect(to: href)
        Flash.set(key, on: response, application.egideConfig)
        return response
    }
}
