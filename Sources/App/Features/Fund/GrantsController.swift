import EgideCore
import Fluent
import Vapor

/// Grant requests: the list, the request form (from a case file or an allocation), a grant's
/// page, each step of its life, and its files.
enum GrantsController {
    @Sendable static func list(_ request: Request) async throws -> Response {
        let actor = try request.actor()
        try request.authorize(FundPolicy.evaluate(actor, .viewGrants, nil))
        return try await request.render(.grantList, titleKey: "grant.list.title", try await GrantListPage.build(for: actor, on: request))
    }

    // MARK: The request form

    struct FormContext: Encodable {
        var problems: [FieldProblem]
        var action: String
        var editing: Bool
        var caseCode: String?
        var caseID: String?
        var allocations: [SelectOption]
        var categories: [SelectOption]
        var countries: String
        var measures: [SelectOption]
        var values: [String: String]
        var lines: [GrantContent.BudgetLine.Typed]
        var cancelHref: String
        var currencyHint: String
    }

    @Sendable static func new(_ request: Request) async throws -> Response {
        let actor = try request.actor()
        try request.authorize(FundPolicy.evaluate(actor, .requestGrant, nil))
        let caseID = (try? request.query.get(String.self, at: "case")).flatMap(UUID.init(uuidString:))
        let allocation = (try? request.query.get(String.self, at: "allocation")).flatMap(UUID.init(uuidString:))
        let values: [String: String] = ["allocation": allocation.map(SiteURL.id) ?? ""]
        return try await renderForm(request, actor: actor, caseID: caseID, editing: nil, problems: [], values: values, lines: [], measures: [])
    }

    static func renderForm(_ request: Request, actor: Actor, caseID: UUID?, editing: UUID?, problems: [FieldProblem], values: [String: String],
                           lines: [GrantContent.BudgetLine.Typed], measures chosen: [String], status: HTTPStatus = .ok) async throws -> Response {
        let db = request.db
        let scope = try await FundQueries.scope(for: actor, on: db)
        let funds = try await FundRecord.query(on: db).filter(\.$id ~~ Array(scope.funds)).all()
        let byID = Dictionary(funds.compactMap { fund in fund.id.map { ($0, fund) } }, uniquingKeysWith: { a, _ in a })
        let held = scope.held(by: actor.organisationID).sorted { $0.createdAt < $1.createdAt }
        let money = { (allocation: AllocationRecord) in
            Money(minorUnits: allocation.delegationLimit, currency: byID[allocation.fundID]?.currency ?? "EUR").formatted(language: request.language)
        }
        let allocations = held.map { allocation in
            SelectOption(value: SiteURL.id(allocation.id!), label: "\(byID[allocation.fundID]?.name ?? "—") (\(byID[allocation.fundID]?.currency ?? "")) — "
                         + request.t("grant.form.limit", money(allocation)), selected: values["allocation"] == SiteURL.id(allocation.id!))
        }
        var caseCode: String?
        var measures: [SelectOption] = []
        var values = values
        if let caseID {
            // The form reads the case file (its measures, its defender): an access like the case
            // page's, in the audit log and on the case's "who viewed" page.
            let (record, access) = try await CaseQueries.authorized(caseID, for: actor, .viewCase, on: db)
            caseCode = record.code
            try await request.transaction { db in
                try await AuditRecorder.record(.init(actor: .user(actor.userID), organisation: record.organisationID, action: "case.read",
                                                     objectType: "case", objectID: SiteURL.id(caseID), details: ["via": "grant"]),
                                               at: request.application.clock.now(), on: db)
            }
            let read = try await CaseFileReader.read(record, access: access, actor: actor, on: db, vault: request.application.vault)
            measures = read.measures.map { SelectOption(value: $0.content.description, label: $0.content.description, selected: chosen.contains($0.content.description)) }
            // A new request starts from the case's defender.
            if values["beneficiary"] == nil, let defender = read.people.first(where: { $0.role == .defender }) {
                values["beneficiary"] = defender.identity.name
                if defender.isOrganisation { values["beneficiaryIsOrganisation"] = "1" }
            }
        }
        var padded = lines
        while padded.count < 5 { padded.append(.init(label: "", amount: "")) }
        let currencies = Set(held.compactMap { byID[$0.fundID]?.currency }).sorted().joined(separator: ", ")
        let context = FormContext(
            problems: problems, action: editing.map { SiteURL.grantAction($0, .edit).href } ?? SiteURL.grants.href, editing: editing != nil,
            caseCode: caseCode, caseID: caseID.map(SiteURL.id), allocations: allocations,
            // The categories the funds of these allocations pay for (a choice outside them would only be refused).
            categories: SupportCategory.allCases.filter { category in held.contains { SupportCategory.list(byID[$0.fundID]?.categories ?? "").contains(category) } }
                .map { SelectOption(value: $0.rawValue, label: request.t($0.labelKey), selected: values["category"] == $0.rawValue) },
            countries: request.countryOptions(selected: values["country"]), measures: measures, values: values, lines: padded,
            cancelHref: editing.map { SiteURL.grant($0).href } ?? caseID.map { SiteURL.caseFile($0).href } ?? SiteURL.grants.href,
            currencyHint: currencies)
        return try await request.render(.grantForm, titleKey: editing == nil ? "grant.new.title" : "grant.edit.title", context, status: status)
    }

