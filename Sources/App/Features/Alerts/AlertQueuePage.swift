import EgideCore
import Fluent
import Vapor

/// The alert queue: filters, the rows, the options, the paging. `AlertsController.queue` renders it;
/// the API's list reads the same `Filters`.
enum AlertQueuePage {
    struct Row: Encodable {
        var href: String
        var reference: String
        var name: String
        var country: String
        var urgency: String?
        var urgencyTone: String
        var status: String
        var deadline: String
        var deadlineState: String?
        var deadlineTone: String
        var assignee: String
        var received: String
    }

    struct QueueContext: Encodable {
        var rows: [Row]
        var total: Int
        var statuses: [SelectOption]
        var urgencies: [SelectOption]
        var countries: String
        var categories: [SelectOption]
        var assignees: [SelectOption]
        var overdue: Bool
        /// Why a filter of the address was not understood (the accepted values), if one was not.
        var filterProblem: String?
        var newHref: String
        var olderHref: String?
        var newerHref: String?
    }

    static let pageSize = 50

    /// The queue's filters, as read from the query string.
    struct Filters {
        var status: String
        var urgency: Urgency?
        var country: String?
        var category: String?
        var assignee: String?
        var overdue: Bool
        var page: ListPage
        /// A `status` value that is none of `statusValues` (the queue then shows the open alerts).
        var unknownStatus: String?

        /// The values `status` takes: "open", "all", or one status; "new" is read as "received".
        static var statusValues: [String] { ["open", "all"] + AlertStatus.allCases.map(\.rawValue) }

        init(_ request: Request) throws {
            let get = { (key: String) in (try? request.query.get(String.self, at: key)).flatMap { $0.isEmpty ? nil : $0 } }
            let asked = get("status").map { $0 == "new" ? AlertStatus.received.rawValue : $0 } ?? "open"
            status = Self.statusValues.contains(asked) ? asked : "open"
            unknownStatus = Self.statusValues.contains(asked) ? nil : String(asked.prefix(40))
            urgency = get("urgency").flatMap(Urgency.init(rawValue:))
            country = get("country")?.uppercased()
            category = get("category").flatMap { AlertCategories.isValidCode($0) ? $0 : nil }
            assignee = get("assignee")
            overdue = get("overdue") == "1"
            page = try request.listPage(size: AlertQueuePage.pageSize)
        }

        func apply(_ query: QueryBuilder<AlertRecord>, actor: Actor, now: Date) -> QueryBuilder<AlertRecord> {
            var query = query.filter(\.$mergedInto == nil)
            if status == "open" {
                query = query.filter(\.$status ~~ AlertStatus.allCases.filter(\.isOpen))
            } else if let chosen = AlertStatus(rawValue: status) {
                query = query.filter(\.$status == chosen)
            }
            if let urgency { query = query.filter(\.$urgency == urgency) }
            if let country { query = query.filter(\.$country == country) }
            if let category { query = query.filter(\.$categoryList, .contains(inverse: false, .anywhere), ",\(category),") }
            switch assignee {
            case "me": query = query.filter(\.$assigneeID == actor.userID)
            case "none": query = query.filter(\.$assigneeID == nil)
            case let value?: if let id = UUID(uuidString: value) { query = query.filter(\.$assigneeID == id) }
            case nil: break
            }
            if overdue {
                query = query.filter(\.$status ~~ AlertStatus.allCases.filter(\.isOpen)).filter(\.$answeredAt == nil).filter(\.$deadlineAt < now)
            }
            return query
        }

        func href(page: ListPage) -> String {
            var items: [URLQueryItem] = [URLQueryItem(name: "status", value: status)]
            if let urgency { items.append(.init(name: "urgency", value: urgency.rawValue)) }
            if let country { items.append(.init(name: "country", value: country)) }
            if let category { items.append(.init(name: "category", value: category)) }
            if let assignee { items.append(.init(name: "assignee", value: assignee)) }
            if overdue { items.append(.init(name: "overdue", value: "1")) }
            if page.number > 0 { items.append(.init(name: "page", value: String(page.number))) }
            var components = URLComponents()
            components.queryItems = items
            return SiteURL.alerts.href + "?" + (components.percentEncodedQuery ?? "")
        }
    }

