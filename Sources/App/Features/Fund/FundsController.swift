import CSV
import EgideCore
import Fluent
import Vapor

/// The funds: list, opening one, a fund's page and statement (print and CSV), allocating in
/// cascade, and the exchange rates finance enters.
enum FundsController {
    @Sendable static func list(_ request: Request) async throws -> Response {
        let actor = try request.actor()
        try request.authorize(FundPolicy.evaluate(actor, .viewFunds, nil))
        return try await request.render(.fundList, titleKey: "fund.list.title", try await FundListPage.build(for: actor, on: request))
    }

    // MARK: A new fund

    struct NewContext: Encodable {
        var problems: [FieldProblem]
        var action: String
        var values: [String: String]
        var currencies: [SelectOption]
        var categories: [SelectOption]
        var managers: [SelectOption]
        var cancelHref: String
    }

    @Sendable static func new(_ request: Request) async throws -> Response {
        let actor = try request.actor()
        try request.authorize(FundPolicy.evaluate(actor, .createFund, nil))
        return try await renderNew(request, actor: actor, problems: [], values: ["currency": "EUR"], categories: SupportCategory.allCases, managers: [])
    }

    static func renderNew(_ request: Request, actor: Actor, problems: [FieldProblem], values: [String: String], categories: [SupportCategory],
                          managers: [UUID], status: HTTPStatus = .ok) async throws -> Response {
        let staff = try await UserRecord.query(on: request.db).filter(\.$organisation.$id == actor.organisationID).with(\.$roles).all()
            .filter { $0.disabledAt == nil && $0.roles.contains { $0.role == .fundManager } && $0.id != actor.userID }
        let directory = StaffDirectory(request)
        var managerOptions: [SelectOption] = []
        for user in staff { managerOptions.append(SelectOption(value: SiteURL.id(user.id!), label: try await directory.user(user.id), selected: managers.contains(user.id!))) }
        let context = NewContext(
            problems: problems, action: SiteURL.funds.href, values: values,
            currencies: Currency.offered.map { SelectOption(value: $0.code, label: $0.code, selected: $0.code == values["currency"]) },
            categories: SupportCategory.allCases.map { SelectOption(value: $0.rawValue, label: request.t($0.labelKey), selected: categories.contains($0)) },
            managers: managerOptions.sorted { $0.label < $1.label }, cancelHref: SiteURL.funds.href)
        return try await request.render(.fundNew, titleKey: "fund.new.title", context, status: status)
    }

    struct Lists: Content { var categories: [String]?; var managers: [String]? }

    @Sendable static func create(_ request: Request) async throws -> Response {
        let actor = try request.actor()
        try request.authorize(FundPolicy.evaluate(actor, .createFund, nil))
        var form = FormChecker(request)
        let name = form.text("name", max: 200)
        let donor = form.text("donor", max: 200)
        let currency = form.text("currency", max: 3)?.uppercased()
        if let currency, Currency(code: currency) == nil { form.fail("currency", "money.error.unknown_currency") }
        let budget = currency.flatMap { Currency(code: $0) == nil ? nil : form.money("budget", currency: $0) }
        let ceiling = currency.flatMap { Currency(code: $0) == nil ? nil : form.money("ceiling", currency: $0, required: false) }
        let starts = form.day("startsOn", required: true), ends = form.day("endsOn", required: true)
        if let starts, let ends, ends < starts { form.fail("endsOn", "fund.refusal.period") }
        let criteria = form.text("criteria", required: false, max: 5000) ?? ""
        let lists = (try? request.content.decode(Lists.self)) ?? Lists()
        let categories = (lists.categories ?? []).compactMap(SupportCategory.init(rawValue:))
        if categories.isEmpty { form.fail("categories", "fund.refusal.categories") }
        let managers = (lists.managers ?? []).compactMap(UUID.init(uuidString:))
        var values: [String: String] = [:]
        for key in ["name", "donor", "currency", "budget", "ceiling", "startsOn", "endsOn", "criteria"] {
            values[key] = (try? request.content.get(String.self, at: key)) ?? ""
        }
        guard form.isValid, let name, let donor, let currency, let budget, let starts, let ends else {
            return try await renderNew(request, actor: actor, problems: form.problems, values: values, categories: categories, managers: managers,
                                       status: .unprocessableEntity)
        }
        let draft = FundWorkflow.FundDraft(name: name, donor: donor, currency: currency, budget: budget.minorUnits, startsOn: Day.text(starts),
                                           endsOn: Day.text(ends), categories: categories, ceiling: ceiling?.minorUnits, criteria: criteria, managers: managers)
        do {
            let id = try await FundWorkflow.createFund(draft, by: actor, app: request.application)
            return request.redirect(to: SiteURL.fund(id).href, flash: "flash.fund.created")
        } catch let refusal as Refusal {
            return try await renderNew(request, actor: actor, problems: [FieldProblem(field: "budget", message: request.t(refusal.key))], values: values,
                                       categories: categories, managers: managers, status: .conflict)
        }
    }

