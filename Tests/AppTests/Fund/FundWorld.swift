@testable import App
import EgideCore
import Fluent
import Foundation
import Testing
import Vapor

/// The emergency fund's test world: Lyon (host) opens a fund in EUR, allocates to the Tunis office
/// (consortium member), which sub-allocates to two sibling local partners. Built through the
/// workflows themselves, so every row and ledger entry is one the product would write.
struct FundWorld {
    /// Amounts in euro cents.
    static let budget: Int64 = 10_000_000          // EUR 100 000
    static let ceiling: Int64 = 1_000_000          // EUR 10 000 per grant
    static let tunisAmount: Int64 = 5_000_000      // EUR 50 000 to Tunis
    static let tunisLimit: Int64 = 500_000         // Tunis approves alone up to EUR 5 000
    static let lyonAmount: Int64 = 500_000         // EUR 5 000 kept by Lyon for its own grants
    static let lyonLimit: Int64 = 200_000
    static let partnerAmount: Int64 = 1_000_000    // EUR 10 000 to each partner
    static let partnerLimit: Int64 = 100_000       // partners approve alone up to EUR 1 000

    var lyon: OrganisationRecord, tunis: OrganisationRecord, partnerA: OrganisationRecord, partnerB: OrganisationRecord
    /// Lyon: two fund managers and an administrator who is also a fund manager.
    var lyonManager1: Actor, lyonManager2: Actor, lyonAdmin: Actor
    var tunisManager1: Actor, tunisManager2: Actor
    var aManager: Actor, aOfficer: Actor
    var bManager: Actor, bOfficer: Actor
    var fund: UUID
    /// Fund → Tunis, fund → Lyon itself, Tunis → A, Tunis → B; all confirmed.
    var tunisAllocation: UUID, lyonAllocation: UUID, aAllocation: UUID, bAllocation: UUID

    /// Every fund manager of the world.
    var managers: [Actor] { [lyonManager1, lyonManager2, lyonAdmin, tunisManager1, tunisManager2, aManager, bManager] }

