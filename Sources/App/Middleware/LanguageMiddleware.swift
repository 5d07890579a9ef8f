import EgideCore
import Vapor

/// Resolves the request's interface language (the address's language for public pages that carry
/// one, then the preference cookie, then `Accept-Language`) once, before anything renders — error
/// pages included.
struct LanguageMiddleware: Middleware {
    static let cookieName = "egide-lang"

    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        request.language = Self.language(path: request.path, preference: request.cookie(Self.cookieName),
                                         acceptLanguage: request.headers.first(name: .acceptLanguage))
        return next.respond(to: request).map { response in
            response.headers.add(name: .vary, value: "Accept-Language, Cookie")
            return response
        }
    }

    /// The address's language, then the preference cookie's, then `Accept-Language`'s (the front
    /// door decides with this too, before it looks for a kept page).
    static func language(path: String, preference: String?, acceptLanguage: String?) -> Language {
        SiteURL.language(ofPath: path) ?? LanguageNegotiation.choose(preference: preference, acceptLanguage: acceptLanguage)
    }
}

extension Request {
    private struct LanguageKey: StorageKey { typealias Value = Language }

    /// The language this request is answered in.
    var language: Language {
        get { storage[LanguageKey.self] ?? .fallback }
        set { storage[LanguageKey.self] = newValue }
    }
}
