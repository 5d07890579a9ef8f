@testable import App
@testable import EgideBench
import EgideCore
import Fluent
import Foundation
import Testing

@Suite struct CaseBenchTests {
    @Test func the_options_default_to_ten_and_a_hundred_thousand_cases_and_two_hundred_samples_and_refuse_nonsense() throws {
        let defaults = try CaseBench.Settings(cases: nil, samples: nil)
        #expect(defaults.sizes == [10_000, 100_000] && defaults.samples == 200 && !defaults.keep && !defaults.optimize)
        #expect(try CaseBench.Settings(cases: "200, 1_000", samples: 5).sizes == [200, 1_000])
        for bad in ["", "10k", "10000,", "0", "10", "10000;100000"] {
            #expect(throws: CommandFailure.self, "\(bad)") { try CaseBench.Settings(cases: bad, samples: nil) }
        }
        #expect(throws: CommandFailure.self) { try CaseBench.Settings(cases: nil, samples: 0) }
        #expect(BenchCommand().commands["cases"] is CaseBench)
    }

    @Test func a_full_scan_of_cases_is_recognised_in_a_query_plan() {
        for scan in ["SCAN cases", "SCAN TABLE cases", "SCAN cases USING INDEX cases_recent", "SCAN cases USING COVERING INDEX cases_list"] {
            #expect(CaseBench.isFullScanOfCases(scan), "\(scan)")
        }
        for search in ["SEARCH cases USING INDEX cases_list (organisation_id=? AND status=?)", "SCAN case_team", "SCAN case_name_tokens",
                       "USE TEMP B-TREE FOR ORDER BY", "SEARCH cases USING INTEGER PRIMARY KEY (rowid=?)"] {
            #expect(!CaseBench.isFullScanOfCases(search), "\(search)")
        }
    }

    @Test func targets_allow_half_again_or_one_millisecond_and_ten_milliseconds_over_raw_sql() {
        func result(_ size: Int, app: CaseBench.Figure, raw: CaseBench.Figure, plan: [String] = ["SEARCH cases USING INDEX cases_list"]) -> CaseBench.SizeResult {
            CaseBench.SizeResult(size: size, generation: 0, lines: [CaseBench.Line(query: .listCoordinator, app: app, raw: raw, appPlan: plan, rawPlan: plan)])
        }
        let small = result(10_000, app: .init(p50: 0.4, p99: 4), raw: .init(p50: 0.1, p99: 1))
        // 0.4 → 1.3 ms is within 0.4 + 1 ms; 4 → 6 ms is within 1.5 × 4.
        let within = CaseBench.verdicts([small, result(100_000, app: .init(p50: 1.3, p99: 6), raw: .init(p50: 0.2, p99: 1))])
        #expect(within.count == 2 && within[0].met && within[1].met)
        // 0.4 → 1.5 ms is not; 4 → 6.5 ms is not.
        #expect(!CaseBench.verdicts([small, result(100_000, app: .init(p50: 1.5, p99: 5), raw: .init(p50: 0.2, p99: 1))]).last!.met)
        #expect(!CaseBench.verdicts([small, result(100_000, app: .init(p50: 1, p99: 6.5), raw: .init(p50: 0.2, p99: 1))]).last!.met)
        // More than 10 ms over the raw SQL, or a full scan, is not met whatever the growth.
        #expect(!CaseBench.verdicts([result(10_000, app: .init(p50: 12, p99: 14), raw: .init(p50: 1, p99: 2))]).first!.met)
        #expect(!CaseBench.verdicts([result(10_000, app: .init(p50: 1, p99: 1), raw: .init(p50: 1, p99: 1), plan: ["SCAN cases"])]).first!.met)
    }

