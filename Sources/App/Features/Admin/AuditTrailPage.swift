import EgideCore
import EgideCrypto
import Fluent
import Foundation
import Vapor

/// The audit trail as people read it: who (by name), did what (in words), to which record (by its
/// reference or name), when (in the reader's language); filters; 50 a page; the chain's state.
enum AuditTrailPage {
    static let pageSize = 50

    struct Row: Encodable {
        var seq: Int64
        var time: String
        var actor: String
        var action: String
        /// The code (`alert.read`), for an auditor matching the log with `egide audit export`.
        var code: String
        var object: String
        var objectHref: String?
        var details: String
    }

    struct Context: Encodable {
        var rows: [Row]
        var actions: [SelectOption]
        var organisations: [SelectOption]
        var actors: [SelectOption]
        var from: String?
        var to: String?
        var problems: [FieldProblem]
        var chainMessage: String?
        var chainBroken: Bool
        var olderHref: String?
        var newestHref: String?
        var formAction: String
    }

    /// The filters, as read from the query string.
    struct Filters {
        var action: String?
        var organisation: UUID?
        var actor: String?
        var from: Date?
        var to: Date?
        var before: Int64?
        var problems: [FieldProblem] = []

        init(_ request: Request) {
            let query = { (name: String) in (try? request.query.get(String.self, at: name)).flatMap { $0.isEmpty ? nil : $0 } }
            action = query("action")
            organisation = query("organisation").flatMap(UUID.init(uuidString:))
            actor = query("actor")?.lowercased()
            before = query("before").flatMap(Int64.init)
            for (field, target) in [("from", \Filters.from), ("to", \Filters.to)] {
                guard let text = query(field) else { continue }
                if let day = Day.parse(text) { self[keyPath: target] = day } else {
                    problems.append(FieldProblem(field: field, message: request.t("audit.filter.invalidDate")))
                }
            }
        }

        func apply(_ builder: QueryBuilder<AuditEventModel>) -> QueryBuilder<AuditEventModel> {
            var builder = builder
            if let action { builder = builder.filter(\.$action == action) }
            if let organisation { builder = builder.filter(\.$organisationID == SiteURL.id(organisation)) }
            if let actor { builder = builder.filter(\.$actor == actor) }
            if let from { builder = builder.filter(\.$occurredAt >= Int64(from.timeIntervalSince1970 * 1000)) }
            if let to { builder = builder.filter(\.$occurredAt < Int64((to.timeIntervalSince1970 + 86400) * 1000)) }
            if let before { builder = builder.filter(\.$id < before) }
            return builder
        }
    }

    static func build(for actor: Actor, on request: Request) async throws -> Context {
        let filters = Filters(request)
        let events = try await filters.apply(AuditEventModel.query(on: request.db)).sort(\.$id, .descending).limit(pageSize).all()
        let names = try await AuditNames.resolve(events, actor: actor, on: request)
        let query = { (name: String) in (try? request.query.get(String.self, at: name)).flatMap { $0.isEmpty ? nil : $0 } }
        let chain = try await AuditChainState.current(on: request)
        return Context(
            rows: events.map { row($0, names: names, request: request) },
            actions: try await actionOptions(request, selected: filters.action),
            organisations: try await InviteController.organisationOptions(request, actor: actor, selected: query("organisation")),
            actors: try await actorOptions(request, actor: actor, selected: filters.actor),
            from: query("from"), to: query("to"), problems: filters.problems,
            chainMessage: chain.message, chainBroken: chain.broken,
            olderHref: events.count == pageSize ? link(request, before: events.last?.id) : nil,
            newestHref: filters.before == nil ? nil : link(request, before: nil), formAction: SiteURL.adminAudit.href)
    }

    static func row(_ event: AuditEventModel, names: AuditNames, request: Request) -> Row {
        let time = Date(timeIntervalSince1970: Double(event.occurredAt) / 1000)
        let details = AuditEventModel.decode(event.details).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        let object = names.object(event.objectType, event.objectID, request: request)
        return Row(seq: event.id ?? 0, time: request.moment(time), actor: names.actor(event.actor, request: request),
                   action: label(event.action, request: request), code: event.action,
                   object: object.text, objectHref: object.href, details: details)
    }

    /// The action in words, or its code when no label exists yet.
    static func label(_ action: String, request: Request) -> String {
        let key = "audit.action." + action
        return request.application.catalogue.contains(key) ? request.t(key) : action
    }

