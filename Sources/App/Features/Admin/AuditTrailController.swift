import EgideCore
import EgideCrypto
import Fluent
import Foundation
import Vapor

/// The audit trail for host administrators and auditors: filters, newest first, 50 a page, and the
/// state of the hash chain.
enum AuditTrailController {
    static let pageSize = 50
    /// Above this many entries the page leaves full verification to `egide audit verify`.
    static let verifyLimit = 20_000

    struct Row: Encodable {
        var seq: Int64
        var time: String
        var actor: String
        var action: String
        var object: String
        var details: String
    }

    struct Context: Encodable {
        var rows: [Row]
        var actions: [SelectOption]
        var organisations: [SelectOption]
        var actor: String?
        var from: String?
        var to: String?
        var problems: [FieldProblem]
        var chainMessage: String?
        var chainBroken: Bool
        var olderHref: String?
        var newestHref: String?
    }

    struct Filters {
        var action: String?
        var organisation: UUID?
        var actor: String?
        var from: Date?
        var to: Date?
        var before: Int64?
    }

    static func parseDay(_ text: String?) -> Date?? {
        guard let text, !text.isEmpty else { return .some(nil) }
        guard let date = Day.parse(text) else { return nil }
        return .some(date)
    }

    @Sendable static func list(_ request: Request) async throws -> Response {
        let actor = try request.actor()
        try request.authorize(AdminPolicy.evaluate(actor, .viewAuditTrail))
        let query = { (name: String) in (try? request.query.get(String.self, at: name)).flatMap { $0.isEmpty ? nil : $0 } }
        var problems: [FieldProblem] = []
        var filters = Filters(action: query("action"), organisation: query("organisation").flatMap(UUID.init(uuidString:)),
                              actor: query("actor"), before: query("before").flatMap(Int64.init))
        for (field, target) in [("from", \Filters.from), ("to", \Filters.to)] {
            if let parsed = parseDay(query(field)) { filters[keyPath: target] = parsed } else {
                problems.append(FieldProblem(field: field, message: request.t("audit.filter.invalidDate")))
            }
        }
        var builder = AuditEventModel.query(on: request.db).sort(\.$id, .descending).limit(pageSize)
        if let action = filters.action { builder = builder.filter(\.$action == action) }
        if let organisation = filters.organisation { builder = builder.filter(\.$organisationID == SiteURL.id(organisation)) }
        if let who = filters.actor { builder = builder.filter(\.$actor == who.lowercased()) }
        if let from = filters.from { builder = builder.filter(\.$occurredAt >= Int64(from.timeIntervalSince1970 * 1000)) }
        if let to = filters.to { builder = builder.filter(\.$occurredAt < Int64((to.timeIntervalSince1970 + 86400) * 1000)) }
        if let before = filters.before { builder = builder.filter(\.$id < before) }
        let events = try await builder.all()
        let (chainMessage, broken) = try await chainState(request)
        let context = Context(
            rows: events.map { row($0) }, actions: try await actionOptions(request, selected: filters.action),
            organisations: try await InviteController.organisationOptions(request, actor: actor, selected: query("organisation")),
            actor: filters.actor, from: query("from"), to: query("to"), problems: problems,
            chainMessage: chainMessage, chainBroken: broken,
            olderHref: events.count == pageSize ? link(request, before: events.last?.id) : nil,
            newestHref: filters.before == nil ? nil : link(request, before: nil))
        return try await request.render(.adminAudit, titleKey: "audit.title", context)
    }

    static func row(_ event: AuditEventModel) -> Row {
        let time = Date(timeIntervalSince1970: Double(event.occurredAt) / 1000)
        let format = Date.ISO8601FormatStyle(timeZone: .gmt).year().month().day().time(includingFractionalSeconds: false)
        let details = AuditEventModel.decode(event.details).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        return Row(seq: event.id ?? 0, time: time.formatted(format), actor: event.actor, action: event.action,
                   object: [event.objectType, event.objectID].compactMap { $0 }.joined(separator: " "), details: details)
    }

    static func link(_ request: Request, before: Int64?) -> String {
        var components = URLComponents()
        var items = (URLComponents(string: request.url.string)?.queryItems ?? []).filter { $0.name != "before" }
        if let before { items.append(URLQueryItem(name: "before", value: String(before))) }
        components.queryItems = items.isEmpty ? nil : items
        return SiteURL.adminAudit.href + (components.percentEncodedQuery.map { "?" + $0 } ?? "")
    }

    static func actionOptions(_ request: Request, selected: String?) async throws -> [SelectOption] {
        let actions = try await AuditEventModel.query(on: request.db).unique().all(\.$action).sorted()
        return actions.map { SelectOption(value: $0, label: $0, selected: $0 == selected) }
    }

    static func chainState(_ request: Request) async throws -> (String?, Bool) {
        let count = try await AuditEventModel.query(on: request.db).count()
        guard count <= verifyLimit else { return (nil, false) }
        let events = try await AuditEventModel.query(on: request.db).sort(\.$id).all()
        switch AuditChainVerifier.verify(events.map(\.stored)) {
        case .intact(let head):
            let hex = head.hash.prefix(8).map { String(format: "%02x", $0) }.joined()
            return (request.t("audit.chain.ok", String(count), hex), false)
        case .broken(let failure):
            return (request.t("audit.chain.broken", String(failure.sequence)), true)
        }
    }
}
