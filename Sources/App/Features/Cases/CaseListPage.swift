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
        var records = try await listed(CasesController.filtered(filters, actor: actor, app: app, on: request.db).sort(column: \.$updatedAt, .descending)
            .range(filters.page.rangeWithNext))
        let hasOlder = records.count > CasesController.pageSize
        records = Array(records.prefix(CasesController.pageSize))
        let directory = StaffDirectory(request)
        try await directory.preload(users: records.map(\.leadID))
        let now = app.clock.now()
        var rows: [Row] = []
        let words = request.words
        for record in records { rows.append(try await row(record, words: words, directory: directory, now: now)) }
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

    /// What a row shows, read as columns (`QueryBuilder.columns`).
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

    /// `query`'s rows, only the columns a row shows.
    /// The columns `Listed` reads (found once: `Model.path(for:)` makes a whole record to ask).
    private static let columns = [CaseRecord.key(\.$id), CaseRecord.key(\.$code), CaseRecord.key(\.$country), CaseRecord.key(\.$status),
                                  CaseRecord.key(\.$riskLevel), CaseRecord.key(\.$judgedLevel), CaseRecord.key(\.$leadID),
                                  CaseRecord.key(\.$nextReviewAt), CaseRecord.key(\.$updatedAt)]

    static func listed(_ query: QueryBuilder<CaseRecord>) async throws -> [Listed] {
        try await query.columns(columns).map { row in
            Listed(id: try row(\.$id), code: try row(\.$code), country: try row(\.$country), status: try row(\.$status),
                   riskLevel: try row(\.$riskLevel), judgedLevel: try row(\.$judgedLevel), leadID: try row(\.$leadID),
                   nextReviewAt: try row(\.$nextReviewAt), updatedAt: try row(\.$updatedAt))
        }
    }

    static func row(_ record: Listed, words: Words, directory: StaffDirectory, now: Date) async throws -> Row {
        let level = (record.judgedLevel ?? record.riskLevel).flatMap(RiskLevel.init(value:))
        return Row(
            href: SiteURL.caseFile(record.id).href, code: record.code,
            country: words.country(record.country),
            status: words(record.status.labelKey), statusTone: record.status == .closed ? "" : "ok",
            risk: level.map { words($0.labelKey) }, riskTone: level.map(tone) ?? "",
            lead: try await directory.user(record.leadID),
            review: record.status.isOpen ? record.nextReviewAt.map { words.day($0) } : nil,
            reviewDue: record.status.isOpen && (record.nextReviewAt.map { $0 <= now } ?? false),
            updated: words.day(record.updatedAt))
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

    /// The table rows (`TableRows`).
    static func html(_ rows: [Row], labels: Labels) -> String {
        let table = TableRows(rows: rows.count)
        for row in rows {
            table.row {
                table.cell(labels.code) {
                    table.link(row.href, class: "code", row.code)
                    table.markup("<br>")
                    table.muted(labels.updated + " " + row.updated)
                }
                table.cell(labels.country) { table.text(row.country) }
                table.cell(labels.status) { table.text(row.status) }
                table.cell(labels.risk) {
                    if let risk = row.risk { table.badge(row.riskTone, risk) } else { table.muted(labels.noRisk) }
                }
                table.cell(labels.review) {
                    if let review = row.review {
                        table.text(review)
                        if row.reviewDue {
                            table.markup(" ")
                            table.badge("warn", labels.due)
                        }
                    } else {
                        table.markup("—")
                    }
                }
                table.cell(labels.lead, auto: true) { table.text(row.lead) }
            }
        }
        return table.html
    }

    static func tone(_ level: RiskLevel) -> String {
        switch level {
        case .critical, .high: "danger"
        case .elevated: "warn"
        case .moderate, .low: ""
        }
    }
}