    // MARK: A fund

    struct ShowContext: Encodable {
        var facts: [Fact]
        var categories: [String]
        var criteria: String
        var statement: FundStatement.Context
        var sources: [SelectOption]
        var organisations: [SelectOption]
        var allocateAction: String
        var asOfAction: String
        var grantsHref: String
        var problems: [FieldProblem]
        var values: [String: String]
    }

    @Sendable static func show(_ request: Request) async throws -> Response {
        try await render(request, problems: [], values: [:])
    }

    static func render(_ request: Request, problems: [FieldProblem], values: [String: String], status: HTTPStatus = .ok) async throws -> Response {
        let actor = try request.actor()
        try request.authorize(FundPolicy.evaluate(actor, .viewFunds, nil))
        let id = try request.requireUUID("id")
        let scope = try await FundQueries.scope(for: actor, on: request.db)
        let fund = try await FundQueries.fund(id, in: scope, on: request.db)
        let asOf = try asOf(request)
        let statement = try await FundStatement.build(fund, for: actor, scope: scope, asOf: asOf, on: request)
        let money = { (amount: Int64) in Money(minorUnits: amount, currency: fund.currency).formatted(language: request.language) }
        let directory = StaffDirectory(request)
        let managers = try await FundManagerRecord.query(on: request.db).filter(\.$fundID == id).all(\.$userID)
        var managerNames: [String] = []
        for manager in managers { managerNames.append(try await directory.user(manager)) }
        var facts = [Fact(label: request.t("fund.field.donor"), value: fund.donor),
                     Fact(label: request.t("fund.field.owner"), value: try await directory.organisation(fund.organisationID)),
                     Fact(label: request.t("fund.field.currency"), value: fund.currency),
                     Fact(label: request.t("fund.field.period"), value: request.period(fund.startsOn, fund.endsOn)),
                     Fact(label: request.t("fund.field.managers"), value: request.list(managerNames.sorted()))]
        if scope.ownedFunds.contains(id) { facts.insert(Fact(label: request.t("fund.field.budget"), value: money(fund.budget)), at: 3) }
        if let ceiling = fund.grantCeiling { facts.append(Fact(label: request.t("fund.field.ceiling"), value: money(ceiling))) }
        // Where the actor may allocate from: the fund itself (its managers), or an active
        // allocation their organisation holds (its fund managers).
        var sources: [SelectOption] = []
        if actor.has(.fundManager) {
            if try await FundWorkflow.managesFund(actor, fund, on: request.db) {
                sources.append(SelectOption(value: "fund", label: request.t("fund.allocate.fromFund", fund.name), selected: values["source"] == "fund"))
            }
            for allocation in scope.held(by: actor.organisationID).filter({ $0.fundID == id }) {
                let value = SiteURL.id(allocation.id!)
                sources.append(SelectOption(value: value, label: request.t("fund.allocate.fromAllocation", money(allocation.amount)), selected: values["source"] == value))
            }
        }
        let organisations = sources.isEmpty ? [] : try await allocationTargets(for: actor, on: request.db)
        var organisationOptions: [SelectOption] = []
        for organisation in organisations {
            let value = SiteURL.id(organisation.id!)
            organisationOptions.append(SelectOption(value: value, label: try await directory.organisation(organisation.id!), selected: values["organisation"] == value))
        }
        let context = ShowContext(
            facts: facts, categories: SupportCategory.list(fund.categories).map { request.t($0.labelKey) }, criteria: fund.criteria,
            statement: statement, sources: sources, organisations: organisationOptions.sorted { $0.label < $1.label },
            allocateAction: SiteURL.fundAction(id, .allocations).href, asOfAction: SiteURL.fund(id).href,
            grantsHref: SiteURL.grants.href + "?state=all&fund=\(SiteURL.id(id))", problems: problems, values: values)
        return try await request.render(.fundShow, titleKey: "fund.show.title", context, status: status)
    }

