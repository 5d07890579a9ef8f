import App
import EgideCore
import EgideDemo
import Fluent
import Foundation
import SQLKit
import Vapor

/// The generator of `egide bench fund`: one fund, 22 allocations in three levels, N grants and E
/// ledger entries written directly (see `FundBench`).
extension FundBench {
    /// Who and what the measured queries use.
    struct Population: Sendable {
        var fund: UUID
        /// A fund manager of the fund's owner (who sees the whole statement).
        var owner: Actor
        var allocations: [UUID]
        var grants: Int
        var entries: Int
        /// The day the "as of" statement is drawn up for.
        var asOf: Date
    }

    /// One allocation of the tree: its level, parent, share of the grants and where they go.
    struct Node {
        var name: String
        var type: OrganisationType
        var level: Int
        var parent: Int?
        var share: Double
        var countries: [String]
        var limit: Int64
    }

    static let regions: [[String]] = [["TN", "LY", "EG", "LB"], ["CM", "CD", "CF", "BI", "TD"], ["CO", "GT", "HN", "MX"]]
    static let allCountries = regions.flatMap { $0 } + ["GE", "AM", "UA", "SN"]
    static let categories: [(SupportCategory, Double)] = [
        (.urgentRelocation, 5), (.legal, 5), (.medicalPsychosocial, 5), (.digitalSecurity, 4), (.physicalSecurity, 4), (.humanitarianFamily, 3),
        (.secureTransport, 2), (.communications, 2), (.urgentMonitoring, 2), (.securityCapacityBuilding, 1), (.other, 1),
    ]
    static let states: [(GrantState, Double)] = [
        (.draft, 0.03), (.submitted, 0.04), (.screening, 0.03), (.moreInformation, 0.02), (.rejected, 0.08), (.withdrawn, 0.03),
        (.approved, 0.05), (.disbursing, 0.08), (.disbursed, 0.10), (.reportDue, 0.12), (.justified, 0.10), (.closed, 0.30), (.cancelled, 0.02),
    ]

    /// The owner's own allocation and three regional offices, from the fund; two national partners
    /// under each office; two local partners under each national one (22 allocations).
    static func tree() -> [Node] {
        var nodes = [Node(name: "Bench fund owner", type: .host, level: 1, parent: nil, share: 0.15, countries: allCountries, limit: 10_000_00)]
        for (region, countries) in regions.enumerated() {
            nodes.append(Node(name: "Regional office \(region + 1)", type: .consortiumMember, level: 1, parent: nil, share: 0.05, countries: countries, limit: 5_000_00))
            let office = nodes.count - 1
            for national in 0..<2 {
                nodes.append(Node(name: "National partner \(region + 1).\(national + 1)", type: .partner, level: 2, parent: office, share: 0.05,
                                  countries: countries, limit: 2_000_00))
                let parent = nodes.count - 1
                for local in 0..<2 {
                    nodes.append(Node(name: "Local partner \(region + 1).\(national + 1).\(local + 1)", type: .partner, level: 3, parent: parent,
                                      share: 0.4 / 12, countries: countries, limit: 1_000_00))
                }
            }
        }
        return nodes
    }

    /// One grant before it is written.
    struct Grant {
        var id: UUID
        var node: Int
        var category: SupportCategory
        var country: String
        var amount: Int64
        var state: GrantState
        var created: Date
        var decided: Date?
        var paid: Int64 = 0
        var released: Int64 = 0
        var tranches = 0
    }

    /// One ledger entry before it is written.
    struct Entry {
        var at: Date
        var node: Int
        var source: Int?
        var grant: Int?
        var kind: LedgerKind
        var amount: Int64
    }

    static func pick<T>(_ weights: [(T, Double)], _ rng: inout DemoAlerts.Random) -> T {
        var roll = Double.random(in: 0..<weights.reduce(0) { $0 + $1.1 }, using: &rng)
        for (value, weight) in weights {
            if roll < weight { return value }
            roll -= weight
        }
        return weights.last!.0
    }

