import Vapor

/// Registering a route by its `SiteURL`: the route table and the links pages build come from the
/// same enum, so an address cannot be spelt one way in `routes.swift` and another in a page.
/// A route's parameters are written as the placeholders below (`SiteURL.caseFile(.anyID)`), which
/// become `:id`, `:item`, `:file`, `:person` and `:token` in the registered path.
extension SiteURL {
    static let anyID = UUID(uuidString: "00000000-0000-4000-8000-00000000000a")!
    static let anyItem = UUID(uuidString: "00000000-0000-4000-8000-00000000000b")!
    static let anyFile = UUID(uuidString: "00000000-0000-4000-8000-00000000000c")!
    static let anyPerson = UUID(uuidString: "00000000-0000-4000-8000-00000000000d")!
    static let anyToken = ":token"
    static let anySlug = ":slug"

    /// The route pattern of this address: its path, without the query, each placeholder a parameter.
    var pattern: [PathComponent] {
        var path = String(href.split(separator: "?", maxSplits: 1)[0])
        for (placeholder, name) in [(Self.anyID, "id"), (Self.anyItem, "item"), (Self.anyFile, "file"), (Self.anyPerson, "person")] {
            path = path.replacingOccurrences(of: Self.id(placeholder), with: ":" + name)
        }
        return path.pathComponents
    }
}

extension Route {
    /// Records the largest body the route collects (`post(_:collecting:)`), so what reads a body
    /// before the route does (the CSRF check, the public-work gate) reads no more than the route takes.
    @discardableResult
    func bodyLimit(_ maxSize: ByteCount?) -> Route {
        if let maxSize { userInfo["egide.bodyLimit"] = maxSize.value }
        return self
    }

    /// The largest body the route collects, if it declared one.
    var declaredBodyLimit: Int? { userInfo["egide.bodyLimit"] as? Int }
}

extension Request {
    /// The largest body this request's route takes: its declared limit, or the application's default
    /// (so only the routes that take files accept large bodies).
    var bodyLimit: Int { route?.declaredBodyLimit ?? application.routes.defaultMaxBodySize.value }
}

extension RoutesBuilder {
    @discardableResult
    func get<Response: AsyncResponseEncodable>(_ url: SiteURL, use closure: @escaping @Sendable (Request) async throws -> Response) -> Route {
        on(.GET, url.pattern, use: closure)
    }

    @discardableResult
    func post<Response: AsyncResponseEncodable>(_ url: SiteURL, use closure: @escaping @Sendable (Request) async throws -> Response) -> Route {
        on(.POST, url.pattern, use: closure)
    }

    /// A form that may carry files: its body is collected up to `maxSize` before the handler runs.
    @discardableResult
    func post<Response: AsyncResponseEncodable>(_ url: SiteURL, collecting maxSize: ByteCount,
                                                use closure: @escaping @Sendable (Request) async throws -> Response) -> Route {
        on(.POST, url.pattern, body: .collect(maxSize: maxSize), use: closure).bodyLimit(maxSize)
    }
}