    /// Whom `actor` may allocate to: any organisation for a host or consortium member (they run
    /// the network; the fund's owner may keep a share for its own grants); for a partner, the other
    /// partner and network-member organisations of its own country — a partner never gets the list
    /// of the whole network.
    static func allocationTargets(for actor: Actor, on db: any Database) async throws -> [OrganisationRecord] {
        if actor.organisationType.handlesProtection { return try await OrganisationRecord.query(on: db).all() }
        let others = OrganisationRecord.query(on: db).filter(\.$id != actor.organisationID)
        guard let own = try await OrganisationRecord.find(actor.organisationID, on: db) else { return [] }
        return try await others.filter(\.$country == own.country).filter(\.$type ~~ OrganisationType.partnering).all()
    }

    /// The `asOf` day of the address (`nil`: now); a malformed one is a 422 saying the format.
    static func asOf(_ request: Request) throws -> Date? {
        guard let text = try? request.query.get(String.self, at: "asOf"), !text.isEmpty else { return nil }
        guard let day = Day.parse(text) else { throw Abort(.unprocessableEntity, reason: request.t("case.form.date")) }
        return FundStatement.endOf(day: day)
    }

    @Sendable static func allocate(_ request: Request) async throws -> Response {
        let actor = try request.actor()
        let id = try request.requireUUID("id")
        let scope = try await FundQueries.scope(for: actor, on: request.db)
        let fund = try await FundQueries.fund(id, in: scope, on: request.db)
        try request.authorize(FundPolicy.evaluate(actor, .manageMoney, nil))
        var form = FormChecker(request)
        let source = form.text("source", max: 40)
        let organisation = form.text("organisation", max: 40).flatMap(UUID.init(uuidString:))
        if organisation == nil { form.fail("organisation", "form.choice.invalid") }
        let amount = form.money("amount", currency: fund.currency)
        let limit = form.money("limit", currency: fund.currency)
        var values: [String: String] = [:]
        for key in ["source", "organisation", "amount", "limit"] { values[key] = (try? request.content.get(String.self, at: key)) ?? "" }
        let parent = source == "fund" ? nil : source.flatMap(UUID.init(uuidString:))
        if source != "fund" && parent == nil { form.fail("source", "form.choice.invalid") }
        guard form.isValid, let organisation, let amount, let limit else {
            return try await render(request, problems: form.problems, values: values, status: .unprocessableEntity)
        }
        do {
            _ = try await FundWorkflow.allocate(fund: id, parent: parent, to: organisation, amount: amount.minorUnits, delegationLimit: limit.minorUnits,
                                                by: actor, app: request.application)
        } catch let refusal as Refusal {
            return try await render(request, problems: [FieldProblem(field: "amount", message: request.t(refusal.key))], values: values, status: .conflict)
        }
        return request.redirect(to: SiteURL.fund(id).href + "#allocations", flash: "flash.fund.allocationProposed")
    }

    struct Settle: Content { var decision: String? }

