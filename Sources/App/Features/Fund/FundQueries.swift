import EgideCore
import Fluent
import Foundation
import SQLKit
import Vapor

/// The words of a grant, encrypted as one document under the requesting organisation's key.
package enum GrantContent {
    package struct BudgetLine: Codable, Sendable, Equatable {
        package var label: String
        /// In the fund's minor units.
        package var amount: Int64
        package init(label: String, amount: Int64) { self.label = label; self.amount = amount }
    }

    package struct Details: Codable, Sendable, Equatable {
        /// The person or organisation supported (for a case: its defender, as the requester wrote it).
        package var beneficiary: String
        package var beneficiaryIsOrganisation: Bool
        package var budgetLines: [BudgetLine]
        package var justification: String
        /// The security-plan measures the grant pays for, as the case file words them.
        package var measures: [String]
        /// For a relocation: who hosts the defender.
        package var hostOrganisation: String?
        package init(beneficiary: String, beneficiaryIsOrganisation: Bool = false, budgetLines: [BudgetLine] = [], justification: String,
                     measures: [String] = [], hostOrganisation: String? = nil) {
            self.beneficiary = beneficiary
            self.beneficiaryIsOrganisation = beneficiaryIsOrganisation
            self.budgetLines = budgetLines
            self.justification = justification
            self.measures = measures
            self.hostOrganisation = hostOrganisation
        }
    }

    static func open(_ grant: GrantRecord, vault: Vault) throws -> Details {
        try SealedDocument.open(Details.self, grant.detailsCiphertext, owner: Accounts.owner(grant.organisationID),
                             GrantRecord.ref(try grant.requireID(), "details"), vault: vault)
    }
}

/// What an actor may see of the emergency fund: the funds their organisation owns (all of them)
/// and, in the others, the allocations their organisation holds and everything below them. A
/// sibling's allocation, and its grants, are outside — they answer 404 like missing records.
package struct FundScope: Sendable {
    /// Funds visible at all, and those the actor's organisation owns.
    package var funds: Set<UUID>
    package var ownedFunds: Set<UUID>
    /// Allocations visible (held by the organisation, below them, or in an owned fund).
    package var allocations: Set<UUID>
    /// Every allocation of the visible funds, by id (for chains and the tree).
    package var allAllocations: [UUID: AllocationRecord]
    /// The visible funds' names, by id (read with their ids).
    package var fundNames: [UUID: String] = [:]

    /// The allocations held by the actor's organisation, or in a fund it owns, that are active:
    /// where it may request grants or sub-allocate.
    func held(by organisation: UUID) -> [AllocationRecord] {
        allAllocations.values.filter { $0.organisationID == organisation && $0.state == .active }
    }
}

