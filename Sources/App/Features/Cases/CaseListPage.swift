import EgideCore
import Fluent
import FluentSQL
import Vapor

/// The case list: the rows, the filters' options, the paging (the filters and the counting query
/// are `CasesController.Filters`, `filtered`, `count`, shared with the case bench).
enum CaseListPage {
    struct Row: Encodable {
        var href: String
        var code: String
        var country: String
        var status: String
        var statusTone: String
        var risk: String?
        var riskTone: String
        var lead: String
        var review: String?
        var reviewDue: Bool
        var updated: String
    }

    struct ListContext: Encodable {
        /// The table's rows, as markup (`rowsHTML`): Leaf walking 50 rows of seven cells and seven
        /// translations each was a third of the page's processor time.
        var rowsHTML: String
        var hasRows: Bool
        var total: Int
        var query: String
        var statuses: [SelectOption]
        var countries: String
        var levels: [SelectOption]
        var mine: Bool
        var canOpen: Bool
        var newHref: String
        var olderHref: String?
        var newerHref: String?
        var searched: Bool
        /// More than `countCap` cases match: the page says so instead of counting them all.
        var totalCapped: Bool
        /// Why the address's status filter was not understood (the accepted values), if it was not.
        var filterProblem: String?
    }

    static func build(for actor: Actor, on request: Request) async throws -> ListContext {
        let filters = try CasesController.Filters(request)
        let app = request.application
        let total = try await CasesController.count(filters, actor: actor, app: app, on: request.db)
        // One more row than the page shows tells whether an older page exists.
        var records = try await listed(CasesController.filtered(filters, actor: actor, app: app, on: request.db).sort(\.$updatedAt, .descending)
            .range(filters.page.rangeWithNext))
        let hasOlder = records.count > CasesController.pageSize
        records = Array(records.prefix(CasesController.pageSize))
        let directory = StaffDirectory(request)
        try await directory.preload(users: records.map(\.leadID))
        let now = app.clock.now()
        var rows: [Row] = []
        for record in records { rows.append(try await row(record, request: request, directory: directory, now: now)) }
        let context = ListContext(
            rowsHTML: html(rows, labels: Labels(request)), hasRows: !rows.isEmpty, total: total, query: filters.query,
            statuses: [SelectOption(value: "open", label: request.t("case.filter.open"), selected: filters.status == "open"),
                       SelectOption(value: "all", label: request.t("case.filter.all"), selected: filters.status == "all")]
                + CaseStatus.allCases.map { SelectOption(value: $0.rawValue, label: request.t($0.labelKey), selected: filters.status == $0.rawValue) },
            countries: request.countryOptions(selected: filters.country),
            levels: RiskLevel.allCases.map { SelectOption(value: String($0.value), label: request.t($0.labelKey), selected: filters.level == $0.value) },
            mine: filters.mine, canOpen: CasePolicy.evaluate(actor, .createCase, nil).isAllowed, newHref: SiteURL.newCase.href,
            olderHref: hasOlder ? filters.page.next.map(filters.href(page:)) : nil,
            newerHref: filters.page.previous.map(filters.href(page:)), searched: !filters.query.isEmpty,
            totalCapped: total > CasesController.countCap,
            filterProblem: filters.unknownStatus.map {
                request.t("case.filter.unknownStatus", $0, CasesController.Filters.statusValues.joined(separator: ", "))
            })
        return context
    }

    /// What a row shows. Read as columns rather than as `CaseRecord`s: Fluent fills a model field by
    /// field through reflection, which was a fifth of the page's processor time for 50 rows of 21
    /// fields (docs/DEVELOPMENT.md, "Public pages: benchmark").
    struct Listed: Sendable {
        var id: UUID
        var code: String
        var country: String
        var status: CaseStatus
        var riskLevel: Int?
        var judgedLevel: Int?
        var leadID: UUID
        var nextReviewAt: Date?
        var updatedAt: Date
    }

    /// The columns `Listed` reads, as the model declares them.
    private static let columns = (
        id: CaseRecord.path(for: \.$id)[0], code: CaseRecord.path(for: \.$code)[0], country: CaseRecord.path(for: \.$country)[0],
        status: CaseRecord.path(for: \.$status)[0], riskLevel: CaseRecord.path(for: \.$riskLevel)[0],
        judgedLevel: CaseRecord.path(for: \.$judgedLevel)[0], leadID: CaseRecord.path(for: \.$leadID)[0],
        nextReviewAt: CaseRecord.path(for: \.$nextReviewAt)[0], updatedAt: CaseRecord.path(for: \.$updatedAt)[0])

