import EgideCore
import Vapor

/// A route gate that decides without waiting for anything: `decide` returns nil to let the request
/// through, or the answer (a redirect), or throws (401/403). Gates answer with futures, not
/// `async`: Vapor would run each `AsyncMiddleware` as a task of its own on every request.
protocol Gate: Middleware {
    func decide(_ request: Request) throws -> Response?
}

extension Gate {
    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        do {
            if let answer = try decide(request) { return request.eventLoop.makeSucceededFuture(answer) }
        } catch {
            return request.eventLoop.makeFailedFuture(error)
        }
        return next.respond(to: request)
    }
}

/// Route gate: the request must come from a fully signed-in person. A half-signed-in person is sent
/// to the step they have left (code, or second-factor enrolment); anyone else to the sign-in page
/// (pages) or answered 401 (API).
struct RequireSignIn: Gate {
    func decide(_ request: Request) throws -> Response? {
        let isAPI = request.path.hasPrefix("/api/")
        if let principal = request.principal {
            if principal.session == .active || (isAPI && principal.apiScopes != nil) { return nil }
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
struct RequireRole: Gate {
    let roles: Set<Role>

    func decide(_ request: Request) throws -> Response? {
        let actor = try request.actor()
        guard !actor.roles.isDisjoint(with: roles) else { throw Abort(.forbidden) }
        return nil
    }
}

/// Route gate for the enrolment pages: a session at the `enrolling` stage, or a signed-in person
/// replacing their second factor.
struct RequireEnrolling: Gate {
    func decide(_ request: Request) throws -> Response? {
        guard let stage = request.principal?.session, stage == .enrolling || stage == .active else {
            return request.redirect(to: SiteURL.signIn(next: nil).href)
        }
        return nil
    }
}

/// Route gate for the second sign-in step: a session whose password was just verified.
struct RequirePasswordVerified: Gate {
    func decide(_ request: Request) throws -> Response? {
        guard request.principal?.session == .passwordVerified else {
            return request.redirect(to: SiteURL.signIn(next: nil).href)
        }
        return nil
    }
}