    static func populate(_ app: Application, grants total: Int, entries target: Int) async throws -> Population {
        var rng = DemoAlerts.Random(state: 0xF0_2D_BE7C ^ UInt64(total))
        let vault = app.vault
        let now = app.clock.now()
        let day = 86400.0
        let nodes = tree()

        // Organisations and the owner's fund manager, through the real account code.
        let (organisations, owner): ([UUID], Actor) = try await app.transaction { db in
            var organisations: [UUID] = []
            for (index, node) in nodes.enumerated() {
                let record = try await Accounts.createOrganisation(name: node.name, slug: "bench-fund-\(index)", type: node.type, country: node.countries[0],
                                                                   by: .system, at: now, on: db, vault: vault)
                organisations.append(try record.requireID())
            }
            let user = try await Accounts.createUser(organisation: organisations[0], email: "fund-manager@bench.example.org", name: "Fund manager",
                                                     roles: [.fundManager], by: .system, at: now, on: db, vault: vault)
            return (organisations, Actor(userID: try user.requireID(), organisationID: organisations[0], organisationType: .host, roles: [.fundManager]))
        }

        // The grants: where, what, how much, how far they went.
        let cumulative = nodes.enumerated().map { ($0.offset, $0.element.share) }
        var grants: [Grant] = []
        grants.reserveCapacity(total)
        for _ in 0..<total {
            let node = pick(cumulative, &rng)
            let state = pick(states, &rng)
            let created = now.addingTimeInterval(-Double.random(in: 1...730, using: &rng) * day)
            // 300 to 10,000 EUR, more small grants than large ones, in steps of 50.
            let euros = exp(Double.random(in: log(300)...log(10_000), using: &rng))
            var grant = Grant(id: UUID(), node: node, category: pick(categories, &rng), country: rng.pick(nodes[node].countries),
                              amount: Int64((euros / 50).rounded()) * 50 * 100, state: state, created: created)
            if (GrantState.approvedOrLater + [.cancelled]).contains(state) {
                grant.decided = min(created.addingTimeInterval(Double.random(in: 2...10, using: &rng) * day), now)
                switch state {
                case .approved: break
                case .disbursing: grant.paid = grant.amount / 2
                case .cancelled:
                    grant.paid = rng.chance(0.5) ? 0 : grant.amount * 3 / 10
                    grant.released = grant.amount - grant.paid
                default:
                    grant.paid = rng.chance(0.1) ? grant.amount * 8 / 10 : grant.amount
                    grant.released = grant.amount - grant.paid
                }
            }
            grants.append(grant)
        }

        // Tranches: what is left of the entries after allocations, commitments and releases, spread over the paid grants.
        let paying = grants.indices.filter { grants[$0].paid > 0 }
        let fixed = nodes.count + grants.filter { $0.decided != nil }.count + grants.filter { $0.released > 0 }.count
        let tranches = max(paying.count, target - fixed)
        if !paying.isEmpty {
            let base = Double(tranches) / Double(paying.count)
            var counts = paying.map { _ in max(1, Int((Double.random(in: 0.2...1.8, using: &rng) * base).rounded())) }
            var difference = tranches - counts.reduce(0, +)
            while difference != 0 {
                let index = Int.random(in: 0..<counts.count, using: &rng)
                if difference > 0 { counts[index] += 1; difference -= 1 } else if counts[index] > 1 { counts[index] -= 1; difference += 1 }
            }
            for (position, index) in paying.enumerated() { grants[index].tranches = counts[position] }
        }

        // The ledger: allocations first, then each grant's commitment, tranches (about monthly) and release.
        var entries: [Entry] = []
        entries.reserveCapacity(target + nodes.count)
        for (index, grant) in grants.enumerated() {
            guard let decided = grant.decided else { continue }
            entries.append(Entry(at: decided, node: grant.node, grant: index, kind: .commit, amount: grant.amount))
            var last = decided
            if grant.tranches > 0 {
                let spacing = min(30 * day, now.timeIntervalSince(decided) / Double(grant.tranches + 1))
                let each = grant.paid / Int64(grant.tranches)
                for tranche in 0..<grant.tranches {
                    last = decided.addingTimeInterval(spacing * Double(tranche + 1))
                    let amount = tranche == grant.tranches - 1 ? grant.paid - each * Int64(grant.tranches - 1) : each
                    entries.append(Entry(at: last, node: grant.node, grant: index, kind: .disburse, amount: amount))
                }
            }
            if grant.released > 0 {
                entries.append(Entry(at: min(last.addingTimeInterval(day), now), node: grant.node, grant: index, kind: .release, amount: grant.released))
            }
        }
        // Each allocation holds what its grants keep committed, a margin, and what it passes on.
        var amounts = nodes.indices.map { node in
            grants.filter { $0.node == node && $0.decided != nil }.reduce(Int64(0)) { $0 + $1.amount - $1.released } * 11 / 10 + 1_000_00
        }
        for node in nodes.indices.sorted(by: { nodes[$0].level > nodes[$1].level }) {
            if let parent = nodes[node].parent { amounts[parent] += amounts[node] }
        }
        let opened = now.addingTimeInterval(-740 * day)
        for node in nodes.indices {
            entries.append(Entry(at: opened, node: node, source: nodes[node].parent, kind: .allocate, amount: amounts[node]))
        }
        entries.sort { $0.at < $1.at }
        let budget = nodes.indices.filter { nodes[$0].parent == nil }.reduce(Int64(0)) { $0 + amounts[$1] } * 21 / 20

        // The fund and its allocations, through Fluent.
        let fundID = UUID()
        let allocationIDs = nodes.map { _ in UUID() }
        let allocated = amounts
        try await app.transaction { db in
            let fund = FundRecord()
            fund.id = fundID
            fund.organisationID = organisations[0]
            fund.name = "Bench fund"
            fund.donor = "Bench donor"
            fund.currency = "EUR"
            fund.budget = budget
            fund.startsOn = Day.text(opened)
            fund.endsOn = Day.text(now.addingTimeInterval(365 * day))
            fund.categories = SupportCategory.store(SupportCategory.allCases)
            fund.grantCeiling = 10_000_00
            fund.criteria = "Generated by egide bench fund."
            fund.createdBy = owner.userID
            fund.createdAt = opened
            fund.updatedAt = opened
            try await fund.create(on: db)
            let manager = FundManagerRecord()
            manager.id = UUID()
            manager.fundID = fundID
            manager.userID = owner.userID
            try await manager.create(on: db)
            for (index, node) in nodes.enumerated() {
                let allocation = AllocationRecord()
                allocation.id = allocationIDs[index]
                allocation.fundID = fundID
                allocation.organisationID = organisations[index]
                allocation.parentID = node.parent.map { allocationIDs[$0] }
                allocation.amount = allocated[index]
                allocation.delegationLimit = node.limit
                allocation.state = .active
                allocation.proposedBy = owner.userID
                allocation.confirmedBy = owner.userID
                allocation.createdAt = opened
                allocation.updatedAt = opened
                try await allocation.create(on: db)
            }
        }

        // The grants, with their details encrypted as `GrantWorkflow.request` writes them.
        let calendar = Calendar(identifier: .gregorian)
        let utc = TimeZone(identifier: "UTC")!
        var sequences: [Int: Int] = [:]
        let order = grants.indices.sorted { grants[$0].created < grants[$1].created }
        var start = 0
        while start < order.count {
            var rows: [[any SQLExpression]] = []
            for index in order[start..<min(order.count, start + 10_000)] {
                let grant = grants[index]
                let organisation = organisations[grant.node]
                let year = calendar.dateComponents(in: utc, from: grant.created).year!
                let sequence = (sequences[year] ?? 0) + 1
                sequences[year] = sequence
                let details = GrantContent.Details(beneficiary: "Beneficiary \(index)", budgetLines: [.init(label: "Support", amount: grant.amount)],
                                                   justification: "Generated by egide bench fund.")
                let lastMove = grant.decided ?? grant.created
                rows.append([
                    SQLBind(grant.id), SQLBind(String(format: "GR-%04d-%04d", year, sequence)), SQLBind(year), SQLBind(sequence), SQLBind(fundID),
                    SQLBind(allocationIDs[grant.node]), SQLBind(organisation), SQLLiteral.null, SQLBind(grant.category.rawValue), SQLBind(grant.country),
                    SQLBind(grant.amount), SQLBind("EUR"), SQLBind(grant.paid), SQLBind(grant.state.rawValue), SQLBind(owner.userID),
                    SQLBind(try CaseContent.seal(details, owner: Accounts.owner(organisation), GrantRecord.ref(grant.id, "details"), vault: vault)),
                    grant.state == .draft ? SQLLiteral.null : SQLBind(grant.created), SQLBind.orNull(grant.decided),
                    SQLBind.orNull(grant.state == .reportDue ? Day.text(min(lastMove.addingTimeInterval(60 * day), now.addingTimeInterval(30 * day))) : nil),
                    SQLBind(grant.created), SQLBind(lastMove),
                ])
            }
            let batch = rows
            try await app.transaction { db in
                guard let sql = db as? any SQLDatabase else { throw CommandFailure(message: "egide bench fund: not an SQL database") }
                try await CaseBench.insert(sql, GrantRecord.schema, grantColumns, batch)
            }
            start += 10_000
        }

        // The ledger, in time order (as it is appended), in transactions of 100,000 entries.
        start = 0
        while start < entries.count {
            var rows: [[any SQLExpression]] = []
            rows.reserveCapacity(100_000)
            for entry in entries[start..<min(entries.count, start + 100_000)] {
                let grant = entry.grant.map { grants[$0] }
                rows.append([
                    SQLBind(UUID()), SQLBind(fundID), SQLBind(allocationIDs[entry.node]), SQLBind.orNull(entry.source.map { allocationIDs[$0] }),
                    SQLBind.orNull(grant?.id), SQLBind(entry.kind.rawValue), SQLBind(entry.amount), SQLBind.orNull(grant?.category.rawValue),
                    SQLBind.orNull(grant?.country), SQLBind(owner.userID), SQLBind(entry.at),
                ])
            }
            let batch = rows
            try await app.transaction { db in
                guard let sql = db as? any SQLDatabase else { throw CommandFailure(message: "egide bench fund: not an SQL database") }
                try await CaseBench.insert(sql, LedgerEntryRecord.schema, ledgerColumns, batch)
            }
            start += 100_000
        }
        return Population(fund: fundID, owner: owner, allocations: allocationIDs, grants: grants.count, entries: entries.count,
                          asOf: now.addingTimeInterval(-182 * day))
    }

    static let grantColumns = ["id", "code", "year", "sequence", "fund_id", "allocation_id", "organisation_id", "case_id", "category", "country",
                               "amount", "currency", "disbursed", "state", "requested_by", "details_ct", "submitted_at", "decided_at",
                               "report_due_on", "created_at", "updated_at"]
    static let ledgerColumns = ["id", "fund_id", "allocation_id", "source_id", "grant_id", "kind", "amount", "category", "country", "actor_id", "at"]
}
