import App
import EgideDemo
import EgideCore
import Fluent
import FluentSQL
import Foundation
import SQLKit
import Vapor

/// `egide bench cases [--cases N[,N…]] [--samples S] [--check]`: the case list and case search at
/// scale. For each size N (default 10,000 then 100,000) it fills a fresh temporary SQLite data
/// folder with N cases, then measures p50/p99 over S samples (default 200) of the pages the app
/// serves, each beside the raw SQL of the same page (SQLKit `sql.raw`, measured in the same run,
/// samples alternating):
///
/// 1. the case list page's query as `CasesController` runs it — `CaseQueries.visible` + the default
///    status filter (open cases: every status but closed) + newest activity first + the first 50 —
///    for a coordinator, and for a protection officer (lead or team);
/// 2. search by case code (typed in lower case without leading zeros, as the app parses it);
/// 3. search by one word of a name: `CaseQueries.matchingNames` (blind index), then the list query;
/// 4. for information (not a target): the list's total, which the page also counts (up to `CasesController.countCap`).
///
/// Targets, for every size after the first: p50 and p99 within 1.5× the first size's figure, with
/// an absolute slack of 1 ms (the allowance is `max(1.5 × f, f + 1 ms)`, so the slack only matters
/// for figures under 2 ms, where timer and scheduler noise are of the order of the figure), and
/// within raw + 10 ms. Each statement is also run through `EXPLAIN QUERY PLAN`, and a full scan of
/// `cases` is reported. With `--check` the command fails when a target is not met.
///
/// The generator writes the rows directly with SQLKit multi-row inserts, in a few big transactions
/// (the workflow, one case per transaction with its audit event, would take hours at 100,000): the
/// same columns and encodings `CaseWorkflow.open` and `savePerson` write — summary, region and
/// people's identities encrypted under the owning organisation's key and bound to their row, name
/// tokens from `CaseQueries.nameTokens`, statuses spread, three organisations, leads, team rows.
/// Items, timeline entries and audit events are not generated: the list and the search never read them.
/// Meaningful only on a release build.
struct CaseBench: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "cases", help: "Sizes to measure, comma-separated (default 10000,100000).") var cases: String?
        @Option(name: "samples", help: "Samples per query (default 200).") var samples: Int?
        @Flag(name: "check", help: "Exit with an error when a target is not met.") var check: Bool
        @Flag(name: "keep", help: "Keep the generated data folders (their paths are printed) to inspect them.") var keep: Bool
        @Flag(name: "optimize", help: "Run PRAGMA optimize=0x10002 (planner statistics) after generating, to see its effect.") var optimize: Bool
    }

    var help: String { "Case list and search at 10k and 100k cases: p50/p99 against raw SQL, and query plans." }

    /// How much slower a larger size may be, and the absolute slack (ms) for small figures.
    static let growthFactor = 1.5
    static let growthSlack = 1.0
    /// How far (ms) above the raw SQL of the same page the app may be.
    static let rawMargin = 10.0
    static let pageSize = 50

    struct Settings: Equatable, Sendable {
        var sizes: [Int]
        var samples: Int
        var keep = false
        var optimize = false

        init(cases: String?, samples: Int?, keep: Bool = false, optimize: Bool = false) throws {
            self.keep = keep
            self.optimize = optimize
            let text = cases ?? "10000,100000"
            let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            let sizes = parts.compactMap { Int($0.replacingOccurrences(of: "_", with: "")) }
            guard !parts.isEmpty, sizes.count == parts.count, sizes.allSatisfy({ (50...5_000_000).contains($0) }) else {
                throw CommandFailure(message: "egide bench cases: --cases must be sizes between 50 and 5000000, comma-separated (e.g. 10000,100000)")
            }
            self.sizes = sizes
            self.samples = samples ?? 200
            guard (1...100_000).contains(self.samples) else {
                throw CommandFailure(message: "egide bench cases: --samples must be between 1 and 100000")
            }
        }
    }

    func run(using context: CommandContext, signature: Signature) async throws {
        let settings = try Settings(cases: signature.cases, samples: signature.samples, keep: signature.keep, optimize: signature.optimize)
        let console = context.console
        let report = try await Self.run(settings, base: context.application.egideConfig, environment: context.application.environment) {
            console.output($0.consoleText())
        }
        if signature.check && !report.met {
            throw CommandFailure(message: "egide bench cases: targets NOT met")
        }
    }

    // MARK: Results

    /// p50 and p99 of one operation, in milliseconds.
    struct Figure: Sendable, Equatable {
        var p50: Double
        var p99: Double

        init(p50: Double, p99: Double) {
            self.p50 = p50
            self.p99 = p99
        }

        init(seconds: [Double]) {
            let sorted = seconds.sorted()
            p50 = IntakeBench.percentile(0.50, ofSorted: sorted) * 1_000
            p99 = IntakeBench.percentile(0.99, ofSorted: sorted) * 1_000
        }
    }

    /// One measured page at one size.
    struct Line: Sendable {
        var query: Query
        var app: Figure
        var raw: Figure
        /// `EXPLAIN QUERY PLAN` of each statement the app runs for the page, then of the raw SQL.
        var appPlan: [String]
        var rawPlan: [String]

        /// Whether a plan reads the whole of `cases` (a table or full-index scan).
        var fullScan: Bool { (appPlan + rawPlan).contains(where: CaseBench.isFullScanOfCases) }
    }

    enum Query: String, CaseIterable, Sendable {
        case listCoordinator = "list, coordinator"
        case listOfficer = "list, protection officer"
        case searchCode = "search by code"
        case searchName = "search by a name word"
        /// The list page's total, for information (not a target): it counts every case the filters select.
        case countCoordinator = "list total, coordinator"

        /// Whether the targets apply (the total is reported for information).
        var isTarget: Bool { self != .countCoordinator }
    }

    struct SizeResult: Sendable {
        var size: Int
        var generation: Double
        var lines: [Line]

        func line(_ query: Query) -> Line? { lines.first { $0.query == query } }
    }

    /// One target line: a query and figure at a size against the reference size.
    struct Verdict: Sendable {
        var query: Query
        var size: Int
        var met: Bool
        var text: String
    }

    struct Report: Sendable {
        var results: [SizeResult]
        var verdicts: [Verdict]
        var met: Bool { verdicts.filter(\.query.isTarget).allSatisfy(\.met) }
    }

    /// `EXPLAIN QUERY PLAN` details that read all of `cases`: `SCAN cases` (SQLite ≥ 3.36) or
    /// `SCAN TABLE cases` (older), with or without an index (a full index scan reads every row too).
    static func isFullScanOfCases(_ detail: String) -> Bool {
        detail.range(of: #"^SCAN (TABLE )?cases( |$)"#, options: .regularExpression) != nil
    }

    // MARK: Running

    static func run(_ settings: Settings, base: AppConfig, environment: Environment, output: (String) -> Void) async throws -> Report {
        output("egide bench cases: \(settings.sizes.map(String.init).joined(separator: ", ")) cases, \(settings.samples) samples per query, "
            + "each size on a fresh temporary SQLite data folder (WAL, synchronous=FULL)")
        var results: [SizeResult] = []
        for size in settings.sizes {
            results.append(try await measure(size: size, samples: settings.samples, keep: settings.keep, optimize: settings.optimize,
                                             base: base, environment: environment, output: output))
        }
        output("")
        output(pad("cases", 9) + pad("query", 27) + pad("app p50", 10, right: true) + pad("app p99", 10, right: true)
            + pad("raw p50", 10, right: true) + pad("raw p99", 10, right: true) + "  full scan of cases")
        for result in results {
            for line in result.lines {
                output(pad(String(result.size), 9) + pad(line.query.rawValue, 27) + pad(ms(line.app.p50), 10, right: true)
                    + pad(ms(line.app.p99), 10, right: true) + pad(ms(line.raw.p50), 10, right: true) + pad(ms(line.raw.p99), 10, right: true)
                    + "  " + (line.fullScan ? "YES" : "no"))
            }
        }
        if let last = results.last {
            output("")
            output("query plans at \(last.size) cases (EXPLAIN QUERY PLAN, app statements then raw):")
            for line in last.lines {
                output("  \(line.query.rawValue):")
                for detail in line.appPlan { output("    app  \(detail)") }
                for detail in line.rawPlan { output("    raw  \(detail)") }
            }
        }
        let verdicts = self.verdicts(results)
        output("")
        if let reference = results.first, results.count > 1 {
            output("targets: each size within max(\(growthFactor)× the \(reference.size) figure, that figure + \(Int(growthSlack)) ms), "
                + "and app within raw + \(Int(rawMargin)) ms; no full scan of cases")
        } else {
            output("targets: app within raw + \(Int(rawMargin)) ms; no full scan of cases (give two sizes to check growth)")
        }
        for verdict in verdicts {
            output("\(verdict.text) — \(verdict.met ? "MET" : "NOT MET")" + (verdict.query.isTarget ? "" : " (for information, not a target)"))
        }
        let report = Report(results: results, verdicts: verdicts)
        output(report.met ? "all targets MET" : "some targets NOT MET")
        return report
    }

    /// The verdicts of every size against the first (growth) and of every size against its raw SQL.
    static func verdicts(_ results: [SizeResult]) -> [Verdict] {
        guard let reference = results.first else { return [] }
        var verdicts: [Verdict] = []
        for result in results {
            for line in result.lines {
                var parts: [String] = []
                var met = true
                if result.size != reference.size, let before = reference.line(line.query) {
                    for (name, was, now) in [("p50", before.app.p50, line.app.p50), ("p99", before.app.p99, line.app.p99)] {
                        let allowed = max(growthFactor * was, was + growthSlack)
                        met = met && now <= allowed
                        parts.append("\(name) \(ms(was)) → \(ms(now)) (≤ \(ms(allowed)))")
                    }
                }
                for (name, app, raw) in [("p50", line.app.p50, line.raw.p50), ("p99", line.app.p99, line.raw.p99)] {
                    met = met && app <= raw + rawMargin
                    parts.append("\(name) app − raw \(ms(app - raw))")
                }
                if line.fullScan {
                    met = false
                    parts.append("full scan of cases")
                }
                verdicts.append(Verdict(query: line.query, size: result.size, met: met,
                                        text: "\(result.size) \(line.query.rawValue): " + parts.joined(separator: "; ")))
            }
        }
        return verdicts
    }

    static func ms(_ value: Double) -> String { String(format: "%.2f ms", value) }

    static func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
        let count = text.count
        guard count < width else { return text + " " }
        let padding = String(repeating: " ", count: width - count)
        return right ? padding + text : text + padding
    }

    // MARK: One size

    /// Fills a fresh data folder with `size` cases, measures every query, and removes the folder
    /// (unless `keep`: then its path is printed).
    static func measure(size: Int, samples: Int, keep: Bool = false, optimize: Bool = false, base: AppConfig, environment: Environment,
                        output: (String) -> Void) async throws -> SizeResult {
        let root = try temporaryFolder()
        defer { if !keep { try? FileManager.default.removeItem(atPath: root) } }
        var config = base
        config.dataDirectory = root + "/data"
        config.kekFile = config.dataDirectory + "/egide.kek"
        config.database = .sqlite(path: config.dataDirectory + "/" + AppConfig.sqliteFileName)
        config.logLevel = max(config.logLevel, .warning)
        try DataDirectory.create(at: config.dataDirectory)
        let app = try await Application.make(environment)
        do {
            try configure(app, config)
            try await DatabaseSetup.applyConnectionSettings(app)
            try await app.autoMigrate()
            _ = try await KeyCustody.start(app)
            let clock = ContinuousClock()
            let started = clock.now
            let population = try await populate(app, cases: size)
            let generation = IntakeBench.seconds(clock.now - started)
            output("  \(size) cases generated in \(String(format: "%.1f", generation)) s (\(population.organisations) organisations, "
                + "\(population.staff) staff, \(population.people) people, \(population.tokens) name tokens, \(population.teamRows) team rows)")
            // As `egide serve` started on this data would: the connection settings, applied again.
            try await DatabaseSetup.applyConnectionSettings(app)
            if optimize, let sql = app.db as? any SQLDatabase {
                try await sql.raw("PRAGMA optimize=0x10002").run()
                output("  planner statistics gathered: PRAGMA optimize=0x10002 (--optimize)")
            }
            let lines = try await measureQueries(app, population, samples: samples)
            try await app.asyncShutdown()
            if keep { output("  kept: \(config.dataDirectory)") }
            return SizeResult(size: size, generation: generation, lines: lines)
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
    }

    // MARK: The queries

    /// The case list page's query as `CasesController.list` runs it for `url` (its filters: status,
    /// search…): what `actor` may see, filtered, newest activity first, the first page.
    static func page(_ url: String, actor: Actor, app: Application) async throws -> QueryBuilder<CaseRecord> {
        let filters = try CasesController.Filters(Request(application: app, method: .GET, url: URI(string: url), on: app.eventLoopGroup.any()))
        return try await CasesController.filtered(filters, actor: actor, app: app, on: app.db).sort(\.$updatedAt, .descending)
            .range(filters.page.range)
    }

    /// The list's total (`CasesController.list` counts what the filters select, to offer the next page).
    static func total(_ url: String, actor: Actor, app: Application) async throws -> Int {
        let filters = try CasesController.Filters(Request(application: app, method: .GET, url: URI(string: url), on: app.eventLoopGroup.any()))
        return try await CasesController.count(filters, actor: actor, app: app, on: app.db)
    }

    static func measureQueries(_ app: Application, _ population: Population, samples: Int) async throws -> [Line] {
        let db = app.db
        guard let sql = db as? any SQLDatabase else { throw CommandFailure(message: "egide bench cases: not an SQL database") }
        let vault = app.vault
        let coordinator = population.coordinator
        let organisation = coordinator.organisationID
        let pageSize = CasesController.pageSize
        let closed = CaseStatus.closed.rawValue
        let list = "/cases"  // the default list: open cases (every status but closed)
        var lines: [Line] = []

        // The statements' plans: the app's SQL as Fluent generates it, and the raw SQL.
        func plan(_ expression: any SQLExpression) async throws -> [String] {
            try await sql.raw("EXPLAIN QUERY PLAN \(expression)").all().map { try $0.decode(column: "detail", as: String.self) }
        }
        func fluent<M: Model>(_ query: QueryBuilder<M>) -> any SQLExpression {
            let copy = query.copy()
            if copy.query.fields.isEmpty { copy.fields(for: M.self) }  // as `all()` selects them
            return SQLQueryConverter(delegate: PlainSQLConverter()).convert(copy.query)
        }
        func measured(_ query: Query, appPlan: [String], rawPlan: [String],
                      app run: (Int) async throws -> Int, raw: (Int) async throws -> Int) async throws {
            let (appFigure, rawFigure) = try await timePair(samples: samples, app: run, raw: raw)
            lines.append(Line(query: query, app: appFigure, raw: rawFigure, appPlan: appPlan, rawPlan: rawPlan))
        }

        // 1. The list, for the coordinator (every case of the organisation) and for protection officers (lead or team).
        func coordinatorRaw() -> SQLQueryString {
            "SELECT * FROM cases WHERE organisation_id = \(bind: organisation) AND status <> \(bind: closed) ORDER BY updated_at DESC LIMIT \(literal: pageSize)"
        }
        try await measured(.listCoordinator, appPlan: try await plan(fluent(page(list, actor: coordinator, app: app))),
                           rawPlan: try await plan(coordinatorRaw())) { _ in
            try await page(list, actor: coordinator, app: app).all().count
        } raw: { _ in
            try await sql.raw(coordinatorRaw()).all().count
        }

        let officers = population.officers
        func officerRaw(_ officer: Actor) -> SQLQueryString {
            "SELECT * FROM cases WHERE organisation_id = \(bind: officer.organisationID) AND status <> \(bind: closed) AND (lead_id = \(bind: officer.userID) OR id IN (SELECT case_id FROM case_team WHERE user_id = \(bind: officer.userID))) ORDER BY updated_at DESC LIMIT \(literal: pageSize)"
        }
        let firstOfficer = officers[0]
        try await measured(.listOfficer,
                           appPlan: try await plan(fluent(CaseTeamRecord.query(on: db).filter(\.$userID == firstOfficer.userID)))
                               + plan(fluent(page(list, actor: firstOfficer, app: app))),
                           rawPlan: try await plan(officerRaw(firstOfficer))) { sample in
            try await page(list, actor: officers[sample % officers.count], app: app).all().count
        } raw: { sample in
            try await sql.raw(officerRaw(officers[sample % officers.count])).all().count
        }

        // 2. Search by code, as typed (lower case, no leading zeros: the app parses it), in every status.
        let codes = population.codes
        func typed(_ code: String) -> String {
            let parts = code.lowercased().split(separator: "-")
            let typed = parts.count == 3 ? "\(parts[0])-\(parts[1])-\(Int(parts[2]) ?? 0)" : code
            return "/cases?status=all&q=" + typed
        }
        func codeRaw(_ code: String) -> SQLQueryString {
            "SELECT * FROM cases WHERE organisation_id = \(bind: organisation) AND code = \(bind: code) ORDER BY updated_at DESC LIMIT \(literal: pageSize)"
        }
        try await measured(.searchCode, appPlan: try await plan(fluent(page(typed(codes[0]), actor: coordinator, app: app))),
                           rawPlan: try await plan(codeRaw(codes[0]))) { sample in
            let found = try await page(typed(codes[sample % codes.count]), actor: coordinator, app: app).all().count
            guard found == 1 else { throw CommandFailure(message: "egide bench cases: code \(codes[sample % codes.count]) found \(found) times") }
            return found
        } raw: { sample in
            try await sql.raw(codeRaw(codes[sample % codes.count])).all().count
        }

        // 3. Search by one word of a name: the blind index (`CaseQueries.matchingNames`), then the list query.
        let words = population.words
        func nameRaw(_ tokens: [Int]) -> SQLQueryString {
            // The matching cases first (CROSS JOIN keeps that order), then their rows by primary key.
            "SELECT cases.* FROM (SELECT case_id FROM case_name_tokens WHERE organisation_id = \(bind: organisation) AND token IN (\(binds: tokens)) GROUP BY case_id HAVING COUNT(DISTINCT token) = \(literal: tokens.count)) AS found CROSS JOIN cases ON cases.id = found.case_id WHERE cases.organisation_id = \(bind: organisation) ORDER BY cases.updated_at DESC LIMIT \(literal: pageSize)"
        }
        let tokens = try words.map { try CaseQueries.searchTokens($0, vault: vault) }
        try await measured(.searchName,
                           appPlan: try await plan(fluent(CaseNameTokenRecord.query(on: db).filter(\.$token ~~ tokens[0]).filter(\.$organisationID ~~ [organisation])))
                               + plan(fluent(page("/cases?status=all&q=" + words[0], actor: coordinator, app: app))),
                           rawPlan: try await plan(nameRaw(tokens[0]))) { sample in
            let found = try await page("/cases?status=all&q=" + words[sample % words.count], actor: coordinator, app: app).all().count
            guard found >= 1 else { throw CommandFailure(message: "egide bench cases: nobody named \(words[sample % words.count]) found") }
            return found
        } raw: { sample in
            try await sql.raw(nameRaw(tokens[sample % tokens.count])).all().count
        }

        // For information: the list's total, which the page counts too (every open case the coordinator sees).
        func countRaw() -> SQLQueryString {
            "SELECT COUNT(*) AS total FROM (SELECT status FROM cases WHERE organisation_id = \(bind: organisation) AND status <> \(bind: closed) LIMIT \(unsafeRaw: String(CasesController.countCap + 1)))"
        }
        let countQuery = try await CasesController.filtered(
            try CasesController.Filters(Request(application: app, method: .GET, url: URI(string: list), on: app.eventLoopGroup.any())),
            actor: coordinator, app: app, on: db)
        try await measured(.countCoordinator,
                           appPlan: try await plan(countExpression(countQuery)),
                           rawPlan: try await plan(countRaw())) { _ in
            try await total(list, actor: coordinator, app: app)
        } raw: { _ in
            try await sql.raw(countRaw()).first()?.decode(column: "total", as: Int.self) ?? 0
        }
        return lines
    }

    /// Times `app` and `raw` alternately over `samples` samples (after a short warm-up of each), so
    /// both see the same machine; each returns how many rows it read, which must be the same.
    static func timePair(samples: Int, app: (Int) async throws -> Int, raw: (Int) async throws -> Int) async throws -> (Figure, Figure) {
        let clock = ContinuousClock()
        for sample in 0..<min(samples, 20) {
            let (a, b) = (try await app(sample), try await raw(sample))
            guard a == b else { throw CommandFailure(message: "egide bench cases: the app read \(a) rows and the raw SQL \(b) for sample \(sample)") }
        }
        var appTimes: [Double] = [], rawTimes: [Double] = []
        for sample in 0..<samples {
            var started = clock.now
            _ = try await app(sample)
            appTimes.append(IntakeBench.seconds(clock.now - started))
            started = clock.now
            _ = try await raw(sample)
            rawTimes.append(IntakeBench.seconds(clock.now - started))
        }
        return (Figure(seconds: appTimes), Figure(seconds: rawTimes))
    }

    /// The statement `CasesController.count` runs.
    static func countExpression(_ query: QueryBuilder<CaseRecord>) -> any SQLExpression {
        SQLQueryString("SELECT COUNT(*) AS total FROM (\(CasesController.limitedStatement(query))) AS counted")
    }

    // MARK: Generating cases

    /// Who and what the measured queries use.
    struct Population: Sendable {
        var coordinator: Actor
        var officers: [Actor]
        /// Codes of cases of the coordinator's organisation, and surnames of people in them.
        var codes: [String]
        var words: [String]
        var organisations = 0
        var staff = 0
        var people = 0
        var tokens = 0
        var teamRows = 0
    }

    /// The organisations of the bench and their share of the cases.
    static let organisations: [(slug: String, type: OrganisationType, share: Double)] = [
        ("bench-host", .host, 0.7), ("bench-member-a", .consortiumMember, 0.2), ("bench-member-b", .consortiumMember, 0.1),
    ]
    /// Cases each protection officer leads, whatever the size (staff grow with the caseload).
    static let casesPerOfficer = 300
    static let countries = ["CM", "CD", "TN", "GE", "BI", "CF", "TD", "AM", "NG", "KE", "UG", "SN", "ML", "HT", "CO"]
    static let statusShares: [(CaseStatus, Double)] = [(.open, 0.05), (.active, 0.35), (.monitoring, 0.25), (.closed, 0.30), (.reopened, 0.05)]
    static let syllables = ["ka", "mbo", "ngo", "la", "ti", "ze", "shvi", "li", "dze", "ben", "sa", "lah", "mwa", "ba", "ko",
                            "ra", "nu", "fi", "do", "gba", "ye", "tso", "ma", "ri", "ne", "wa", "hu", "lo", "be", "ta"]

    /// The `index`-th synthetic surname: three or four syllables (27,000 + 810,000 distinct).
    static func surname(_ index: Int) -> String {
        var value = index, parts: [String] = []
        repeat {
            parts.append(syllables[value % syllables.count])
            value /= syllables.count
        } while value > 0 || parts.count < 3
        let word = parts.joined()
        return word.prefix(1).uppercased() + word.dropFirst()
    }

    static func populate(_ app: Application, cases total: Int) async throws -> Population {
        var rng = DemoAlerts.Random(state: 0xBE7C_CA5E ^ UInt64(total))
        let vault = app.vault
        let now = app.clock.now()
        let firstNames = Array(Set(DemoAlertTexts.names.values.flatMap { $0.women.map(\.0) + $0.men.map(\.0) })).sorted()
        // About four people per surname at any size, so a name word matches as many cases at 10k as at 100k.
        let vocabulary = max(500, total / 2)

        // Organisations and staff, through the real account code.
        struct Staff: Sendable {
            var organisation: UUID
            var coordinator: Actor
            var officers: [Actor]
        }
        let staff: [Staff] = try await app.transaction { db in
            var staff: [Staff] = []
            for (index, organisation) in organisations.enumerated() {
                let record = try await Accounts.createOrganisation(name: "Bench organisation \(index + 1)", slug: organisation.slug, type: organisation.type,
                                                                   country: "FR", by: .system, at: now, on: db, vault: vault)
                let id = try record.requireID()
                func user(_ n: Int, _ roles: Set<Role>) async throws -> Actor {
                    let user = try await Accounts.createUser(organisation: id, email: "\(organisation.slug)-\(n)@bench.example.org", name: "Staff \(n)",
                                                             roles: roles, by: .system, at: now, on: db, vault: vault)
                    return Actor(userID: try user.requireID(), organisationID: id, organisationType: organisation.type, roles: roles)
                }
                let coordinator = try await user(0, [.coordinator])
                let count = max(2, Int((Double(total) * organisation.share / Double(casesPerOfficer)).rounded()))
                var officers: [Actor] = []
                for n in 1...count { officers.append(try await user(n, [.protectionOfficer])) }
                staff.append(Staff(organisation: id, coordinator: coordinator, officers: officers))
            }
            return staff
        }

        var population = Population(coordinator: staff[0].coordinator, officers: staff[0].officers, codes: [], words: [])
        population.organisations = staff.count
        population.staff = staff.map { $0.officers.count + 1 }.reduce(0, +)
        var sequences: [String: Int] = [:]
        let calendar = Calendar(identifier: .gregorian)
        let utc = TimeZone(identifier: "UTC")!
        let batch = 10_000
        var made = 0
        while made < total {
            let count = min(batch, total - made)
            var caseRows: [[any SQLExpression]] = [], personRows: [[any SQLExpression]] = []
            var tokenRows: [[any SQLExpression]] = [], teamRows: [[any SQLExpression]] = []
            for number in made..<(made + count) {
                // Organisation by share, lead among its officers (a coordinator now and then).
                let roll = Double.random(in: 0..<1, using: &rng)
                let owner = roll < 0.7 ? staff[0] : roll < 0.9 ? staff[1] : staff[2]
                let organisation = owner.organisation
                let ownerKey = Accounts.owner(organisation)
                let lead = rng.chance(0.08) ? owner.coordinator : rng.pick(owner.officers)
                let id = UUID()
                let country = rng.pick(countries)
                let openedAt = now.addingTimeInterval(-Double.random(in: 3600...(5 * 365 * 86400), using: &rng))
                let updatedAt = openedAt.addingTimeInterval(Double.random(in: 0...now.timeIntervalSince(openedAt), using: &rng))
                let year = calendar.dateComponents(in: utc, from: openedAt).year!
                let key = "\(country)-\(year)"
                let sequence = (sequences[key] ?? 0) + 1
                sequences[key] = sequence
                guard let code = CaseCode(countryAlpha2: country, year: year, sequence: sequence) else {
                    throw CommandFailure(message: "egide bench cases: no code for \(country)")
                }
                var statusRoll = Double.random(in: 0..<1, using: &rng)
                var status = CaseStatus.active
                for (candidate, share) in statusShares {
                    if statusRoll < share { status = candidate; break }
                    statusRoll -= share
                }
                let closed = status == .closed
                let level: Int? = status == .open ? nil : Int.random(in: 1...5, using: &rng)
                let surnameIndex = Int.random(in: 0..<vocabulary, using: &rng)
                let defender = CaseContent.Identity(
                    name: rng.pick(firstNames) + " " + surname(surnameIndex), aliases: nil, dateOfBirth: nil,
                    contacts: rng.chance(0.7) ? "Signal +000 000 \(String(format: "%06d", number % 1_000_000))" : nil, address: nil, notes: nil)
                let summary = "Case \(code): threats after public work in \(country); measures and support under way. Generated by egide bench cases."
                caseRows.append([
                    SQLBind(id), SQLBind(organisation), SQLBind(code.description), SQLBind(year), SQLBind(sequence), SQLBind(country),
                    SQLBind(try vault.seal("Region \(number % 40)", owner: ownerKey, CaseRecord.ref(id, "region"))),
                    SQLBind(try vault.seal(summary, owner: ownerKey, CaseRecord.ref(id, "summary"))),
                    SQLBind(rng.pick(FieldOfWork.allCases).rawValue), SQLBind(status.rawValue), SQLBind(lead.userID), SQLLiteral.null,
                    SQLBind.orNull(level), SQLBind.orNull(level), SQLBind.orNull(closed ? nil : updatedAt.addingTimeInterval(30 * 86400)),
                    SQLBind(openedAt), SQLBind.orNull(closed ? updatedAt : nil), SQLBind.orNull(closed ? rng.pick(CaseOutcome.allCases).rawValue : nil),
                    closed ? SQLBind(try vault.seal("Situation at closure.", owner: ownerKey, CaseRecord.ref(id, "closure"))) as any SQLExpression
                        : SQLLiteral.null,
                    SQLBind(updatedAt),
                ])
                if owner.organisation == staff[0].organisation, population.codes.count < 500, number % 7 == 0 {
                    population.codes.append(code.description)
                    population.words.append(surname(surnameIndex))
                }
                // The defender and 0–2 relatives, with their name tokens.
                var people = [(PersonRole.defender, defender)]
                for _ in 0..<rng.pick([0, 0, 1, 1, 2]) {
                    people.append((.relative, CaseContent.Identity(name: rng.pick(firstNames) + " " + surname(surnameIndex), notes: "Relative")))
                }
                for (role, identity) in people {
                    let personID = UUID()
                    personRows.append([
                        SQLBind(personID), SQLBind(id), SQLBind(organisation), SQLBind(role.rawValue), SQLBind(false),
                        SQLBind(try CaseContent.seal(identity, owner: ownerKey, CasePersonRecord.ref(personID, "identity"), vault: vault)),
                        SQLLiteral.null, SQLLiteral.null, SQLLiteral.null, SQLBind(openedAt), SQLBind(openedAt),
                    ])
                    for token in try CaseQueries.nameTokens(identity, vault: vault) {
                        tokenRows.append([SQLBind(UUID()), SQLBind(id), SQLBind(personID), SQLBind(organisation), SQLBind(token)])
                    }
                }
                // A second officer on a quarter of the cases.
                if rng.chance(0.25), let member = owner.officers.filter({ $0.userID != lead.userID }).randomElement(using: &rng) {
                    teamRows.append([SQLBind(UUID()), SQLBind(id), SQLBind(member.userID), SQLBind(openedAt)])
                }
            }
            let rows = (cases: caseRows, people: personRows, tokens: tokenRows, team: teamRows)
            try await app.transaction { db in
                guard let sql = db as? any SQLDatabase else { throw CommandFailure(message: "egide bench cases: not an SQL database") }
                try await insert(sql, CaseRecord.schema, caseColumns, rows.cases)
                try await insert(sql, CasePersonRecord.schema, personColumns, rows.people)
                try await insert(sql, CaseNameTokenRecord.schema, tokenColumns, rows.tokens)
                try await insert(sql, CaseTeamRecord.schema, teamColumns, rows.team)
            }
            population.people += personRows.count
            population.tokens += tokenRows.count
            population.teamRows += teamRows.count
            made += count
        }
        // Officers with something to list first (every officer leads cases at these sizes).
        population.officers.shuffle(using: &rng)
        if population.codes.isEmpty { throw CommandFailure(message: "egide bench cases: too few cases to sample") }
        return population
    }

    static let caseColumns = ["id", "organisation_id", "code", "year", "sequence", "country", "region_ct", "summary_ct", "field_of_work", "status",
                              "lead_id", "alert_id", "risk_level", "judged_level", "next_review_at", "opened_at", "closed_at", "outcome",
                              "closure_ct", "updated_at"]
    static let personColumns = ["id", "case_id", "organisation_id", "role", "is_organisation", "identity_ct", "sensitive_ct", "consent_at",
                                "consent_by", "created_at", "updated_at"]
    static let tokenColumns = ["id", "case_id", "person_id", "organisation_id", "token"]
    static let teamColumns = ["id", "case_id", "user_id", "added_at"]

    /// Multi-row inserts, each under SQLite's limit of 32,766 bound values.
    static func insert(_ sql: any SQLDatabase, _ table: String, _ columns: [String], _ rows: [[any SQLExpression]]) async throws {
        let perStatement = max(1, 30_000 / columns.count)
        var start = 0
        while start < rows.count {
            let insert = sql.insert(into: table).columns(columns)
            for row in rows[start..<min(rows.count, start + perStatement)] { insert.values(row) }
            try await insert.run()
            start += perStatement
        }
    }

    static func temporaryFolder() throws -> String {
        var template = Array((FileManager.default.temporaryDirectory.path + "/egide-bench-cases.XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw CommandFailure(message: "egide bench cases: cannot create a temporary folder") }
        return String(cString: made)
    }
}
