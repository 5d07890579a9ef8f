import App
import Crypto
import EgideCore
import EgideCrypto
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import SQLiteNIO
import Vapor

/// `egide bench intake [--requests N] [--concurrency C]`: public alert intake end to end. Starts
/// `egide serve` (this same executable) on a fresh data folder holding the demo network, submits N
/// alerts over HTTP on loopback from C concurrent clients and reports alerts/s with the p50/p99
/// latency; then measures the floor in the same run — raw SQLite inserts of the same encrypted
/// columns, one transaction per row, with Egide's PRAGMAs (WAL, synchronous=FULL), from C workers —
/// and prints the ratio. Target: at least 0.6 of the floor. Meaningful only on a release build.
struct IntakeBench: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "requests", help: "How many alerts to submit (default 2000).") var requests: Int?
        @Option(name: "concurrency", help: "How many clients submit at the same time (default 8).") var concurrency: Int?
    }

    var help: String { "Public alert intake over HTTP, alerts/s and p50/p99, against raw SQLite inserts of the same encrypted rows." }

    /// The floor ratio the intake path must reach.
    static let target = 0.6

    /// The checked command-line values.
    struct Settings: Equatable, Sendable {
        var requests: Int
        var concurrency: Int

        init(requests: Int?, concurrency: Int?) throws {
            self.requests = requests ?? 2_000
            self.concurrency = concurrency ?? 8
            guard (1...1_000_000).contains(self.requests) else {
                throw CommandFailure(message: "egide bench intake: --requests must be between 1 and 1000000")
            }
            guard (1...256).contains(self.concurrency) else {
                throw CommandFailure(message: "egide bench intake: --concurrency must be between 1 and 256")
            }
        }

        /// Alerts sent before the clock starts (connections opened, caches filled), not counted.
        var warmUp: Int { min(requests, 4 * concurrency) }
    }

    /// One measured run: how many operations per second, each operation's duration in seconds, and
    /// the server's processor time per operation (user + system, where /proc tells it).
    struct Measurement: Sendable {
        var perSecond: Double
        var latencies: [Double]
        var cpuPerOperation: Double?
        /// The load generator's own processor time per operation (it shares the machine).
        var clientCPUPerOperation: Double?
    }

    func run(using context: CommandContext, signature: Signature) async throws {
        let settings = try Settings(requests: signature.requests, concurrency: signature.concurrency)
        let console = context.console
        let root = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        console.output("egide bench intake: \(settings.requests) alerts, \(settings.concurrency) concurrent clients, after \(settings.warmUp) warm-up alerts".consoleText())
        let alerts = (0..<(settings.warmUp + settings.requests)).map { SampleAlerts.input(number: $0) }

        let server = try await Self.measureServer(alerts, settings: settings, root: root)
        let latencies = server.latencies.sorted()
        let p50 = Self.percentile(0.50, ofSorted: latencies) * 1_000
        let p99 = Self.percentile(0.99, ofSorted: latencies) * 1_000
        console.output("egide serve, POST /api/v1/public/alerts on loopback: \(Int(server.perSecond)) alerts/s, p50 \(Self.milliseconds(p50)), p99 \(Self.milliseconds(p99))".consoleText())
        if let cpu = server.cpuPerOperation {
            console.output("  server processor time per alert (user + system): \(Self.milliseconds(cpu * 1_000))".consoleText())
        }
        if let cpu = server.clientCPUPerOperation {
            console.output("  load generator processor time per alert (same machine): \(Self.milliseconds(cpu * 1_000))".consoleText())
        }

        let floor = try await Self.measureFloor(Array(alerts.suffix(settings.requests)), concurrency: settings.concurrency,
                                                path: root + "/floor.sqlite")
        console.output("floor, raw SQLite insert of the same encrypted columns, one transaction per row, synchronous=FULL: \(Int(floor)) rows/s".consoleText())
        let ratio = server.perSecond / floor
        console.output("ratio (intake / floor) \(String(format: "%.2f", ratio)) — target ≥ \(String(format: "%.2f", Self.target)): \(ratio >= Self.target ? "met" : "NOT met")".consoleText())
    }

    // MARK: Through the server

    /// Prepares a data folder with `egide demo` (which creates the host organisation), serves it,
    /// submits the warm-up alerts then the measured ones, and stops the server with SIGTERM.
    static func measureServer(_ alerts: [AlertInput], settings: Settings, root: String) async throws -> Measurement {
        let data = try await demo(root: root, bench: "intake")
        let port = try await freeLoopbackPort()
        let server = try serve(data: data, port: port, root: root)
        let measured: Measurement
        do {
            try await waitUntilHealthy(port: port, server: server, log: root + "/server.log")
            let encoder = JSONEncoder()
            let requests = try alerts.map {
                LoopbackHTTP.request("POST", "/api/v1/public/alerts", port: port, contentType: "application/json", body: Array(try encoder.encode($0)))
            }
            _ = try await submit(Array(requests.prefix(settings.warmUp)), port: port, concurrency: settings.concurrency)
            let cpuBefore = server.cpuSeconds(), ownBefore = ownCPUSeconds()
            var run = try await submit(Array(requests.suffix(settings.requests)), port: port, concurrency: settings.concurrency)
            if let cpuBefore, let cpuAfter = server.cpuSeconds() { run.cpuPerOperation = (cpuAfter - cpuBefore) / Double(settings.requests) }
            run.clientCPUPerOperation = (ownCPUSeconds() - ownBefore) / Double(settings.requests)
            measured = run
        } catch {
            _ = await server.stop()
            throw error
        }
        guard await server.stop() else {
            throw CommandFailure(message: "egide bench intake: egide serve did not stop cleanly on SIGTERM:\n" + tail(of: root + "/server.log"))
        }
        return measured
    }

    /// Sends `requests` from `concurrency` clients (threads with a keep-alive connection each, see
    /// `LoopbackHTTP`), each taking every `concurrency`-th alert; every answer must be 201 with a
    /// receipt and a passphrase.
    static func submit(_ requests: [[UInt8]], port: Int, concurrency: Int) async throws -> Measurement {
        let clock = ContinuousClock()
        let start = clock.now
        let latencies = try await LoopbackHTTP.onThreads(concurrency, port: port) { client, connection in
            var latencies: [Double] = []
            latencies.reserveCapacity(requests.count / concurrency + 1)
            for index in stride(from: client, to: requests.count, by: concurrency) {
                let sent = clock.now
                let response = try connection.send(requests[index])
                latencies.append(seconds(clock.now - sent))
                guard response.status == 201,
                      let receipt = try? JSONDecoder().decode(AlertReceipt.self, from: Data(response.body)),
                      !receipt.receipt.isEmpty, !receipt.passphrase.isEmpty else {
                    throw CommandFailure(message: "egide bench intake: alert \(index) was answered \(response.status): \(String(decoding: response.body, as: UTF8.self))")
                }
            }
            return latencies
        }.flatMap { $0 }
        return Measurement(perSecond: Double(requests.count) / seconds(clock.now - start), latencies: latencies)
    }

    /// Fills `root/data` with `egide demo` (the demo network and its accounts); returns the folder.
    static func demo(root: String, bench: String) async throws -> String {
        let data = root + "/data"
        let demo = try BenchProcess(executablePath(), ["demo", "--data-dir", data], environment: childEnvironment(), output: root + "/demo.log")
        guard await demo.waitForExit(within: .seconds(300)) == 0 else {
            throw CommandFailure(message: "egide bench \(bench): `egide demo` failed:\n" + tail(of: root + "/demo.log"))
        }
        return data
    }

    /// Starts `egide serve` on `data` at 127.0.0.1:`port`, its log in `root/server.log`; with
    /// `core`, pinned to that processor (`taskset`), so a load generator can have the other.
    static func serve(data: String, port: Int, root: String, core: Int? = nil) throws -> BenchProcess {
        let arguments = ["serve", "--hostname", "127.0.0.1", "--port", String(port), "--data-dir", data]
        guard let core else { return try BenchProcess(executablePath(), arguments, environment: childEnvironment(), output: root + "/server.log") }
        return try BenchProcess("taskset", ["-c", String(core), executablePath()] + arguments, environment: childEnvironment(),
                                output: root + "/server.log")
    }

    static func waitUntilHealthy(port: Int, server: BenchProcess, log: String) async throws {
        let probe = LoopbackHTTP.request("GET", "/healthz", port: port)
        for _ in 0..<600 {
            if server.exitStatus() != nil {
                throw CommandFailure(message: "egide bench intake: egide serve exited early:\n" + tail(of: log))
            }
            let connection = LoopbackHTTP.Connection(port: port, timeout: 2)
            if let response = try? connection.send(probe), response.status == 200 { return }
            connection.close()
            try await Task.sleep(for: .milliseconds(100))
        }
        throw CommandFailure(message: "egide bench intake: egide serve did not answer on 127.0.0.1:\(port)/healthz within 60 s:\n" + tail(of: log))
    }

    /// The processor time (user + system) this process has used so far: the load generator's cost.
    static func ownCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    // MARK: The floor

    /// Raw SQLite: `concurrency` workers, each with its own connection, seal the alert's personal
    /// fields with a field key (the same AES-256-GCM blobs, bound to the row) and insert the row in
    /// a transaction of its own. Writes are serialised, as SQLite has one writer (Egide does the
    /// same with its write lock), so no time is lost in SQLite's busy-wait sleeps. Returns rows/s.
    static func measureFloor(_ alerts: [AlertInput], concurrency: Int, path: String) async throws -> Double {
        var ring = KeyRing()
        try ring.insert(DataKey.generate(), owner: "bench", makeActive: true)
        let cipher = FieldCipher(ring: ring)
        var connections: [SQLiteConnection] = []
        for _ in 0..<concurrency {
            let connection = try await SQLiteConnection.open(storage: .file(path: path))
            connections.append(connection)
            for pragma in DatabaseSetup.sqlitePragmas { _ = try await connection.query(pragma) }
        }
        do {
            _ = try await connections[0].query(FloorRow.createTable)
            let writeLock = AsyncMutex()
            let clock = ContinuousClock()
            let start = clock.now
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (worker, connection) in connections.enumerated() {
                    group.addTask {
                        for index in stride(from: worker, to: alerts.count, by: concurrency) {
                            let binds = try FloorRow.binds(alerts[index], number: index, cipher: cipher)
                            try await writeLock.withLock {
                                _ = try await connection.query("BEGIN IMMEDIATE")
                                _ = try await connection.query(FloorRow.insert, binds)
                                _ = try await connection.query("COMMIT")
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
            let elapsed = seconds(clock.now - start)
            for connection in connections { try await connection.close() }
            return Double(alerts.count) / elapsed
        } catch {
            for connection in connections { try? await connection.close() }
            throw error
        }
    }

    /// The row the floor writes: the columns of an alert that carry its content, encrypted as
    /// `AlertIntake.submit` encrypts them, with 32-byte keyed tags where Egide stores them.
    enum FloorRow {
        static let fields = ["defender_name", "organisation_name", "region", "incident_date", "narrative", "contact"]
        static let tags = ["receipt_tag", "passphrase_tag", "idempotency_tag", "payload_tag"]
        static let plain = ["country", "categories", "needs", "language", "received_at"]
        static var columns: [String] { ["id"] + tags + plain + fields.map { $0 + "_ct" } }
        static var createTable: String {
            "CREATE TABLE floor (id TEXT PRIMARY KEY, " + columns.dropFirst().map { "\($0) BLOB" }.joined(separator: ", ") + ")"
        }
        static var insert: String {
            "INSERT INTO floor (\(columns.joined(separator: ", "))) VALUES (\(columns.map { _ in "?" }.joined(separator: ", ")))"
        }

        static func binds(_ alert: AlertInput, number: Int, cipher: FieldCipher) throws -> [SQLiteData] {
            let id = UUID().uuidString.lowercased()
            let tagValues = tags.map { SQLiteData.blob(ByteBuffer(bytes: SHA256.hash(data: Data("\($0):\(number)".utf8)))) }
            let plainValues: [SQLiteData] = [
                .text(alert.country ?? ""), .text((alert.categories ?? []).joined(separator: ",")),
                .text((alert.needs ?? []).joined(separator: ",")), .text(alert.language ?? ""),
                .float(Date().timeIntervalSince1970),
            ]
            let values = [alert.defenderName, alert.organisationName, alert.region, alert.incidentDate, alert.narrative, alert.contact]
            let sealed: [SQLiteData] = try zip(fields, values).map { field, value in
                guard let value else { return .null }
                let context = FieldContext(table: "alerts", recordID: id, field: field)
                return .blob(ByteBuffer(bytes: try cipher.seal(string: value, owner: "bench", context: context)))
            }
            return [.text(id)] + tagValues + plainValues + sealed
        }
    }

    // MARK: Arithmetic

    /// The nearest-rank percentile (`fraction` in 0…1) of ascending `values`; 0 when there are none.
    static func percentile(_ fraction: Double, ofSorted values: [Double]) -> Double {
        guard !values.isEmpty else { return 0 }
        let rank = Int((fraction * Double(values.count)).rounded(.up))
        return values[min(max(rank, 1), values.count) - 1]
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    static func milliseconds(_ value: Double) -> String { String(format: "%.1f ms", value) }

    // MARK: Processes and files

    /// This program's own executable, which the bench runs as `egide demo` and `egide serve`.
    static func executablePath() -> String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    /// The environment of the children: this one, without anything that would point them at other
    /// data, and with the intake limit off.
    static func childEnvironment() -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        for name in ["EGIDE_DATA_DIR", "DATABASE_URL", "EGIDE_KEK_FILE", "EGIDE_BASE_URL"] { environment[name] = nil }
        environment["EGIDE_PUBLIC_ALERTS_PER_MINUTE"] = "0"
        return environment
    }

    static func temporaryFolder() throws -> String {
        var template = Array((FileManager.default.temporaryDirectory.path + "/egide-bench-intake.XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw CommandFailure(message: "egide bench intake: cannot create a temporary folder") }
        return String(cString: made)
    }

    /// A loopback port nothing listens on right now.
    static func freeLoopbackPort() async throws -> Int {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let port = channel.localAddress?.port
        try await channel.close()
        guard let port else { throw CommandFailure(message: "egide bench intake: no free loopback port") }
        return port
    }

    /// The last lines of a child's log, for an error message.
    static func tail(of path: String) -> String {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return text.split(separator: "\n", omittingEmptySubsequences: false).suffix(20).joined(separator: "\n")
    }
}

/// A child process started with posix_spawn, its output sent to a file. The child gets an empty
/// signal mask and default handlers: this process's threads block signals, and `egide serve` must
/// see the SIGTERM that stops it.
final class BenchProcess: Sendable {
    let pid: pid_t
    private let status = NIOLockedValueBox<Int32?>(nil)

    init(_ executable: String, _ arguments: [String], environment: [String: String], output: String) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t(), defaults = sigset_t()
        sigemptyset(&empty)
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGPIPE, SIGALRM, SIGCHLD] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid = pid_t()
        let result = posix_spawnp(&pid, executable, &actions, &attributes, argv, envp)
        guard result == 0 else {
            throw CommandFailure(message: "cannot start \(executable): \(String(cString: strerror(result)))")
        }
        self.pid = pid
    }

    /// The child's exit status once it has ended (reaped here, once), or nil while it runs.
    func exitStatus() -> Int32? {
        status.withLockedValue { status in
            if status == nil {
                var raw: Int32 = 0
                if waitpid(pid, &raw, WNOHANG) == pid {
                    // Exited normally: the code in bits 8–15; killed by a signal: 128 + the signal.
                    status = raw & 0x7f == 0 ? (raw >> 8) & 0xff : 128 + (raw & 0x7f)
                }
            }
            return status
        }
    }

    /// The processor time (user + system) the running child has used so far, from
    /// `/proc/<pid>/stat`; nil where there is no /proc (macOS).
    func cpuSeconds() -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let ticks = Self.cpuTicks(stat: stat) else { return nil }
        return Double(ticks) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// utime + stime (fields 14 and 15) of a `/proc/<pid>/stat` line. The command name (field 2) is
    /// in parentheses and may hold spaces, so fields are counted after its closing parenthesis.
    static func cpuTicks(stat: String) -> Int? {
        guard let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Int(fields[11]), let system = Int(fields[12]) else { return nil }
        return user + system
    }

    /// Waits up to `limit` for the child to end; its exit status, or nil if it still runs.
    func waitForExit(within limit: Duration) async -> Int32? {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if let code = exitStatus() { return code }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return exitStatus()
    }

    /// Sends SIGTERM and waits up to 15 s (then SIGKILL). True when the child exited with status 0.
    func stop() async -> Bool {
        if exitStatus() == nil { kill(pid, SIGTERM) }
        if let code = await waitForExit(within: .seconds(15)) { return code == 0 }
        kill(pid, SIGKILL)
        _ = await waitForExit(within: .seconds(5))
        return false
    }
}

/// Realistic public alerts in French and English, each with a narrative of 1–2 KB, a distinct
/// idempotency key and only the vocabulary Egide is seeded with.
enum SampleAlerts {
    static let paragraphs: [(language: String, text: String)] = [
        ("fr", "Depuis l'audience du mois dernier au tribunal de grande instance, la défenseure reçoit des appels anonymes la nuit. Les interlocuteurs connaissent son adresse, l'école de ses enfants et les horaires de son trajet vers le bureau de l'association. Deux hommes en civil ont stationné devant son domicile pendant trois soirs consécutifs et ont photographié les personnes qui entraient."),
        ("fr", "Le 12, vers 18 heures, des agents se présentant comme membres des services de renseignement ont fait irruption dans les locaux du collectif. Ils ont saisi deux ordinateurs portables, des disques durs contenant des témoignages de victimes et la liste des bénévoles, sans présenter de mandat ni dresser de procès-verbal. Le coordinateur a été retenu quatre heures sans avocat."),
        ("fr", "Une plainte pour diffamation a été déposée contre lui par une entreprise minière après la publication d'un rapport sur les expulsions forcées dans la vallée. L'audience est fixée dans trois semaines et son avocat craint une détention provisoire. Sa famille a déjà dû quitter le village, et la radio communautaire où il travaille a été privée d'antenne."),
        ("fr", "Nous avons besoin d'un soutien juridique urgent et, si possible, d'une relocalisation temporaire dans une autre région pendant la durée de la procédure. Elle souhaite aussi un accompagnement psychologique pour elle et ses enfants, ainsi qu'une aide pour sécuriser ses téléphones, dont elle pense qu'ils sont surveillés depuis plusieurs semaines."),
        ("en", "Since she testified before the parliamentary committee, the defender has been followed every day by a grey car without plates. Her social media accounts were hacked last week and private messages with survivors she supports were published with insulting comments. Local police refused to register her complaint and advised her to stop her work."),
        ("en", "On the night of the 4th, unknown men broke into the office of the land-rights association, destroyed the archive of community maps and left a written threat naming three staff members. The same evening, the chairperson received a call warning him that he would be next if the lawsuit against the plantation company was not withdrawn."),
        ("en", "He was arrested at a checkpoint while returning from documenting a forced eviction and has been held without charge for nine days. His lawyer has not been allowed to see him, and his family received conflicting information about where he is detained. Colleagues fear that he is being pressured to reveal the names of witnesses."),
        ("en", "We are asking for legal support to challenge the detention, help with medical costs after the beating, and advice on digital security for the rest of the team. Relocation may be needed for two colleagues whose addresses were shared in a public post that has been viewed thousands of times."),
    ]

    static let names = ["Aline Mbarga", "Joseph Kabila Mwamba", "Amira Ben Salah", "Nino Beridze", "Chantal Uwimana", "Samuel Otieno", "Leïla Haddad", "Rosa Quispe"]
    static let organisations = ["Collectif des femmes du Sud-Kivu", "Radio communautaire de Bafang", "Land Rights Watch Kenya", "Association tunisienne des défenseur·ses"]
    static let countries = ["CM", "CD", "TN", "GE", "KE", "PE", "FR", "BI"]
    static let regions = ["Littoral", "Sud-Kivu", "Sfax", "Kvemo Kartli", "Nakuru", "Cusco"]
    static let categories = ["threats", "physical_attack", "arrest_detention", "judicial_harassment", "online_harassment"]
    static let channels: [ContactChannel] = [.signal, .whatsapp, .telegram, .email, .phone]

    /// The `number`-th sample alert: a stable mix of languages, countries, categories and needs.
    static func input(number: Int) -> AlertInput {
        let language = number % 2 == 0 ? "fr" : "en"
        let own = paragraphs.filter { $0.language == language }.map(\.text)
        let count = 3 + number % 2
        let narrative = (0..<count).map { own[(number / 2 + $0) % own.count] }.joined(separator: "\n\n")
            + "\n\n" + (language == "fr" ? "Référence interne du signalement : \(number)." : "Internal reference of this report: \(number).")
        let channel = channels[number % channels.count]
        let withContact = number % 3 != 0
        return AlertInput(
            defenderName: names[number % names.count],
            organisationName: number % 4 == 0 ? organisations[number % organisations.count] : nil,
            senderIsDefender: number % 5 == 0,
            country: countries[number % countries.count],
            region: regions[number % regions.count],
            incidentDate: "2025-\(String(format: "%02d", 1 + number % 12))-\(String(format: "%02d", 1 + number % 28))",
            categories: [categories[number % categories.count], categories[(number + 2) % categories.count]],
            fieldOfWork: FieldOfWork.allCases[number % FieldOfWork.allCases.count].rawValue,
            narrative: narrative,
            needs: [AlertNeed.allCases[number % AlertNeed.allCases.count].rawValue, AlertNeed.legal.rawValue],
            contact: withContact ? (channel == .email ? "contact\(number)@example.org" : "+237 6 99 \(String(format: "%06d", number % 1_000_000))") : nil,
            contactChannel: withContact ? channel.rawValue : nil,
            consentToContact: withContact,
            language: language,
            idempotencyKey: "bench-intake-\(String(format: "%08d", number))-\(UUID().uuidString.lowercased())")
    }
}
