@testable import App
import Testing
import Vapor

@Suite struct SecurityHeadersTests {
    static let paths = ["/", "/healthz", "/nope", "/api/v1/nope", "/css/egide.css", "/language/fr"]

    @Test(arguments: paths) func every_response_carries_the_security_headers(path: String) async throws {
        try await withApp { app in
            let res = try await app.send(.GET, path)
            let csp = try #require(res.headers.first(name: .contentSecurityPolicy))
            for directive in ["default-src 'self'", "frame-ancestors 'none'", "form-action 'self'", "object-src 'none'"] {
                #expect(csp.contains(directive), "\(path): \(directive)")
            }
            #expect(!csp.contains("unsafe-inline"))
            #expect(!csp.contains("unsafe-eval"))
            #expect(res.headers.first(name: .xContentTypeOptions) == "nosniff")
            #expect(res.headers.first(name: "Referrer-Policy") == "no-referrer")
            let permissions = try #require(res.headers.first(name: "Permissions-Policy"))
            #expect(permissions.contains("camera=()") && permissions.contains("geolocation=()") && permissions.contains("microphone=()"))
            #expect(res.headers.first(name: .xFrameOptions) == "DENY")
        }
    }

    @Test(arguments: paths) func no_response_announces_the_server_software(path: String) async throws {
        try await withApp { app in
            let res = try await app.send(.GET, path)
            #expect(res.headers[.server].isEmpty)
            #expect(res.headers["X-Powered-By"].isEmpty)
            #expect(!res.text.lowercased().contains("vapor"))
            #expect(!res.text.lowercased().contains("swift"))
        }
    }

    @Test func pages_are_not_cached_but_the_stylesheet_is() async throws {
        try await withApp { app in
            let page = try await app.send(.GET, "/")
            let missing = try await app.send(.GET, "/nope")
            let stylesheet = try await app.send(.GET, "/css/egide.css")
            #expect(page.headers.first(name: .cacheControl) == "no-store")
            #expect(missing.headers.first(name: .cacheControl) == "no-store")
            #expect(stylesheet.headers.first(name: .cacheControl)?.hasPrefix("public") == true)
        }
    }
}
