import EgideCore
import Fluent
import FluentSQL
import SQLKit
import Vapor

/// The case list, opening a case, the case file and who viewed it.
package enum CasesController {
    package static let pageSize = 50

    // MARK: The list

    /// The list counts at most this many cases (then says "more than 1,000"): counting every open
    /// case of a large organisation would cost more than the page itself.
    package static let countCap = 1000

    /// How many cases the filters select, up to `countCap + 1`: `SELECT COUNT(*)` over the list's
    /// own query limited to that many rows of one column (no model is built for them).
    package static func count(_ filters: Filters, actor: Actor, app: Application, on db: any Database) async throws -> Int {
        let query = try await filtered(filters, actor: actor, app: app, on: db)
        guard let sql = db as? any SQLDatabase else { return try await query.count() }
        let row = try await sql.raw("SELECT COUNT(*) AS total FROM (\(limitedStatement(query))) AS counted").first()
        return try row?.decode(column: "total", as: Int.self) ?? 0
    }

    /// The statement `count` counts: the query's filters, one column, at most `countCap + 1` rows.
    package static func limitedStatement(_ query: QueryBuilder<CaseRecord>) -> any SQLExpression {
        var limited = query.query
        limited.action = .read
        limited.fields = [.extendedPath(["status"], schema: CaseRecord.schema, space: nil)]
        limited.limits = [.count(countCap + 1)]
        return SQLQueryConverter(delegate: PlainSQLConverter()).convert(limited)
    }

    package struct Filters {
        var status: String
        var country: String?
        var level: Int?
        var mine: Bool
        var query: String
        package var page: ListPage
        /// A `status` value that is none of `statusValues` (the list then shows the open cases).
        var unknownStatus: String?

        /// The values `status` takes: "open", "all", or one status.
        static var statusValues: [String] { ["open", "all"] + CaseStatus.allCases.map(\.rawValue) }

        package init(_ request: Request) throws {
            let get = { (key: String) in (try? request.query.get(String.self, at: key)).flatMap { $0.isEmpty ? nil : $0 } }
            let asked = get("status") ?? "open"
            status = Self.statusValues.contains(asked) ? asked : "open"
            unknownStatus = Self.statusValues.contains(asked) ? nil : String(asked.prefix(40))
            country = get("country")?.uppercased()
            level = get("level").flatMap(Int.init).flatMap { (1...5).contains($0) ? $0 : nil }
            mine = get("mine") == "1"
            query = String((get("q") ?? "").prefix(200)).trimmingCharacters(in: .whitespaces)
            page = try request.listPage(size: CasesController.pageSize)
        }

        func href(page: ListPage) -> String {
            var items = [URLQueryItem(name: "status", value: status)]
            if let country { items.append(.init(name: "country", value: country)) }
            if let level { items.append(.init(name: "level", value: String(level))) }
            if mine { items.append(.init(name: "mine", value: "1")) }
            if !query.isEmpty { items.append(.init(name: "q", value: query)) }
            if page.number > 0 { items.append(.init(name: "page", value: String(page.number))) }
            var components = URLComponents()
            components.queryItems = items
            return SiteURL.cases.href + "?" + (components.percentEncodedQuery ?? "")
        }
    }

    /// The cases `actor` may see, filtered: status, country, level, "mine", and a search that is
    /// a case code or words of a name (through the blind index).
    package static func filtered(_ filters: Filters, actor: Actor, app: Application, on db: any Database) async throws -> QueryBuilder<CaseRecord> {
        let query = try await CaseQueries.visible(to: actor, on: db)
        switch filters.status {
        case "open": query.filter(\.$status != .closed)
        case "all": break
        default: if let status = CaseStatus(rawValue: filters.status) { query.filter(\.$status == status) }
        }
        if let country = filters.country { query.filter(\.$country == country) }
        if let level = filters.level { query.filter(\.$riskLevel == level) }
        if filters.mine {
            let team = try await CaseTeamRecord.query(on: db).filter(\.$userID == actor.userID).all().map(\.caseID)
            query.group(.or) { $0.filter(\.$leadID == actor.userID).filter(\.$id ~~ team) }
        }
        if !filters.query.isEmpty {
            if let code = CaseCode(parsing: filters.query) {
                query.filter(\.$code == code.description)
            } else {
                let organisations: [UUID]? = actor.organisationType.handlesProtection ? [actor.organisationID] : nil
                query.filter(\.$id ~~ (try await CaseQueries.matchingNames(filters.query, organisations: organisations, vault: app.vault, on: db)))
            }
        }
        return query
    }

    @Sendable static func list(_ request: Request) async throws -> Response {
        let actor = try request.actor()
        try request.authorize(CasePolicy.evaluate(actor, .listCases, nil))
        return try await request.render(.caseList, titleKey: "case.list.title", try await CaseListPage.build(for: actor, on: request))
    }

    // MARK: Opening a case

    struct NewContext: Encodable {
        var problems: [FieldProblem]
        var action: String
        var alertID: String?
        var alertReference: String?
        var countries: String
        var fieldsOfWork: [SelectOption]
        var region: String
        var summary: String
        var defenderName: String
        var defenderIsOrganisation: Bool
        var cancelHref: String
    }

    @Sendable static func new(_ request: Request) async throws -> Response {
        let actor = try request.actor()
        try request.authorize(CasePolicy.evaluate(actor, .createCase, nil))
        var context = NewContext(problems: [], action: SiteURL.cases.href, alertID: nil, alertReference: nil,
                                 countries: request.countryOptions(selected: nil), fieldsOfWork: fieldOfWorkOptions(request, selected: nil),
                                 region: "", summary: "", defenderName: "", defenderIsOrganisation: false, cancelHref: SiteURL.cases.href)
        if let alertText = try? request.query.get(String.self, at: "alert"), let alertID = UUID(uuidString: alertText) {
            // Prefilled from a verified alert the officer handles.
            let alert = try await AlertQueries.alert(alertID, for: actor, on: request.db)
            let opened = try AlertQueries.open(alert, vault: request.application.vault)
            context.alertID = SiteURL.id(alertID)
            context.alertReference = alert.reference
            context.countries = request.countryOptions(selected: alert.country)
            context.fieldsOfWork = fieldOfWorkOptions(request, selected: alert.fieldOfWork)
            context.region = opened.region ?? ""
            context.summary = opened.narrative
            context.defenderName = opened.defenderName ?? opened.organisationName ?? ""
            context.defenderIsOrganisation = opened.defenderName == nil && opened.organisationName != nil
            context.cancelHref = SiteURL.alert(alertID).href
        }
        return try await request.render(.caseNew, titleKey: "case.new.title", context)
    }

    static func fieldOfWorkOptions(_ request: Request, selected: FieldOfWork?) -> [SelectOption] {
        FieldOfWork.allCases.map { SelectOption(value: $0.rawValue, label: request.t($0.labelKey), selected: $0 == selected) }
    }

    @Sendable static func create(_ request: Request) async throws -> Response {
        let actor = try request.actor()
        try request.authorize(CasePolicy.evaluate(actor, .createCase, nil))
        var form = FormChecker(request)
        let country = form.text("country", max: 2)?.uppercased()
        if let country, !Countries.isValid(country) { form.fail("country", "form.choice.invalid") }
        let region = form.text("region", required: false, max: 200)
        let summary = form.text("summary", max: 20_000)
        let fieldOfWork = form.text("fieldOfWork", required: false, max: 40)
        if let fieldOfWork, FieldOfWork(rawValue: fieldOfWork) == nil { form.fail("fieldOfWork", "form.choice.invalid") }
        let defender = form.text("defenderName", required: false, max: 300, kind: .name)
        let isOrganisation = (try? request.content.get(String.self, at: "defenderIsOrganisation")) == "1"
        let alertID = (try? request.content.get(String.self, at: "alert")).flatMap(UUID.init(uuidString:))
        guard form.isValid, let country, let summary else {
            var context = NewContext(problems: form.problems, action: SiteURL.cases.href, alertID: alertID.map(SiteURL.id), alertReference: nil,
                                     countries: request.countryOptions(selected: country), fieldsOfWork: fieldOfWorkOptions(request, selected: fieldOfWork.flatMap(FieldOfWork.init)),
                                     region: region ?? "", summary: summary ?? "", defenderName: defender ?? "", defenderIsOrganisation: isOrganisation,
                                     cancelHref: SiteURL.cases.href)
            if let alertID, let alert = try? await AlertQueries.alert(alertID, for: actor, on: request.db) { context.alertReference = alert.reference }
            return try await request.render(.caseNew, titleKey: "case.new.title", context, status: .unprocessableEntity)
        }
        if let alertID { _ = try await AlertQueries.alert(alertID, for: actor, on: request.db) }  // 404 unless the actor handles it
        let opening = CaseWorkflow.Opening(
            country: country, region: region, summary: summary, fieldOfWork: fieldOfWork.flatMap(FieldOfWork.init), alertID: alertID,
            defender: defender.map { CaseContent.Identity(name: $0) }, defenderIsOrganisation: isOrganisation)
        do {
            let id = try await CaseWorkflow.open(opening, by: actor, app: request.application)
            return request.redirect(to: SiteURL.caseFile(id).href + "?opened=1")
        } catch let refusal as Refusal {
            let context = NewContext(problems: [FieldProblem(field: "country", message: request.t(refusal.key))], action: SiteURL.cases.href,
                                     alertID: alertID.map(SiteURL.id), alertReference: nil, countries: request.countryOptions(selected: country),
                                     fieldsOfWork: fieldOfWorkOptions(request, selected: fieldOfWork.flatMap(FieldOfWork.init)), region: region ?? "",
                                     summary: summary, defenderName: defender ?? "", defenderIsOrganisation: isOrganisation, cancelHref: SiteURL.cases.href)
            return try await request.render(.caseNew, titleKey: "case.new.title", context, status: .conflict)
        }
    }

    // MARK: Who viewed a case

    struct AccessRow: Encodable { var who: String; var organisation: String; var what: String; var when: String }
    struct AccessContext: Encodable { var code: String; var caseHref: String; var rows: [AccessRow] }

    @Sendable static func accessLog(_ request: Request) async throws -> Response {
        let actor = try request.actor()
        let id = try request.requireUUID("id")
        let (record, _) = try await CaseQueries.authorized(id, for: actor, .viewAccessLog, on: request.db)
        let events = try await AuditEventModel.query(on: request.db).filter(\.$objectType == "case").filter(\.$objectID == SiteURL.id(id))
            .filter(\.$action ~~ ["case.read", "case.referral_read"]).sort(\.$id, .descending).limit(500).all()
        let directory = StaffDirectory(request)
        var rows: [AccessRow] = []
        for event in events {
            let user = UUID(uuidString: event.actor)
            rows.append(AccessRow(
                who: user == nil ? event.actor : try await directory.user(user),
                organisation: try await event.organisationID.flatMap(UUID.init(uuidString:)).asyncFlatMap { try await directory.organisation($0) } ?? "—",
                what: request.t("case.access.\(event.action == "case.read" ? (AuditEventModel.decode(event.details)["via"] ?? "web") : "referral")"),
                when: request.moment(Date(timeIntervalSince1970: TimeInterval(event.occurredAt) / 1000))))
        }
        return try await request.render(.caseAccess, titleKey: "case.access.title",
                                        AccessContext(code: record.code, caseHref: SiteURL.caseFile(id).href, rows: rows))
    }
}
