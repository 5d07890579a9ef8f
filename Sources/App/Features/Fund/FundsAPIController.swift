import EgideCore
import Fluent
import Foundation
import Vapor

/// The JSON API of the emergency fund (`/api/v1/funds…`, `/api/v1/grants…`; bearer tokens with
/// `funds:read` or `funds:write`). The same workflows and scoped queries as the pages: a sibling's
/// allocation or grant answers 404, the four-eyes rule refuses with 409 and says why.
enum FundsAPIController {
    struct Totals: Content { var received: Money; var committed: Money; var disbursed: Money; var available: Money }
    struct FundSummary: Content {
        var id: UUID, name: String, donor: String, currency: String, startsOn: String, endsOn: String, owned: Bool
        var totals: Totals
    }
    struct FundList: Content { var items: [FundSummary] }
    struct AllocationLine: Content {
        var id: UUID, parentId: UUID?, organisationId: UUID, state: String, depth: Int
        var amount: Money, delegationLimit: Money, allocatedOn: Money, committed: Money, disbursed: Money, available: Money
    }
    struct SpendingLine: Content { var category: String; var country: String; var committed: Money; var disbursed: Money }
    struct FundDetail: Content {
        var fund: FundSummary
        var asOf: String?
        var categories: [String]
        var grantCeiling: Money?
        var allocations: [AllocationLine]
        var spending: [SpendingLine]
    }

    // MARK: Funds

    /// `GET /api/v1/funds` — the funds the account's organisation owns or holds allocations of.
    @Sendable static func list(_ request: Request) async throws -> FundList {
        let actor = try request.actor()
        try request.authorize(FundPolicy.evaluate(actor, .viewFunds, nil))
        let scope = try await FundQueries.scope(for: actor, on: request.db)
        let funds = try await FundRecord.query(on: request.db).filter(\.$id ~~ Array(scope.funds)).sort(\.$startsOn, .descending).all()
        var items: [FundSummary] = []
        for fund in funds { items.append(try await summary(fund, actor: actor, scope: scope, asOf: nil, on: request.db)) }
        return FundList(items: items)
    }

    static func summary(_ fund: FundRecord, actor: Actor, scope: FundScope, asOf: Date?, on db: any Database) async throws -> FundSummary {
        let totals = try await FundStatement.totals(fund, scope: scope, actor: actor, asOf: asOf, on: db)
        let money = fund.money
        return FundSummary(id: try fund.requireID(), name: fund.name, donor: fund.donor, currency: fund.currency, startsOn: fund.startsOn,
                           endsOn: fund.endsOn, owned: scope.ownedFunds.contains(try fund.requireID()),
                           totals: Totals(received: money(totals.received), committed: money(totals.committed),
                                          disbursed: money(totals.disbursed), available: money(totals.available)))
    }

    /// `GET /api/v1/funds/{id}` — the fund's statement as the account may see it, `asOf` a day.
    @Sendable static func show(_ request: Request) async throws -> FundDetail {
        let actor = try request.actor()
        try request.authorize(FundPolicy.evaluate(actor, .viewFunds, nil))
        let scope = try await FundQueries.scope(for: actor, on: request.db)
        let fund = try await FundQueries.fund(try request.requireUUID("id"), in: scope, on: request.db)
        var asOf: Date?
        if let text = try? request.query.get(String.self, at: "asOf"), !text.isEmpty {
            guard let day = Day.parse(text) else { throw ProblemError.invalid([.init(field: "asOf", detail: "must be a day written YYYY-MM-DD.")]) }
            asOf = FundStatement.endOf(day: day)
        }
        let id = try fund.requireID()
        let balances = try await FundLedger.balances(fund: id, asOf: asOf, on: request.db)
        let money = fund.money
        let visible = scope.allAllocations.values.filter { $0.fundID == id && scope.allocations.contains($0.id!) }.sorted { $0.createdAt < $1.createdAt }
        func depth(_ record: AllocationRecord) -> Int {
            var depth = 0, next = record.parentID
            while let parent = next, let above = scope.allAllocations[parent], depth < 32 { depth += 1; next = above.parentID }
            return depth
        }
        let allocations = visible.map { record in
            let balance = balances.allocations[record.id!] ?? AllocationBalance()
            return AllocationLine(id: record.id!, parentId: record.parentID, organisationId: record.organisationID, state: record.state.rawValue,
                                  depth: depth(record), amount: money(record.amount), delegationLimit: money(record.delegationLimit),
                                  allocatedOn: money(balance.allocatedOn), committed: money(balance.committed), disbursed: money(balance.disbursed),
                                  available: money(balance.available))
        }
        let spending = try await FundLedger.spending(fund: id, allocations: scope.allocations, asOf: asOf, on: request.db).map {
            SpendingLine(category: $0.category, country: $0.country, committed: money($0.committed), disbursed: money($0.disbursed))
        }
        return FundDetail(fund: try await summary(fund, actor: actor, scope: scope, asOf: asOf, on: request.db), asOf: asOf.map(Day.text),
                          categories: SupportCategory.list(fund.categories).map(\.rawValue), grantCeiling: fund.grantCeiling.map(money),
                          allocations: allocations, spending: spending)
    }

