@testable import App
import EgideCore
import Fluent
import Foundation
import Testing
import Vapor

/// Approvals and sub-allocations racing for the last money of one allocation: exactly one wins,
/// the others are refused, and the ledger never commits more than the allocation holds. On
/// PostgreSQL (`EGIDE_TEST_DATABASE_URL`) the racers run on separate connections and only the
/// row lock on the allocation keeps them apart.
@Suite struct FundConcurrencyTests {
    static let racers = 8
    static let rounds = 3

    /// What each racer did: won, or was refused with a key; anything else is a failure.
    enum Outcome: Sendable, Equatable {
        case won
        case refused(String)
        case failed(String)
    }

    /// Eight fund managers of partner A, each the approver of one grant of its own.
    static func approvers(_ app: Application, _ world: FundWorld) async throws -> [Actor] {
        var approvers: [Actor] = []
        for index in 0..<racers {
            approvers.append(try await FundWorld.person(app, in: world.partnerA, [.fundManager], "A approver \(index)"))
        }
        return approvers
    }

    /// A confirmed allocation Tunis → A of `amount`, whose grants A approves alone.
    static func tightAllocation(_ app: Application, _ world: FundWorld, _ amount: Int64) async throws -> UUID {
        try await FundWorld.allocate(app, fund: world.fund, parent: world.tunisAllocation, to: world.partnerA, amount,
                                     limit: FundWorld.partnerLimit, by: world.tunisManager1, confirm: world.tunisManager2)
    }

    static func race(_ jobs: [@Sendable () async throws -> Void]) async -> [Outcome] {
        await withTaskGroup(of: Outcome.self) { group in
            for job in jobs {
                group.addTask {
                    do {
                        try await job()
                        return .won
                    } catch let refusal as Refusal {
                        return .refused(refusal.key)
                    } catch {
                        return .failed(String(describing: error))
                    }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
    }

    @Test func parallel_approvals_for_the_last_money_of_an_allocation_approve_exactly_one() async throws {
        try await withApp { app in
            let world = try await FundWorld.build(app)
            let approvers = try await Self.approvers(app, world)
            for round in 0..<Self.rounds {
                let amount: Int64 = 50_000
                let allocation = try await Self.tightAllocation(app, world, amount)
                var grants: [UUID] = []
                for _ in 0..<Self.racers { grants.append(try await world.request(app, amount, under: allocation, by: world.aOfficer)) }

                let outcomes = await Self.race(zip(grants, approvers).map { grant, approver in
                    { _ = try await GrantWorkflow.approve(grant, by: approver, app: app) }
                })

                #expect(outcomes.filter { $0 == .won }.count == 1, "round \(round): \(outcomes)")
                #expect(outcomes.filter { $0 == .refused("grant.refusal.insufficient") }.count == Self.racers - 1, "round \(round): \(outcomes)")
                let balance = try await world.balance(app, allocation)
                #expect(balance.committed == amount && balance.available == 0, "round \(round): \(balance)")
                let states = try await GrantRecord.query(on: app.db).filter(\.$id ~~ grants).all().map(\.state)
                #expect(states.filter { $0 == .approved }.count == 1)
                // The losers are as they were: their refused step, moving them into screening, was rolled back.
                #expect(states.filter { $0 == .submitted }.count == Self.racers - 1)
                // The losers' approvals were rolled back with their refusal.
                #expect(try await GrantApprovalRecord.query(on: app.db).filter(\.$grantID ~~ grants).count() == 1)
                let commits = try await LedgerEntryRecord.query(on: app.db).filter(\.$allocationID == allocation).filter(\.$kind == .commit).count()
                #expect(commits == 1)
            }
        }
    }

    @Test func approvals_and_sub_allocations_racing_for_the_same_money_never_overspend() async throws {
        try await withApp { app in
            let world = try await FundWorld.build(app)
            let approvers = try await Self.approvers(app, world)
            let b = try world.partnerB.requireID()
            for round in 0..<Self.rounds {
                let amount: Int64 = 40_000
                let allocation = try await Self.tightAllocation(app, world, amount)
                var grants: [UUID] = []
                for _ in 0..<(Self.racers / 2) { grants.append(try await world.request(app, amount, under: allocation, by: world.aOfficer)) }
                var jobs: [@Sendable () async throws -> Void] = zip(grants, approvers).map { grant, approver in
                    { _ = try await GrantWorkflow.approve(grant, by: approver, app: app) }
                }
                for approver in approvers.suffix(Self.racers / 2) {
                    jobs.append {
                        _ = try await FundWorkflow.allocate(fund: world.fund, parent: allocation, to: b, amount: amount, delegationLimit: 0,
                                                            by: approver, app: app)
                    }
                }

                let outcomes = await Self.race(jobs)

                #expect(outcomes.filter { $0 == .won }.count == 1, "round \(round): \(outcomes)")
                #expect(outcomes.allSatisfy { $0 == .won || $0 == .refused("grant.refusal.insufficient") || $0 == .refused("fund.refusal.insufficient") },
                        "round \(round): \(outcomes)")
                let balance = try await world.balance(app, allocation)
                #expect(balance.committed + balance.allocatedOn == amount && balance.available == 0, "round \(round): \(balance)")
            }
        }
    }
}
