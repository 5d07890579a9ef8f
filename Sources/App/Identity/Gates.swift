import EgideCore
import Vapor

/// Route gate: the request must come from a fully signed-in person. A half-signed-in person is sent
/// to the step they have left (code, or second-factor enrolment); anyone else to the sign-in page
/// (pages) or answered 401 (API).
struct RequireSignIn: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let isAPI = request.path.hasPrefix("/api/")
        if let principal = request.principal {
            if principal.session == .active || (isAPI && principal.apiScopes != nil) {
                return try await next.respond(to: request)
            }
            if !isAPI, principal.session == .enrolling { return request.redirect(to: SiteURL.enrolTwoFactor.href) }
            if !isAPI, principal.session == .passwordVerified { return request.redirect(to: SiteURL.signInCode.href) }
        }
        if isAPI { throw Abort(.unauthorized) }
        guard request.method == .GET else { throw Abort(.unauthorized) }
        let here = request.path + (request.url.query.map { "?" + $0 } ?? "")
        return request.redirect(to: SiteURL.signIn(next: here).href)
    }
}

/// Route gate: the signed-in person must hold one of `roles` (403 otherwise: the area is not secret,
/// its records are, and those answer 404 through their scoped queries).
struct RequireRole: AsyncMiddleware {
    let roles: Set<Role>

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let actor = try request.actor()
        guard !actor.roles.isDisjoint(with: roles) else { throw Abort(.forbidden) }
        return try await next.respond(to: request)
    }
}

/// Route gate for the enrolment pages: a session at the `enrolling` stage, or a signed-in person
/// replacing their second factor.
struct RequireEnrolling: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard let stage = request.principal?.session, stage == .enrolling || stage == .active else {
            return request.redirect(to: SiteURL.signIn(next: nil).href)
        }
        return try await next.respond(to: request)
    }
}

/// Route gate for the second sign-in step: a session whose password was just verified.
struct RequirePasswordVerified: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard request.principal?.session == .passwordVerified else {
            return request.redirect(to: SiteURL.signIn(next: nil).href)
        }
        return try await next.respond(to: request)
    }
}