    // MARK: Grants

    struct GrantSummary: Content {
        var id: UUID, code: String, fundId: UUID, allocationId: UUID, organisationId: UUID, caseId: UUID?
        var category: String, country: String, state: String, amount: Money, disbursed: Money
        var reportDueOn: String?, createdAt: Date, updatedAt: Date

        init(_ grant: GrantRecord) throws {
            id = try grant.requireID()
            code = grant.code
            fundId = grant.fundID
            allocationId = grant.allocationID
            organisationId = grant.organisationID
            caseId = grant.caseID
            category = grant.category.rawValue
            country = grant.country
            state = grant.state.rawValue
            amount = Money(minorUnits: grant.amount, currency: grant.currency)
            disbursed = Money(minorUnits: grant.disbursed, currency: grant.currency)
            reportDueOn = grant.reportDueOn
            createdAt = grant.createdAt
            updatedAt = grant.updatedAt
        }
    }
    struct GrantList: Content { var total: Int; var page: Int; var limit: Int; var items: [GrantSummary] }
    struct Approval: Content { var userId: UUID; var organisationId: UUID; var level: Int; var allocationId: UUID?; var delegationLimit: Money?; var approvedAt: Date }
    struct Tranche: Content {
        var tranche: Int, method: String, paid: Money, rate: String, rateOn: String, value: Money, paidOn: String, recordedBy: UUID
    }
    struct GrantDetail: Content {
        var grant: GrantSummary
        var beneficiary: String
        var beneficiaryIsOrganisation: Bool
        var budgetLines: [BudgetLine]
        var justification: String
        var measures: [String]
        var hostOrganisation: String?
        var approvals: [Approval]
        var approvalsMissingAtLevels: [Int]
        var disbursements: [Tranche]
        struct BudgetLine: Content { var label: String; var amount: Money }
    }

    /// `GET /api/v1/grants` — the grants the account may see, newest activity first; `state`,
    /// `fund`, `page`, `limit`. Codes and amounts only: no beneficiary in the list.
    @Sendable static func grants(_ request: Request) async throws -> GrantList {
        let actor = try request.actor()
        try request.authorize(FundPolicy.evaluate(actor, .viewGrants, nil))
        let get = { (key: String) in (try? request.query.get(String.self, at: key)).flatMap { $0.isEmpty ? nil : $0 } }
        var errors: [Problem.FieldError] = []
        let state = get("state").flatMap { value in GrantState(rawValue: value) ?? { errors.append(.init(field: "state", detail: "must be one of \(GrantState.allCases.map(\.rawValue).joined(separator: ", "))."))
            return nil }() }
        let fund = get("fund").flatMap { value in UUID(uuidString: value) ?? { errors.append(.init(field: "fund", detail: "must be a fund id.")); return nil }() }
        let page = get("page").map { Int($0) ?? -1 } ?? 0, limit = get("limit").map { Int($0) ?? -1 } ?? 50
        if !(0...100_000).contains(page) { errors.append(.init(field: "page", detail: "must be an integer from 0 to 100000.")) }
        if !(1...100).contains(limit) { errors.append(.init(field: "limit", detail: "must be an integer from 1 to 100.")) }
        guard errors.isEmpty else { throw ProblemError.invalid(errors) }
        let scope = try await FundQueries.scope(for: actor, on: request.db)
        let query = try await FundQueries.visibleGrants(to: actor, scope: scope, on: request.db)
        if let state { query.filter(\.$state == state) }
        if let fund { query.filter(\.$fundID == fund) }
        let total = try await query.copy().count()
        let records = try await query.sort(\.$updatedAt, .descending).sort(\.$code).range(page * limit..<(page * limit + limit)).all()
        return GrantList(total: total, page: page, limit: limit, items: try records.map(GrantSummary.init))
    }

    /// `GET /api/v1/grants/{id}` — one grant with its beneficiary, approvals and tranches (read audited).
    @Sendable static func grant(_ request: Request) async throws -> GrantDetail {
        let actor = try request.actor()
        try request.authorize(FundPolicy.evaluate(actor, .viewGrants, nil))
        let (grant, _) = try await FundQueries.grant(try request.requireUUID("id"), for: actor, on: request.db)
        try await GrantsController.auditRead(grant, actor: actor, via: "api", on: request)
        return try await detail(grant, on: request)
    }

