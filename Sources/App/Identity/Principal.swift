import EgideCore
import Foundation
import Vapor

/// The signed-in person behind a request: their account, the actor the policies judge, and the
/// session (absent for API tokens).
struct Principal: Sendable {
    var userID: UUID
    var actor: Actor
    var session: SessionRecord.Stage?
    var sessionID: UUID?
    /// Scopes of the API token used, if the request came with one.
    var apiScopes: Set<APIScope>?
}

/// What an API token may do.
enum APIScope: String, CaseIterable, Sendable, Codable {
    /// Read one's own account (`GET /api/v1/me`).
    case readAccount = "account:read"
    /// Read the alerts the account handles (`GET /api/v1/alerts`, `GET /api/v1/alerts/{id}`).
    case readAlerts = "alerts:read"
    /// Read the cases the account may see (`GET /api/v1/cases…`).
    case readCases = "cases:read"
    /// Open cases and record their parts (`POST /api/v1/cases…`).
    case writeCases = "cases:write"
    /// Read the funds and grants the account may see (`GET /api/v1/funds…`, `GET /api/v1/grants…`).
    case readFunds = "funds:read"
    /// Request grants, approve them, record payments (`POST /api/v1/grants…`).
    case writeFunds = "funds:write"
    /// Read the organisation's appeals (`GET /api/v1/appeals…`).
    case readAppeals = "appeals:read"
    /// Draft appeals and take their steps (`POST /api/v1/appeals…`).
    case writeAppeals = "appeals:write"
}

extension Request {
    private struct PrincipalKey: StorageKey { typealias Value = Principal }

    /// The signed-in person, if any (set by `SessionAuthenticator` or `BearerAuthenticator`).
    var principal: Principal? {
        get { storage[PrincipalKey.self] }
        set { storage[PrincipalKey.self] = newValue }
    }

    /// The actor of a route behind `RequireSignIn`; throws 401 elsewhere.
    func actor() throws -> Actor {
        guard let principal, principal.session == .active || principal.apiScopes != nil else { throw Abort(.unauthorized) }
        return principal.actor
    }
}