    static func link(_ request: Request, before: Int64?) -> String {
        var components = URLComponents()
        var items = (URLComponents(string: request.url.string)?.queryItems ?? []).filter { $0.name != "before" }
        if let before { items.append(URLQueryItem(name: "before", value: String(before))) }
        components.queryItems = items.isEmpty ? nil : items
        return SiteURL.adminAudit.href + (components.percentEncodedQuery.map { "?" + $0 } ?? "")
    }

    static func actionOptions(_ request: Request, selected: String?) async throws -> [SelectOption] {
        let actions = try await AuditEventModel.query(on: request.db).unique().all(\.$action)
        return actions.map { SelectOption(value: $0, label: label($0, request: request), selected: $0 == selected) }
            .sorted { $0.label.localizedCaseInsensitiveCompare($1.label) == .orderedAscending }
    }

    /// The people of the organisations this reader oversees, plus the public and the system.
    static func actorOptions(_ request: Request, actor: Actor, selected: String?) async throws -> [SelectOption] {
        let organisations = try await OrganisationRecord.visible(to: actor, on: request.db).all().compactMap(\.id)
        let users = try await UserRecord.query(on: request.db).filter(\.$organisation.$id ~~ organisations).all()
        let directory = StaffDirectory(request)
        try await directory.preload(users: users.compactMap(\.id))
        var options: [SelectOption] = []
        for user in users {
            let id = SiteURL.id(try user.requireID())
            options.append(SelectOption(value: id, label: try await directory.user(user.id), selected: id == selected))
        }
        options.sort { $0.label.localizedCaseInsensitiveCompare($1.label) == .orderedAscending }
        return options + [SelectOption(value: "public", label: request.t("audit.actor.public"), selected: selected == "public"),
                          SelectOption(value: "system", label: request.t("audit.actor.system"), selected: selected == "system")]
    }
}

/// The names behind the ids of one page of audit events, read in one query per kind of record.
struct AuditNames {
    var users: [String: String] = [:]
    var alerts: [String: String] = [:]
    var cases: [String: String] = [:]
    var organisations: [String: String] = [:]
    var linkAdministration: Bool

    static func resolve(_ events: [AuditEventModel], actor: Actor, on request: Request) async throws -> AuditNames {
        var names = AuditNames(linkAdministration: actor.has(.administrator))
        func ids(_ type: String) -> [UUID] { events.filter { $0.objectType == type }.compactMap { $0.objectID.flatMap(UUID.init(uuidString:)) } }
        let people = events.compactMap { UUID(uuidString: $0.actor) } + ids("user")
        let directory = StaffDirectory(request)
        try await directory.preload(users: people, organisations: ids("organisation"))
        for id in Set(people) {
            // An invited account has no name yet: its short id says which one it is.
            names.users[SiteURL.id(id)] = try await directory.user(id).nonEmpty ?? String(SiteURL.id(id).prefix(8))
        }
        for id in Set(ids("organisation")) { names.organisations[SiteURL.id(id)] = try await directory.organisation(id) }
        for alert in try await AlertRecord.query(on: request.db).filter(\.$id ~~ ids("alert")).all() {
            names.alerts[SiteURL.id(try alert.requireID())] = alert.reference
        }
        for record in try await CaseRecord.query(on: request.db).filter(\.$id ~~ ids("case")).all() {
            names.cases[SiteURL.id(try record.requireID())] = record.code
        }
        return names
    }

    func actor(_ value: String, request: Request) -> String {
        switch value {
        case "public": request.t("audit.actor.public")
        case "system": request.t("audit.actor.system")
        default: users[value] ?? request.t("audit.actor.unknown")
        }
    }

    /// The record in words ("Case CMR-2026-0004", "Account Amira Ben Salah"), with a link where
    /// the reader administers it.
    func object(_ type: String?, _ id: String?, request: Request) -> (text: String, href: String?) {
        guard let type else { return ("", nil) }
        let kind = request.application.catalogue.contains("audit.object." + type) ? request.t("audit.object." + type) : type
        guard let id else { return (kind, nil) }
        let uuid = UUID(uuidString: id)
        switch type {
        case "alert": return (kind + " " + (alerts[id] ?? String(id.prefix(8))), nil)
        case "case": return (kind + " " + (cases[id] ?? String(id.prefix(8))), nil)
        case "user": return (kind + " " + (users[id] ?? String(id.prefix(8))), linkAdministration ? uuid.map { SiteURL.adminUser($0).href } : nil)
        case "organisation":
            return (kind + " " + (organisations[id] ?? String(id.prefix(8))), linkAdministration ? uuid.map { SiteURL.adminOrganisation($0).href } : nil)
        default: return (kind + " " + String(id.prefix(8)), nil)
        }
    }
}