    static func detail(_ grant: GrantRecord, on request: Request) async throws -> GrantDetail {
        let db = request.db
        let id = try grant.requireID()
        guard let fund = try await FundRecord.find(grant.fundID, on: db) else { throw Abort(.notFound) }
        let money = fund.money
        let details = try GrantContent.open(grant, vault: request.application.vault)
        let approvals = try await GrantApprovalRecord.query(on: db).filter(\.$grantID == id).sort(\.$approvedAt).all()
        let levels = try await FundQueries.chain(under: grant.allocationID, fund: fund, on: db).map(\.level)
        let tranches = try await DisbursementRecord.query(on: db).filter(\.$grantID == id).sort(\.$tranche).all()
        let missing = grant.state == .submitted || grant.state == .screening
            ? FourEyes.missingLevels(approvals.map { RecordedApproval(userID: $0.userID, level: $0.level) }, amount: grant.amount, chain: levels) : []
        return GrantDetail(
            grant: try GrantSummary(grant), beneficiary: details.beneficiary, beneficiaryIsOrganisation: details.beneficiaryIsOrganisation,
            budgetLines: details.budgetLines.map { .init(label: $0.label, amount: money($0.amount)) }, justification: details.justification,
            measures: details.measures, hostOrganisation: details.hostOrganisation,
            approvals: approvals.map { Approval(userId: $0.userID, organisationId: $0.organisationID, level: $0.level, allocationId: $0.allocationID,
                                                delegationLimit: $0.delegationLimit.map(money), approvedAt: $0.approvedAt) },
            approvalsMissingAtLevels: missing,
            disbursements: tranches.map {
                Tranche(tranche: $0.tranche, method: $0.method.rawValue, paid: Money(minorUnits: $0.paidAmount, currency: $0.paidCurrency),
                        rate: ExchangeRate(fundCurrency: fund.currency, paymentCurrency: $0.paidCurrency, nanos: $0.rateNanos).text, rateOn: $0.rateOn,
                        value: money($0.amount), paidOn: $0.paidOn, recordedBy: $0.recordedBy)
            })
    }

    struct GrantInput: Content {
        var allocationId: UUID
        var caseId: UUID?
        var category: String
        var country: String?
        /// In the fund's currency, minor units.
        var amount: Int64
        var beneficiary: String
        var beneficiaryIsOrganisation: Bool?
        var budgetLines: [Line]?
        var justification: String
        var measures: [String]?
        var hostOrganisation: String?
        var submit: Bool?
        struct Line: Content { var label: String; var amount: Int64 }
    }

    /// `POST /api/v1/grants` — a request under an allocation the account's organisation holds
    /// (a draft unless `submit`); 201 with the grant.
    @Sendable static func create(_ request: Request) async throws -> Response {
        let actor = try request.actor()
        guard FundPolicy.evaluate(actor, .requestGrant, nil).isAllowed else {
            throw ProblemError(status: .forbidden, detail: "Only fund managers, protection officers and coordinators request grants.")
        }
        let input = try APIBody.decode(GrantInput.self, request)
        var errors: [Problem.FieldError] = []
        guard let category = SupportCategory(rawValue: input.category) else {
            throw ProblemError.invalid([.init(field: "category", detail: "must be one of \(SupportCategory.allCases.map(\.rawValue).joined(separator: ", ")).")])
        }
        let clean = { (text: String?, field: String, max: Int, required: Bool) -> String? in
            switch TextInput.clean(text, .text, max: max) {
            case .success(let value?): return value
            case .success(nil): if required { errors.append(.init(field: field, detail: "is required.")) }; return nil
            case .failure: errors.append(.init(field: field, detail: "must be plain text of at most \(max) characters.")); return nil
            }
        }
        let beneficiary = clean(input.beneficiary, "beneficiary", 300, true)
        let justification = clean(input.justification, "justification", 20_000, true)
        let host = clean(input.hostOrganisation, "hostOrganisation", 300, false)
        let country = input.caseId == nil ? (input.country?.uppercased() ?? "") : "ZZ"
        if input.caseId == nil, !(Countries.isValid(country) && country.count == 2) { errors.append(.init(field: "country", detail: "must be an ISO 3166-1 alpha-2 country code when no case is given.")) }
        if input.amount <= 0 || input.amount > Money.maximumMajorUnits { errors.append(.init(field: "amount", detail: "must be a positive number of minor units.")) }
        let lines = (input.budgetLines ?? []).enumerated().compactMap { index, line -> GrantContent.BudgetLine? in
            guard let label = clean(line.label, "budgetLines[\(index)].label", 300, true) else { return nil }
            guard line.amount > 0 && line.amount <= Money.maximumMajorUnits else { errors.append(.init(field: "budgetLines[\(index)].amount", detail: "must be positive.")); return nil }
            return GrantContent.BudgetLine(label: label, amount: line.amount)
        }
        let measures = (input.measures ?? []).prefix(50).map { String($0.prefix(2000)) }
        guard errors.isEmpty, let beneficiary, let justification else { throw ProblemError.invalid(errors) }
        let draft = GrantWorkflow.GrantDraft(allocationID: input.allocationId, caseID: input.caseId, category: category, country: country, amount: input.amount,
                                             details: .init(beneficiary: beneficiary, beneficiaryIsOrganisation: input.beneficiaryIsOrganisation ?? false,
                                                            budgetLines: lines, justification: justification, measures: Array(measures), hostOrganisation: host))
        let id = try await request.refusing { try await GrantWorkflow.request(draft, submit: input.submit ?? false, by: actor, app: request.application) }
        guard let grant = try await GrantRecord.find(id, on: request.db) else { throw Abort(.internalServerError) }
        return try await detail(grant, on: request).encodeResponse(status: .created, for: request)
    }