    static func actor(_ app: Application, _ account: TestAccount) async throws -> Actor {
        try await Accounts.actor(for: try #require(try await UserRecord.find(account.id, on: app.db)), on: app.db)
    }

    static func person(_ app: Application, in organisation: OrganisationRecord, _ roles: Set<Role>, _ name: String) async throws -> Actor {
        try await actor(app, try await Fixtures.account(app, in: organisation, roles: roles, name: name))
    }

    static func build(_ app: Application) async throws -> FundWorld {
        let lyon = try await Fixtures.organisation(app, type: .host, slug: "lyon", country: "FR", name: "Lyon head office")
        let tunis = try await Fixtures.organisation(app, type: .consortiumMember, slug: "tunis", country: "TN", name: "Tunis office")
        let partnerA = try await Fixtures.organisation(app, type: .partner, slug: "partner-a", country: "CM", name: "Partner A")
        let partnerB = try await Fixtures.organisation(app, type: .partner, slug: "partner-b", country: "CD", name: "Partner B")
        let lyon1 = try await person(app, in: lyon, [.fundManager], "Lyon manager 1")
        let lyon2 = try await person(app, in: lyon, [.fundManager], "Lyon manager 2")
        let admin = try await person(app, in: lyon, [.administrator, .fundManager], "Lyon administrator")
        let tunis1 = try await person(app, in: tunis, [.fundManager], "Tunis manager 1")
        let tunis2 = try await person(app, in: tunis, [.fundManager], "Tunis manager 2")
        let aManager = try await person(app, in: partnerA, [.fundManager], "A manager")
        let aOfficer = try await person(app, in: partnerA, [.protectionOfficer], "A officer")
        let bManager = try await person(app, in: partnerB, [.fundManager], "B manager")
        let bOfficer = try await person(app, in: partnerB, [.protectionOfficer], "B officer")

        let fund = try await FundWorkflow.createFund(
            .init(name: "EU emergency fund", donor: "European Union", currency: "EUR", budget: budget, startsOn: "2026-01-01",
                  endsOn: "2026-12-31", ceiling: ceiling, criteria: "Defenders at risk", managers: [lyon2.userID, admin.userID]),
            by: lyon1, app: app)
        let tunisAllocation = try await allocate(app, fund: fund, parent: nil, to: tunis, tunisAmount, limit: tunisLimit, by: lyon1, confirm: lyon2)
        let lyonAllocation = try await allocate(app, fund: fund, parent: nil, to: lyon, lyonAmount, limit: lyonLimit, by: lyon2, confirm: lyon1)
        let aAllocation = try await allocate(app, fund: fund, parent: tunisAllocation, to: partnerA, partnerAmount, limit: partnerLimit,
                                             by: tunis1, confirm: tunis2)
        let bAllocation = try await allocate(app, fund: fund, parent: tunisAllocation, to: partnerB, partnerAmount, limit: partnerLimit,
                                             by: tunis2, confirm: tunis1)
        return FundWorld(lyon: lyon, tunis: tunis, partnerA: partnerA, partnerB: partnerB, lyonManager1: lyon1, lyonManager2: lyon2,
                         lyonAdmin: admin, tunisManager1: tunis1, tunisManager2: tunis2, aManager: aManager, aOfficer: aOfficer,
                         bManager: bManager, bOfficer: bOfficer, fund: fund, tunisAllocation: tunisAllocation, lyonAllocation: lyonAllocation,
                         aAllocation: aAllocation, bAllocation: bAllocation)
    }

    /// Proposes an allocation and has a second fund manager confirm it.
    static func allocate(_ app: Application, fund: UUID, parent: UUID?, to organisation: OrganisationRecord, _ amount: Int64, limit: Int64,
                         by proposer: Actor, confirm confirmer: Actor) async throws -> UUID {
        let id = try await FundWorkflow.allocate(fund: fund, parent: parent, to: try organisation.requireID(), amount: amount,
                                                 delegationLimit: limit, by: proposer, app: app)
        try await FundWorkflow.settleAllocation(id, confirm: true, by: confirmer, app: app)
        return id
    }

    /// A submitted request of `amount` cents under `allocation`, by `requester`.
    func request(_ app: Application, _ amount: Int64, under allocation: UUID, by requester: Actor,
                 category: SupportCategory = .legal, country: String = "CM") async throws -> UUID {
        try await GrantWorkflow.request(
            .init(allocationID: allocation, caseID: nil, category: category, country: country, amount: amount,
                  details: .init(beneficiary: "Aline Mbarga", justification: "Lawyer for the hearing")),
            submit: true, by: requester, app: app)
    }

    func grant(_ app: Application, _ id: UUID) async throws -> GrantRecord {
        try #require(try await GrantRecord.find(id, on: app.db))
    }

    func balance(_ app: Application, _ allocation: UUID) async throws -> AllocationBalance {
        try await FundLedger.balances(fund: fund, on: app.db).allocations[allocation] ?? AllocationBalance()
    }

    /// A tranche paid on the fund's first day.
    static func tranche(_ minor: Int64, _ currency: String, rate: Int64? = nil, method: DisbursementMethod = .bankTransfer) -> GrantWorkflow.Tranche {
        .init(method: method, paid: Money(minorUnits: minor, currency: currency), rateNanos: rate, rateOn: "2026-03-01", paidOn: "2026-03-02")
    }
}

/// Checks that `body` is refused with the catalogue key `key` (a `Refusal`).
func expectRefusal(_ key: String, sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> Void) async {
    do {
        try await body()
        Issue.record(Comment(rawValue: "expected the refusal \(key), but it succeeded"), sourceLocation: sourceLocation)
    } catch let refusal as Refusal {
        #expect(refusal.key == key, sourceLocation: sourceLocation)
    } catch {
        Issue.record(Comment(rawValue: "expected the refusal \(key), got \(error)"), sourceLocation: sourceLocation)
    }
}

/// Checks that `body` answers with HTTP status `status` (an `Abort`: 404 outside one's scope, 403 in it).
func expectAbort(_ status: HTTPResponseStatus, sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> Void) async {
    do {
        try await body()
        Issue.record(Comment(rawValue: "expected \(status.code), but it succeeded"), sourceLocation: sourceLocation)
    } catch let abort as Abort {
        #expect(abort.status == status, sourceLocation: sourceLocation)
    } catch {
        Issue.record(Comment(rawValue: "expected \(status.code), got \(error)"), sourceLocation: sourceLocation)
    }
}
