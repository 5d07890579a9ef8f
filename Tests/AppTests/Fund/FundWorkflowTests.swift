@testable import App
import EgideCore
import Fluent
import Foundation
import Testing
import Vapor

/// The emergency fund's money on a real database: budgets in balance at every level, exact
/// conversions, releases, the audit trail, and edits that void earlier approvals.
@Suite struct FundWorkflowTests {
    func approvals(_ app: Application, _ grant: UUID) async throws -> [GrantApprovalRecord] {
        try await GrantApprovalRecord.query(on: app.db).filter(\.$grantID == grant).sort(\.$level).all()
    }

    func events(_ app: Application, _ action: String) async throws -> Int {
        try await AuditEventModel.query(on: app.db).filter(\.$action == action).count()
    }

    // MARK: Budgets

    @Test func an_allocation_above_what_its_source_has_left_is_refused() async throws {
        try await withApp { app in
            let world = try await FundWorld.build(app)
            let a = try world.partnerA.requireID(), b = try world.partnerB.requireID()
            // From the fund: EUR 100 000 − 50 000 − 5 000 left.
            let left = FundWorld.budget - FundWorld.tunisAmount - FundWorld.lyonAmount
            await expectRefusal("fund.refusal.insufficient") {
                _ = try await FundWorkflow.allocate(fund: world.fund, parent: nil, to: a, amount: left + 1, delegationLimit: 0, by: world.lyonManager1, app: app)
            }
            let all = try await FundWorkflow.allocate(fund: world.fund, parent: nil, to: a, amount: left, delegationLimit: 0, by: world.lyonManager1, app: app)
            // A proposed allocation is reserved already.
            await expectRefusal("fund.refusal.insufficient") {
                _ = try await FundWorkflow.allocate(fund: world.fund, parent: nil, to: b, amount: 1, delegationLimit: 0, by: world.lyonManager2, app: app)
            }
            try await FundWorkflow.settleAllocation(all, confirm: false, by: world.lyonManager2, app: app)
            #expect(try await FundLedger.balances(fund: world.fund, on: app.db).allocatedFromFund == FundWorld.tunisAmount + FundWorld.lyonAmount)

            // From Tunis: EUR 50 000 − 2 × 10 000 left.
            let tunisLeft = FundWorld.tunisAmount - 2 * FundWorld.partnerAmount
            #expect(try await world.balance(app, world.tunisAllocation).available == tunisLeft)
            await expectRefusal("fund.refusal.insufficient") {
                _ = try await FundWorkflow.allocate(fund: world.fund, parent: world.tunisAllocation, to: a, amount: tunisLeft + 1,
                                                    delegationLimit: 0, by: world.tunisManager1, app: app)
            }

            // Committed money is not available: A commits EUR 1 000 and cannot pass on its whole allocation.
            let grant = try await world.request(app, FundWorld.partnerLimit, under: world.aAllocation, by: world.aOfficer)
            #expect(try await GrantWorkflow.approve(grant, by: world.aManager, app: app))
            let aLeft = FundWorld.partnerAmount - FundWorld.partnerLimit
            await expectRefusal("fund.refusal.insufficient") {
                _ = try await FundWorkflow.allocate(fund: world.fund, parent: world.aAllocation, to: b, amount: aLeft + 1,
                                                    delegationLimit: 0, by: world.aManager, app: app)
            }
            // Nor approve a grant above what is left: the last approval is refused and nothing is committed.
            let tooMuch = try await world.request(app, aLeft + 1, under: world.aAllocation, by: world.aOfficer)
            #expect(try await GrantWorkflow.approve(tooMuch, by: world.aManager, app: app) == false)
            #expect(try await GrantWorkflow.approve(tooMuch, by: world.tunisManager1, app: app) == false)
            await expectRefusal("grant.refusal.insufficient") { try await GrantWorkflow.approve(tooMuch, by: world.lyonManager1, app: app) }
            #expect(try await world.grant(app, tooMuch).state == .screening)
            #expect(try await approvals(app, tooMuch).count == 2)
            #expect(try await world.balance(app, world.aAllocation).committed == FundWorld.partnerLimit)
        }
    }

