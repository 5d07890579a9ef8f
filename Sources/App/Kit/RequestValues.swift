import Vapor

/// What a request carries, read once: a request's handlers and middlewares each asked Vapor, which
/// parses the query string or the `Cookie` header again on every read.
extension Request {
    /// The query string's values by name, decoded once: a list reads half a dozen filters, and
    /// `query.get` decodes the whole query string for each. Read as `query.get` reads them: `+` is a
    /// space, then percent-escapes are decoded; a name given twice keeps its last value; a name
    /// without `=` is not a value. A name that does not decode is left out, and only it (Vapor
    /// refuses the whole query string then).
    var queryValues: [String: String] {
        var values: [String: String] = [:]
        for pair in (url.query ?? "").split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decoded(_ part: Substring) -> String? { part.replacingOccurrences(of: "+", with: " ").removingPercentEncoding }
            guard parts.count == 2, let name = decoded(parts[0]), let value = decoded(parts[1]) else { continue }
            values[name] = value
        }
        return values
    }
}

extension Request {
    private struct CookiesKey: StorageKey { typealias Value = HTTPCookies }

    /// The value of the request's cookie `name`. The `Cookie` header is parsed once a request: Vapor's
    /// `cookies` parses it on every read, and the language, the session, the CSRF check and the
    /// confirmation each read it (3 % of a list page's processor time).
    func cookie(_ name: String) -> String? {
        if let parsed = storage[CookiesKey.self] { return parsed[name]?.string }
        let parsed = cookies
        storage[CookiesKey.self] = parsed
        return parsed[name]?.string
    }
}
