@testable import App
import EgideCore
import Fluent
import Foundation
import Testing
import Vapor

/// Random sequences of allocations, requests, approvals, tranches in several currencies,
/// cancellations, completions and withdrawals never break the fund's balance: after every
/// operation the ledger's sums are those of the grant and allocation rows, nothing is negative,
/// nothing is paid beyond what was approved, and every approved grant went through four eyes.
/// Runs on SQLite, and on PostgreSQL when `EGIDE_TEST_DATABASE_URL` is set. A failure names its
/// seed: `EGIDE_FUND_SEED=<seed> swift test --filter FundBalanceProperties` replays it.
@Suite struct FundBalanceProperties {
    static let operations = 200
    static let seeds: [UInt64] = ProcessInfo.processInfo.environment["EGIDE_FUND_SEED"].flatMap { UInt64($0) }.map { [$0] }
        ?? [20_261_117, 0xE61D_E017]

    @Test(arguments: seeds) func random_sequences_never_break_the_balance(seed: UInt64) async throws {
        print("FundBalanceProperties: seed \(seed) (replay with EGIDE_FUND_SEED=\(seed))")
        try await withApp { app in
            let world = try await FundWorld.build(app)
            var run = FundRun(app: app, world: world, rng: SeededGenerator(seed: seed))
            try await run.checkInvariants(after: "the world")
            for step in 0..<Self.operations {
                let name = try await run.randomOperation()
                try await run.checkInvariants(after: "step \(step): \(name)")
                if run.failed { break }
            }
            let outcomes = run.outcomes.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            print("FundBalanceProperties: seed \(seed): \(outcomes)")
            // Not vacuous: money really moved in this run.
            for operation in ["allocate", "approve", "disburse", "request"] {
                #expect(run.outcomes["\(operation) ok", default: 0] > 0, "seed \(seed): no \(operation) succeeded")
            }
            #expect(run.outcomes["approve refused", default: 0] > 0, "seed \(seed): four eyes never refused anything")
        }
    }
}

/// One random run: the operations and the invariants.
struct FundRun {
    /// An operation, returning the allocation it made if any.
    typealias Action = @Sendable () async throws -> UUID?
    static let nothing: Action = { nil }
    static func act(_ body: @escaping @Sendable () async throws -> Void) -> Action { { try await body(); return nil } }
    let app: Application
    let world: FundWorld
    var rng: SeededGenerator
    var outcomes: [String: Int] = [:]
    /// Allocations in the order they were made: ids are random, so the order picks use must not depend on them.
    var order: [UUID]
    var history: [String] = []
    var failed = false

    var people: [Actor] { world.managers + [world.aOfficer, world.bOfficer] }
    var organisations: [OrganisationRecord] { [world.lyon, world.tunis, world.partnerA, world.partnerB] }

    mutating func pick<T>(_ items: [T]) -> T? { items.isEmpty ? nil : items[Int.random(in: 0..<items.count, using: &rng)] }
    mutating func chance(_ percent: Int) -> Bool { Int.random(in: 0..<100, using: &rng) < percent }
    mutating func amount(upTo maximum: Int64) -> Int64 { Int64.random(in: 1...max(1, maximum), using: &rng) }

    init(app: Application, world: FundWorld, rng: SeededGenerator) {
        self.app = app
        self.world = world
        self.rng = rng
        order = [world.tunisAllocation, world.lyonAllocation, world.aAllocation, world.bAllocation]
    }

    func allocations() async throws -> [AllocationRecord] {
        let rows = try await AllocationRecord.query(on: app.db).filter(\.$fundID == world.fund).all()
        let rank = Dictionary(uniqueKeysWithValues: order.enumerated().map { ($1, $0) })
        return rows.sorted { rank[$0.id!, default: .max] < rank[$1.id!, default: .max] }
    }

    func grants(_ states: [GrantState]) async throws -> [GrantRecord] {
        try await GrantRecord.query(on: app.db).filter(\.$fundID == world.fund).filter(\.$state ~~ states).sort(\.$sequence).all()
    }

