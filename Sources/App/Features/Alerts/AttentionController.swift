import EgideCore
import Fluent
import Vapor

/// "Needs my attention": what is waiting on this person now — alerts not yet triaged, new P1
/// alerts, their alerts whose deadline is near or passed, and verification requests sent to them.
enum AttentionController {
    struct Section: Encodable {
        var heading: String
        var rows: [AlertsController.Row]
        var empty: String
    }

    struct Context: Encodable {
        var sections: [Section]
        var requests: [VerificationController.Row]
        var isHandler: Bool
        var isVerifier: Bool
        var queueHref: String
    }

    @Sendable static func show(_ request: Request) async throws -> Response {
        let actor = try request.actor()
        let app = request.application
        let now = app.clock.now()
        var sections: [Section] = []
        let isHandler = AlertPolicy.isHandler(actor)
        if isHandler {
            let directory = StaffDirectory(request)
            let settings = try await AlertSettingsRecord.current(on: request.db)
            let open = AlertStatus.allCases.filter(\.isOpen)
            let base = { AlertQueries.visible(to: actor, on: request.db).filter(\.$mergedInto == nil).filter(\.$status ~~ open) }
            func rows(_ alerts: [AlertRecord]) async throws -> [AlertsController.Row] {
                var result: [AlertsController.Row] = []
                for alert in alerts { result.append(try await AlertsController.row(alert, request: request, directory: directory, settings: settings, now: now)) }
                return result
            }
            let untriaged = try await base().filter(\.$status == .received).sort(\.$receivedAt).limit(100).all()
            let urgent = try await base().filter(\.$urgency == .p1).filter(\.$status != .received).sort(\.$deadlineAt).limit(100).all()
            let soon = now.addingTimeInterval(24 * 3600)
            let mine = try await base().filter(\.$assigneeID == actor.userID).filter(\.$answeredAt == nil).filter(\.$deadlineAt < soon).sort(\.$deadlineAt).limit(100).all()
            let overdue = try await base().filter(\.$answeredAt == nil).filter(\.$deadlineAt < now).sort(\.$deadlineAt).limit(100).all()
            sections = [
                Section(heading: request.t("attention.untriaged"), rows: try await rows(untriaged), empty: request.t("attention.none")),
                Section(heading: request.t("attention.p1"), rows: try await rows(urgent), empty: request.t("attention.none")),
                Section(heading: request.t("attention.mine"), rows: try await rows(mine), empty: request.t("attention.none")),
                Section(heading: request.t("attention.overdue"), rows: try await rows(overdue), empty: request.t("attention.none")),
            ]
        }
        var requests: [VerificationController.Row] = []
        if actor.has(.verifier) {
            for item in try await VerificationRequestRecord.query(on: request.db).filter(\.$verifierID == actor.userID)
                .filter(\.$state == .pending).sort(\.$createdAt).limit(100).all() {
                guard let alert = try await AlertRecord.find(item.alertID, on: request.db) else { continue }
                requests.append(.init(href: SiteURL.verificationRequest(try item.requireID()).href, reference: alert.reference,
                                      country: Countries.name(alert.country, in: request.language), urgency: alert.urgency?.code,
                                      asked: request.moment(item.createdAt), state: request.t(item.state.labelKey), tone: "warn"))
            }
        }
        let context = Context(sections: sections, requests: requests, isHandler: isHandler, isVerifier: actor.has(.verifier),
                              queueHref: SiteURL.alerts.href)
        return try await request.render(.attention, titleKey: "attention.title", context)
    }
}
