import Foundation
import Vapor

/// Every endpoint of the JSON API by name, as `SiteURL` is for pages: the route table registers
/// these, and `openAPIPath` is how `openapi.json` spells each (`{id}` for a parameter).
/// `APIURLTests` holds the enum, the route table and the OpenAPI document to one another.
enum APIURL: Hashable, Sendable {
    case openAPI
    case me
    case publicAlerts, publicAlertStatus, publicAlertUpdates
    case alerts
    case alert(UUID)
    case cases
    case caseFile(UUID)
    case caseAssessments(UUID)
    case caseFollowUps(UUID)
    case funds
    case fund(UUID)
    case grants
    case grant(UUID)
    case grantApprovals(UUID)
    case grantDisbursements(UUID)
    case appeals
    case appeal(UUID)
    case appealSteps(UUID)

    static let prefix = "/api/v1"

    /// The path to put in a `Location` header or a client's request.
    var href: String {
        switch self {
        case .openAPI: Self.prefix + "/openapi.json"
        case .me: Self.prefix + "/me"
        case .publicAlerts: Self.prefix + "/public/alerts"
        case .publicAlertStatus: Self.prefix + "/public/alerts/status"
        case .publicAlertUpdates: Self.prefix + "/public/alerts/updates"
        case .alerts: Self.prefix + "/alerts"
        case .alert(let id): Self.prefix + "/alerts/\(SiteURL.id(id))"
        case .cases: Self.prefix + "/cases"
        case .caseFile(let id): Self.prefix + "/cases/\(SiteURL.id(id))"
        case .caseAssessments(let id): Self.prefix + "/cases/\(SiteURL.id(id))/assessments"
        case .caseFollowUps(let id): Self.prefix + "/cases/\(SiteURL.id(id))/follow-ups"
        case .funds: Self.prefix + "/funds"
        case .fund(let id): Self.prefix + "/funds/\(SiteURL.id(id))"
        case .grants: Self.prefix + "/grants"
        case .grant(let id): Self.prefix + "/grants/\(SiteURL.id(id))"
        case .grantApprovals(let id): Self.prefix + "/grants/\(SiteURL.id(id))/approvals"
        case .grantDisbursements(let id): Self.prefix + "/grants/\(SiteURL.id(id))/disbursements"
        case .appeals: Self.prefix + "/appeals"
        case .appeal(let id): Self.prefix + "/appeals/\(SiteURL.id(id))"
        case .appealSteps(let id): Self.prefix + "/appeals/\(SiteURL.id(id))/steps"
        }
    }

    /// The route pattern: the path with `SiteURL.anyID` as the `:id` parameter.
    var pattern: [PathComponent] {
        href.replacingOccurrences(of: SiteURL.id(SiteURL.anyID), with: ":id").pathComponents
    }

    /// How the OpenAPI document names this path (`/api/v1/cases/{id}`).
    var openAPIPath: String {
        href.replacingOccurrences(of: SiteURL.id(SiteURL.anyID), with: "{id}")
    }

    /// One of every endpoint, parameters as placeholders: what `APIURLTests` walks.
    static let all: [APIURL] = [
        .openAPI, .me, .publicAlerts, .publicAlertStatus, .publicAlertUpdates, .alerts, .alert(SiteURL.anyID),
        .cases, .caseFile(SiteURL.anyID), .caseAssessments(SiteURL.anyID), .caseFollowUps(SiteURL.anyID),
        .funds, .fund(SiteURL.anyID), .grants, .grant(SiteURL.anyID), .grantApprovals(SiteURL.anyID), .grantDisbursements(SiteURL.anyID),
        .appeals, .appeal(SiteURL.anyID), .appealSteps(SiteURL.anyID),
    ]
}

extension RoutesBuilder {
    @discardableResult
    func get<Response: AsyncResponseEncodable>(_ url: APIURL, use closure: @escaping @Sendable (Request) async throws -> Response) -> Route {
        on(.GET, url.pattern, use: closure)
    }

    /// A JSON body of at most `maxSize` (the application's default when nil), collected before
    /// the handler runs.
    @discardableResult
    func post<Response: AsyncResponseEncodable>(_ url: APIURL, collecting maxSize: ByteCount? = nil,
                                                use closure: @escaping @Sendable (Request) async throws -> Response) -> Route {
        on(.POST, url.pattern, body: .collect(maxSize: maxSize), use: closure).bodyLimit(maxSize)
    }
}