    /// Runs one random operation; a `Refusal` or a 403/404 is an allowed outcome, anything else fails the run.
    mutating func randomOperation() async throws -> String {
        let roll = Int.random(in: 0..<100, using: &rng)
        let (name, action): (String, Action)
        switch roll {
        case 0..<12: (name, action) = try await allocateOperation()
        case 12..<18: (name, action) = try await settleOperation()
        case 18..<38: (name, action) = try await requestOperation()
        case 38..<63: (name, action) = try await approveOperation()
        case 63..<78: (name, action) = try await disburseOperation()
        case 78..<83: (name, action) = try await grantStep("cancel", [.approved, .disbursing]) { id, actor, app in
            try await GrantWorkflow.cancel(id, note: nil, by: actor, app: app)
        }
        case 83..<88: (name, action) = try await grantStep("complete", [.disbursing, .approved]) { id, actor, app in
            try await GrantWorkflow.completeDisbursement(id, by: actor, app: app)
        }
        case 88..<93: (name, action) = try await withdrawOperation()
        case 93..<96: (name, action) = try await grantStep("reject", [.submitted, .screening]) { id, actor, app in
            try await GrantWorkflow.decide(id, .reject, note: nil, by: actor, app: app)
        }
        case 96..<98: (name, action) = try await grantStep("close", [.disbursed]) { id, actor, app in
            try await GrantWorkflow.close(id, by: actor, app: app)
        }
        default: (name, action) = try await reviseOperation()
        }
        let verb = String(name.prefix { $0 != " " })
        history.append(name)
        if name.hasSuffix(" none") {  // nothing to act on yet
            outcomes["\(verb) none", default: 0] += 1
            return name
        }
        do {
            if let made = try await action() { order.append(made) }
            outcomes["\(verb) ok", default: 0] += 1
            history[history.count - 1] += " → ok"
        } catch let refusal as Refusal {
            outcomes["\(verb) refused", default: 0] += 1
            history[history.count - 1] += " → \(refusal.key)"
        } catch let abort as Abort where [.forbidden, .notFound].contains(abort.status) {
            outcomes["\(verb) \(abort.status.code)", default: 0] += 1
            history[history.count - 1] += " → \(abort.status.code)"
        } catch {
            fail("\(name) threw \(error)")
        }
        return name
    }

    mutating func allocateOperation() async throws -> (String, Action) {
        let active = try await allocations().filter { $0.state == .active }
        let source: AllocationRecord? = chance(25) ? nil : pick(active)
        let giver = source.map { parent in people.filter { $0.organisationID == parent.organisationID && $0.has(.fundManager) } }
            ?? [world.lyonManager1, world.lyonManager2, world.lyonAdmin]
        // Now and then someone outside the giving level tries.
        guard let actor = chance(85) ? pick(giver) : pick(people), let organisation = pick(organisations) else { return ("allocate none", Self.nothing) }
        let to = try organisation.requireID()
        let balances = try await FundLedger.balances(fund: world.fund, on: app.db)
        let available = source.map { balances.allocations[$0.id!]?.available ?? 0 } ?? FundWorld.budget - balances.allocatedFromFund
        let amount = amount(upTo: available + available / 5 + 1)
        let parentLimit = source?.delegationLimit ?? FundWorld.ceiling
        let limit = Int64.random(in: 0...(parentLimit + (chance(15) ? 1_000 : 0)), using: &rng)
        let (app, fund, parent) = (app, world.fund, source?.id)
        return ("allocate \(amount) limit \(limit) from \(parent.map(short) ?? "fund") to \(short(to)) by \(short(actor.userID))", {
            try await FundWorkflow.allocate(fund: fund, parent: parent, to: to, amount: amount, delegationLimit: limit, by: actor, app: app)
        })
    }

