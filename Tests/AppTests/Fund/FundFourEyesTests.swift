@testable import App
import EgideCore
import Fluent
import Foundation
import Testing
import Vapor

/// The four-eyes rule and partner isolation on a real database: who may approve which grant,
/// who confirms an allocation, and what a sibling partner may know of another's money.
@Suite struct FundFourEyesTests {
    func approvals(_ app: Application, _ grant: UUID) async throws -> [GrantApprovalRecord] {
        try await GrantApprovalRecord.query(on: app.db).filter(\.$grantID == grant).sort(\.$level).all()
    }

    func events(_ app: Application, _ action: String) async throws -> Int {
        try await AuditEventModel.query(on: app.db).filter(\.$action == action).count()
    }

    // MARK: Four eyes

    @Test func a_requester_never_approves_their_own_request_not_even_an_administrator_fund_manager() async throws {
        try await withApp { app in
            let world = try await FundWorld.build(app)
            // The administrator, also a fund manager, asks for a grant under Lyon's own allocation.
            let own = try await world.request(app, 50_000, under: world.lyonAllocation, by: world.lyonAdmin, country: "FR")
            await expectRefusal("grant.refusal.ownRequest") { try await GrantWorkflow.approve(own, by: world.lyonAdmin, app: app) }
            #expect(try await world.grant(app, own).state == .submitted)  // nothing of the refused step stays
            #expect(try await approvals(app, own).isEmpty)
            #expect(try await events(app, "grant.approve") == 0)
            #expect(try await GrantWorkflow.approve(own, by: world.lyonManager1, app: app))
            #expect(try await world.grant(app, own).state == .approved)

            // Above Lyon's own limit it takes two other people; the administrator is never one.
            let large = try await world.request(app, 300_000, under: world.lyonAllocation, by: world.lyonAdmin, country: "FR")
            #expect(try await GrantWorkflow.approve(large, by: world.lyonManager1, app: app) == false)
            await expectRefusal("grant.refusal.ownRequest") { try await GrantWorkflow.approve(large, by: world.lyonAdmin, app: app) }
            #expect(try await world.grant(app, large).state == .screening)
            #expect(try await GrantWorkflow.approve(large, by: world.lyonManager2, app: app))

            // A partner's fund manager and their own request; an officer is no approver at all, even of a grant they see.
            let partners = try await world.request(app, 50_000, under: world.aAllocation, by: world.aManager)
            await expectRefusal("grant.refusal.ownRequest") { try await GrantWorkflow.approve(partners, by: world.aManager, app: app) }
            #expect(try await world.grant(app, partners).state == .submitted)
            let officers = try await world.request(app, 50_000, under: world.aAllocation, by: world.aOfficer)
            await expectAbort(.forbidden) { try await GrantWorkflow.approve(officers, by: world.aOfficer, app: app) }
            await expectAbort(.notFound) { try await GrantWorkflow.approve(partners, by: world.aOfficer, app: app) }  // not theirs: not even seen
        }
    }

    @Test func under_the_partner_limit_one_partner_approver_suffices() async throws {
        try await withApp { app in
            let world = try await FundWorld.build(app)
            let id = try await world.request(app, FundWorld.partnerLimit, under: world.aAllocation, by: world.aOfficer)
            #expect(try await GrantWorkflow.approve(id, by: world.aManager, app: app))
            let grant = try await world.grant(app, id)
            #expect(grant.state == .approved && grant.decidedAt != nil)
            #expect(try await world.balance(app, world.aAllocation).committed == FundWorld.partnerLimit)
            let recorded = try #require(try await approvals(app, id).first)
            #expect(recorded.userID == world.aManager.userID && recorded.level == 0)
            #expect(recorded.allocationID == world.aAllocation && recorded.delegationLimit == FundWorld.partnerLimit)
        }
    }

