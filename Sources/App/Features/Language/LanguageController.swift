import EgideCore
import Vapor

/// The language switch: remembers the choice and goes back to the page the user was on.
enum LanguageController {
    /// `GET /language/<code>?next=/path`, one route per language (an unknown code answers 404).
    /// The preference cookie is a *session* cookie on purpose: a defender's seized phone should
    /// not keep a lasting trace of a visit (docs/SECURITY.md).
    static func choose(_ language: Language) -> @Sendable (Request) async throws -> Response {
        { request in try choose(language, request) }
    }

    private static func choose(_ language: Language, _ request: Request) throws -> Response {
        let next = SiteURL.localPath(try? request.query.get(String.self, at: "next"))
        let response = request.redirect(to: next, redirectType: .normal)
        response.cookies[LanguageMiddleware.cookieName] = HTTPCookies.Value(
            string: language.rawValue, expires: nil, maxAge: nil, path: "/",
            isSecure: false, isHTTPOnly: true, sameSite: .lax)
        return response
    }
}
