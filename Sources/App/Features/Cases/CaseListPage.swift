import EgideCore
import Fluent
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
        var rows: [Row]
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
        var records = try await CasesController.filtered(filters, actor: actor, app: app, on: request.db).sort(\.$updatedAt, .descending)
            .range(filters.page.rangeWithNext).all()
        let hasOlder = records.count > CasesController.pageSize
        records = Array(records.prefix(CasesController.pageSize))
        let directory = StaffDirectory(request)
        try await directory.preload(users: records.map(\.leadID))
        let now = app.clock.now()
        var rows: [Row] = []
        for record in records { rows.append(try await row(record, request: request, directory: directory, now: now)) }
        let context = ListContext(
            rows: rows, total: total, query: filters.query,
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

    static func row(_ record: CaseRecord, request: Request, directory: StaffDirectory, now: Date) async throws -> Row {
        let level = (record.judgedLevel ?? record.riskLevel).flatMap(RiskLevel.init(value:))
        return Row(
            href: SiteURL.caseFile(try record.requireID()).href, code: record.code,
            country: Countries.name(record.country, in: request.language),
            status: request.t(record.status.labelKey), statusTone: record.status == .closed ? "" : "ok",
            risk: level.map { request.t($0.labelKey) }, riskTone: level.map(tone) ?? "",
            lead: try await directory.user(record.leadID),
            review: record.status.isOpen ? record.nextReviewAt.map { request.day($0) } : nil,
            reviewDue: record.status.isOpen && (record.nextReviewAt.map { $0 <= now } ?? false),
            updated: request.day(record.updatedAt))
    }

    static func tone(_ level: RiskLevel) -> String {
        switch level {
        case .critical, .high: "danger"
        case .elevated: "warn"
        case .moderate, .low: ""
        }
    }
}