    struct Posted: Content {
        var measures: [String]?
        var lineLabel: [String]?
        var lineAmount: [String]?
        var intent: String?
    }

    /// Reads the request form: the draft, or the problems with what was typed kept.
    static func read(_ request: Request, actor: Actor, fixedAllocation: UUID?) async throws
        -> (draft: GrantWorkflow.GrantDraft?, problems: [FieldProblem], values: [String: String], lines: [GrantContent.BudgetLine.Typed], measures: [String], submit: Bool) {
        var form = FormChecker(request)
        let posted = (try? request.content.decode(Posted.self)) ?? Posted()
        var values: [String: String] = [:]
        for key in ["allocation", "category", "country", "amount", "beneficiary", "beneficiaryIsOrganisation", "justification", "hostOrganisation", "case"] {
            values[key] = (try? request.content.get(String.self, at: key)) ?? ""
        }
        let scope = try await FundQueries.scope(for: actor, on: request.db)
        let allocationID = fixedAllocation ?? form.text("allocation", max: 40).flatMap(UUID.init(uuidString:))
        let allocation = allocationID.flatMap { scope.allAllocations[$0] }
        if allocation == nil { form.fail("allocation", "form.choice.invalid") }
        let fund = try await allocation.asyncFlatMap { try await FundRecord.find($0.fundID, on: request.db) }
        let category = form.choice("category", SupportCategory.self)
        let caseID = values["case"].flatMap(UUID.init(uuidString:))
        let country = caseID == nil ? form.text("country", max: 2)?.uppercased() : "ZZ"
        let amount = fund.flatMap { form.money("amount", currency: $0.currency) }
        let beneficiary = form.text("beneficiary", max: 300, kind: .name)
        let justification = form.text("justification", max: 20_000)
        let host = form.text("hostOrganisation", required: category == .urgentRelocation, max: 300)
        let labels = posted.lineLabel ?? [], amounts = posted.lineAmount ?? []
        var lines: [GrantContent.BudgetLine] = []
        var typed: [GrantContent.BudgetLine.Typed] = []
        for index in 0..<max(labels.count, amounts.count) {
            let label = (index < labels.count ? labels[index] : "").trimmingCharacters(in: .whitespaces)
            let text = (index < amounts.count ? amounts[index] : "").trimmingCharacters(in: .whitespaces)
            guard !label.isEmpty || !text.isEmpty else { continue }
            typed.append(.init(label: label, amount: text))
            guard let fund else { continue }
            if label.isEmpty || label.count > 300 { form.fail("lineLabel", "grant.form.lineLabel"); continue }
            do { lines.append(.init(label: label, amount: try Money.parse(text, currency: fund.currency).minorUnits)) } catch { form.fail("lineAmount", error.labelKey) }
        }
        if let amount, !lines.isEmpty, lines.reduce(0, { $0 + $1.amount }) != amount.minorUnits { form.fail("lineAmount", "grant.refusal.budgetLines") }
        let measures = Array((posted.measures ?? []).prefix(50).map { String($0.prefix(2000)) })
        let submit = posted.intent == "submit"
        guard form.isValid, let allocationID, let category, let country, let amount, let beneficiary, let justification else {
            return (nil, form.problems, values, typed, measures, submit)
        }
        let details = GrantContent.Details(beneficiary: beneficiary, beneficiaryIsOrganisation: values["beneficiaryIsOrganisation"] == "1",
                                           budgetLines: lines, justification: justification, measures: measures, hostOrganisation: host)
        return (GrantWorkflow.GrantDraft(allocationID: allocationID, caseID: caseID, category: category, country: country, amount: amount.minorUnits,
                                         details: details), [], values, typed, measures, submit)
    }