    @Test func a_sub_allocation_never_delegates_more_than_its_parent() async throws {
        try await withApp { app in
            let world = try await FundWorld.build(app)
            let a = try world.partnerA.requireID(), b = try world.partnerB.requireID()
            await expectRefusal("fund.refusal.limitAboveParent") {
                _ = try await FundWorkflow.allocate(fund: world.fund, parent: world.tunisAllocation, to: a, amount: 1_000,
                                                    delegationLimit: FundWorld.tunisLimit + 1, by: world.tunisManager1, app: app)
            }
            await expectRefusal("fund.refusal.limitAboveParent") {
                _ = try await FundWorkflow.allocate(fund: world.fund, parent: world.aAllocation, to: b, amount: 1_000,
                                                    delegationLimit: FundWorld.partnerLimit + 1, by: world.aManager, app: app)
            }
            _ = try await FundWorkflow.allocate(fund: world.fund, parent: world.tunisAllocation, to: a, amount: 1_000,
                                                delegationLimit: FundWorld.tunisLimit, by: world.tunisManager1, app: app)
            #expect(try await AllocationRecord.query(on: app.db).count() == 5)
        }
    }

    // MARK: Money out

    @Test func a_tranche_in_xaf_converts_exactly_and_never_exceeds_what_was_approved() async throws {
        try await withApp { app in
            let world = try await FundWorld.build(app)
            let id = try await world.request(app, 150_000, under: world.aAllocation, by: world.aOfficer)
            #expect(try await GrantWorkflow.approve(id, by: world.aManager, app: app) == false)
            #expect(try await GrantWorkflow.approve(id, by: world.tunisManager1, app: app))
            let rate: Int64 = 655_957_000_000

            await expectRefusal("grant.refusal.rate") { try await GrantWorkflow.disburse(id, FundWorld.tranche(655_957, "XAF"), by: world.aManager, app: app) }
            // 655 957 XAF = EUR 1 000,00 exactly.
            let paid = try await GrantWorkflow.disburse(id, FundWorld.tranche(655_957, "XAF", rate: rate, method: .mobileMoney), by: world.aManager, app: app)
            #expect(paid == Money(minorUnits: 100_000, currency: "EUR"))
            let tranche = try #require(try await DisbursementRecord.query(on: app.db).filter(\.$grantID == id).first())
            #expect(tranche.amount == 100_000 && tranche.paidAmount == 655_957 && tranche.paidCurrency == "XAF")
            #expect(tranche.rateNanos == rate && tranche.tranche == 1 && tranche.method == .mobileMoney)
            #expect(try await world.grant(app, id).state == .disbursing)

            // 328 000 XAF = EUR 500,03: three cents more than is left.
            await expectRefusal("grant.refusal.overDisbursed") {
                try await GrantWorkflow.disburse(id, FundWorld.tranche(328_000, "XAF", rate: rate), by: world.aManager, app: app)
            }
            // 327 979 XAF = EUR 500,0007…, rounded to exactly what is left.
            let total = try await GrantWorkflow.disburse(id, FundWorld.tranche(327_979, "XAF", rate: rate), by: world.tunisManager2, app: app)
            #expect(total.minorUnits == 150_000)
            let grant = try await world.grant(app, id)
            #expect(grant.state == .disbursed && grant.disbursed == 150_000)
            let balance = try await world.balance(app, world.aAllocation)
            #expect(balance.disbursed == 150_000 && balance.committed == 150_000)
            await expectRefusal("grant.refusal.state") {
                try await GrantWorkflow.disburse(id, FundWorld.tranche(1, "EUR"), by: world.aManager, app: app)
            }
        }
    }