package enum FundQueries {
    /// The scope of `actor` (empty without a fund role).
    package static func scope(for actor: Actor, on db: any Database) async throws -> FundScope {
        guard FundPolicy.evaluate(actor, .viewFunds, nil).isAllowed else { return FundScope(funds: [], ownedFunds: [], allocations: [], allAllocations: [:]) }
        // The funds it owns and those it holds an allocation in, with their names, in one query.
        let rows = try await (db as! any SQLDatabase).raw("""
            SELECT id, organisation_id, name FROM \(ident: FundRecord.schema) WHERE organisation_id = \(bind: actor.organisationID)
            OR id IN (SELECT fund_id FROM \(ident: AllocationRecord.schema) WHERE organisation_id = \(bind: actor.organisationID))
            """).all()
        var owned: Set<UUID> = [], funds: Set<UUID> = [], names: [UUID: String] = [:]
        for row in rows {
            let id = try row.decode(column: "id", as: UUID.self)
            funds.insert(id)
            names[id] = try row.decode(column: "name", as: String.self)
            if try row.decode(column: "organisation_id", as: UUID.self) == actor.organisationID { owned.insert(id) }
        }
        let all = funds.isEmpty ? [] : try await allocations(AllocationRecord.query(on: db).filter(\.$fundID ~~ Array(funds)))
        let held = all.filter { $0.organisationID == actor.organisationID }
        let byID = Dictionary(all.compactMap { record in record.id.map { ($0, record) } }, uniquingKeysWith: { a, _ in a })
        var children: [UUID: [UUID]] = [:]
        for record in all { if let parent = record.parentID, let id = record.id { children[parent, default: []].append(id) } }
        var visible = Set(all.filter { owned.contains($0.fundID) }.compactMap(\.id))
        var stack = held.compactMap(\.id)
        while let next = stack.popLast() {
            if visible.insert(next).inserted { stack.append(contentsOf: children[next] ?? []) }
        }
        return FundScope(funds: funds, ownedFunds: owned, allocations: visible, allAllocations: byID, fundNames: names)
    }

    /// The allocations `query` finds, read as columns: Fluent filled each record through reflection,
    /// which was most of the grant list's own time. Each is a stored record (`$id.exists`) with every
    /// field set; nothing saves what a scope holds — changes read their allocation again in their
    /// transaction.
    private static func allocations(_ query: QueryBuilder<AllocationRecord>) async throws -> [AllocationRecord] {
        try await query.columns(allocationColumns).map { row in
            let record = AllocationRecord()
            record.id = try row(\.$id)
            record.$id.exists = true
            record.fundID = try row(\.$fundID); record.organisationID = try row(\.$organisationID); record.parentID = try row(\.$parentID)
            record.amount = try row(\.$amount); record.delegationLimit = try row(\.$delegationLimit); record.state = try row(\.$state)
            record.proposedBy = try row(\.$proposedBy); record.confirmedBy = try row(\.$confirmedBy)
            record.createdAt = try row(\.$createdAt); record.updatedAt = try row(\.$updatedAt)
            return record
        }
    }

    private static let allocationColumns = [
        AllocationRecord.key(\.$id), AllocationRecord.key(\.$fundID), AllocationRecord.key(\.$organisationID), AllocationRecord.key(\.$parentID),
        AllocationRecord.key(\.$amount), AllocationRecord.key(\.$delegationLimit), AllocationRecord.key(\.$state),
        AllocationRecord.key(\.$proposedBy), AllocationRecord.key(\.$confirmedBy), AllocationRecord.key(\.$createdAt),
        AllocationRecord.key(\.$updatedAt),
    ]

    /// The fund `id` if visible (404 otherwise).
    static func fund(_ id: UUID, in scope: FundScope, on db: any Database) async throws -> FundRecord {
        guard scope.funds.contains(id), let fund = try await FundRecord.find(id, on: db) else { throw Abort(.notFound) }
        return fund
    }

    /// The grants `actor` may see: fund managers, coordinators and auditors see every grant under
    /// the visible allocations; a protection officer sees those they requested and those of the
    /// cases they may open.
    static func visibleGrants(to actor: Actor, scope: FundScope, on db: any Database) async throws -> QueryBuilder<GrantRecord> {
        let query = GrantRecord.query(on: db).filter(column: \.$allocationID, in: scope.allocations)
        if actor.has(.fundManager) || actor.has(.coordinator) || actor.has(.auditor) { return query }
        let cases = try await CaseQueries.visible(to: actor, on: db).all(\.$id)
        return query.group(.or) { $0.filter(\.$requestedBy == actor.userID).filter(\.$caseID ~~ cases) }
    }

    /// The grant `id` if `actor` may see it (404 otherwise, the answer for a missing one).
    static func grant(_ id: UUID, for actor: Actor, on db: any Database) async throws -> (GrantRecord, FundScope) {
        let scope = try await scope(for: actor, on: db)
        guard let grant = try await visibleGrants(to: actor, scope: scope, on: db).filter(\.$id == id).first() else { throw Abort(.notFound) }
        return (grant, scope)
    }

    /// The chain of authority over money under `allocationID`: its organisation, each parent's,
    /// then the fund's owner (no limit). Read from the database inside the caller's transaction.
    static func chain(under allocationID: UUID, fund: FundRecord, on db: any Database) async throws -> [(level: ApprovalLevel, allocation: UUID?)] {
        var chain: [(ApprovalLevel, UUID?)] = []
        var next: UUID? = allocationID
        while let id = next, chain.count < 32 {
            guard let allocation = try await AllocationRecord.find(id, on: db) else { throw Abort(.notFound) }
            chain.append((ApprovalLevel(organisationID: allocation.organisationID, delegationLimit: allocation.delegationLimit), id))
            next = allocation.parentID
        }
        chain.append((ApprovalLevel(organisationID: fund.organisationID, delegationLimit: nil), nil))
        return chain
    }

    /// `FundTarget` for the policy: the chain's organisations, lowest first.
    static func target(under allocationID: UUID, fund: FundRecord, requester: UUID? = nil, on db: any Database) async throws -> FundTarget {
        FundTarget(chain: try await chain(under: allocationID, fund: fund, on: db).map(\.level.organisationID), requesterID: requester)
    }
}

/// Sums of a fund's ledger: the statement and the balance checks read the same numbers.
package struct AllocationBalance: Sendable, Equatable {
    /// Received from the fund or the parent allocation (net of withdrawals).
    package var received: Int64 = 0
    /// Passed on to sub-allocations (net of withdrawals).
    package var allocatedOn: Int64 = 0
    /// Committed to approved grants (net of releases).
    package var committed: Int64 = 0
    package var disbursed: Int64 = 0
    /// What may still be allocated on or committed.
    package var available: Int64 { received - allocatedOn - committed }
    package init() {}
}

package struct FundBalances: Sendable {
    /// Moved from the fund to its root allocations.
    package var allocatedFromFund: Int64 = 0
    package var allocations: [UUID: AllocationBalance] = [:]
    package var committed: Int64 { allocations.values.reduce(0) { $0 + $1.committed } }
    package var disbursed: Int64 { allocations.values.reduce(0) { $0 + $1.disbursed } }
    package init() {}
}

