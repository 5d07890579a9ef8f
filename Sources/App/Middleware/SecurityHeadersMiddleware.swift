import Vapor

/// Sets the security headers on every response, error pages and static files included.
///
/// The policy allows nothing from any other origin and no inline script or style, so a page can
/// neither leak a visit to a third party nor run injected script; see docs/SECURITY.md.
struct SecurityHeadersMiddleware: Middleware {
    static let contentSecurityPolicy = [
        "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:",
        "font-src 'self'", "connect-src 'self'", "object-src 'none'", "base-uri 'none'",
        "frame-ancestors 'none'", "form-action 'self'",
    ].joined(separator: "; ")

    static let permissionsPolicy = [
        "accelerometer=()", "autoplay=()", "camera=()", "display-capture=()", "geolocation=()",
        "gyroscope=()", "magnetometer=()", "microphone=()", "midi=()", "payment=()", "usb=()",
    ].joined(separator: ", ")

    static let headers: [(HTTPHeaders.Name, String)] = [
        (.contentSecurityPolicy, contentSecurityPolicy),
        (.xContentTypeOptions, "nosniff"),
        (.init("Referrer-Policy"), "no-referrer"),
        (.init("Permissions-Policy"), permissionsPolicy),
        (.xFrameOptions, "DENY"),
        (.init("Cross-Origin-Opener-Policy"), "same-origin"),
        (.init("Cross-Origin-Resource-Policy"), "same-origin"),
    ]

    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        next.respond(to: request).map(Self.secure)
    }

    static func secure(_ response: Response) -> Response {
        for (name, value) in Self.headers { response.headers.replaceOrAdd(name: name, value: value) }
        response.headers.remove(name: .server)
        response.headers.remove(name: "X-Powered-By")
        // Only `Public/` files say otherwise (`StaticFiles`); every other answer is kept by no one.
        if !response.headers.contains(name: .cacheControl) { response.headers.replaceOrAdd(name: .cacheControl, value: "no-store") }
        return response
    }
}