    /// `POST /api/v1/grants/{id}/approvals` — records the account's approval (four eyes); 200
    /// with the grant, `approved` once every level the amount needs has approved.
    @Sendable static func approve(_ request: Request) async throws -> GrantDetail {
        let actor = try request.actor()
        let id = try request.requireUUID("id")
        _ = try await FundQueries.grant(id, for: actor, on: request.db)
        try await request.refusing { try await GrantWorkflow.approve(id, by: actor, app: request.application) }
        let (grant, _) = try await FundQueries.grant(id, for: actor, on: request.db)
        return try await detail(grant, on: request)
    }

    struct TrancheInput: Content {
        var method: String
        var paidAmount: Int64
        var paidCurrency: String
        /// Payment-currency units for one unit of the fund's currency, as a decimal string (`"655.957"`).
        var rate: String?
        var rateOn: String?
        var paidOn: String
        var note: String?
    }

    /// `POST /api/v1/grants/{id}/disbursements` — records a tranche paid; 201 with the grant.
    @Sendable static func disburse(_ request: Request) async throws -> Response {
        let actor = try request.actor()
        let id = try request.requireUUID("id")
        let (grant, _) = try await FundQueries.grant(id, for: actor, on: request.db)
        let input = try APIBody.decode(TrancheInput.self, request)
        var errors: [Problem.FieldError] = []
        let method = DisbursementMethod(rawValue: input.method)
        if method == nil { errors.append(.init(field: "method", detail: "must be one of \(DisbursementMethod.allCases.map(\.rawValue).joined(separator: ", ")).")) }
        let currency = Currency(code: input.paidCurrency)
        if currency == nil { errors.append(.init(field: "paidCurrency", detail: "must be an ISO 4217 code Egide offers.")) }
        if input.paidAmount <= 0 || input.paidAmount > Money.maximumMajorUnits { errors.append(.init(field: "paidAmount", detail: "must be a positive number of minor units.")) }
        if Day.parse(input.paidOn) == nil { errors.append(.init(field: "paidOn", detail: "must be a day written YYYY-MM-DD.")) }
        if let rateOn = input.rateOn, Day.parse(rateOn) == nil { errors.append(.init(field: "rateOn", detail: "must be a day written YYYY-MM-DD.")) }
        var nanos: Int64?
        if let rate = input.rate {
            do { nanos = try ExchangeRate.parseNanos(rate) } catch { errors.append(.init(field: "rate", detail: "must be a positive decimal with at most nine decimals.")) }
        } else if let currency, currency.code != grant.currency {
            errors.append(.init(field: "rate", detail: "is required when paying in another currency than the fund's."))
        }
        guard errors.isEmpty, let method, let currency else { throw ProblemError.invalid(errors) }
        let tranche = GrantWorkflow.Tranche(method: method, paid: Money(minorUnits: input.paidAmount, currency: currency.code), rateNanos: nanos,
                                            rateOn: input.rateOn ?? input.paidOn, paidOn: input.paidOn, note: input.note.map { String($0.prefix(5000)) })
        try await request.refusing { try await GrantWorkflow.disburse(id, tranche, by: actor, app: request.application) }
        let (updated, _) = try await FundQueries.grant(id, for: actor, on: request.db)
        return try await detail(updated, on: request).encodeResponse(status: .created, for: request)
    }
}
