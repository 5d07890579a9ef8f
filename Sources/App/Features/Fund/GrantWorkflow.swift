import EgideCore
import Fluent
import Foundation
import Vapor

/// A grant's life, from the request to its closure. Approvals follow `FourEyes`; every movement of
/// money is a ledger entry written with its audit event, in the transaction that locks the grant
/// and then its allocation.
package enum GrantWorkflow {
    package struct GrantDraft: Sendable {
        package var allocationID: UUID
        package var caseID: UUID?
        package var category: SupportCategory
        /// ISO 3166-1 alpha-2; a case's own country when the grant is tied to a case.
        package var country: String
        package var amount: Int64
        package var details: GrantContent.Details
        package init(allocationID: UUID, caseID: UUID?, category: SupportCategory, country: String, amount: Int64, details: GrantContent.Details) {
            self.allocationID = allocationID
            self.caseID = caseID
            self.category = category
            self.country = country
            self.amount = amount
            self.details = details
        }
    }

    /// Opens a request under an allocation the actor's organisation holds, as a draft or submitted.
    package static func request(_ draft: GrantDraft, submit: Bool, by actor: Actor, app: Application) async throws -> UUID {
        guard FundPolicy.evaluate(actor, .requestGrant, nil).isAllowed else { throw Abort(.forbidden) }
        let vault = app.vault
        let now = app.clock.now()
        let year = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: now).year!
        return try await app.transaction { db in
            let scope = try await FundQueries.scope(for: actor, on: db)
            guard scope.allocations.contains(draft.allocationID), let allocation = scope.allAllocations[draft.allocationID] else { throw Abort(.notFound) }
            let fund = try await FundQueries.fund(allocation.fundID, in: scope, on: db)
            let target = try await FundQueries.target(under: draft.allocationID, fund: fund, on: db)
            guard FundPolicy.evaluate(actor, .requestGrant, target).isAllowed else { throw Abort(.forbidden) }
            guard allocation.state == .active else { throw Refusal(key: "fund.refusal.notActive") }
            var country = draft.country
            if let caseID = draft.caseID {
                guard let record = try await CaseQueries.visible(to: actor, on: db).filter(\.$id == caseID).first() else { throw Abort(.notFound) }
                country = record.country
            }
            try check(draft, fund: fund, country: country)
            try await lockNamed(FundWorkflow.sequenceLockKey, on: db)
            let last = try await GrantRecord.query(on: db).filter(\.$year == year).max(\.$sequence) ?? 0
            let id = UUID()
            let grant = GrantRecord()
            grant.id = id
            grant.code = String(format: "GR-%04d-%04d", year, last + 1)
            grant.year = year
            grant.sequence = last + 1
            grant.fundID = fund.id!
            grant.allocationID = draft.allocationID
            grant.organisationID = actor.organisationID
            grant.caseID = draft.caseID
            grant.category = draft.category
            grant.country = country
            grant.amount = draft.amount
            grant.currency = fund.currency
            grant.disbursed = 0
            grant.state = submit ? .submitted : .draft
            grant.requestedBy = actor.userID
            grant.detailsCiphertext = try SealedDocument.seal(draft.details, owner: Accounts.owner(actor.organisationID), GrantRecord.ref(id, "details"), vault: vault)
            grant.submittedAt = submit ? now : nil
            grant.createdAt = now
            grant.updatedAt = now
            try await grant.create(on: db)
            try await writeTokens(grant, details: draft.details, vault: vault, on: db)
            try await entry(grant, submit ? "submitted" : "created", actor: actor, note: nil, at: now, on: db, vault: app.vault)
            try await AuditRecorder.record(.init(actor: .user(actor.userID), organisation: actor.organisationID, action: submit ? "grant.submit" : "grant.create",
                                                 objectType: "grant", objectID: SiteURL.id(id),
                                                 details: ["code": grant.code, "amount": String(draft.amount), "category": draft.category.rawValue]),
                                           at: now, on: db)
            return id
        }
    }

    /// Rewrites a draft, or a request sent back for more information (its requester only).
    package static func update(_ id: UUID, _ draft: GrantDraft, by actor: Actor, app: Application) async throws {
        let vault = app.vault
        try await step(id, .requestGrant, "grant.edit", by: actor, app: app) { grant, fund, _, db, now in
            guard grant.state == .draft || grant.state == .moreInformation else { throw Refusal(key: "grant.refusal.notEditable") }
            try check(draft, fund: fund, country: grant.caseID == nil ? draft.country : grant.country)
            if grant.caseID == nil { grant.country = draft.country }
            grant.category = draft.category
            grant.amount = draft.amount
            grant.detailsCiphertext = try SealedDocument.seal(draft.details, owner: Accounts.owner(grant.organisationID), GrantRecord.ref(id, "details"), vault: vault)
            try await GrantNameTokenRecord.query(on: db).filter(\.$grantID == id).delete()
            try await writeTokens(grant, details: draft.details, vault: vault, on: db)
            // Approvals were given to the request as it was: a changed request is decided afresh.
            try await GrantApprovalRecord.query(on: db).filter(\.$grantID == id).delete()
            try await entry(grant, "edited", actor: actor, note: nil, at: now, on: db, vault: app.vault)
            return ["amount": String(draft.amount)]
        }
    }

    static func check(_ draft: GrantDraft, fund: FundRecord, country: String) throws {
        guard draft.amount > 0 else { throw Refusal(key: "grant.refusal.amount") }
        guard SupportCategory.list(fund.categories).contains(draft.category) else { throw Refusal(key: "grant.refusal.category") }
        guard Countries.isValid(country) else { throw Refusal(key: "form.choice.invalid") }
        if !draft.details.budgetLines.isEmpty, draft.details.budgetLines.reduce(0, { $0 + $1.amount }) != draft.amount {
            throw Refusal(key: "grant.refusal.budgetLines")
        }
        if draft.category == .urgentRelocation, (draft.details.hostOrganisation ?? "").isEmpty { throw Refusal(key: "grant.refusal.host") }
    }

    // MARK: Steps

    /// One change of one grant: `Workflow.change` with the grant's visibility (404 outside the
    /// actor's scope), the policy on its chain (403), and the fund and chain handed to the step.
    @discardableResult
    static func step<Result: Sendable>(
        _ id: UUID, _ permission: FundAction, _ action: String, by actor: Actor, app: Application,
        _ body: @escaping @Sendable (GrantRecord, FundRecord, [(level: ApprovalLevel, allocation: UUID?)], any Database, Date) async throws -> [String: String],
        result: @escaping @Sendable (GrantRecord) -> Result = { _ in () }
    ) async throws -> Result {
        try await Workflow.change(GrantRecord.self, id, by: .user(actor.userID), action: action, app: app, authorize: { grant, db in
            let scope = try await FundQueries.scope(for: actor, on: db)
            guard try await FundQueries.visibleGrants(to: actor, scope: scope, on: db).filter(\.$id == id).first() != nil else { throw Abort(.notFound) }
            guard let fund = try await FundRecord.find(grant.fundID, on: db) else { throw Abort(.notFound) }
            let target = try await FundQueries.target(under: grant.allocationID, fund: fund, requester: grant.requestedBy, on: db)
            guard FundPolicy.evaluate(actor, permission, target).isAllowed else {
                // Refused only for being the requester: say so (409) — someone else decides and pays.
                if permission == .decideGrant, FundPolicy.evaluate(actor, permission, FundTarget(chain: target.chain)).isAllowed {
                    throw Refusal(key: "grant.refusal.ownRequest")
                }
                throw Abort(.forbidden)
            }
        }) { grant, db, now in
            guard let fund = try await FundRecord.find(grant.fundID, on: db) else { throw Abort(.notFound) }
            let chain = try await FundQueries.chain(under: grant.allocationID, fund: fund, on: db)
            var details = try await body(grant, fund, chain, db, now)
            details["code"] = grant.code
            details["state"] = grant.state.rawValue
            return (details, result(grant))
        }
    }

    static func move(_ grant: GrantRecord, to state: GrantState) throws {
        guard GrantLifecycle.canMove(from: grant.state, to: state) else { throw Refusal(key: "grant.refusal.state") }
        grant.state = state
    }

    /// The requester sends a draft, or the answer to a question, for decision.
    package static func submit(_ id: UUID, note: String?, by actor: Actor, app: Application) async throws {
        try await step(id, .requestGrant, "grant.submit", by: actor, app: app) { grant, _, _, db, now in
            try move(grant, to: .submitted)
            grant.submittedAt = now
            try await entry(grant, "submitted", actor: actor, note: note, at: now, on: db, vault: app.vault)
            return [:]
        }
    }

    /// A decision step without money: screening, a question, a rejection (each with its words).
    package enum Ruling: String, Sendable { case screen, askInformation = "ask", reject }

    package static func decide(_ id: UUID, _ decision: Ruling, note: String?, by actor: Actor, app: Application) async throws {
        let action = ["screen": "grant.screen", "ask": "grant.ask_information", "reject": "grant.reject"][decision.rawValue]!
        try await step(id, .decideGrant, action, by: actor, app: app) { grant, _, _, db, now in
            switch decision {
            case .screen: try move(grant, to: .screening)
            case .askInformation:
                if grant.state == .submitted { try move(grant, to: .screening) }
                try move(grant, to: .moreInformation)
            case .reject:
                try move(grant, to: .rejected)
                grant.decidedAt = now
            }
            try await entry(grant, decision.rawValue, actor: actor, note: note, at: now, on: db, vault: app.vault)
            return [:]
        }
    }

    /// Records `actor`'s approval. When the approvals cover every level the amount needs, the
    /// grant is approved and its amount committed against the allocation — if the allocation still
    /// has it, read after locking the allocation, so two approvals racing for the last money
    /// cannot both commit it. Returns whether the grant is now approved.
    @discardableResult
    package static func approve(_ id: UUID, by actor: Actor, app: Application) async throws -> Bool {
        try await step(id, .decideGrant, "grant.approve", by: actor, app: app, { grant, fund, chain, db, now in
            if grant.state == .submitted { try move(grant, to: .screening) }
            guard grant.state == .screening else { throw Refusal(key: "grant.refusal.state") }
            let levels = chain.map(\.level)
            let recorded = try await GrantApprovalRecord.query(on: db).filter(\.$grantID == id).all()
            let approvals = recorded.map { RecordedApproval(userID: $0.userID, level: $0.level) }
            if let key = FourEyes.refusal(approver: actor.userID, approverOrganisation: actor.organisationID, requester: grant.requestedBy,
                                          amount: grant.amount, ceiling: fund.grantCeiling, chain: levels, approvals: approvals) {
                throw Refusal(key: key)
            }
            let level = FourEyes.level(of: actor.organisationID, in: levels)!
            if level == levels.count - 1, !(try await FundWorkflow.managesFund(actor, fund, on: db)) { throw Refusal(key: "grant.refusal.notFundManager") }
            let approval = GrantApprovalRecord()
            approval.id = UUID()
            approval.grantID = id
            approval.userID = actor.userID
            approval.organisationID = actor.organisationID
            approval.level = level
            approval.allocationID = chain[level].allocation
            approval.delegationLimit = chain[level].level.delegationLimit
            approval.approvedAt = now
            try await approval.create(on: db)
            let all = approvals + [RecordedApproval(userID: actor.userID, level: level)]
            guard FourEyes.isComplete(all, amount: grant.amount, chain: levels) else {
                try await entry(grant, "approval", actor: actor, note: nil, at: now, on: db, vault: app.vault)
                return ["level": String(level), "complete": "no"]
            }
            try await lockRow(AllocationRecord.schema, id: grant.allocationID, on: db)
            let available = try await FundLedger.balances(fund: grant.fundID, only: grant.allocationID, on: db).allocations[grant.allocationID]?.available ?? 0
            guard grant.amount <= available else { throw Refusal(key: "grant.refusal.insufficient") }
            try move(grant, to: .approved)
            grant.decidedAt = now
            try await FundLedger.write(.commit, amount: grant.amount, fund: grant.fundID, allocation: grant.allocationID, grant: grant,
                                       actor: actor.userID, at: now, on: db)
            try await entry(grant, "approved", actor: actor, note: nil, at: now, on: db, vault: app.vault)
            return ["level": String(level), "complete": "yes", "amount": String(grant.amount)]
        }, result: { $0.state == .approved })
    }

    /// The requester takes back a request not decided yet.
    package static func withdraw(_ id: UUID, note: String?, by actor: Actor, app: Application) async throws {
        try await step(id, .requestGrant, "grant.withdraw", by: actor, app: app) { grant, _, _, db, now in
            try move(grant, to: .withdrawn)
            try await entry(grant, "withdrawn", actor: actor, note: note, at: now, on: db, vault: app.vault)
            return [:]
        }
    }

    /// Cancels an approved grant: what is not paid returns to the allocation.
    package static func cancel(_ id: UUID, note: String?, by actor: Actor, app: Application) async throws {
        try await step(id, .decideGrant, "grant.cancel", by: actor, app: app) { grant, _, _, db, now in
            try move(grant, to: .cancelled)
            let remainder = grant.amount - grant.disbursed
            if remainder > 0 {
                try await FundLedger.write(.release, amount: remainder, fund: grant.fundID, allocation: grant.allocationID, grant: grant,
                                           actor: actor.userID, at: now, on: db)
            }
            try await entry(grant, "cancelled", actor: actor, note: note, at: now, on: db, vault: app.vault)
            return ["released": String(remainder)]
        }
    }

    // MARK: Money out

    package struct Tranche: Sendable {
        package var method: DisbursementMethod
        package var paid: Money
        /// Payment-currency units per fund-currency unit × 10⁹; ignored when paid in the fund's currency.
        package var rateNanos: Int64?
        package var rateOn: String
        package var paidOn: String
        package var note: String?
        package var receipt: (name: String, mediaType: String, content: Data)?
        package init(method: DisbursementMethod, paid: Money, rateNanos: Int64?, rateOn: String, paidOn: String, note: String? = nil,
                     receipt: (name: String, mediaType: String, content: Data)? = nil) {
            self.method = method
            self.paid = paid
            self.rateNanos = rateNanos
            self.rateOn = rateOn
            self.paidOn = paidOn
            self.note = note
            self.receipt = receipt
        }
    }

    /// Records a tranche paid. Its value in the fund's currency (`ExchangeRate.toFundCurrency`)
    /// may not exceed what is approved and not yet paid. Returns the total paid so far.
    @discardableResult
    package static func disburse(_ id: UUID, _ tranche: Tranche, by actor: Actor, app: Application) async throws -> Money {
        guard Day.parse(tranche.paidOn) != nil, Day.parse(tranche.rateOn) != nil else { throw Refusal(key: "case.form.date") }
        let vault = app.vault
        return try await step(id, .decideGrant, "grant.disburse", by: actor, app: app, { grant, fund, _, db, now in
            guard grant.state == .approved || grant.state == .disbursing else { throw Refusal(key: "grant.refusal.state") }
            guard Currency(code: tranche.paid.currency) != nil else { throw Refusal(key: "money.error.unknown_currency") }
            let same = tranche.paid.currency == fund.currency
            guard let nanos = same ? ExchangeRate.scale : tranche.rateNanos, nanos > 0 else { throw Refusal(key: "grant.refusal.rate") }
            guard let value = ExchangeRate(fundCurrency: fund.currency, paymentCurrency: tranche.paid.currency, nanos: nanos).toFundCurrency(tranche.paid),
                  value.minorUnits > 0 else { throw Refusal(key: "grant.refusal.amount") }
            guard value.minorUnits <= grant.amount - grant.disbursed else { throw Refusal(key: "grant.refusal.overDisbursed") }
            let count = try await DisbursementRecord.query(on: db).filter(\.$grantID == id).count()
            let record = DisbursementRecord()
            record.id = UUID()
            record.grantID = id
            record.tranche = count + 1
            record.method = tranche.method
            record.paidAmount = tranche.paid.minorUnits
            record.paidCurrency = tranche.paid.currency
            record.rateNanos = nanos
            record.rateOn = tranche.rateOn
            record.amount = value.minorUnits
            record.paidOn = tranche.paidOn
            record.recordedBy = actor.userID
            record.createdAt = now
            try await record.create(on: db)
            grant.disbursed += value.minorUnits
            let next: GrantState = grant.disbursed == grant.amount ? .disbursed : .disbursing
            if grant.state != next { try move(grant, to: next) }
            try await FundLedger.write(.disburse, amount: value.minorUnits, fund: grant.fundID, allocation: grant.allocationID, grant: grant,
                                       actor: actor.userID, at: now, on: db)
            var file: UUID?
            if let receipt = tranche.receipt {
                file = try await FileStore.store(receipt.content, name: receipt.name, mediaType: receipt.mediaType, organisation: grant.organisationID,
                                                 purpose: "grant.receipt", at: now, on: db, vault: vault)
            }
            try await entry(grant, "disbursed", actor: actor, note: tranche.note, file: file, at: now, on: db, vault: app.vault)
            return ["tranche": String(count + 1), "amount": String(value.minorUnits), "paid": "\(tranche.paid.minorUnits) \(tranche.paid.currency)"]
        }, result: { Money(minorUnits: $0.disbursed, currency: $0.currency) })
    }

    /// No more tranches: the unpaid part returns to the allocation and the grant counts as paid.
    package static func completeDisbursement(_ id: UUID, by actor: Actor, app: Application) async throws {
        try await step(id, .decideGrant, "grant.disbursement_complete", by: actor, app: app) { grant, _, _, db, now in
            guard grant.state == .disbursing else { throw Refusal(key: "grant.refusal.state") }
            try move(grant, to: .disbursed)
            let remainder = grant.amount - grant.disbursed
            if remainder > 0 {
                try await FundLedger.write(.release, amount: remainder, fund: grant.fundID, allocation: grant.allocationID, grant: grant,
                                           actor: actor.userID, at: now, on: db)
            }
            try await entry(grant, "disbursementComplete", actor: actor, note: nil, at: now, on: db, vault: app.vault)
            return ["released": String(remainder)]
        }
    }

    /// Asks for the report by a day (disbursed → report due).
    package static func requestReport(_ id: UUID, dueOn: String, by actor: Actor, app: Application) async throws {
        guard Day.parse(dueOn) != nil else { throw Refusal(key: "case.form.date") }
        try await step(id, .decideGrant, "grant.report_request", by: actor, app: app) { grant, _, _, db, now in
            try move(grant, to: .reportDue)
            grant.reportDueOn = dueOn
            try await entry(grant, "reportRequested", actor: actor, note: nil, at: now, on: db, vault: app.vault)
            return ["due": dueOn]
        }
    }

    /// The report arrived (with its file): report due → justified.
    package static func receiveReport(_ id: UUID, note: String?, file: (name: String, mediaType: String, content: Data)?,
                                      by actor: Actor, app: Application) async throws {
        let vault = app.vault
        try await step(id, .decideGrant, "grant.report_receive", by: actor, app: app) { grant, _, _, db, now in
            try move(grant, to: .justified)
            var stored: UUID?
            if let file {
                stored = try await FileStore.store(file.content, name: file.name, mediaType: file.mediaType, organisation: grant.organisationID,
                                                   purpose: "grant.report", at: now, on: db, vault: vault)
            }
            try await entry(grant, "reportReceived", actor: actor, note: note, file: stored, at: now, on: db, vault: app.vault)
            return [:]
        }
    }

    package static func close(_ id: UUID, by actor: Actor, app: Application) async throws {
        try await step(id, .decideGrant, "grant.close", by: actor, app: app) { grant, _, _, db, now in
            try move(grant, to: .closed)
            try await entry(grant, "closed", actor: actor, note: nil, at: now, on: db, vault: app.vault)
            return [:]
        }
    }

    // MARK: Helpers

    static func entry(_ grant: GrantRecord, _ kind: String, actor: Actor, note: String?, file: UUID? = nil, at now: Date, on db: any Database,
                      vault: Vault) async throws {
        let id = UUID()
        let entry = GrantEntryRecord()
        entry.id = id
        entry.grantID = try grant.requireID()
        entry.organisationID = grant.organisationID
        entry.kind = kind
        entry.actorID = actor.userID
        entry.fileID = file
        entry.createdAt = now
        if let note, !note.isEmpty {
            entry.noteCiphertext = try vault.seal(note, owner: Accounts.owner(grant.organisationID), FieldRef(GrantEntryRecord.schema, id, "note"))
        }
        try await entry.create(on: db)
    }

    /// The beneficiary's name words through the same keyed blind index as case people's, so the
    /// duplicate-support check finds the same person in grants and cases without a name in clear.
    static func writeTokens(_ grant: GrantRecord, details: GrantContent.Details, vault: Vault, on db: any Database) async throws {
        let tokens = try CaseQueries.nameTokens(CaseContent.Identity(name: details.beneficiary), vault: vault)
        for token in tokens { try await GrantNameTokenRecord(grantID: try grant.requireID(), token: token).create(on: db) }
    }
}