    @Sendable static func create(_ request: Request) async throws -> Response {
        let actor = try request.actor()
        try request.authorize(FundPolicy.evaluate(actor, .requestGrant, nil))
        let read = try await read(request, actor: actor, fixedAllocation: nil)
        let caseID = read.values["case"].flatMap(UUID.init(uuidString:))
        guard let draft = read.draft else {
            return try await renderForm(request, actor: actor, caseID: caseID, editing: nil, problems: read.problems, values: read.values,
                                        lines: read.lines, measures: read.measures, status: .unprocessableEntity)
        }
        do {
            let id = try await GrantWorkflow.request(draft, submit: read.submit, by: actor, app: request.application)
            return request.redirect(to: SiteURL.grant(id).href, flash: read.submit ? "flash.grant.submitted" : "flash.grant.saved")
        } catch let refusal as Refusal {
            return try await renderForm(request, actor: actor, caseID: caseID, editing: nil, problems: [FieldProblem(field: "amount", message: request.t(refusal.key))],
                                        values: read.values, lines: read.lines, measures: read.measures, status: .conflict)
        }
    }

    @Sendable static func edit(_ request: Request) async throws -> Response {
        let actor = try request.actor()
        let id = try request.requireUUID("id")
        let (grant, _) = try await FundQueries.grant(id, for: actor, on: request.db)
        guard grant.requestedBy == actor.userID, grant.state == .draft || grant.state == .moreInformation else { throw Abort(.forbidden) }
        guard let fund = try await FundRecord.find(grant.fundID, on: request.db) else { throw Abort(.notFound) }
        let details = try GrantContent.open(grant, vault: request.application.vault)
        let money = { (amount: Int64) in Money(minorUnits: amount, currency: fund.currency).plainDecimal }
        let values = ["allocation": SiteURL.id(grant.allocationID), "category": grant.category.rawValue, "country": grant.country,
                      "amount": money(grant.amount), "beneficiary": details.beneficiary, "beneficiaryIsOrganisation": details.beneficiaryIsOrganisation ? "1" : "",
                      "justification": details.justification, "hostOrganisation": details.hostOrganisation ?? "", "case": grant.caseID.map(SiteURL.id) ?? ""]
        return try await renderForm(request, actor: actor, caseID: grant.caseID, editing: id, problems: [], values: values,
                                    lines: details.budgetLines.map { .init(label: $0.label, amount: money($0.amount)) }, measures: details.measures)
    }

    @Sendable static func update(_ request: Request) async throws -> Response {
        let actor = try request.actor()
        let id = try request.requireUUID("id")
        let (grant, _) = try await FundQueries.grant(id, for: actor, on: request.db)
        let read = try await read(request, actor: actor, fixedAllocation: grant.allocationID)
        guard let draft = read.draft else {
            return try await renderForm(request, actor: actor, caseID: grant.caseID, editing: id, problems: read.problems, values: read.values,
                                        lines: read.lines, measures: read.measures, status: .unprocessableEntity)
        }
        do {
            try await GrantWorkflow.update(id, draft, by: actor, app: request.application)
            if read.submit { try await GrantWorkflow.submit(id, note: nil, by: actor, app: request.application) }
        } catch let refusal as Refusal {
            return try await renderForm(request, actor: actor, caseID: grant.caseID, editing: id, problems: [FieldProblem(field: "amount", message: request.t(refusal.key))],
                                        values: read.values, lines: read.lines, measures: read.measures, status: .conflict)
        }
        return request.redirect(to: SiteURL.grant(id).href, flash: read.submit ? "flash.grant.submitted" : "flash.grant.saved")
    }

    // MARK: A grant

    @Sendable static func show(_ request: Request) async throws -> Response {
        try await render(request, problems: [])
    }

    static func render(_ request: Request, problems: [FieldProblem], status: HTTPStatus = .ok) async throws -> Response {
        let actor = try request.actor()
        try request.authorize(FundPolicy.evaluate(actor, .viewGrants, nil))
        let (grant, scope) = try await FundQueries.grant(try request.requireUUID("id"), for: actor, on: request.db)
        try await auditRead(grant, actor: actor, via: "web", on: request)
        let context = try await GrantPage.build(grant, for: actor, scope: scope, problems: problems, on: request)
        return try await request.render(.grantShow, titleKey: "grant.show.title", context, status: status)
    }