    /// The generator writes what the workflow writes: the app reads, decrypts and finds its cases.
    @Test func generated_cases_have_the_shape_the_workflow_writes() async throws {
        try await withApp { app in
            let population = try await CaseBench.populate(app, cases: 120)
            let cases = try await CaseRecord.query(on: app.db).all()
            #expect(cases.count == 120 && Set(cases.map(\.organisationID)).count == 3)
            #expect(Set(cases.map(\.status)) == Set(CaseStatus.allCases))
            #expect(cases.allSatisfy { CaseCode(parsing: $0.code)?.description == $0.code })
            let visible = try await CaseQueries.visible(to: population.coordinator, on: app.db).all()
            #expect(visible.count == cases.filter { $0.organisationID == population.coordinator.organisationID }.count)
            for record in visible.prefix(20) {
                let opened = try CaseQueries.open(record, vault: app.vault)
                #expect(opened.summary.contains(record.code) && opened.region != nil)
                #expect((opened.closure != nil) == (record.status == .closed))
                let people = try await CaseQueries.people(of: record, on: app.db, vault: app.vault)
                #expect(people.first?.role == .defender)
            }
            let officer = try #require(population.officers.first)
            let own = try await CaseQueries.visible(to: officer, on: app.db).all()
            let team = Set(try await CaseTeamRecord.query(on: app.db).filter(\.$userID == officer.userID).all().map(\.caseID))
            #expect(!own.isEmpty && own.allSatisfy { $0.leadID == officer.userID || team.contains($0.id!) })
            let code = try #require(population.codes.first), word = try #require(population.words.first)
            let found = try await CaseQueries.matchingNames(word.uppercased(), organisations: nil, vault: app.vault, on: app.db)
            let withCode = try #require(cases.first { $0.code == code })
            #expect(found.contains(try withCode.requireID()))
        }
    }

    /// The whole bench at a tiny size: two sizes, every query timed beside its raw SQL, plans without a full scan.
    @Test func the_bench_runs_at_a_tiny_size_and_reports_every_query_with_its_plan() async throws {
        try await withApp { app in
            var printed: [String] = []
            let settings = try CaseBench.Settings(cases: "200,300", samples: 5)
            let report = try await CaseBench.run(settings, base: app.egideConfig, environment: app.environment) { printed.append($0) }
            let text = printed.joined(separator: "\n")

            #expect(report.results.map(\.size) == [200, 300])
            for result in report.results {
                #expect(result.lines.map(\.query) == CaseBench.Query.allCases)
                for line in result.lines {
                    for value in [line.app.p50, line.app.p99, line.raw.p50, line.raw.p99] { #expect(value > 0 && value.isFinite) }
                    #expect(line.app.p50 <= line.app.p99 && line.raw.p50 <= line.raw.p99)
                    #expect(!line.appPlan.isEmpty && !line.rawPlan.isEmpty)
                    #expect(!line.fullScan, "\(line.query.rawValue): \(line.appPlan + line.rawPlan)")
                    #expect((line.appPlan + line.rawPlan).contains { $0.hasPrefix("SEARCH cases USING") })
                }
            }
            // The table: a header, one row per size and query, the plans, one verdict per size and query.
            #expect(printed.first?.hasPrefix("egide bench cases: 200, 300 cases, 5 samples per query") == true)
            #expect(text.contains("app p50") && text.contains("raw p99") && text.contains("full scan of cases"))
            for size in [200, 300] {
                for query in CaseBench.Query.allCases {
                    #expect(printed.contains { $0.hasPrefix("\(size)") && $0.contains(query.rawValue) && $0.hasSuffix("  no") }, "\(size) \(query)")
                    #expect(printed.contains { $0.hasPrefix("\(size) \(query.rawValue): ") && ($0.contains(" — MET") || $0.contains(" — NOT MET")) })
                }
            }
            #expect(report.verdicts.count == 2 * CaseBench.Query.allCases.count)
            #expect(report.verdicts.filter { $0.size == 300 }.allSatisfy { $0.text.contains("→") })
            #expect(printed.contains { $0.hasPrefix("200 list total, coordinator: ") && $0.hasSuffix("(for information, not a target)") })
            #expect(text.contains("query plans at 300 cases") && text.contains("SEARCH cases USING INDEX sqlite_autoindex_cases_2 (code=?)"))
            #expect(printed.last == (report.met ? "all targets MET" : "some targets NOT MET"))
            #expect(!text.contains("YES"))
        }
    }
}
