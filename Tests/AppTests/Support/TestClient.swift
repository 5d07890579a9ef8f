@testable import App
import EgideCrypto
import Foundation
import Testing
import Vapor
import VaporTesting

/// A browser stand-in for in-memory tests: keeps cookies between requests and fills in the CSRF
/// field of every form it posts, as a real browser submitting Egide's forms would.
final class TestClient: @unchecked Sendable {
    /// The node the next request goes to (a test of several nodes switches it, as a proxy would).
    var app: Application
    var cookies: [String: String] = [:]

    init(_ app: Application) { self.app = app }

    @discardableResult
    func get(_ path: String, headers: HTTPHeaders = [:]) async throws -> TestingHTTPResponse {
        try await send(.GET, path, headers: headers, body: nil)
    }

    /// Posts `form` url-encoded, with the `_csrf` field added (unless `csrf: false`).
    @discardableResult
    func post(_ path: String, _ form: [(String, String)] = [], csrf: Bool = true) async throws -> TestingHTTPResponse {
        if csrf, csrfCookie == nil { try await get("/sign-in") }  // any form page hands out the CSRF cookie
        var fields = form
        if csrf, let token = csrfCookie { fields.append(("_csrf", token)) }
        let body = fields.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
        return try await send(.POST, path, headers: ["Content-Type": "application/x-www-form-urlencoded"], body: body)
    }

    var csrfCookie: String? { cookies["__Host-egide-csrf"] }
    var sessionCookie: String? { cookies["__Host-egide-session"] }

    func send(_ method: HTTPMethod, _ path: String, headers: HTTPHeaders, body: String?) async throws -> TestingHTTPResponse {
        var headers = headers
        if !cookies.isEmpty { headers.replaceOrAdd(name: .cookie, value: cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")) }
        let response = try await app.send(method, path, headers: headers, body: body)
        for header in response.headers[.setCookie] {
            let pair = header.split(separator: ";")[0].split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            guard pair.count == 2 else { continue }
            if pair[1].isEmpty || header.lowercased().contains("max-age=0") { cookies[pair[0]] = nil } else { cookies[pair[0]] = pair[1] }
        }
        return response
    }

    static func encode(_ value: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
    }

    /// Signs `account` in through the real two-step flow, then moves the clock past the TOTP step
    /// so the next sign-in gets a fresh code (each code is accepted once).
    @discardableResult
    func signIn(_ account: TestAccount) async throws -> TestingHTTPResponse {
        let first = try await post("/sign-in", [("email", account.email), ("password", account.password)])
        #expect(first.headers.first(name: .location) == "/sign-in/code", "password step: \(first.status)")
        let code = TOTP(secret: account.seed).code(at: app.clock.now())
        let second = try await post("/sign-in/code", [("code", code)])
        #expect(second.status == .seeOther, "code step: \(second.status)")
        app.clock.advance(by: 30)
        return second
    }
}
