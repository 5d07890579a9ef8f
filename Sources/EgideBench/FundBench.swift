import App
import EgideCore
import Fluent
import Foundation
import SQLKit
import Vapor

/// `egide bench fund [--grants N] [--entries N] [--runs R] [--check] [--keep]`: the emergency
/// fund's statement at scale. It fills a scratch database with one fund of N grants (default
/// 100,000) and E ledger entries (default 1,000,000) under 22 allocations in three levels (the
/// owner and three regional offices, two national partners under each office, two local partners
/// under each of those), then measures, as the statement page reads them, each beside the raw SQL
/// of the same sums (SQLKit `sql.raw`, the same predicates, runs alternating, in the same process):
///
/// 1. the whole statement: the owner's scope (`FundQueries.scope`), every allocation's sums
///    (`FundLedger.balances`) and spending by category and country (`FundLedger.spending`);
/// 2. the same statement as of a day six months ago;
/// 3. and 4. `FundLedger.balances` and `FundLedger.spending` alone.
///
/// It reports the median of R runs (default 7), with the fastest and slowest, and the ratio of
/// the medians; target: ≤ 1.5× for every line (`--check` fails the command otherwise). The app's
/// sums are checked equal to the raw SQL's before anything is timed.
///
/// The database is a fresh temporary SQLite data folder, or — when `--database-url` (or
/// `DATABASE_URL`) names a PostgreSQL server — a fresh schema on it, dropped afterwards (`--keep`
/// keeps either and prints where). Rows are written directly with SQLKit multi-row inserts (the
/// workflow, a transaction and an audit event per movement, would take hours at this size): the
/// columns and encodings `GrantWorkflow` and `FundLedger.write` use — grant details encrypted under
/// the requesting organisation's key and bound to their row —, states spread as a fund's life leaves
/// them, amounts of 300 to 10,000 EUR, 11 categories, 17 countries. What is not a commitment or a
/// release is a tranche: about twelve a paid grant at the default sizes (monthly payments).
/// Meaningful only on a release build.
struct FundBench: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "grants", help: "How many grants (default 100000).") var grants: Int?
        @Option(name: "entries", help: "How many ledger entries (default 1000000; at least twice the grants).") var entries: Int?
        @Option(name: "runs", help: "Runs of each measurement; the median is reported (default 7).") var runs: Int?
        @Flag(name: "check", help: "Exit with an error when a target is not met.") var check: Bool
        @Flag(name: "keep", help: "Keep the generated database (its folder or schema is printed).") var keep: Bool
    }

    var help: String { "Fund statement over 100k grants and 1M ledger entries, against the raw SQL of the same sums (SQLite, or PostgreSQL with --database-url)." }

    /// How much slower than the raw SQL of the same sums the app may be.
    static let target = 1.5

    struct Settings: Equatable, Sendable {
        var grants: Int
        var entries: Int
        var runs: Int
        var keep = false

        init(grants: Int?, entries: Int?, runs: Int?, keep: Bool = false) throws {
            self.grants = grants ?? 100_000
            self.entries = entries ?? 1_000_000
            self.runs = runs ?? 7
            self.keep = keep
            guard (100...5_000_000).contains(self.grants) else {
                throw CommandFailure(message: "egide bench fund: --grants must be between 100 and 5000000")
            }
            guard self.entries >= 2 * self.grants, self.entries <= 100 * self.grants else {
                throw CommandFailure(message: "egide bench fund: --entries must be between twice and a hundred times the grants")
            }
            guard (1...1_000).contains(self.runs) else { throw CommandFailure(message: "egide bench fund: --runs must be between 1 and 1000") }
        }
    }

    func run(using context: CommandContext, signature: Signature) async throws {
        let settings = try Settings(grants: signature.grants, entries: signature.entries, runs: signature.runs, keep: signature.keep)
        let console = context.console
        let report = try await Self.run(settings, base: context.application.egideConfig, environment: context.application.environment) {
            console.output($0.consoleText())
        }
        if signature.check && !report.met { throw CommandFailure(message: "egide bench fund: target NOT met") }
    }

    // MARK: Results

    enum Query: String, CaseIterable, Sendable {
        case statement = "statement, whole fund"
        case statementAsOf = "statement as of 6 months ago"
        case balances = "FundLedger.balances"
        case spending = "FundLedger.spending"
    }

    /// Seconds of each run.
    struct Line: Sendable {
        var query: Query
        var app: [Double]
        var raw: [Double]
        var appMedian: Double { FundBench.median(app) }
        var rawMedian: Double { FundBench.median(raw) }
        var ratio: Double { rawMedian > 0 ? appMedian / rawMedian : .infinity }
        var met: Bool { ratio <= FundBench.target }
    }

    struct Report: Sendable {
        var database: String
        var generation: Double
        var lines: [Line]
        var plans: [String]
        var met: Bool { lines.allSatisfy(\.met) }
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        return sorted.count.isMultiple(of: 2) ? (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2 : sorted[sorted.count / 2]
    }

    static func ms(_ seconds: Double) -> String { String(format: "%.1f ms", seconds * 1_000) }

    // MARK: Running

    static func run(_ settings: Settings, base: AppConfig, environment: Environment, output: (String) -> Void) async throws -> Report {
        let root = try temporaryFolder()
        var config = base
        config.dataDirectory = root + "/data"
        config.kekFile = config.dataDirectory + "/egide.kek"
        config.logLevel = max(config.logLevel, .warning)
        var schema: String?
        let database: String
        switch base.database {
        case .postgres(_, let redacted):
            let name = "bench_fund_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
            schema = name
            database = "PostgreSQL \(redacted), schema \(name)"
        case .sqlite:
            config.database = .sqlite(path: config.dataDirectory + "/" + AppConfig.sqliteFileName)
            database = "SQLite (WAL, synchronous=FULL) in \(config.dataDirectory)"
        }
        output("egide bench fund: \(settings.grants) grants, \(settings.entries) ledger entries, \(settings.runs) runs per query, on \(database)")
        try DataDirectory.create(at: config.dataDirectory)
        let app = try await Application.make(environment)
        defer { if !settings.keep { try? FileManager.default.removeItem(atPath: root) } }
        do {
            try configure(app, config, postgresSearchPath: schema.map { [$0] })
            guard let sql = app.db as? any SQLDatabase else { throw CommandFailure(message: "egide bench fund: not an SQL database") }
            if let schema { try await sql.raw("CREATE SCHEMA \(ident: schema)").run() }
            try await DatabaseSetup.applyConnectionSettings(app)
            try await app.autoMigrate()
            _ = try await KeyCustody.start(app)
            let clock = ContinuousClock()
            let started = clock.now
            let population = try await populate(app, grants: settings.grants, entries: settings.entries)
            let generation = IntakeBench.seconds(clock.now - started)
            output("  generated in \(String(format: "%.1f", generation)) s: \(population.allocations.count) allocations in 3 levels, "
                + "\(population.grants) grants, \(population.entries) ledger entries")
            // As `egide serve` would find the data: planner statistics (SQLite's optimize, PostgreSQL's analyze).
            try await DatabaseSetup.applyConnectionSettings(app)
            if schema != nil { try await sql.raw("ANALYZE").run() }
            let (lines, plans) = try await measure(app, population, runs: settings.runs, postgres: schema != nil)
            if let schema, !settings.keep { try await sql.raw("DROP SCHEMA \(ident: schema) CASCADE").run() }
            try await app.asyncShutdown()
            let report = Report(database: database, generation: generation, lines: lines, plans: plans)
            print(report, settings: settings, output: output)
            if settings.keep { output("kept: \(schema.map { "schema \($0)" } ?? config.dataDirectory)") }
            return report
        } catch {
            if let schema, !settings.keep, let sql = app.db as? any SQLDatabase { try? await sql.raw("DROP SCHEMA \(ident: schema) CASCADE").run() }
            try? await app.asyncShutdown()
            throw error
        }
    }

    static func print(_ report: Report, settings: Settings, output: (String) -> Void) {
        output("")
        output(pad("query", 32) + pad("app median", 12, right: true) + pad("(min–max)", 22, right: true) + pad("raw median", 12, right: true)
            + pad("(min–max)", 22, right: true) + pad("ratio", 8, right: true))
        for line in report.lines {
            let appRange = "(\(ms(line.app.min() ?? 0))–\(ms(line.app.max() ?? 0)))"
            let rawRange = "(\(ms(line.raw.min() ?? 0))–\(ms(line.raw.max() ?? 0)))"
            output(pad(line.query.rawValue, 32) + pad(ms(line.appMedian), 12, right: true) + pad(appRange, 22, right: true)
                + pad(ms(line.rawMedian), 12, right: true) + pad(rawRange, 22, right: true) + pad(String(format: "%.2f×", line.ratio), 8, right: true))
        }
        output("")
        output("query plans of the raw SQL (the app runs the same statements):")
        for plan in report.plans { output("  " + plan) }
        output("")
        output("target: the app within \(target)× the raw SQL of the same sums (medians of \(settings.runs) runs)")
        for line in report.lines {
            output("\(line.query.rawValue): \(String(format: "%.2f", line.ratio))× — \(line.met ? "MET" : "NOT MET")")
        }
        output(report.met ? "all targets MET" : "some targets NOT MET")
    }

    static func pad(_ text: String, _ width: Int, right: Bool = false) -> String { CaseBench.pad(text, width, right: right) }

    // MARK: Measuring

    /// The raw SQL of the statement's sums: every allocation's movements by kind, and the grants'
    /// movements by category, country and kind (the same predicates as the app's). PostgreSQL sums
    /// `bigint`s as `numeric`: the cast brings the total back to a 64-bit integer on both databases.
    static func balancesSQL(_ fund: UUID, asOf: Date?) -> SQLQueryString {
        guard let asOf else {
            return "SELECT allocation_id, source_id, kind, CAST(SUM(amount) AS BIGINT) AS total FROM fund_ledger WHERE fund_id = \(bind: fund) GROUP BY allocation_id, source_id, kind"
        }
        return "SELECT allocation_id, source_id, kind, CAST(SUM(amount) AS BIGINT) AS total FROM fund_ledger WHERE fund_id = \(bind: fund) AND at <= \(bind: asOf) GROUP BY allocation_id, source_id, kind"
    }

    static func spendingSQL(_ fund: UUID, allocations: [UUID], asOf: Date?) -> SQLQueryString {
        guard let asOf else {
            return "SELECT category, country, kind, CAST(SUM(amount) AS BIGINT) AS total FROM fund_ledger WHERE fund_id = \(bind: fund) AND category IS NOT NULL AND allocation_id IN (\(binds: allocations)) GROUP BY category, country, kind"
        }
        return "SELECT category, country, kind, CAST(SUM(amount) AS BIGINT) AS total FROM fund_ledger WHERE fund_id = \(bind: fund) AND category IS NOT NULL AND allocation_id IN (\(binds: allocations)) AND at <= \(bind: asOf) GROUP BY category, country, kind"
    }

    /// Sums read by the raw SQL, in the shape the app's are compared with.
    struct RawSums: Equatable {
        var byAllocation: [String: Int64] = [:]
        var bySpending: [String: Int64] = [:]
    }

    static func measure(_ app: Application, _ population: Population, runs: Int, postgres: Bool) async throws -> ([Line], [String]) {
        guard let sql = app.db as? any SQLDatabase else { throw CommandFailure(message: "egide bench fund: not an SQL database") }
        let fund = population.fund, owner = population.owner, allocations = population.allocations
        let asOf = population.asOf
        let db = app.db

        func appStatement(_ asOf: Date?) async throws -> RawSums {
            let scope = try await FundQueries.scope(for: owner, on: db)
            let balances = try await FundLedger.balances(fund: fund, asOf: asOf, on: db)
            let spending = try await FundLedger.spending(fund: fund, allocations: scope.allocations, asOf: asOf, on: db)
            return sums(balances) + sums(spending)
        }
        func rawBalances(_ asOf: Date?) async throws -> RawSums {
            var result = RawSums()
            for row in try await sql.raw(balancesSQL(fund, asOf: asOf)).all() {
                let kind = try row.decode(column: "kind", as: String.self), total = try row.decode(column: "total", as: Int64.self)
                let allocation = try row.decode(column: "allocation_id", as: UUID.self), source = try row.decode(column: "source_id", as: UUID?.self)
                switch kind {
                case "allocate", "unallocate":
                    let signed = kind == "allocate" ? total : -total
                    result.byAllocation["received \(allocation)", default: 0] += signed
                    result.byAllocation["on \(source.map(\.uuidString) ?? "fund")", default: 0] += signed
                case "commit": result.byAllocation["committed \(allocation)", default: 0] += total
                case "release": result.byAllocation["committed \(allocation)", default: 0] -= total
                default: result.byAllocation["disbursed \(allocation)", default: 0] += total
                }
            }
            return result
        }
        func rawSpending(_ asOf: Date?) async throws -> RawSums {
            var result = RawSums()
            for row in try await sql.raw(spendingSQL(fund, allocations: allocations, asOf: asOf)).all() {
                let key = "\(try row.decode(column: "category", as: String.self))/\(try row.decode(column: "country", as: String.self))"
                let total = try row.decode(column: "total", as: Int64.self)
                switch try row.decode(column: "kind", as: String.self) {
                case "commit": result.bySpending["committed \(key)", default: 0] += total
                case "release": result.bySpending["committed \(key)", default: 0] -= total
                case "disburse": result.bySpending["disbursed \(key)", default: 0] += total
                default: break
                }
            }
            return result
        }
        func appBalances() async throws -> RawSums { sums(try await FundLedger.balances(fund: fund, on: db)) }
        func appSpending() async throws -> RawSums {
            sums(try await FundLedger.spending(fund: fund, allocations: Set(allocations), on: db))
        }

        let cases: [(Query, () async throws -> RawSums, () async throws -> RawSums)] = [
            (.statement, { try await appStatement(nil) }, { try await rawBalances(nil) + rawSpending(nil) }),
            (.statementAsOf, { try await appStatement(asOf) }, { try await rawBalances(asOf) + rawSpending(asOf) }),
            (.balances, appBalances, { try await rawBalances(nil) }),
            (.spending, appSpending, { try await rawSpending(nil) }),
        ]
        let clock = ContinuousClock()
        var lines: [Line] = []
        for (query, appRun, rawRun) in cases {
            // Same numbers first (and a warm-up of both).
            let a: RawSums
            do { a = try await appRun() } catch {
                throw CommandFailure(message: "egide bench fund: \(query.rawValue): the app failed: \(String(reflecting: error))")
            }
            let r = try await rawRun()
            guard a.normalised == r.normalised, !a.normalised.byAllocation.isEmpty || !a.normalised.bySpending.isEmpty else {
                throw CommandFailure(message: "egide bench fund: \(query.rawValue): the app's sums differ from the raw SQL's")
            }
            var line = Line(query: query, app: [], raw: [])
            for _ in 0..<runs {
                var started = clock.now
                _ = try await appRun()
                line.app.append(IntakeBench.seconds(clock.now - started))
                started = clock.now
                _ = try await rawRun()
                line.raw.append(IntakeBench.seconds(clock.now - started))
            }
            lines.append(line)
        }

        var plans: [String] = []
        func add(_ name: String, _ detail: String) { plans.append("\(name): " + (detail.count > 160 ? detail.prefix(160) + "…" : detail)) }
        for (name, statement) in [("balances", balancesSQL(fund, asOf: nil)), ("spending", spendingSQL(fund, allocations: allocations, asOf: nil))] {
            if postgres {
                for row in try await sql.raw("EXPLAIN \(statement)").all() { add(name, try row.decode(column: "QUERY PLAN", as: String.self)) }
            } else {
                for row in try await sql.raw("EXPLAIN QUERY PLAN \(statement)").all() { add(name, try row.decode(column: "detail", as: String.self)) }
            }
        }
        return (lines, plans)
    }

    static func sums(_ balances: FundBalances) -> RawSums {
        var result = RawSums()
        for (id, balance) in balances.allocations {
            if balance.received != 0 { result.byAllocation["received \(id)"] = balance.received }
            if balance.allocatedOn != 0 { result.byAllocation["on \(id.uuidString)"] = balance.allocatedOn }
            if balance.committed != 0 { result.byAllocation["committed \(id)"] = balance.committed }
            if balance.disbursed != 0 { result.byAllocation["disbursed \(id)"] = balance.disbursed }
        }
        if balances.allocatedFromFund != 0 { result.byAllocation["on fund"] = balances.allocatedFromFund }
        return result
    }

    static func sums(_ spending: [FundLedger.Spending]) -> RawSums {
        var result = RawSums()
        for item in spending {
            if item.committed != 0 { result.bySpending["committed \(item.category)/\(item.country)"] = item.committed }
            if item.disbursed != 0 { result.bySpending["disbursed \(item.category)/\(item.country)"] = item.disbursed }
        }
        return result
    }

    static func temporaryFolder() throws -> String {
        var template = Array((FileManager.default.temporaryDirectory.path + "/egide-bench-fund.XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw CommandFailure(message: "egide bench fund: cannot create a temporary folder") }
        return String(cString: made)
    }
}

extension FundBench.RawSums {
    static func + (lhs: Self, rhs: Self) -> Self {
        var sum = lhs
        sum.byAllocation.merge(rhs.byAllocation) { $0 + $1 }
        sum.bySpending.merge(rhs.bySpending) { $0 + $1 }
        return sum
    }

    /// Without the zero sums (the app's results leave them out).
    var normalised: Self { Self(byAllocation: byAllocation.filter { $0.value != 0 }, bySpending: bySpending.filter { $0.value != 0 }) }
}