    /// Reading a grant opens a beneficiary's name and situation: every read is in the audit log,
    /// from the page (`web`) or the API (`api`).
    static func auditRead(_ grant: GrantRecord, actor: Actor, via: String, on request: Request) async throws {
        let id = try grant.requireID()
        try await request.transaction { db in
            try await AuditRecorder.record(.init(actor: .user(actor.userID), organisation: grant.organisationID, action: "grant.read",
                                                 objectType: "grant", objectID: SiteURL.id(id), details: ["via": via]),
                                           at: request.application.clock.now(), on: db)
        }
    }

    /// Runs one step; a refusal re-renders the grant page with the reason (409), a form problem
    /// with it (422); success returns to the grant with a confirmation.
    static func perform(_ request: Request, field: String, done: String, _ body: (Actor, GrantRecord) async throws -> Void) async throws -> Response {
        let actor = try request.actor()
        let id = try request.requireUUID("id")
        let (grant, _) = try await FundQueries.grant(id, for: actor, on: request.db)  // 404 before reading the form
        do {
            try await body(actor, grant)
        } catch let refusal as Refusal {
            return try await render(request, problems: [FieldProblem(field: field, message: request.t(refusal.key))], status: .conflict)
        } catch let problems as FormProblems {
            return try await render(request, problems: problems.problems, status: .unprocessableEntity)
        }
        return request.redirect(to: SiteURL.grant(id).href, flash: done)
    }


    static func note(_ request: Request, required: Bool = false) throws -> String? {
        var form = FormChecker(request)
        let note = form.text("note", required: required, max: 5000)
        guard form.isValid else { throw FormProblems(problems: form.problems) }
        return note
    }

    @Sendable static func submit(_ request: Request) async throws -> Response {
        try await perform(request, field: "note", done: "flash.grant.submitted") { actor, grant in
            let id = try grant.requireID()
            try await GrantWorkflow.submit(id, note: try note(request), by: actor, app: request.application)
        }
    }

    @Sendable static func screen(_ request: Request) async throws -> Response {
        try await perform(request, field: "note", done: "flash.grant.screening") { actor, grant in
            let id = try grant.requireID()
            try await GrantWorkflow.decide(id, .screen, note: try note(request), by: actor, app: request.application)
        }
    }

    @Sendable static func ask(_ request: Request) async throws -> Response {
        try await perform(request, field: "note", done: "flash.grant.asked") { actor, grant in
            let id = try grant.requireID()
            try await GrantWorkflow.decide(id, .askInformation, note: try note(request, required: true), by: actor, app: request.application)
        }
    }

    @Sendable static func reject(_ request: Request) async throws -> Response {
        try await perform(request, field: "note", done: "flash.grant.rejected") { actor, grant in
            let id = try grant.requireID()
            try await GrantWorkflow.decide(id, .reject, note: try note(request, required: true), by: actor, app: request.application)
        }
    }

    @Sendable static func approve(_ request: Request) async throws -> Response {
        let actor = try request.actor()
        let id = try request.requireUUID("id")
        _ = try await FundQueries.grant(id, for: actor, on: request.db)
        do {
            let complete = try await GrantWorkflow.approve(id, by: actor, app: request.application)
            return request.redirect(to: SiteURL.grant(id).href, flash: complete ? "flash.grant.approved" : "flash.grant.approvalRecorded")
        } catch let refusal as Refusal {
            return try await render(request, problems: [FieldProblem(field: "approve", message: request.t(refusal.key))], status: .conflict)
        }
    }

    @Sendable static func withdraw(_ request: Request) async throws -> Response {
        try await perform(request, field: "note", done: "flash.grant.withdrawn") { actor, grant in
            let id = try grant.requireID()
            try await GrantWorkflow.withdraw(id, note: try note(request), by: actor, app: request.application)
        }
    }

    @Sendable static func cancel(_ request: Request) async throws -> Response {
        try await perform(request, field: "note", done: "flash.grant.cancelled") { actor, grant in
            let id = try grant.requireID()
            try await GrantWorkflow.cancel(id, note: try note(request, required: true), by: actor, app: request.application)
        }
    }