    @Test func tranches_in_tnd_and_cdf_use_their_own_minor_digits() async throws {
        try await withApp { app in
            let world = try await FundWorld.build(app)
            let id = try await world.request(app, 100_000, under: world.aAllocation, by: world.aOfficer)
            #expect(try await GrantWorkflow.approve(id, by: world.aManager, app: app))
            // 1 675,000 TND at 3.35 = EUR 500,00; 31 005,00 CDF at 3100.5 = EUR 10,00; EUR needs no rate.
            try await GrantWorkflow.disburse(id, FundWorld.tranche(1_675_000, "TND", rate: 3_350_000_000), by: world.aManager, app: app)
            try await GrantWorkflow.disburse(id, FundWorld.tranche(3_100_500, "CDF", rate: 3_100_500_000_000), by: world.aManager, app: app)
            let total = try await GrantWorkflow.disburse(id, FundWorld.tranche(1_000, "EUR", rate: 7), by: world.aManager, app: app)
            #expect(total.minorUnits == 52_000)
            let amounts = try await DisbursementRecord.query(on: app.db).filter(\.$grantID == id).sort(\.$tranche).all().map(\.amount)
            #expect(amounts == [50_000, 1_000, 1_000])
            #expect(try await world.balance(app, world.aAllocation).disbursed == 52_000)
        }
    }

    @Test func cancelling_an_approved_grant_releases_what_was_not_paid() async throws {
        try await withApp { app in
            let world = try await FundWorld.build(app)
            let id = try await world.request(app, 100_000, under: world.aAllocation, by: world.aOfficer)
            await expectRefusal("grant.refusal.state") { try await GrantWorkflow.cancel(id, note: nil, by: world.aManager, app: app) }
            #expect(try await GrantWorkflow.approve(id, by: world.aManager, app: app))
            try await GrantWorkflow.disburse(id, FundWorld.tranche(30_000, "EUR"), by: world.aManager, app: app)
            let before = try await world.balance(app, world.aAllocation)
            #expect(before.committed == 100_000 && before.available == FundWorld.partnerAmount - 100_000)

            try await GrantWorkflow.cancel(id, note: "The defender left the country.", by: world.aManager, app: app)
            #expect(try await world.grant(app, id).state == .cancelled)
            let after = try await world.balance(app, world.aAllocation)
            #expect(after.committed == 30_000 && after.disbursed == 30_000)
            #expect(after.available == before.available + 70_000)
            let releases = try await LedgerEntryRecord.query(on: app.db).filter(\.$kind == .release).all()
            #expect(releases.map(\.amount) == [70_000] && releases.first?.grantID == id)
            await expectRefusal("grant.refusal.state") { try await GrantWorkflow.cancel(id, note: nil, by: world.aManager, app: app) }
        }
    }

    @Test func completing_a_disbursement_releases_the_remainder() async throws {
        try await withApp { app in
            let world = try await FundWorld.build(app)
            let id = try await world.request(app, 100_000, under: world.aAllocation, by: world.aOfficer)
            #expect(try await GrantWorkflow.approve(id, by: world.aManager, app: app))
            await expectRefusal("grant.refusal.state") { try await GrantWorkflow.completeDisbursement(id, by: world.aManager, app: app) }
            try await GrantWorkflow.disburse(id, FundWorld.tranche(40_000, "EUR"), by: world.aManager, app: app)
            try await GrantWorkflow.completeDisbursement(id, by: world.tunisManager1, app: app)
            #expect(try await world.grant(app, id).state == .disbursed)
            let balance = try await world.balance(app, world.aAllocation)
            #expect(balance.committed == 40_000 && balance.disbursed == 40_000)
            #expect(balance.available == FundWorld.partnerAmount - 40_000)
            await expectRefusal("grant.refusal.state") {
                try await GrantWorkflow.disburse(id, FundWorld.tranche(1, "EUR"), by: world.aManager, app: app)
            }
            // The report closes it; no money moves.
            try await GrantWorkflow.requestReport(id, dueOn: "2026-06-30", by: world.aManager, app: app)
            try await GrantWorkflow.receiveReport(id, note: "Receipts attached.", file: nil, by: world.aManager, app: app)
            try await GrantWorkflow.close(id, by: world.aManager, app: app)
            #expect(try await world.grant(app, id).state == .closed)
            #expect(try await world.balance(app, world.aAllocation) == balance)
        }
    }