    @Sendable static func settle(_ request: Request) async throws -> Response {
        let actor = try request.actor()
        let id = try request.requireUUID("id"), item = try request.requireUUID("item")
        let scope = try await FundQueries.scope(for: actor, on: request.db)
        guard scope.allAllocations[item]?.fundID == id, scope.allocations.contains(item) else { throw Abort(.notFound) }
        let decision = (try? request.content.decode(Settle.self).decision) ?? ""
        guard decision == "confirm" || decision == "withdraw" else { throw Abort(.unprocessableEntity, reason: request.t("form.choice.invalid")) }
        do {
            try await FundWorkflow.settleAllocation(item, confirm: decision == "confirm", by: actor, app: request.application)
        } catch let refusal as Refusal {
            return try await render(request, problems: [FieldProblem(field: "allocation-\(SiteURL.id(item))", message: request.t(refusal.key))],
                                    values: [:], status: .conflict)
        }
        return request.redirect(to: SiteURL.fund(id).href + "#allocations",
                                flash: decision == "confirm" ? "flash.fund.allocationConfirmed" : "flash.fund.allocationWithdrawn")
    }

    // MARK: The statement, printed and exported

    @Sendable static func statement(_ request: Request) async throws -> Response {
        let (actor, fund, scope) = try await statementAccess(request)
        let context = try await FundStatement.build(fund, for: actor, scope: scope, asOf: try asOf(request), on: request)
        return try await request.render(.fundStatement, titleKey: "fund.statement.title", StatementPage(statement: context))
    }

    @Sendable static func statementCSV(_ request: Request) async throws -> Response {
        let (actor, fund, scope) = try await statementAccess(request)
        let context = try await FundStatement.build(fund, for: actor, scope: scope, asOf: try asOf(request), on: request)
        let csv = try StatementCSV.render(context, fund: fund, request: request)
        let response = Response(status: .ok, body: .init(data: csv))
        response.headers.replaceOrAdd(name: .contentType, value: "text/csv; charset=utf-8")
        let name = "statement-\(SiteURL.id(fund.id!).prefix(8))-\(context.asOf.isEmpty ? Day.text(request.application.clock.now()) : context.asOf).csv"
        response.headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"\(name)\"")
        response.headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
        try await request.transaction { db in
            try await AuditRecorder.record(.init(actor: .user(actor.userID), organisation: actor.organisationID, action: "fund.statement_export",
                                                 objectType: "fund", objectID: SiteURL.id(fund.id!), details: ["as_of": context.asOf]),
                                           at: request.application.clock.now(), on: db)
        }
        return response
    }

    struct StatementPage: Encodable { var statement: FundStatement.Context }

    static func statementAccess(_ request: Request) async throws -> (Actor, FundRecord, FundScope) {
        let actor = try request.actor()
        try request.authorize(FundPolicy.evaluate(actor, .viewFunds, nil))
        let scope = try await FundQueries.scope(for: actor, on: request.db)
        return (actor, try await FundQueries.fund(try request.requireUUID("id"), in: scope, on: request.db), scope)
    }

    // MARK: Exchange rates

    struct RateRow: Encodable { var pair: String; var rate: String; var on: String; var by: String }
    struct RatesContext: Encodable {
        var rows: [RateRow]
        var currencies: [SelectOption]
        var paymentCurrencies: [SelectOption]
        var action: String
        var canRecord: Bool
        var today: String
        var problems: [FieldProblem]
        var values: [String: String]
    }

    @Sendable static func rates(_ request: Request) async throws -> Response {
        try await renderRates(request, problems: [], values: [:])
    }

    static func renderRates(_ request: Request, problems: [FieldProblem], values: [String: String], status: HTTPStatus = .ok) async throws -> Response {
        let actor = try request.actor()
        try request.authorize(FundPolicy.evaluate(actor, .viewFunds, nil))
        let records = try await ExchangeRateRecord.query(on: request.db).filter(\.$organisationID == actor.organisationID)
            .sort(\.$rateOn, .descending).sort(\.$createdAt, .descending).limit(100).all()
        let directory = StaffDirectory(request)
        try await directory.preload(users: records.map(\.enteredBy))
        var rows: [RateRow] = []
        for record in records {
            let rate = ExchangeRate(fundCurrency: record.fundCurrency, paymentCurrency: record.paymentCurrency, nanos: record.rateNanos)
            rows.append(RateRow(pair: "1 \(record.fundCurrency) = … \(record.paymentCurrency)",
                                rate: request.decimal(rate.text),
                                on: request.day(iso: record.rateOn), by: try await directory.user(record.enteredBy)))
        }
        let options = { (key: String, fallback: String) in
            Currency.offered.map { SelectOption(value: $0.code, label: $0.code, selected: $0.code == (values[key] ?? fallback)) }
        }
        return try await request.render(.fundRates, titleKey: "fund.rates.title", RatesContext(
            rows: rows, currencies: options("fundCurrency", "EUR"), paymentCurrencies: options("paymentCurrency", "XAF"),
            action: SiteURL.exchangeRates.href, canRecord: FundPolicy.evaluate(actor, .manageMoney, nil).isAllowed,
            today: Day.text(request.application.clock.now()), problems: problems, values: values), status: status)
    }

    @Sendable static func recordRate(_ request: Request) async throws -> Response {
        let actor = try request.actor()
        try request.authorize(FundPolicy.evaluate(actor, .manageMoney, nil))
        var form = FormChecker(request)
        let fundCurrency = form.text("fundCurrency", max: 3)?.uppercased()
        let paymentCurrency = form.text("paymentCurrency", max: 3)?.uppercased()
        let day = form.day("rateOn", required: true)
        let nanos = form.rate("rate")
        var values: [String: String] = [:]
        for key in ["fundCurrency", "paymentCurrency", "rate", "rateOn"] { values[key] = (try? request.content.get(String.self, at: key)) ?? "" }
        guard form.isValid, let fundCurrency, let paymentCurrency, let day, let nanos else {
            return try await renderRates(request, problems: form.problems, values: values, status: .unprocessableEntity)
        }
        do {
            try await FundWorkflow.recordRate(fundCurrency: fundCurrency, paymentCurrency: paymentCurrency, nanos: nanos, on: Day.text(day),
                                              by: actor, app: request.application)
        } catch let refusal as Refusal {
            return try await renderRates(request, problems: [FieldProblem(field: "paymentCurrency", message: request.t(refusal.key))],
                                         values: values, status: .conflict)
        }
        return request.redirect(to: SiteURL.exchangeRates.href, flash: "flash.fund.rateRecorded")
    }
}

