import EgideCore
import Fluent
import Vapor

/// The funds list: each fund as the actor's organisation sees it (the whole fund for its owner,
/// its own allocations' share for the others).
enum FundListPage {
    struct Row: Encodable {
        var href: String
        var name: String
        var donor: String
        var period: String
        var received: String
        var committed: String
        var disbursed: String
        var available: String
        var owned: Bool
    }

    struct Context: Encodable {
        var rows: [Row]
        var canCreate: Bool
        var newHref: String
        var ratesHref: String
        var grantsHref: String
    }

    static func build(for actor: Actor, on request: Request) async throws -> Context {
        let scope = try await FundQueries.scope(for: actor, on: request.db)
        let funds = try await FundRecord.query(on: request.db).filter(\.$id ~~ Array(scope.funds)).sort(\.$startsOn, .descending).all()
        var rows: [Row] = []
        for fund in funds {
            let id = try fund.requireID()
            let totals = try await FundStatement.totals(fund, scope: scope, actor: actor, asOf: nil, on: request.db)
            let money = { (amount: Int64) in Money(minorUnits: amount, currency: fund.currency).formatted(language: request.language) }
            rows.append(Row(href: SiteURL.fund(id).href, name: fund.name, donor: fund.donor, period: request.period(fund.startsOn, fund.endsOn),
                            received: money(totals.received), committed: money(totals.committed), disbursed: money(totals.disbursed),
                            available: money(totals.available), owned: scope.ownedFunds.contains(id)))
        }
        return Context(rows: rows, canCreate: FundPolicy.evaluate(actor, .createFund, nil).isAllowed, newHref: SiteURL.newFund.href,
                       ratesHref: SiteURL.exchangeRates.href, grantsHref: SiteURL.grants.href)
    }
}

/// A fund's statement: per allocation (as a tree), per category and per country, as of a day.
/// The fund page, the print-ready statement and the CSV export read this one builder.
enum FundStatement {
    struct Totals: Encodable {
        var received: Int64 = 0
        var committed: Int64 = 0
        var disbursed: Int64 = 0
        var available: Int64 = 0
    }

    struct AllocationRow: Encodable {
        var id: String
        var depth: Int
        var organisation: String
        var state: String
        var stateTone: String
        var amount: String
        var limit: String
        var allocatedOn: String
        var committed: String
        var disbursed: String
        var available: String
        /// Raw minor units, for the CSV.
        var raw: [Int64]
        var confirmAction: String?
        var mine: Bool
        var newGrantHref: String?
    }

    struct SpendingRow: Encodable {
        var label: String
        var committed: String
        var disbursed: String
        var raw: [Int64]
    }

    struct Context: Encodable {
        var fundName: String
        var donor: String
        var currency: String
        var asOf: String
        var budget: String?
        var unallocated: String?
        var totals: [Fact]
        var allocations: [AllocationRow]
        var categories: [SpendingRow]
        var countries: [SpendingRow]
        var csvHref: String
        var printHref: String
        var fundHref: String
    }

    /// What `actor`'s organisation answers for in `fund`: the whole fund for its owner, otherwise
    /// the sum over the allocations it holds (each one's subtree is in its own sums already).
    static func totals(_ fund: FundRecord, scope: FundScope, actor: Actor, asOf: Date?, on db: any Database) async throws -> Totals {
        let id = try fund.requireID()
        let balances = try await FundLedger.balances(fund: id, asOf: asOf, on: db)
        if scope.ownedFunds.contains(id) {
            return Totals(received: fund.budget, committed: balances.committed, disbursed: balances.disbursed,
                          available: fund.budget - balances.allocatedFromFund + rootsAvailable(balances, scope: scope, fund: id))
        }
        var totals = Totals()
        let held = scope.allAllocations.values.filter { $0.fundID == id && $0.organisationID == actor.organisationID }.compactMap(\.id)
        for allocation in held {
            let subtree = descendants(of: allocation, in: scope)
            totals.received += balances.allocations[allocation]?.received ?? 0
            totals.available += balances.allocations[allocation]?.available ?? 0
            for member in subtree {
                totals.committed += balances.allocations[member]?.committed ?? 0
                totals.disbursed += balances.allocations[member]?.disbursed ?? 0
            }
        }
        return totals
    }

    /// A statement "as of" a day covers the whole of that day.
    static func endOf(day: Date) -> Date { day.addingTimeInterval(24 * 3600 - 0.001) }

    /// For the owner, "available" counts what is not allocated plus what each allocation still holds.
    static func rootsAvailable(_ balances: FundBalances, scope: FundScope, fund: UUID) -> Int64 {
        scope.allAllocations.values.filter { $0.fundID == fund }.compactMap(\.id).reduce(0) { $0 + (balances.allocations[$1]?.available ?? 0) }
    }

    /// `allocation` and every allocation below it.
    static func descendants(of allocation: UUID, in scope: FundScope) -> Set<UUID> {
        var result: Set<UUID> = [allocation]
        var changed = true
        while changed {
            changed = false
            for record in scope.allAllocations.values {
                if let parent = record.parentID, result.contains(parent), let id = record.id, result.insert(id).inserted { changed = true }
            }
        }
        return result
    }

