@testable import App
@testable import EgideBench
import EgideCore
import Fluent
import Foundation
import Testing

@Suite struct FundBenchTests {
    @Test func the_options_default_to_a_hundred_thousand_grants_a_million_entries_and_seven_runs_and_refuse_nonsense() throws {
        let defaults = try FundBench.Settings(grants: nil, entries: nil, runs: nil)
        #expect(defaults.grants == 100_000 && defaults.entries == 1_000_000 && defaults.runs == 7 && !defaults.keep)
        #expect(try FundBench.Settings(grants: 300, entries: 3_000, runs: 2).entries == 3_000)
        for (grants, entries, runs) in [(10, 1_000, 1), (1_000, 1_999, 1), (1_000, 100_001, 1), (1_000, 2_000, 0), (1_000, 2_000, 1_001)] {
            #expect(throws: CommandFailure.self, "\(grants) \(entries) \(runs)") { try FundBench.Settings(grants: grants, entries: entries, runs: runs) }
        }
        #expect(BenchCommand().commands["fund"] is FundBench)
    }

    @Test func the_median_is_reported_and_the_app_may_take_half_again_the_raw_sql() {
        #expect(FundBench.median([3, 1, 2]) == 2 && FundBench.median([4, 1, 3, 2]) == 2.5)
        #expect(FundBench.Line(query: .statement, app: [0.015, 0.014, 0.9], raw: [0.010, 0.011, 0.010]).met)
        #expect(!FundBench.Line(query: .statement, app: [0.016, 0.017, 0.016], raw: [0.010, 0.010, 0.001]).met)
    }

    /// The generator writes what the workflows would: three levels of allocations that cover what
    /// is committed under them, grants in every state whose details decrypt, tranches that add up.
    @Test func the_generated_fund_balances_and_reads_like_the_workflows_wrote_it() async throws {
        try await withApp { app in
            let population = try await FundBench.populate(app, grants: 300, entries: 3_000)
            #expect(population.allocations.count == 22 && population.grants == 300 && population.entries == 3_000)
            #expect(try await LedgerEntryRecord.query(on: app.db).count() == 3_000)
            let allocations = Dictionary(uniqueKeysWithValues: try await AllocationRecord.query(on: app.db).all().map { ($0.id!, $0) })
            #expect(allocations.values.contains { $0.parentID.flatMap { allocations[$0]?.parentID } != nil })
            let balances = try await FundLedger.balances(fund: population.fund, on: app.db)
            for id in population.allocations {
                let balance = try #require(balances.allocations[id])
                #expect(balance.available >= 0 && balance.received == allocations[id]!.amount)
            }
            let grants = try await GrantRecord.query(on: app.db).all()
            #expect(Set(grants.map(\.state)) == Set(GrantState.allCases) && Set(grants.map(\.category)) == Set(SupportCategory.allCases))
            let disbursed = try await LedgerEntryRecord.query(on: app.db).filter(\.$kind == .disburse).all()
            let paid = Dictionary(grouping: disbursed, by: { $0.grantID! }).mapValues { $0.reduce(0) { $0 + $1.amount } }
            for grant in grants {
                #expect((paid[grant.id!] ?? 0) == grant.disbursed && grant.disbursed <= grant.amount)
            }
            for grant in grants.prefix(20) {
                let details = try GrantContent.open(grant, vault: app.vault)
                #expect(details.budgetLines.reduce(0) { $0 + $1.amount } == grant.amount)
            }
            let scope = try await FundQueries.scope(for: population.owner, on: app.db)
            #expect(scope.ownedFunds == [population.fund] && scope.allocations == Set(population.allocations))
        }
    }

    /// The whole bench at a tiny size: every line timed against its raw SQL, the sums checked equal, a verdict each.
    @Test func the_bench_runs_at_a_tiny_size_and_reports_every_line_with_its_ratio() async throws {
        try await withApp { app in
            var printed: [String] = []
            let settings = try FundBench.Settings(grants: 200, entries: 2_000, runs: 2)
            let report = try await FundBench.run(settings, base: app.egideConfig, environment: app.environment) { printed.append($0) }
            #expect(report.lines.map(\.query) == FundBench.Query.allCases)
            for line in report.lines {
                #expect(line.app.count == 2 && line.raw.count == 2 && (line.app + line.raw).allSatisfy { $0 > 0 && $0.isFinite })
            }
            #expect(printed.first?.hasPrefix("egide bench fund: 200 grants, 2000 ledger entries, 2 runs per query, on ") == true)
            #expect(printed.contains { $0.hasPrefix("  generated in ") && $0.hasSuffix("22 allocations in 3 levels, 200 grants, 2000 ledger entries") })
            #expect(printed.contains { $0.hasPrefix("  balances: ") } && printed.contains { $0.hasPrefix("  spending: ") })
            for query in FundBench.Query.allCases {
                #expect(printed.contains { $0.hasPrefix("\(query.rawValue): ") && ($0.hasSuffix(" — MET") || $0.hasSuffix(" — NOT MET")) }, "\(query)")
            }
            #expect(printed.last == (report.met ? "all targets MET" : "some targets NOT MET"))
        }
    }
}