    mutating func settleOperation() async throws -> (String, Action) {
        guard let allocation = pick(try await allocations().filter { $0.state == .proposed }), let actor = pick(world.managers)
        else { return ("settle none", Self.nothing) }
        let confirm = chance(75), id = allocation.id!, app = app
        return ("settle \(short(id)) confirm \(confirm) by \(short(actor.userID))", Self.act {
            try await FundWorkflow.settleAllocation(id, confirm: confirm, by: actor, app: app)
        })
    }

    mutating func requestOperation() async throws -> (String, Action) {
        guard let allocation = pick(try await allocations().filter { $0.state == .active }) else { return ("request none", Self.nothing) }
        let requesters = people.filter { $0.organisationID == allocation.organisationID }
        guard let requester = chance(90) ? pick(requesters) : pick(people) else { return ("request none", Self.nothing) }
        // Under the partners' limit, between the limits, above Tunis's, now and then above the ceiling.
        let amount = [Int64.random(in: 1...100_000, using: &rng), Int64.random(in: 100_001...500_000, using: &rng),
                      Int64.random(in: 500_001...FundWorld.ceiling + 50_000, using: &rng)][Int.random(in: 0..<3, using: &rng)]
        let category = pick(SupportCategory.allCases)!
        let app = app, id = allocation.id!
        return ("request \(amount) under \(short(id)) by \(short(requester.userID))", Self.act {
            _ = try await GrantWorkflow.request(Self.draft(id, amount, category), submit: true, by: requester, app: app)
        })
    }

    static func draft(_ allocation: UUID, _ amount: Int64, _ category: SupportCategory) -> GrantWorkflow.GrantDraft {
        .init(allocationID: allocation, caseID: nil, category: category, country: "CM", amount: amount,
              details: .init(beneficiary: "Beneficiary \(amount)", justification: "Random", hostOrganisation: "Host"))
    }

    /// A decider asks for more information; the requester changes the amount and sends it back.
    mutating func reviseOperation() async throws -> (String, Action) {
        guard let grant = pick(try await grants([.submitted, .screening])), let decider = pick(world.managers),
              let requester = people.first(where: { $0.userID == grant.requestedBy }) else { return ("revise none", Self.nothing) }
        let amount = amount(upTo: FundWorld.tunisLimit + 100_000)
        let id = grant.id!, allocation = grant.allocationID, category = grant.category, app = app
        return ("revise \(grant.code) to \(amount) asked by \(short(decider.userID))", Self.act {
            try await GrantWorkflow.decide(id, .askInformation, note: "Why?", by: decider, app: app)
            try await GrantWorkflow.update(id, Self.draft(allocation, amount, category), by: requester, app: app)
            try await GrantWorkflow.submit(id, note: nil, by: requester, app: app)
        })
    }

    mutating func approveOperation() async throws -> (String, Action) {
        guard let grant = pick(try await grants([.submitted, .screening])), let actor = pick(world.managers + [world.aOfficer])
        else { return ("approve none", Self.nothing) }
        let id = grant.id!, app = app
        return ("approve \(grant.code) (\(grant.amount)) by \(short(actor.userID))", Self.act {
            _ = try await GrantWorkflow.approve(id, by: actor, app: app)
        })
    }