    @Test func above_the_partner_limit_a_partner_approval_waits_for_tunis_or_lyon() async throws {
        try await withApp { app in
            let world = try await FundWorld.build(app)
            let amount = FundWorld.partnerLimit + 1

            // A partner approver alone leaves it in screening; Tunis completes it.
            let first = try await world.request(app, amount, under: world.aAllocation, by: world.aOfficer)
            #expect(try await GrantWorkflow.approve(first, by: world.aManager, app: app) == false)
            #expect(try await world.grant(app, first).state == .screening)
            #expect(try await world.balance(app, world.aAllocation).committed == 0)
            #expect(try await GrantWorkflow.approve(first, by: world.tunisManager1, app: app))
            #expect(try await approvals(app, first).map(\.level) == [0, 1])
            #expect(try await world.balance(app, world.aAllocation).committed == amount)

            // Lyon, the fund's owner, may be the second approver too.
            let second = try await world.request(app, amount, under: world.aAllocation, by: world.aOfficer)
            #expect(try await GrantWorkflow.approve(second, by: world.aManager, app: app) == false)
            #expect(try await GrantWorkflow.approve(second, by: world.lyonManager2, app: app))
            #expect(try await approvals(app, second).map(\.level) == [0, 2])

            // Two Tunis approvers: the higher level stands for the partner's.
            let third = try await world.request(app, amount, under: world.aAllocation, by: world.aOfficer)
            #expect(try await GrantWorkflow.approve(third, by: world.tunisManager1, app: app) == false)
            #expect(try await GrantWorkflow.approve(third, by: world.tunisManager2, app: app))

            // Above Tunis's limit too: partner, Tunis, then Lyon; a second Tunis approver adds nothing.
            let large = try await world.request(app, FundWorld.tunisLimit + 1, under: world.aAllocation, by: world.aOfficer)
            #expect(try await GrantWorkflow.approve(large, by: world.aManager, app: app) == false)
            #expect(try await GrantWorkflow.approve(large, by: world.tunisManager1, app: app) == false)
            await expectRefusal("grant.refusal.higherLevelNeeded") { try await GrantWorkflow.approve(large, by: world.tunisManager2, app: app) }
            #expect(try await world.grant(app, large).state == .screening)
            #expect(try await GrantWorkflow.approve(large, by: world.lyonManager1, app: app))
            #expect(try await approvals(app, large).map(\.level) == [0, 1, 2])
        }
    }

    @Test func at_the_owner_s_level_only_the_fund_s_named_managers_approve() async throws {
        try await withApp { app in
            let world = try await FundWorld.build(app)
            let outsider = try await FundWorld.person(app, in: world.lyon, [.fundManager], "Lyon manager of another fund")
            let id = try await world.request(app, FundWorld.partnerLimit + 1, under: world.aAllocation, by: world.aOfficer)
            #expect(try await GrantWorkflow.approve(id, by: world.aManager, app: app) == false)
            await expectRefusal("grant.refusal.notFundManager") { try await GrantWorkflow.approve(id, by: outsider, app: app) }
            #expect(try await approvals(app, id).count == 1)
            #expect(try await GrantWorkflow.approve(id, by: world.lyonAdmin, app: app))  // a named manager, not the requester
        }
    }

    @Test func above_the_fund_ceiling_nobody_approves() async throws {
        try await withApp { app in
            let world = try await FundWorld.build(app)
            let above = try await world.request(app, FundWorld.ceiling + 1, under: world.tunisAllocation, by: world.tunisManager1, country: "TN")
            for approver in [world.tunisManager2, world.lyonManager1, world.lyonAdmin] {
                await expectRefusal("grant.refusal.aboveCeiling") { try await GrantWorkflow.approve(above, by: approver, app: app) }
            }
            #expect(try await approvals(app, above).isEmpty)
            #expect(try await world.grant(app, above).state == .submitted)
            // The ceiling itself is allowed (above Tunis's limit: Tunis then Lyon).
            let at = try await world.request(app, FundWorld.ceiling, under: world.tunisAllocation, by: world.tunisManager1, country: "TN")
            #expect(try await GrantWorkflow.approve(at, by: world.tunisManager2, app: app) == false)
            #expect(try await GrantWorkflow.approve(at, by: world.lyonManager1, app: app))
        }
    }

    @Test func one_person_approves_a_grant_once() async throws {
        try await withApp { app in
            let world = try await FundWorld.build(app)
            let id = try await world.request(app, FundWorld.partnerLimit + 1, under: world.aAllocation, by: world.aOfficer)
            #expect(try await GrantWorkflow.approve(id, by: world.tunisManager1, app: app) == false)
            await expectRefusal("grant.refusal.alreadyApproved") { try await GrantWorkflow.approve(id, by: world.tunisManager1, app: app) }
            #expect(try await approvals(app, id).count == 1)
            #expect(try await world.grant(app, id).state == .screening)
            #expect(try await events(app, "grant.approve") == 1)
        }
    }