    static func build(_ fund: FundRecord, for actor: Actor, scope: FundScope, asOf: Date?, on request: Request) async throws -> Context {
        let db = request.db
        let id = try fund.requireID()
        let language = request.language
        let money = { (amount: Int64) in Money(minorUnits: amount, currency: fund.currency).formatted(language: language) }
        let balances = try await FundLedger.balances(fund: id, asOf: asOf, on: db)
        let visible = scope.allAllocations.values.filter { $0.fundID == id && scope.allocations.contains($0.id!) }
        let directory = StaffDirectory(request)
        try await directory.preload(users: [], organisations: visible.map(\.organisationID))
        let managesFund = try await FundWorkflow.managesFund(actor, fund, on: db)
        // Depth-first: each allocation under its parent, in the order they were made. An
        // allocation whose parent the actor does not see (a partner's own) starts a tree.
        let children = Dictionary(grouping: visible, by: { $0.parentID })
        let visibleIDs = Set(visible.compactMap(\.id))
        var ordered: [(record: AllocationRecord, depth: Int)] = []
        var stack = visible.filter { $0.parentID.map { !visibleIDs.contains($0) } ?? true }.sorted { $0.createdAt > $1.createdAt }.map { ($0, 0) }
        while let (record, depth) = stack.popLast() {
            ordered.append((record, depth))
            stack += (children[record.id] ?? []).sorted { $0.createdAt > $1.createdAt }.map { ($0, depth + 1) }
        }
        var rows: [AllocationRow] = []
        for (record, depth) in ordered {
            let allocationID = try record.requireID()
            let balance = balances.allocations[allocationID] ?? AllocationBalance()
            let giverIsActor = record.parentID.map { scope.allAllocations[$0]?.organisationID == actor.organisationID } ?? managesFund
            rows.append(AllocationRow(
                id: SiteURL.id(allocationID), depth: depth, organisation: try await directory.organisation(record.organisationID),
                state: request.t(record.state.labelKey), stateTone: record.state == .active ? "ok" : record.state == .proposed ? "warn" : "",
                amount: money(record.amount), limit: money(record.delegationLimit), allocatedOn: money(balance.allocatedOn),
                committed: money(balance.committed), disbursed: money(balance.disbursed), available: money(balance.available),
                raw: [record.amount, record.delegationLimit, balance.allocatedOn, balance.committed, balance.disbursed, balance.available],
                confirmAction: record.state == .proposed && giverIsActor && actor.has(.fundManager) ? SiteURL.allocation(id, allocationID).href : nil,
                mine: record.organisationID == actor.organisationID,
                newGrantHref: record.state == .active && record.organisationID == actor.organisationID
                    && FundPolicy.evaluate(actor, .requestGrant, nil).isAllowed ? SiteURL.newGrant(case: nil, allocation: allocationID).href : nil))
        }
        let totals = try await totals(fund, scope: scope, actor: actor, asOf: asOf, on: db)
        let spending = try await FundLedger.spending(fund: id, allocations: scope.allocations, asOf: asOf, on: db)
        let owned = scope.ownedFunds.contains(id)
        let asOfText = asOf.map { Day.text($0) } ?? ""
        return Context(
            fundName: fund.name, donor: fund.donor, currency: fund.currency, asOf: asOfText,
            budget: owned ? money(fund.budget) : nil, unallocated: owned ? money(fund.budget - balances.allocatedFromFund) : nil,
            totals: [Fact(label: request.t(owned ? "fund.statement.budget" : "fund.statement.received"), value: money(totals.received)),
                     Fact(label: request.t("fund.statement.committed"), value: money(totals.committed)),
                     Fact(label: request.t("fund.statement.disbursed"), value: money(totals.disbursed)),
                     Fact(label: request.t("fund.statement.remaining"), value: money(totals.available))],
            allocations: rows,
            categories: group(spending, by: { request.t(SupportCategory(rawValue: $0.category)?.labelKey ?? "fund.category.other") }, money: money),
            countries: group(spending, by: { Countries.name($0.country, in: language) }, money: money),
            csvHref: SiteURL.fundAction(id, .statementCSV).href + (asOfText.isEmpty ? "" : "?asOf=\(asOfText)"),
            printHref: SiteURL.fundAction(id, .statement).href + (asOfText.isEmpty ? "" : "?asOf=\(asOfText)"),
            fundHref: SiteURL.fund(id).href)
    }

    static func group(_ spending: [FundLedger.Spending], by label: (FundLedger.Spending) -> String, money: (Int64) -> String) -> [SpendingRow] {
        var sums: [String: (Int64, Int64)] = [:]
        for item in spending {
            let key = label(item)
            sums[key, default: (0, 0)].0 += item.committed
            sums[key, default: (0, 0)].1 += item.disbursed
        }
        return sums.sorted { $0.key < $1.key }.map { SpendingRow(label: $0.key, committed: money($0.value.0), disbursed: money($0.value.1), raw: [$0.value.0, $0.value.1]) }
    }
}