    // MARK: Audit

    @Test func every_movement_writes_its_audit_event_and_a_refused_one_writes_nothing() async throws {
        try await withApp { app in
            let world = try await FundWorld.build(app)
            #expect(try await events(app, "fund.create") == 1)
            #expect(try await events(app, "fund.allocation_propose") == 4)
            #expect(try await events(app, "fund.allocation_confirm") == 4)

            let id = try await world.request(app, FundWorld.partnerLimit + 1, under: world.aAllocation, by: world.aOfficer)
            #expect(try await events(app, "grant.submit") == 1)
            #expect(try await GrantWorkflow.approve(id, by: world.aManager, app: app) == false)
            await expectRefusal("grant.refusal.alreadyApproved") { try await GrantWorkflow.approve(id, by: world.aManager, app: app) }
            #expect(try await GrantWorkflow.approve(id, by: world.tunisManager1, app: app))
            #expect(try await events(app, "grant.approve") == 2)
            try await GrantWorkflow.disburse(id, FundWorld.tranche(50_000, "EUR"), by: world.aManager, app: app)
            await expectRefusal("grant.refusal.overDisbursed") {
                try await GrantWorkflow.disburse(id, FundWorld.tranche(60_000, "EUR"), by: world.aManager, app: app)
            }
            #expect(try await events(app, "grant.disburse") == 1)
            try await GrantWorkflow.cancel(id, note: nil, by: world.tunisManager2, app: app)
            #expect(try await events(app, "grant.cancel") == 1)

            // The events name the grant, and each ledger entry has its event.
            let approve = try await AuditEventModel.query(on: app.db).filter(\.$action == "grant.approve").all()
            #expect(approve.allSatisfy { $0.objectType == "grant" && $0.objectID == SiteURL.id(id) })
            #expect(approve.map(\.actor).sorted() == [world.aManager, world.tunisManager1].map { AuditActor.user($0.userID).value }.sorted())
            let ledger = try await LedgerEntryRecord.query(on: app.db).all()
            #expect(ledger.filter { $0.kind == .allocate }.count == 4)
            #expect(ledger.filter { $0.kind == .commit }.map(\.amount) == [FundWorld.partnerLimit + 1])
            #expect(ledger.filter { $0.kind == .disburse }.map(\.amount) == [50_000])
            #expect(ledger.filter { $0.kind == .release }.map(\.amount) == [FundWorld.partnerLimit + 1 - 50_000])
            // The hash chain still verifies, to the last event.
            let head = try await AuditLogCheck.verify(on: ProtectionTest.sql(app.db))
            #expect(head.sequence == Int64(try await AuditEventModel.query(on: app.db).count()))
        }
    }

    // MARK: Edits

    @Test func an_edited_request_is_approved_afresh_for_its_new_amount() async throws {
        try await withApp { app in
            let world = try await FundWorld.build(app)
            let id = try await world.request(app, 300_000, under: world.aAllocation, by: world.aOfficer)
            #expect(try await GrantWorkflow.approve(id, by: world.aManager, app: app) == false)
            try await GrantWorkflow.decide(id, .askInformation, note: "Which lawyer?", by: world.tunisManager1, app: app)
            // The requester lowers the amount under the partner's limit and sends it back.
            try await GrantWorkflow.update(id, .init(allocationID: world.aAllocation, caseID: nil, category: .legal, country: "CM", amount: 90_000,
                                                     details: .init(beneficiary: "Aline Mbarga", justification: "A cheaper lawyer")),
                                           by: world.aOfficer, app: app)
            try await GrantWorkflow.submit(id, note: nil, by: world.aOfficer, app: app)
            // The approval given to EUR 3 000 does not count for the new request: it waits for a new decision…
            #expect(try await approvals(app, id).isEmpty)
            #expect(try await world.grant(app, id).state == .submitted)
            // …which one approver now takes for EUR 900.
            #expect(try await GrantWorkflow.approve(id, by: world.tunisManager2, app: app))
            #expect(try await world.balance(app, world.aAllocation).committed == 90_000)
        }
    }
}