package enum FundLedger {
    /// Every allocation's sums from the ledger, as of `asOf` (inclusive; `nil`: now), in one
    /// grouped query.
    package static func balances(fund: UUID, asOf: Date? = nil, only allocation: UUID? = nil, on db: any Database) async throws -> FundBalances {
        guard let sql = db as? any SQLDatabase else { throw Abort(.internalServerError) }
        var query = sql.select().column("allocation_id").column("source_id").column("kind").column(SQLAlias(SQLRaw("CAST(SUM(amount) AS BIGINT)"), as: SQLIdentifier("total")))
            .from(LedgerEntryRecord.schema).where("fund_id", .equal, SQLBind(fund))
        if let asOf { query = query.where("at", .lessThanOrEqual, SQLBind(asOf)) }
        if let allocation {
            // Its own entries and those of the allocations it gave: one parenthesised group, so
            // the fund and the day still bound both.
            query = query.where(SQLGroupExpression(SQLBinaryExpression(
                SQLBinaryExpression(SQLColumn("allocation_id"), .equal, SQLBind(allocation)), .or,
                SQLBinaryExpression(SQLColumn("source_id"), .equal, SQLBind(allocation)))))
        }
        let rows = try await query.groupBy("allocation_id").groupBy("source_id").groupBy("kind").all()
        var balances = FundBalances()
        for row in rows {
            let allocation = try row.decode(column: "allocation_id", as: UUID.self)
            let source = try row.decode(column: "source_id", as: UUID?.self)
            let total = try row.decode(column: "total", as: Int64.self)
            guard let kind = LedgerKind(rawValue: try row.decode(column: "kind", as: String.self)) else { continue }
            switch kind {
            case .allocate, .unallocate:
                let signed = kind == .allocate ? total : -total
                balances.allocations[allocation, default: .init()].received += signed
                if let source { balances.allocations[source, default: .init()].allocatedOn += signed } else { balances.allocatedFromFund += signed }
            case .commit: balances.allocations[allocation, default: .init()].committed += total
            case .release: balances.allocations[allocation, default: .init()].committed -= total
            case .disburse: balances.allocations[allocation, default: .init()].disbursed += total
            }
        }
        return balances
    }

    /// Writes one ledger entry (inside the caller's transaction, beside its audit event).
    static func write(_ kind: LedgerKind, amount: Int64, fund: UUID, allocation: UUID, source: UUID? = nil, grant: GrantRecord? = nil,
                      actor: UUID, at now: Date, on db: any Database) async throws {
        precondition(amount >= 0, "ledger amounts are magnitudes; the kind carries the sign")
        let entry = LedgerEntryRecord()
        entry.id = UUID()
        entry.fundID = fund
        entry.allocationID = allocation
        entry.sourceID = source
        entry.grantID = try grant?.requireID()
        entry.kind = kind
        entry.amount = amount
        entry.category = grant?.category.rawValue
        entry.country = grant?.country
        entry.actorID = actor
        entry.at = now
        try await entry.create(on: db)
    }
}

extension FundLedger {
    /// Committed (net of releases) and disbursed amounts of grants, by category and country, for
    /// the given allocations, as of `asOf`: one grouped query.
    package struct Spending: Sendable, Equatable {
        package var category: String
        package var country: String
        package var committed: Int64
        package var disbursed: Int64
    }

    package static func spending(fund: UUID, allocations: Set<UUID>, asOf: Date? = nil, on db: any Database) async throws -> [Spending] {
        guard let sql = db as? any SQLDatabase else { throw Abort(.internalServerError) }
        guard !allocations.isEmpty else { return [] }
        var query = sql.select().column("category").column("country").column("kind")
            .column(SQLAlias(SQLRaw("CAST(SUM(amount) AS BIGINT)"), as: SQLIdentifier("total")))
            .from(LedgerEntryRecord.schema).where("fund_id", .equal, SQLBind(fund)).where("category", .isNot, SQLLiteral.null)
            .where("allocation_id", .in, SQLBind.group(Array(allocations)))
        if let asOf { query = query.where("at", .lessThanOrEqual, SQLBind(asOf)) }
        var sums: [String: Spending] = [:]
        for row in try await query.groupBy("category").groupBy("country").groupBy("kind").all() {
            let category = try row.decode(column: "category", as: String?.self) ?? "other"
            let country = try row.decode(column: "country", as: String?.self) ?? "—"
            let total = try row.decode(column: "total", as: Int64.self)
            var entry = sums["\(category)/\(country)", default: Spending(category: category, country: country, committed: 0, disbursed: 0)]
            switch LedgerKind(rawValue: try row.decode(column: "kind", as: String.self)) {
            case .commit: entry.committed += total
            case .release: entry.committed -= total
            case .disburse: entry.disbursed += total
            default: break
            }
            sums["\(category)/\(country)"] = entry
        }
        return sums.values.sorted { ($0.category, $0.country) < ($1.category, $1.country) }
    }
}
