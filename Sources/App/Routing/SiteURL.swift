import EgideCore
import Foundation
import Vapor

/// Every page and endpoint by name: used to register routes and to build links, so the two never disagree.
enum SiteURL {
    case home
    case healthz
    case language(Language, next: String?)
    case stylesheet

    /// The path (and query) to put in an `href`.
    var href: String {
        switch self {
        case .home: return "/"
        case .healthz: return "/healthz"
        case .stylesheet: return "/css/egide.css"
        case .language(let language, let next):
            let base = "/language/\(language.rawValue)"
            guard let next, next != "/" else { return base }
            var components = URLComponents()
            components.queryItems = [URLQueryItem(name: "next", value: next)]
            return base + "?" + (components.percentEncodedQuery ?? "")
        }
    }

    /// A redirect target that stays on this site: a path starting with one `/`, never `//host`
    /// or a backslash trick; anything else becomes the home page (no open redirect).
    static func localPath(_ candidate: String?) -> String {
        guard let candidate, candidate.hasPrefix("/"), !candidate.hasPrefix("//"),
              !candidate.contains("\\"), !candidate.contains("\r"), !candidate.contains("\n"),
              candidate.count <= 2048 else { return SiteURL.home.href }
        return candidate
    }
}