    /// `query`'s rows, only the columns a row shows, read from the statement Fluent's converter
    /// makes of the query (as `CasesController.count` does): Fluent's own output looked each value
    /// up and adjusted its key, 7 % of the page.
    static func listed(_ query: QueryBuilder<CaseRecord>) async throws -> [Listed] {
        var read = query.query
        read.action = .read
        let keys = columns
        read.fields = [keys.id, keys.code, keys.country, keys.status, keys.riskLevel, keys.judgedLevel, keys.leadID, keys.nextReviewAt,
                       keys.updatedAt].map { .extendedPath([$0], schema: CaseRecord.schema, space: nil) }
        let statement = SQLQueryConverter(delegate: CasesController.PlainConverter()).convert(read)
        // The converter names each column `<table>_<column>`.
        let column = { (key: FieldKey) in CaseRecord.schema + "_" + key.description }
        return try await (query.database as! any SQLDatabase).raw("\(statement)").all().map { row in
            func optional<Value: Decodable>(_ key: FieldKey, _: Value.Type) throws -> Value? {
                try row.decodeNil(column: column(key)) ? nil : row.decode(column: column(key), as: Value.self)
            }
            return Listed(
                id: try row.decode(column: column(keys.id), as: UUID.self), code: try row.decode(column: column(keys.code), as: String.self),
                country: try row.decode(column: column(keys.country), as: String.self),
                status: try row.decode(column: column(keys.status), as: CaseStatus.self),
                riskLevel: try optional(keys.riskLevel, Int.self), judgedLevel: try optional(keys.judgedLevel, Int.self),
                leadID: try row.decode(column: column(keys.leadID), as: UUID.self), nextReviewAt: try optional(keys.nextReviewAt, Date.self),
                updatedAt: try row.decode(column: column(keys.updatedAt), as: Date.self))
        }
    }

    static func row(_ record: Listed, request: Request, directory: StaffDirectory, now: Date) async throws -> Row {
        let level = (record.judgedLevel ?? record.riskLevel).flatMap(RiskLevel.init(value:))
        return Row(
            href: SiteURL.caseFile(record.id).href, code: record.code,
            country: Countries.name(record.country, in: request.language),
            status: request.t(record.status.labelKey), statusTone: record.status == .closed ? "" : "ok",
            risk: level.map { request.t($0.labelKey) }, riskTone: level.map(tone) ?? "",
            lead: try await directory.user(record.leadID),
            review: record.status.isOpen ? record.nextReviewAt.map { request.day($0) } : nil,
            reviewDue: record.status.isOpen && (record.nextReviewAt.map { $0 <= now } ?? false),
            updated: request.day(record.updatedAt))
    }

    /// The column names and words the rows repeat, translated once a page.
    struct Labels {
        var code, country, status, risk, review, lead, updated, noRisk, due: String

        init(_ request: Request) {
            code = request.t("case.col.code"); country = request.t("case.col.country"); status = request.t("case.col.status")
            risk = request.t("case.col.risk"); review = request.t("case.col.review"); lead = request.t("case.col.lead")
            updated = request.t("case.col.updated"); noRisk = request.t("case.risk.none"); due = request.t("case.review.due")
        }
    }

    /// The table rows as `cases/list.leaf` once wrote them, every value escaped as Leaf's `#( )` escapes it.
    static func html(_ rows: [Row], labels: Labels) -> String {
        let e = SharedPages.escaped
        var html = ""
        html.reserveCapacity(rows.count * 1_000)
        func cell(_ label: String, auto: Bool = false, _ content: () -> Void) {
            html += "\n    <td data-label=\""
            html += e(label)
            html += auto ? "\"><div dir=\"auto\">" : "\"><div>"
            content()
            html += "</div></td>"
        }
        for row in rows {
            html += "<tr>"
            cell(labels.code) {
                html += "<a href=\"" + e(row.href) + "\" class=\"code\" dir=\"ltr\">" + e(row.code) + "</a><br><span class=\"muted\">"
                html += e(labels.updated) + " " + e(row.updated) + "</span>"
            }
            cell(labels.country) { html += e(row.country) }
            cell(labels.status) { html += e(row.status) }
            cell(labels.risk) {
                if let risk = row.risk {
                    html += "<span class=\"badge " + e(row.riskTone) + "\">" + e(risk) + "</span>"
                } else {
                    html += "<span class=\"muted\">" + e(labels.noRisk) + "</span>"
                }
            }
            cell(labels.review) {
                if let review = row.review {
                    html += e(review)
                    if row.reviewDue { html += " <span class=\"badge warn\">" + e(labels.due) + "</span>" }
                } else {
                    html += "—"
                }
            }
            cell(labels.lead, auto: true) { html += e(row.lead) }
            html += "\n  </tr>"
        }
        return html
    }

    static func tone(_ level: RiskLevel) -> String {
        switch level {
        case .critical, .high: "danger"
        case .elevated: "warn"
        case .moderate, .low: ""
        }
    }
}