    static func build(for actor: Actor, on request: Request) async throws -> QueueContext {
        let now = request.application.clock.now()
        let filters = try Filters(request)
        let base = { filters.apply(AlertQueries.visible(to: actor, on: request.db), actor: actor, now: now) }
        let total = try await base().count()
        let alerts = try await base().sort(\.$deadlineAt).sort(\.$receivedAt, .descending).range(filters.page.range).all()
        let directory = StaffDirectory(request)
        let handlers = try await StaffDirectory.members(of: actor.organisationID, roles: AlertPolicy.handlerRoles, on: request.db)
        try await directory.preload(users: alerts.compactMap(\.assigneeID) + handlers.compactMap(\.id))
        let settings = try await AlertSettingsRecord.current(on: request.db)
        var rows: [Row] = []
        for alert in alerts {
            rows.append(try await row(alert, request: request, directory: directory, settings: settings, now: now))
        }
        var assignees = [SelectOption(value: "me", label: request.t("alert.filter.me"), selected: filters.assignee == "me"),
                         SelectOption(value: "none", label: request.t("alert.filter.unassigned"), selected: filters.assignee == "none")]
        for user in handlers {
            let id = SiteURL.id(try user.requireID())
            assignees.append(SelectOption(value: id, label: try await directory.user(user.id), selected: filters.assignee == id))
        }
        let categories = try await AlertQueries.categories(on: request.db, includeInactive: true)
        let context = QueueContext(
            rows: rows, total: total,
            statuses: [SelectOption(value: "open", label: request.t("alert.filter.open"), selected: filters.status == "open"),
                       SelectOption(value: "all", label: request.t("alert.filter.all"), selected: filters.status == "all")]
                + AlertStatus.allCases.map { SelectOption(value: $0.rawValue, label: request.t($0.labelKey), selected: filters.status == $0.rawValue) },
            urgencies: Urgency.allCases.map { SelectOption(value: $0.rawValue, label: request.t($0.labelKey), selected: filters.urgency == $0) },
            countries: request.countryOptions(selected: filters.country),
            categories: categories.map { SelectOption(value: $0.code, label: $0.label(in: request.language), selected: filters.category == $0.code) },
            assignees: assignees, overdue: filters.overdue,
            filterProblem: filters.unknownStatus.map { request.t("alert.filter.unknownStatus", $0, Filters.statusValues.joined(separator: ", ")) },
            newHref: SiteURL.newAlert.href,
            olderHref: filters.page.hasMore(total: total) ? filters.page.next.map(filters.href(page:)) : nil,
            newerHref: filters.page.previous.map(filters.href(page:)))
        return context
    }

    static func row(_ alert: AlertRecord, request: Request, directory: StaffDirectory, settings: AlertSettingsRecord, now: Date) async throws -> Row {
        let names = (try? AlertQueries.names(alert, vault: request.application.vault)) ?? (defender: nil, organisation: nil)
        let deadline = deadlineState(alert, settings: settings, now: now)
        // Answered (verifiers asked, or decided): whether the first answer met the deadline.
        let inTime = deadline == nil ? alert.answeredAt.map { $0 <= alert.deadlineAt } : nil
        return Row(
            href: SiteURL.alert(try alert.requireID()).href, reference: alert.reference,
            name: names.defender ?? names.organisation ?? "—", country: Countries.name(alert.country, in: request.language),
            urgency: alert.urgency.map { $0.code }, urgencyTone: alert.urgency.map(tone) ?? "",
            status: request.t(alert.status.labelKey), deadline: request.moment(alert.deadlineAt),
            deadlineState: deadline.map { request.t($0.labelKey) } ?? inTime.map { request.t($0 ? "alert.deadline.answeredInTime" : "alert.deadline.answeredLate") },
            deadlineTone: deadline.map(tone) ?? inTime.map { $0 ? "ok" : "warn" } ?? "",
            assignee: alert.assigneeID == nil ? request.t("alert.unassigned") : try await directory.user(alert.assigneeID),
            received: request.day(alert.receivedAt))
    }

    /// The deadline state of an open alert; `nil` once the team has answered it (asked verifiers or
    /// decided) — the response deadline is about that first answer.
    static func deadlineState(_ alert: AlertRecord, settings: AlertSettingsRecord, now: Date) -> DeadlineState? {
        guard alert.status.isOpen, alert.mergedInto == nil, alert.answeredAt == nil else { return nil }
        let allowed = TimeInterval(settings.deadlines.hours(for: alert.urgency ?? ResponseDeadlines.untriaged) * 3600)
        return DeadlineState.of(deadline: alert.deadlineAt, allowed: allowed, now: now)
    }

    static func tone(_ urgency: Urgency) -> String {
        switch urgency {
        case .p1: "danger"
        case .p2: "warn"
        case .p3, .p4: ""
        }
    }

    static func tone(_ state: DeadlineState) -> String {
        switch state {
        case .overdue: "danger"
        case .dueSoon: "warn"
        case .onTime: "ok"
        }
    }
}