    /// A tranche in EUR, XAF, TND, CDF or USD, worth up to a little more than what is left to pay.
    mutating func disburseOperation() async throws -> (String, Action) {
        guard let grant = pick(try await grants([.approved, .disbursing])), let actor = pick(world.managers)
        else { return ("disburse none", Self.nothing) }
        let left = grant.amount - grant.disbursed
        // Mostly part of what is left, sometimes all of it, sometimes a little more than all of it.
        let roll = Int.random(in: 0..<10, using: &rng)
        let target = roll < 6 ? amount(upTo: left) : roll < 8 ? left : left + amount(upTo: max(1, left / 50))
        let currency = pick(["EUR", "XAF", "TND", "CDF", "USD"])!
        let nanos: Int64 = switch currency {
        case "XAF": 655_957_000_000
        case "TND": Int64.random(in: 3_200_000_000...3_450_000_000, using: &rng)
        case "CDF": Int64.random(in: 2_800_000_000_000...3_200_000_000_000, using: &rng)
        case "USD": Int64.random(in: 1_050_000_000...1_150_000_000, using: &rng)
        default: ExchangeRate.scale
        }
        // The paid amount whose value is about `target` cents (inputs only: the product converts exactly).
        let digits = Currency(code: currency)!.minorDigits
        let paid = max(1, Int64((Double(target) / 100 * Double(nanos) / 1e9 * pow(10, Double(digits))).rounded()))
        let tranche = FundWorld.tranche(paid, currency, rate: currency == "EUR" ? nil : nanos, method: pick(DisbursementMethod.allCases)!)
        let id = grant.id!, app = app
        return ("disburse \(paid) \(currency) at \(nanos) on \(grant.code) (left \(left)) by \(short(actor.userID))", Self.act {
            _ = try await GrantWorkflow.disburse(id, tranche, by: actor, app: app)
        })
    }

    mutating func withdrawOperation() async throws -> (String, Action) {
        guard let grant = pick(try await grants([.draft, .submitted, .screening, .moreInformation])) else { return ("withdraw none", Self.nothing) }
        let requester = people.first { $0.userID == grant.requestedBy }
        guard let actor = chance(85) ? requester : pick(people) else { return ("withdraw none", Self.nothing) }
        let id = grant.id!, app = app
        return ("withdraw \(grant.code) by \(short(actor.userID))", Self.act { try await GrantWorkflow.withdraw(id, note: nil, by: actor, app: app) })
    }

    mutating func grantStep(_ verb: String, _ states: [GrantState], _ body: @escaping @Sendable (UUID, Actor, Application) async throws -> Void)
        async throws -> (String, Action) {
        guard let grant = pick(try await grants(states)), let actor = pick(world.managers) else { return ("\(verb) none", Self.nothing) }
        let id = grant.id!, app = app
        return ("\(verb) \(grant.code) (\(grant.state.rawValue)) by \(short(actor.userID))", Self.act { try await body(id, actor, app) })
    }

    func short(_ id: UUID) -> String { String(id.uuidString.prefix(6)) }

    mutating func fail(_ message: String, sourceLocation: SourceLocation = #_sourceLocation) {
        failed = true
        Issue.record(Comment(rawValue: "\(message)\nlast operations:\n  " + history.suffix(12).joined(separator: "\n  ")), sourceLocation: sourceLocation)
    }

    // MARK: Invariants