    @Test func an_allocation_is_confirmed_by_a_second_person_never_its_proposer_nor_its_recipient() async throws {
        try await withApp { app in
            let world = try await FundWorld.build(app)
            let root = try await FundWorkflow.allocate(fund: world.fund, parent: nil, to: try world.partnerA.requireID(), amount: 100_000,
                                                       delegationLimit: 50_000, by: world.lyonManager1, app: app)
            await expectRefusal("fund.refusal.ownAllocation") { try await FundWorkflow.settleAllocation(root, confirm: true, by: world.lyonManager1, app: app) }
            #expect(try await AllocationRecord.find(root, on: app.db)?.state == .proposed)
            try await FundWorkflow.settleAllocation(root, confirm: true, by: world.lyonAdmin, app: app)
            let confirmed = try #require(try await AllocationRecord.find(root, on: app.db))
            #expect(confirmed.state == .active && confirmed.confirmedBy == world.lyonAdmin.userID)

            let sub = try await FundWorkflow.allocate(fund: world.fund, parent: world.tunisAllocation, to: try world.partnerA.requireID(),
                                                      amount: 100_000, delegationLimit: 50_000, by: world.tunisManager1, app: app)
            await expectRefusal("fund.refusal.ownAllocation") { try await FundWorkflow.settleAllocation(sub, confirm: true, by: world.tunisManager1, app: app) }
            await expectAbort(.forbidden) { try await FundWorkflow.settleAllocation(sub, confirm: true, by: world.aManager, app: app) }
            // Nor a Lyon fund manager: the giving level is Tunis.
            await expectAbort(.forbidden) { try await FundWorkflow.settleAllocation(sub, confirm: true, by: world.lyonManager1, app: app) }
            #expect(try await AllocationRecord.find(sub, on: app.db)?.state == .proposed)
            // Its proposer may withdraw it: the amount returns to Tunis.
            let before = try await world.balance(app, world.tunisAllocation).available
            try await FundWorkflow.settleAllocation(sub, confirm: false, by: world.tunisManager1, app: app)
            #expect(try await world.balance(app, world.tunisAllocation).available == before + 100_000)
            #expect(try await world.balance(app, sub).received == 0)
            await expectRefusal("fund.refusal.notProposed") { try await FundWorkflow.settleAllocation(sub, confirm: true, by: world.tunisManager2, app: app) }
        }
    }

    // MARK: Isolation

    @Test func a_sibling_partner_s_grant_and_allocation_answer_404() async throws {
        try await withApp { app in
            let world = try await FundWorld.build(app)
            let grant = try await world.request(app, 50_000, under: world.aAllocation, by: world.aOfficer)
            let b = try world.partnerB.requireID()

            let scopeB = try await FundQueries.scope(for: world.bManager, on: app.db)
            #expect(scopeB.allocations == [world.bAllocation])
            #expect(try await FundQueries.scope(for: world.aManager, on: app.db).allocations == [world.aAllocation])
            #expect(try await FundQueries.scope(for: world.tunisManager1, on: app.db).allocations == [world.tunisAllocation, world.aAllocation, world.bAllocation])
            #expect(try await FundQueries.scope(for: world.lyonManager1, on: app.db).allocations.count == 4)

            for sibling in [world.bManager, world.bOfficer] {
                await expectAbort(.notFound) { _ = try await FundQueries.grant(grant, for: sibling, on: app.db) }
                #expect(try await FundQueries.visibleGrants(to: sibling, scope: FundQueries.scope(for: sibling, on: app.db), on: app.db).count() == 0)
            }
            await expectAbort(.notFound) { try await GrantWorkflow.approve(grant, by: world.bManager, app: app) }
            await expectAbort(.notFound) { try await GrantWorkflow.decide(grant, .reject, note: nil, by: world.bManager, app: app) }
            await expectAbort(.notFound) { try await FundWorkflow.settleAllocation(world.aAllocation, confirm: false, by: world.bManager, app: app) }
            await expectAbort(.notFound) {
                _ = try await FundWorkflow.allocate(fund: world.fund, parent: world.aAllocation, to: b, amount: 1, delegationLimit: 0, by: world.bManager, app: app)
            }
            await expectAbort(.notFound) { _ = try await world.request(app, 1_000, under: world.aAllocation, by: world.bOfficer) }
            // Nor does a partner reach its parent's allocation.
            await expectAbort(.notFound) { _ = try await world.request(app, 1_000, under: world.tunisAllocation, by: world.aManager) }
            // Partner A itself sees its grant.
            #expect(try await FundQueries.grant(grant, for: world.aManager, on: app.db).0.id == grant)
            #expect(try await world.grant(app, grant).state == .submitted)
        }
    }
}
