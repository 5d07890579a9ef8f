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
        /// The table's rows, as markup (`TableRows`).
        var rowsHTML: String
        var hasRows: Bool
        var total: Int
        var statuses: SelectOptions
        var urgencies: SelectOptions
        var countries: String
        var categories: SelectOptions
        var assignees: SelectOptions
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
            let values = request.queryValues
            let get = { (key: String) in values[key].flatMap { $0.isEmpty ? nil : $0 } }
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
            let query = query.filter(column: \.$mergedInto, .equal, nil)
            if status == "open" {
                query.filter(column: \.$status, in: AlertStatus.allCases.filter(\.isOpen))
            } else if let chosen = AlertStatus(rawValue: status) {
                query.filter(column: \.$status, .equal, chosen)
            }
            if let urgency { query.filter(column: \.$urgency, .equal, urgency) }
            if let country { query.filter(column: \.$country, .equal, country) }
            if let category { query.filter(column: \.$categoryList, .contains(inverse: false, .anywhere), ",\(category),") }
            switch assignee {
            case "me": query.filter(column: \.$assigneeID, .equal, actor.userID)
            case "none": query.filter(column: \.$assigneeID, .equal, nil)
            case let value?: if let id = UUID(text: value) { query.filter(column: \.$assigneeID, .equal, id) }
            case nil: break
            }
            if overdue {
                query.filter(column: \.$status, in: AlertStatus.allCases.filter(\.isOpen))
                    .filter(column: \.$answeredAt, .equal, nil).filter(column: \.$deadlineAt, .lessThan, now)
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
        // One builder for both: making one makes two whole records (Fluent reads the id's key from them).
        let query = filters.apply(AlertQueries.visible(to: actor, on: request.db), actor: actor, now: now)
        let total = try await query.countRows()
        let alerts = try await listed(query.sort(column: \.$deadlineAt).sort(column: \.$receivedAt, .descending).range(filters.page.range))
        let directory = StaffDirectory(request)
        let handlers = try await directory.members(of: actor.organisationID, roles: AlertPolicy.handlerRoles)
        try await directory.preload(users: alerts.compactMap(\.assigneeID))
        let deadlines = try await AlertSettingsRecord.deadlines(on: request.db)
        let words = request.words
        let vault = request.application.vault
        var rows: [Row] = []
        for alert in alerts {
            rows.append(try await row(alert, words: words, vault: vault, directory: directory, deadlines: deadlines, now: now))
        }
        let assignees = [SelectOption(value: "me", label: request.t("alert.filter.me"), selected: filters.assignee == "me"),
                         SelectOption(value: "none", label: request.t("alert.filter.unassigned"), selected: filters.assignee == "none")]
            + (try await directory.options(handlers) { SiteURL.id($0) == filters.assignee })
        let categories = try await request.application.alertCategories.all(on: request.db)
        let context = QueueContext(
            rowsHTML: html(rows, labels: Labels(request)), hasRows: !rows.isEmpty, total: total,
            statuses: SelectOptions([SelectOption(value: "open", label: request.t("alert.filter.open"), selected: filters.status == "open"),
                                     SelectOption(value: "all", label: request.t("alert.filter.all"), selected: filters.status == "all")]
                + AlertStatus.allCases.map { SelectOption(value: $0.rawValue, label: request.t($0.labelKey), selected: filters.status == $0.rawValue) }),
            urgencies: SelectOptions(Urgency.allCases.map { SelectOption(value: $0.rawValue, label: request.t($0.labelKey), selected: filters.urgency == $0) }),
            countries: request.countryOptions(selected: filters.country),
            categories: SelectOptions(categories.map { SelectOption(value: $0.code, label: $0.label(in: request.language), selected: filters.category == $0.code) }),
            assignees: SelectOptions(assignees), overdue: filters.overdue,
            filterProblem: filters.unknownStatus.map { request.t("alert.filter.unknownStatus", $0, Filters.statusValues.joined(separator: ", ")) },
            newHref: SiteURL.newAlert.href,
            olderHref: filters.page.hasMore(total: total) ? filters.page.next.map(filters.href(page:)) : nil,
            newerHref: filters.page.previous.map(filters.href(page:)))
        return context
    }

    /// What a row shows, read as columns (`QueryBuilder.columns`).
    struct Listed: AlertSummary {
        var id: UUID
        var organisationID: UUID
        var year: Int
        var sequence: Int
        var status: AlertStatus
        var urgency: Urgency?
        var country: String
        var defenderNameCiphertext: Data?
        var organisationNameCiphertext: Data?
        var assigneeID: UUID?
        var receivedAt: Date
        var deadlineAt: Date
        var answeredAt: Date?
        var mergedInto: UUID?

        var reference: String { AlertReference.format(year: year, sequence: sequence) }
        var owner: String { Accounts.owner(organisationID) }
        func requireID() -> UUID { id }
    }

    /// The columns `Listed` reads (found once: `Model.path(for:)` makes a whole record to ask).
    private static let columns = [
            AlertRecord.key(\.$id), AlertRecord.key(\.$organisationID), AlertRecord.key(\.$year), AlertRecord.key(\.$sequence),
            AlertRecord.key(\.$status), AlertRecord.key(\.$urgency), AlertRecord.key(\.$country), AlertRecord.key(\.$defenderNameCiphertext),
            AlertRecord.key(\.$organisationNameCiphertext), AlertRecord.key(\.$assigneeID), AlertRecord.key(\.$receivedAt),
            AlertRecord.key(\.$deadlineAt), AlertRecord.key(\.$answeredAt), AlertRecord.key(\.$mergedInto),
    ]

    static func listed(_ query: QueryBuilder<AlertRecord>) async throws -> [Listed] {
        try await query.columns(columns).map { row in
            Listed(id: try row(\.$id), organisationID: try row(\.$organisationID), year: try row(\.$year), sequence: try row(\.$sequence),
                   status: try row(\.$status), urgency: try row(\.$urgency), country: try row(\.$country),
                   defenderNameCiphertext: try row(\.$defenderNameCiphertext), organisationNameCiphertext: try row(\.$organisationNameCiphertext),
                   assigneeID: try row(\.$assigneeID), receivedAt: try row(\.$receivedAt), deadlineAt: try row(\.$deadlineAt),
                   answeredAt: try row(\.$answeredAt), mergedInto: try row(\.$mergedInto))
        }
    }

    static func row(_ alert: some AlertSummary, words: Words, vault: Vault, directory: StaffDirectory, deadlines: ResponseDeadlines, now: Date) async throws -> Row {
        let deadline = deadlineState(alert, deadlines: deadlines, now: now)
        // Answered (verifiers asked, or decided): whether the first answer met the deadline.
        let inTime = deadline == nil ? alert.answeredAt.map { $0 <= alert.deadlineAt } : nil
        return Row(
            href: SiteURL.alert(try alert.requireID()).href, reference: alert.reference,
            name: (try? AlertQueries.shownName(alert, vault: vault)) ?? "—", country: words.country(alert.country),
            urgency: alert.urgency.map { $0.code }, urgencyTone: alert.urgency.map(tone) ?? "",
            status: words(alert.status.labelKey), deadline: words.moment(alert.deadlineAt),
            deadlineState: deadline.map { words($0.labelKey) } ?? inTime.map { words($0 ? "alert.deadline.answeredInTime" : "alert.deadline.answeredLate") },
            deadlineTone: deadline.map(tone) ?? inTime.map { $0 ? "ok" : "warn" } ?? "",
            assignee: alert.assigneeID == nil ? words("alert.unassigned") : try await directory.user(alert.assigneeID),
            received: words.day(alert.receivedAt))
    }

    /// The column names and words the rows repeat, translated once a page.
    struct Labels {
        var reference, urgency, defender, country, status, deadline, assignee, untriaged: String

        init(_ request: Request) {
            reference = request.t("alert.col.reference"); urgency = request.t("alert.col.urgency"); defender = request.t("alert.col.defender")
            country = request.t("alert.col.country"); status = request.t("alert.col.status"); deadline = request.t("alert.col.deadline")
            assignee = request.t("alert.col.assignee"); untriaged = request.t("alert.untriaged")
        }
    }

    /// The table rows (`TableRows`).
    static func html(_ rows: [Row], labels: Labels) -> String {
        let table = TableRows(rows: rows.count)
        for row in rows {
            table.row {
                table.cell(labels.reference) {
                    table.link(row.href, class: "reference-link", row.reference)
                    table.markup("<br>")
                    table.muted(row.received)
                }
                table.cell(labels.urgency) { table.badge(row.urgency == nil ? "" : row.urgencyTone, row.urgency ?? labels.untriaged) }
                table.cell(labels.defender, auto: true) { table.text(row.name) }
                table.cell(labels.country) { table.text(row.country) }
                table.cell(labels.status) { table.text(row.status) }
                table.cell(labels.deadline) {
                    table.text(row.deadline)
                    if let state = row.deadlineState {
                        table.markup("<br>")
                        table.badge(row.deadlineTone, state)
                    }
                }
                table.cell(labels.assignee, auto: true) { table.text(row.assignee) }
            }
        }
        return table.html
    }

    /// The deadline state of an open alert; `nil` once the team has answered it (asked verifiers or
    /// decided) — the response deadline is about that first answer.
    static func deadlineState(_ alert: some AlertSummary, deadlines: ResponseDeadlines, now: Date) -> DeadlineState? {
        guard alert.status.isOpen, alert.mergedInto == nil, alert.answeredAt == nil else { return nil }
        let allowed = TimeInterval(deadlines.hours(for: alert.urgency ?? ResponseDeadlines.untriaged) * 3600)
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