    /// The ledger against the rows, after `step`.
    mutating func checkInvariants(after step: String) async throws {
        let db = app.db
        let fund = try #require(try await FundRecord.find(world.fund, on: db))
        let balances = try await FundLedger.balances(fund: world.fund, on: db)
        let allocations = try await allocations()
        let grants = try await grants(GrantState.allCases)
        let tranches = Dictionary(grouping: try await DisbursementRecord.query(on: db).all(), by: \.grantID)
        let approvals = Dictionary(grouping: try await GrantApprovalRecord.query(on: db).all(), by: \.grantID)
        let commits = Dictionary(grouping: try await LedgerEntryRecord.query(on: db).filter(\.$kind == .commit).all(), by: { $0.grantID! })
        let byID = Dictionary(uniqueKeysWithValues: allocations.map { ($0.id!, $0) })
        var problems: [String] = []

        // The fund: what left it for its root allocations never exceeds its budget.
        let roots = allocations.filter { $0.parentID == nil && $0.state != .withdrawn }.reduce(0) { $0 + $1.amount }
        if balances.allocatedFromFund != roots { problems.append("allocated from the fund \(balances.allocatedFromFund) ≠ root rows \(roots)") }
        if !(0...fund.budget).contains(balances.allocatedFromFund) { problems.append("allocated from the fund \(balances.allocatedFromFund) outside the budget") }
        if !Set(balances.allocations.keys).isSubset(of: byID.keys) { problems.append("ledger entries of unknown allocations") }

        for allocation in allocations {
            let id = allocation.id!
            let b = balances.allocations[id] ?? AllocationBalance()
            let under = grants.filter { $0.allocationID == id }
            var expected = AllocationBalance()
            expected.received = allocation.state == .withdrawn ? 0 : allocation.amount
            expected.allocatedOn = allocations.filter { $0.parentID == id && $0.state != .withdrawn }.reduce(0) { $0 + $1.amount }
            expected.committed = under.reduce(0) { $0 + ($1.state.holdsCommitment ? $1.amount : $1.disbursed) }
            expected.disbursed = under.reduce(0) { $0 + $1.disbursed }
            let paid = under.reduce(0) { sum, grant in sum + (tranches[grant.id!] ?? []).reduce(0) { $0 + $1.amount } }
            if b != expected { problems.append("allocation \(short(id)): ledger \(b) ≠ rows \(expected)") }
            if paid != b.disbursed { problems.append("allocation \(short(id)): tranches \(paid) ≠ ledger disbursed \(b.disbursed)") }
            if b.available < 0 { problems.append("allocation \(short(id)): available \(b.available) < 0") }
            if b.disbursed > b.committed || b.committed < 0 { problems.append("allocation \(short(id)): disbursed \(b.disbursed) > committed \(b.committed)") }
            // The sums the workflows read (`only:`) are the statement's.
            let own = try await FundLedger.balances(fund: world.fund, only: id, on: db).allocations[id] ?? AllocationBalance()
            if own != b { problems.append("allocation \(short(id)): balances(only:) \(own) ≠ \(b)") }
            if let parent = allocation.parentID.flatMap({ byID[$0] }), allocation.delegationLimit > parent.delegationLimit {
                problems.append("allocation \(short(id)): limit above its parent's")
            }
            if allocation.state == .active, allocation.confirmedBy == nil || allocation.confirmedBy == allocation.proposedBy {
                problems.append("allocation \(short(id)): active without a second person")
            }
        }

        for grant in grants {
            let id = grant.id!
            if grant.disbursed < 0 || grant.disbursed > grant.amount { problems.append("\(grant.code): disbursed \(grant.disbursed) of \(grant.amount)") }
            if (tranches[id] ?? []).reduce(0, { $0 + $1.amount }) != grant.disbursed { problems.append("\(grant.code): tranches ≠ disbursed") }
            let decided = GrantState.approvedOrLater.contains(grant.state) || grant.state == .cancelled
            if (commits[id]?.count ?? 0) != (decided ? 1 : 0) { problems.append("\(grant.code) (\(grant.state.rawValue)): \(commits[id]?.count ?? 0) commitments") }
            guard decided else { continue }
            // Four eyes: distinct approvers, none the requester, covering every level the amount needs.
            let recorded = approvals[id] ?? []
            var chain: [ApprovalLevel] = []
            var next: UUID? = grant.allocationID
            while let current = next.flatMap({ byID[$0] }) {
                chain.append(ApprovalLevel(organisationID: current.organisationID, delegationLimit: current.delegationLimit))
                next = current.parentID
            }
            chain.append(ApprovalLevel(organisationID: fund.organisationID, delegationLimit: nil))
            let users = recorded.map(\.userID)
            if Set(users).count != users.count || users.contains(grant.requestedBy) { problems.append("\(grant.code): approvers \(users.map(short))") }
            if !FourEyes.isComplete(recorded.map { RecordedApproval(userID: $0.userID, level: $0.level) }, amount: grant.amount, chain: chain) {
                problems.append("\(grant.code): approved without every level (\(recorded.map(\.level)))")
            }
            if let ceiling = fund.grantCeiling, grant.amount > ceiling { problems.append("\(grant.code): above the ceiling") }
        }
        if !problems.isEmpty { fail("after \(step):\n  " + problems.joined(separator: "\n  ")) }
    }
}
