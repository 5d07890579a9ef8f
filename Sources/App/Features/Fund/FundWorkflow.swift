import EgideCore
import Fluent
import Foundation
import Vapor

/// Every change to the emergency fund. Each runs in one transaction that locks the rows whose
/// balance it reads (the grant, then its allocation; or the parent allocation, or the fund),
/// checks the invariants on the ledger as it is now, writes the ledger entry and the audit event,
/// and commits them together. So allocated ≤ the source's available, committed ≤ the allocation's
/// available, disbursed ≤ approved — at every level, whoever acts at the same moment.
package enum FundWorkflow {
    static let sequenceLockKey: Int64 = 0x4567_6964_6547_726E

    // MARK: Funds

    package struct FundDraft: Sendable {
        package var name: String
        package var donor: String
        package var currency: String
        package var budget: Int64
        package var startsOn: String
        package var endsOn: String
        package var categories: [SupportCategory]
        package var ceiling: Int64?
        package var criteria: String
        /// Fund managers of the owning organisation who answer for it (the creator if empty).
        package var managers: [UUID]
        package init(name: String, donor: String, currency: String, budget: Int64, startsOn: String, endsOn: String,
                     categories: [SupportCategory] = SupportCategory.allCases, ceiling: Int64? = nil, criteria: String = "", managers: [UUID] = []) {
            self.name = name
            self.donor = donor
            self.currency = currency
            self.budget = budget
            self.startsOn = startsOn
            self.endsOn = endsOn
            self.categories = categories
            self.ceiling = ceiling
            self.criteria = criteria
            self.managers = managers
        }
    }

    package static func createFund(_ draft: FundDraft, by actor: Actor, app: Application) async throws -> UUID {
        guard FundPolicy.evaluate(actor, .createFund, nil).isAllowed else { throw Abort(.forbidden) }
        guard Currency(code: draft.currency) != nil else { throw Refusal(key: "money.error.unknown_currency") }
        guard draft.budget > 0 else { throw Refusal(key: "fund.refusal.budget") }
        guard let start = Day.parse(draft.startsOn), let end = Day.parse(draft.endsOn), end >= start else { throw Refusal(key: "fund.refusal.period") }
        guard !draft.categories.isEmpty else { throw Refusal(key: "fund.refusal.categories") }
        if let ceiling = draft.ceiling, ceiling <= 0 || ceiling > draft.budget { throw Refusal(key: "fund.refusal.ceiling") }
        let now = app.clock.now()
        return try await app.transaction { db in
            var managers = Set(draft.managers)
            managers.insert(actor.userID)
            let users = try await UserRecord.query(on: db).filter(\.$id ~~ Array(managers)).filter(\.$organisation.$id == actor.organisationID).all()
            let holders = try await UserRoleRecord.query(on: db).filter(\.$user.$id ~~ Array(managers)).filter(\.$role == .fundManager).all()
            guard users.count == managers.count, holders.count == managers.count else { throw Refusal(key: "fund.refusal.managers") }
            let fund = FundRecord()
            let id = UUID()
            fund.id = id
            fund.organisationID = actor.organisationID
            fund.name = draft.name
            fund.donor = draft.donor
            fund.currency = draft.currency.uppercased()
            fund.budget = draft.budget
            fund.startsOn = draft.startsOn
            fund.endsOn = draft.endsOn
            fund.categories = SupportCategory.store(draft.categories)
            fund.grantCeiling = draft.ceiling
            fund.criteria = draft.criteria
            fund.createdBy = actor.userID
            fund.createdAt = now
            fund.updatedAt = now
            try await fund.create(on: db)
            for user in managers { try await FundManagerRecord(fundID: id, userID: user).create(on: db) }
            try await AuditRecorder.record(.init(actor: .user(actor.userID), organisation: actor.organisationID, action: "fund.create",
                                                 objectType: "fund", objectID: SiteURL.id(id),
                                                 details: ["currency": fund.currency, "budget": String(draft.budget)]), at: now, on: db)
            return id
        }
    }

    /// Whether `actor` answers for money at the fund owner's level: a fund manager of the owning
    /// organisation named among the fund's managers.
    static func managesFund(_ actor: Actor, _ fund: FundRecord, on db: any Database) async throws -> Bool {
        guard actor.has(.fundManager), actor.organisationID == fund.organisationID, let id = fund.id else { return false }
        return try await FundManagerRecord.query(on: db).filter(\.$fundID == id).filter(\.$userID == actor.userID).first() != nil
    }

    // MARK: Allocations

    /// Proposes an allocation of `amount` to `organisation`, from the fund (`parent` nil: by one of
    /// the fund's managers) or from an active allocation (by a fund manager of its organisation).
    /// The amount is reserved at once; a second fund manager of the giving level confirms it.
    package static func allocate(fund fundID: UUID, parent: UUID?, to organisation: UUID, amount: Int64, delegationLimit: Int64,
                                 by actor: Actor, app: Application) async throws -> UUID {
        guard FundPolicy.evaluate(actor, .manageMoney, nil).isAllowed else { throw Abort(.forbidden) }
        guard amount > 0 else { throw Refusal(key: "fund.refusal.amount") }
        guard delegationLimit >= 0 else { throw Refusal(key: "fund.refusal.limit") }
        let now = app.clock.now()
        return try await app.transaction { db in
            let scope = try await FundQueries.scope(for: actor, on: db)
            let fund = try await FundQueries.fund(fundID, in: scope, on: db)
            if let parent {
                guard scope.allocations.contains(parent) else { throw Abort(.notFound) }
                try await lockRow(AllocationRecord.schema, id: parent, on: db)
                guard let source = try await AllocationRecord.find(parent, on: db), source.fundID == fundID else { throw Abort(.notFound) }
                guard FundPolicy.evaluate(actor, .manageMoney, FundTarget(chain: [source.organisationID])).isAllowed else { throw Abort(.forbidden) }
                guard source.state == .active else { throw Refusal(key: "fund.refusal.notActive") }
                guard delegationLimit <= source.delegationLimit else { throw Refusal(key: "fund.refusal.limitAboveParent") }
                guard organisation != source.organisationID else { throw Refusal(key: "fund.refusal.sameOrganisation") }
                let available = try await FundLedger.balances(fund: fundID, only: parent, on: db).allocations[parent]?.available ?? 0
                guard amount <= available else { throw Refusal(key: "fund.refusal.insufficient") }
            } else {
                guard try await managesFund(actor, fund, on: db) else { throw Abort(.forbidden) }
                try await lockRow(FundRecord.schema, id: fundID, on: db)
                let allocated = try await FundLedger.balances(fund: fundID, on: db).allocatedFromFund
                guard amount <= fund.budget - allocated else { throw Refusal(key: "fund.refusal.insufficient") }
            }
            // The fund's owner may keep a root allocation for its own grants; below, money moves down.
            guard let target = try await OrganisationRecord.find(organisation, on: db) else { throw Refusal(key: "fund.refusal.organisation") }
            // A partner passes money on only to partners of its own country (FundsController.allocationTargets).
            if !actor.organisationType.handlesProtection {
                let own = try await OrganisationRecord.find(actor.organisationID, on: db)
                guard target.type.isPartnering, target.country == own?.country else { throw Refusal(key: "fund.refusal.organisation") }
            }
            let record = AllocationRecord()
            let id = UUID()
            record.id = id
            record.fundID = fundID
            record.organisationID = organisation
            record.parentID = parent
            record.amount = amount
            record.delegationLimit = delegationLimit
            record.state = .proposed
            record.proposedBy = actor.userID
            record.createdAt = now
            record.updatedAt = now
            try await record.create(on: db)
            try await FundLedger.write(.allocate, amount: amount, fund: fundID, allocation: id, source: parent, actor: actor.userID, at: now, on: db)
            try await AuditRecorder.record(.init(actor: .user(actor.userID), organisation: organisation, action: "fund.allocation_propose",
                                                 objectType: "allocation", objectID: SiteURL.id(id),
                                                 details: ["fund": SiteURL.id(fundID), "amount": String(amount), "limit": String(delegationLimit)]),
                                           at: now, on: db)
            return id
        }
    }

    /// Confirms (`confirm`) or withdraws a proposed allocation: a fund manager of the giving level;
    /// confirming takes a second person.
    package static func settleAllocation(_ id: UUID, confirm: Bool, by actor: Actor, app: Application) async throws {
        try await Workflow.change(AllocationRecord.self, id, by: .user(actor.userID),
                                  action: confirm ? "fund.allocation_confirm" : "fund.allocation_withdraw", app: app,
                                  authorize: { record, db in
            let scope = try await FundQueries.scope(for: actor, on: db)
            guard scope.allocations.contains(id) else { throw Abort(.notFound) }
            let fund = try await FundQueries.fund(record.fundID, in: scope, on: db)
            // The giving level decides: the parent allocation's organisation, or the fund's named managers.
            let giver = record.parentID.flatMap { scope.allAllocations[$0]?.organisationID } ?? fund.organisationID
            guard FundPolicy.evaluate(actor, .manageMoney, FundTarget(chain: [giver])).isAllowed else { throw Abort(.forbidden) }
            if record.parentID == nil, !(try await managesFund(actor, fund, on: db)) { throw Abort(.forbidden) }
        }) { record, db, now in
            guard record.state == .proposed else { throw Refusal(key: "fund.refusal.notProposed") }
            if confirm {
                guard record.proposedBy != actor.userID else { throw Refusal(key: "fund.refusal.ownAllocation") }
                record.state = .active
                record.confirmedBy = actor.userID
            } else {
                record.state = .withdrawn
                try await FundLedger.write(.unallocate, amount: record.amount, fund: record.fundID, allocation: id, source: record.parentID,
                                           actor: actor.userID, at: now, on: db)
            }
            return (["fund": SiteURL.id(record.fundID), "amount": String(record.amount)], ())
        }
    }

    // MARK: Rates

    package static func recordRate(fundCurrency: String, paymentCurrency: String, nanos: Int64, on day: String,
                                   by actor: Actor, app: Application) async throws {
        guard FundPolicy.evaluate(actor, .manageMoney, nil).isAllowed else { throw Abort(.forbidden) }
        guard Currency(code: fundCurrency) != nil, Currency(code: paymentCurrency) != nil, fundCurrency != paymentCurrency else {
            throw Refusal(key: "fund.refusal.ratePair")
        }
        guard Day.parse(day) != nil else { throw Refusal(key: "case.form.date") }
        let now = app.clock.now()
        try await app.transaction { db in
            let rate = ExchangeRateRecord()
            rate.id = UUID()
            rate.organisationID = actor.organisationID
            rate.fundCurrency = fundCurrency
            rate.paymentCurrency = paymentCurrency
            rate.rateNanos = nanos
            rate.rateOn = day
            rate.enteredBy = actor.userID
            rate.createdAt = now
            try await rate.create(on: db)
            try await AuditRecorder.record(.init(actor: .user(actor.userID), organisation: actor.organisationID, action: "fund.rate_record",
                                                 objectType: "exchange_rate", objectID: SiteURL.id(rate.id!),
                                                 details: ["pair": "\(fundCurrency)/\(paymentCurrency)", "rate": ExchangeRate(fundCurrency: fundCurrency, paymentCurrency: paymentCurrency, nanos: nanos).text, "on": day]),
                                           at: now, on: db)
        }
    }
}