/// The statement as CSV (RFC 4180, through CSV.swift). Every cell that a spreadsheet would read as
/// a formula (`=`, `+`, `-`, `@`, tab, carriage return first) is prefixed with `'`, so an
/// organisation's name can never run in the reader's spreadsheet. Amounts are plain decimals in
/// the fund's currency, with a point, whatever the reader's language (`Money.plainDecimal`).
enum StatementCSV {
    static func render(_ context: FundStatement.Context, fund: FundRecord, request: Request) throws -> Data {
        let stream = OutputStream(toMemory: ())
        let csv = try CSVWriter(stream: stream, newline: .crlf)
        let amount = { (minor: Int64) in Money(minorUnits: minor, currency: fund.currency).plainDecimal }
        try csv.write(row: [fund.name, fund.donor, fund.currency, context.asOf.isEmpty ? Day.text(request.application.clock.now()) : context.asOf].map(safe))
        try csv.write(row: ["level", "organisation", "state", "amount", "delegation_limit", "allocated_on", "committed", "disbursed", "available"])
        for row in context.allocations {
            try csv.write(row: [String(row.depth), safe(row.organisation), safe(row.state)] + row.raw.map(amount))
        }
        try csv.write(row: [String]())
        try csv.write(row: ["category", "committed", "disbursed"])
        for row in context.categories { try csv.write(row: [safe(row.label)] + row.raw.map(amount)) }
        try csv.write(row: [String]())
        try csv.write(row: ["country", "committed", "disbursed"])
        for row in context.countries { try csv.write(row: [safe(row.label)] + row.raw.map(amount)) }
        csv.stream.close()
        return csv.stream.property(forKey: .dataWrittenToMemoryStreamKey) as? Data ?? Data()
    }

    /// A text cell that cannot start a formula.
    static func safe(_ text: String) -> String {
        guard let first = text.unicodeScalars.first, ["=", "+", "-", "@", "\t", "\r"].contains(first) else { return text }
        return "'" + text
    }
}