    @Sendable static func disburse(_ request: Request) async throws -> Response {
        try await perform(request, field: "paidAmount", done: "flash.grant.disbursed") { actor, grant in
            let id = try grant.requireID()
            var form = FormChecker(request)
            let method = form.choice("method", DisbursementMethod.self)
            let currency = form.text("paidCurrency", max: 3)?.uppercased()
            if let currency, Currency(code: currency) == nil { form.fail("paidCurrency", "money.error.unknown_currency") }
            let paid = currency.flatMap { Currency(code: $0) == nil ? nil : form.money("paidAmount", currency: $0) }
            let paidOn = form.day("paidOn", required: true)
            let rateOn = form.day("rateOn", required: false)
            let nanos = form.rate("rate", required: false)
            let note = form.text("note", required: false, max: 5000)
            let receipt = Uploads.single(request, field: "receipt", form: &form)
            guard form.isValid, let method, let paid, let paidOn else { throw FormProblems(problems: form.problems) }
            if paid.currency != grant.currency, nanos == nil {
                throw FormProblems(problems: [FieldProblem(field: "rate", message: request.t("grant.refusal.rate"))])
            }
            let tranche = GrantWorkflow.Tranche(method: method, paid: paid, rateNanos: nanos, rateOn: Day.text(rateOn ?? paidOn), paidOn: Day.text(paidOn),
                                                note: note, receipt: receipt.map { ($0.name, $0.mediaType, $0.content) })
            try await GrantWorkflow.disburse(id, tranche, by: actor, app: request.application)
        }
    }

    @Sendable static func complete(_ request: Request) async throws -> Response {
        try await perform(request, field: "complete", done: "flash.grant.disbursementComplete") { actor, grant in
            let id = try grant.requireID()
            try await GrantWorkflow.completeDisbursement(id, by: actor, app: request.application)
        }
    }

    @Sendable static func requestReport(_ request: Request) async throws -> Response {
        try await perform(request, field: "dueOn", done: "flash.grant.reportRequested") { actor, grant in
            let id = try grant.requireID()
            var form = FormChecker(request)
            guard let due = form.day("dueOn", required: true) else { throw FormProblems(problems: form.problems) }
            try await GrantWorkflow.requestReport(id, dueOn: Day.text(due), by: actor, app: request.application)
        }
    }

    @Sendable static func report(_ request: Request) async throws -> Response {
        try await perform(request, field: "note", done: "flash.grant.reportReceived") { actor, grant in
            let id = try grant.requireID()
            var form = FormChecker(request)
            let note = form.text("note", required: true, max: 20_000)
            let file = Uploads.single(request, field: "report", form: &form)
            guard form.isValid else { throw FormProblems(problems: form.problems) }
            try await GrantWorkflow.receiveReport(id, note: note, file: file.map { ($0.name, $0.mediaType, $0.content) },
                                                  by: actor, app: request.application)
        }
    }

    @Sendable static func close(_ request: Request) async throws -> Response {
        try await perform(request, field: "close", done: "flash.grant.closed") { actor, grant in
            let id = try grant.requireID()
            try await GrantWorkflow.close(id, by: actor, app: request.application)
        }
    }

    /// A receipt or report of the grant (decrypted for whoever may see the grant; the read is audited).
    @Sendable static func file(_ request: Request) async throws -> Response {
        let actor = try request.actor()
        let id = try request.requireUUID("id"), fileID = try request.requireUUID("file")
        _ = try await FundQueries.grant(id, for: actor, on: request.db)
        guard try await GrantEntryRecord.query(on: request.db).filter(\.$grantID == id).filter(\.$fileID == fileID).count() > 0,
              let record = try await EncryptedFileRecord.find(fileID, on: request.db) else { throw Abort(.notFound) }
        let (name, content) = try FileStore.open(record, vault: request.application.vault)
        try await request.transaction { db in
            try await AuditRecorder.record(.init(actor: .user(actor.userID), organisation: actor.organisationID, action: "grant.file_read",
                                                 objectType: "file", objectID: SiteURL.id(fileID), details: ["grant": SiteURL.id(id)]),
                                           at: request.application.clock.now(), on: db)
        }
        return Downloads.response(content, name: name, mediaType: record.mediaType)
    }
}

extension GrantContent.BudgetLine {
    /// A budget line as typed in the form (kept as typed when the form comes back with a problem).
    struct Typed: Encodable, Sendable { var label: String; var amount: String }
}
