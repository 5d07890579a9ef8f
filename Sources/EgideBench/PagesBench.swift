import App
import EgideCrypto
import Foundation
import Vapor

/// `egide bench pages [--seconds S] [--connections C]`: how many times a second `egide serve`
/// answers each public page, the style sheet, `/healthz`, the 404 page and the signed-in lists,
/// against a floor measured in the same run — a 20-line Python asyncio responder
/// (`Resources/Bench/floor.py`) that answers three bytes without reading the request.
///
/// Server and floor run pinned to processor 0, `wrk` (one thread, C connections, `--latency`) to
/// processor 1, as in the measurements of docs/DEVELOPMENT.md; the server runs as the README
/// starts it (no `--env production`, the front door on) on a fresh `egide demo` folder; with
/// `EGIDE_FRONT_DOOR=0` in the environment it measures Vapor's server alone, for comparison. Targets: every public page
/// ≥ 0.25× the floor with p99 < 50 ms; `/healthz` and the style sheet ≥ 0.5×; the signed-in lists
/// p50 ≤ 25 ms at 8 connections. Needs `wrk`, `taskset` and `python3`; meaningful on a release build.
struct PagesBench: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "seconds", help: "How long each route is loaded (default 10).") var seconds: Int?
        @Option(name: "connections", help: "Concurrent connections on the public routes (default 32).") var connections: Int?
    }

    var help: String { "Public pages, static files, /healthz and the signed-in lists under wrk, as ratios to an asyncio floor." }

    /// What a route must reach.
    enum Target: Equatable {
        /// A share of the floor's rate, and a p99 in seconds when given.
        case ratio(Double, p99: Double?)
        /// A p50 in seconds.
        case p50(Double)
        /// Measured for the record, without a target.
        case reported

        var text: String {
            switch self {
            case .ratio(let ratio, let p99): "≥ \(String(format: "%.2f", ratio))×" + (p99.map { ", p99 < \(Int($0 * 1_000)) ms" } ?? "")
            case .p50(let p50): "p50 ≤ \(Int(p50 * 1_000)) ms"
            case .reported: "(no target)"
            }
        }
    }

    struct Route {
        var label: String
        var path: String
        var status: Int = 200
        var signedIn = false
        /// Sends `Accept-Encoding: gzip` as browsers do (wrk does not by default).
        var gzip = false
        var target: Target
    }

    static let publicPage = Target.ratio(0.25, p99: 0.050)
    static let routes: [Route] = [
        Route(label: "public alert form (English)", path: "/en/alert", target: publicPage),
        Route(label: "public alert form, gzip as browsers ask", path: "/en/alert", gzip: true, target: publicPage),
        Route(label: "public alert form (French)", path: "/fr/alerte", target: publicPage),
        Route(label: "public alert form (Arabic)", path: "/ar/alert", target: publicPage),
        Route(label: "public alert form (earlier address)", path: "/alert", target: publicPage),
        Route(label: "follow-up form", path: "/en/alert/follow-up", target: publicPage),
        Route(label: "home", path: "/", target: publicPage),
        Route(label: "sign-in", path: "/sign-in", target: publicPage),
        Route(label: "404 page", path: "/no-such-page", status: 404, target: publicPage),
        Route(label: "style sheet", path: "/css/egide.css", target: .ratio(0.5, p99: nil)),
        Route(label: "health check", path: "/healthz", target: .ratio(0.5, p99: nil)),
        Route(label: "case list, signed in (8 connections)", path: "/cases", signedIn: true, target: .p50(0.025)),
        Route(label: "alert queue, signed in (8 connections)", path: "/alerts", signedIn: true, target: .p50(0.025)),
        Route(label: "grant list, signed in (8 connections)", path: "/grants", signedIn: true, target: .p50(0.025)),
        Route(label: "appeal list, signed in (8 connections)", path: "/appeals", signedIn: true, target: .p50(0.025)),
    ]

    /// One wrk run.
    struct Load: Equatable {
        var perSecond: Double
        var p50: Double
        var p99: Double
        var requests: Int
        /// Answers outside 2xx/3xx, as wrk counts them.
        var unexpected: Int
        var socketErrors: Int
    }

    func run(using context: CommandContext, signature: Signature) async throws {
        let seconds = max(2, signature.seconds ?? 10)
        let connections = min(max(1, signature.connections ?? 32), 1_000)
        let console = context.console
        for tool in ["wrk", "taskset", "python3"] where !Self.onPath(tool) {
            throw CommandFailure(message: "egide bench pages: `\(tool)` is not installed (apt-get install wrk util-linux python3)")
        }
        let floorScript = try Self.floorScript()
        let root = try IntakeBench.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        console.output("egide bench pages: wrk -t1 -c\(connections) -d\(seconds)s pinned to processor 1, server and floor pinned to processor 0".consoleText())

        let floorBefore = try await Self.measureFloor(script: floorScript, root: root, seconds: seconds, connections: connections)
        console.output("floor before (Resources/Bench/floor.py, asyncio): \(Self.describe(floorBefore))".consoleText())

        let data = try await IntakeBench.demo(root: root, bench: "pages")
        let port = try await IntakeBench.freeLoopbackPort()
        let server = try IntakeBench.serve(data: data, port: port, root: root, core: 0)
        var results: [(Route, Load, Double?)] = []
        var flood: (form: Load, posts: Load)?
        do {
            try await IntakeBench.waitUntilHealthy(port: port, server: server, log: root + "/server.log")
            let cookies = try Self.signIn(port: port, demoLog: root + "/demo.log")
            for route in Self.routes {
                let routeCookies = route.signedIn ? cookies : []
                let probe = try LoopbackHTTP.Connection(port: port).send(LoopbackHTTP.request("GET", route.path, port: port, cookies: routeCookies))
                guard probe.status == route.status else {
                    throw CommandFailure(message: "egide bench pages: GET \(route.path) answered \(probe.status), expected \(route.status)")
                }
                let before = server.cpuSeconds()
                let load = try await Self.wrk(port: port, path: route.path, seconds: seconds, connections: route.signedIn ? min(8, connections) : connections,
                                              headers: (routeCookies.isEmpty ? [] : ["Cookie: " + routeCookies.joined(separator: "; ")])
                                                  + (route.gzip ? ["Accept-Encoding: gzip"] : []), root: root)
                var cpu: Double?
                if let before, let after = server.cpuSeconds() { cpu = (after - before) / Double(max(load.requests, 1)) }
                if load.socketErrors > 0 || (route.status < 400 && load.unexpected > 0) {
                    throw CommandFailure(message: "egide bench pages: GET \(route.path): \(load.unexpected) unexpected answers, \(load.socketErrors) socket errors")
                }
                results.append((route, load, cpu))
            }
            flood = try await Self.underFlood(port: port, seconds: seconds, connections: connections, root: root)
        } catch {
            _ = await server.stop()
            throw error
        }
        _ = await server.stop()
        // The floor again after the pages: a virtual machine's neighbours change its speed, so the
        // ratios are taken against the faster of the two (the harder target).
        let floorAfter = try await Self.measureFloor(script: floorScript, root: root, seconds: seconds, connections: connections)
        console.output("floor after: \(Self.describe(floorAfter))".consoleText())
        let floor = floorAfter.perSecond > floorBefore.perSecond ? floorAfter : floorBefore

        console.output(Self.table(results, floor: floor).consoleText())
        if let flood {
            let ratio = String(format: "%.3f", flood.form.perSecond / floor.perSecond)
            console.output(("during a flood of invalid alert posts (\(connections / 2) connections, \(Int(flood.posts.perSecond)) posts/s answered, "
                + "\(flood.posts.unexpected) of them 422 or 503): GET /en/alert \(Int(flood.form.perSecond)) req/s (\(ratio)× floor), "
                + "p50 \(Self.ms(flood.form.p50)), p99 \(Self.ms(flood.form.p99))").consoleText())
        }
        let missed = results.filter { $0.0.target != .reported && !Self.met($0.0.target, $0.1, floor: floor) }
        console.output((missed.isEmpty ? "every target met" : "NOT met: " + missed.map { $0.0.path }.joined(separator: ", ")).consoleText())
    }

    static func met(_ target: Target, _ load: Load, floor: Load) -> Bool {
        switch target {
        case .ratio(let ratio, let p99): load.perSecond / floor.perSecond >= ratio && p99.map { load.p99 < $0 } ?? true
        case .p50(let p50): load.p50 <= p50
        case .reported: true
        }
    }

    static func table(_ results: [(Route, Load, Double?)], floor: Load) -> String {
        let header = [pad("route", 58), pad("req/s", 8, right: true), pad("× floor", 9, right: true), pad("p50", 10, right: true),
                      pad("p99", 10, right: true), pad("server CPU/req", 15, right: true), "target"]
        var lines = [header.joined(separator: " ")]
        for (route, load, cpu) in results {
            let ratio = String(format: "%.3f", load.perSecond / floor.perSecond)
            let cells = [pad("GET \(route.path)  \(route.label)", 58), pad(String(Int(load.perSecond)), 8, right: true), pad(ratio, 9, right: true),
                         pad(ms(load.p50), 10, right: true), pad(ms(load.p99), 10, right: true), pad(cpu.map { ms($0) } ?? "—", 15, right: true),
                         route.target.text + (route.target == .reported ? "" : met(route.target, load, floor: floor) ? " met" : " NOT met")]
            lines.append(cells.joined(separator: " "))
        }
        return lines.joined(separator: "\n")
    }

    static func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
        let count = text.count
        guard count < width else { return text }
        let space = String(repeating: " ", count: width - count)
        return right ? space + text : text + space
    }

    static func ms(_ seconds: Double) -> String { String(format: "%.2f ms", seconds * 1_000) }

    static func describe(_ load: Load) -> String { "\(Int(load.perSecond)) req/s, p50 \(ms(load.p50)), p99 \(ms(load.p99))" }

    // MARK: Floor, wrk, sign-in

    /// The alert form measured while another wrk posts invalid alerts as fast as the server
    /// answers (each costs validation and a page rendered with the problems — the most expensive
    /// thing anyone can ask without an account), half the connections each.
    static func underFlood(port: Int, seconds: Int, connections: Int, root: String) async throws -> (form: Load, posts: Load) {
        let probe = try LoopbackHTTP.Connection(port: port).send(LoopbackHTTP.request("GET", "/en/alert", port: port))
        guard let cookie = probe.cookies.first(where: { $0.contains("egide-csrf=") }),
              let token = cookie.split(separator: "=", maxSplits: 1).last else {
            throw CommandFailure(message: "egide bench pages: the alert form set no CSRF cookie")
        }
        let script = root + "/flood.lua"
        try """
            wrk.method = "POST"
            wrk.body = "_csrf=\(token)&narrative=flood&country=ZZ"
            wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
            wrk.headers["Cookie"] = "\(cookie)"
            """.write(toFile: script, atomically: true, encoding: .utf8)
        let half = max(1, connections / 2)
        async let posts = wrk(port: port, path: "/en/alert", seconds: seconds, connections: half, headers: [], script: script, root: root, log: "flood")
        try await Task.sleep(for: .milliseconds(500))
        let form = try await wrk(port: port, path: "/en/alert", seconds: seconds - 1, connections: half, headers: [], root: root)
        return (form, try await posts)
    }

    /// The floor script: beside the resources Egide runs with (`EGIDE_RESOURCES_DIR` or the working folder).
    static func floorScript() throws -> String {
        let resources = ProcessInfo.processInfo.environment["EGIDE_RESOURCES_DIR"] ?? FileManager.default.currentDirectoryPath
        let path = resources + "/Resources/Bench/floor.py"
        guard FileManager.default.fileExists(atPath: path) else {
            throw CommandFailure(message: "egide bench pages: no \(path) (run from Egide's source folder or set EGIDE_RESOURCES_DIR)")
        }
        return path
    }

    static func measureFloor(script: String, root: String, seconds: Int, connections: Int) async throws -> Load {
        let port = try await IntakeBench.freeLoopbackPort()
        let floor = try BenchProcess("taskset", ["-c", "0", "python3", script, String(port)], environment: ProcessInfo.processInfo.environment,
                                     output: root + "/floor.log")
        defer { kill(floor.pid, SIGKILL); _ = floor.exitStatus() }
        for _ in 0..<100 {
            if (try? LoopbackHTTP.Connection(port: port, timeout: 2).send(LoopbackHTTP.request("GET", "/", port: port)))?.status == 200 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        return try await wrk(port: port, path: "/", seconds: seconds, connections: connections, headers: [], root: root)
    }

    /// Runs `wrk --latency` on processor 1 and reads its report.
    static func wrk(port: Int, path: String, seconds: Int, connections: Int, headers: [String], script: String? = nil,
                    root: String, log: String = "wrk") async throws -> Load {
        var arguments = ["-c", "1", "wrk", "-t1", "-c\(connections)", "-d\(seconds)s", "--latency", "--timeout", "10s"]
        for header in headers { arguments += ["-H", header] }
        if let script { arguments += ["-s", script] }
        arguments.append("http://127.0.0.1:\(port)\(path)")
        let output = root + "/\(log).log"
        let process = try BenchProcess("taskset", arguments, environment: ProcessInfo.processInfo.environment, output: output)
        guard await process.waitForExit(within: .seconds(seconds + 60)) == 0 else {
            throw CommandFailure(message: "egide bench pages: wrk failed on \(path):\n" + IntakeBench.tail(of: output))
        }
        let report = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        guard let load = parseWrk(report) else { throw CommandFailure(message: "egide bench pages: cannot read wrk's report:\n" + report) }
        return load
    }

    /// Reads `Requests/sec`, the 50% and 99% latencies, the request count and the error lines of
    /// `wrk --latency`.
    static func parseWrk(_ report: String) -> Load? {
        var load = Load(perSecond: 0, p50: -1, p99: -1, requests: 0, unexpected: 0, socketErrors: 0)
        for line in report.split(separator: "\n").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            let words = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            if line.hasPrefix("Requests/sec:"), let rate = words.last.flatMap(Double.init) { load.perSecond = rate }
            if words.first == "50%", let value = words.last.flatMap(duration) { load.p50 = value }
            if words.first == "99%", let value = words.last.flatMap(duration) { load.p99 = value }
            if words.count > 2, words[1] == "requests", words[2] == "in", let count = Int(words[0]) { load.requests = count }
            if line.hasPrefix("Non-2xx or 3xx responses:"), let count = words.last.flatMap(Int.init) { load.unexpected = count }
            if line.hasPrefix("Socket errors:") {
                load.socketErrors = words.compactMap { Int($0.trimmingCharacters(in: CharacterSet(charactersIn: ","))) }.reduce(0, +)
            }
        }
        return load.perSecond > 0 && load.p50 >= 0 && load.p99 >= 0 ? load : nil
    }

    /// wrk's `812.00us`, `1.23ms`, `2.01s`, `1.5m` in seconds.
    static func duration(_ text: String) -> Double? {
        for (unit, scale) in [("us", 1e-6), ("ms", 1e-3), ("m", 60.0), ("s", 1.0)] where text.hasSuffix(unit) {
            return Double(text.dropLast(unit.count)).map { $0 * scale }
        }
        return nil
    }

    /// Signs in as the demo coordinator over HTTP (password, then the TOTP code computed from the
    /// secret `egide demo` printed) and returns the cookies of the session.
    static func signIn(port: Int, demoLog: String) throws -> [String] {
        let email = "karim.benali@example.org"
        let log = (try? String(contentsOfFile: demoLog, encoding: .utf8)) ?? ""
        guard let line = log.split(separator: "\n").first(where: { $0.contains(email) && $0.contains("TOTP") }),
              let secretText = line.split(separator: " ").last, let secret = try? Base32.decode(String(secretText)),
              let passwordLine = log.split(separator: "\n").first(where: { $0.hasPrefix("Password for every demo account: ") }) else {
            throw CommandFailure(message: "egide bench pages: `egide demo` printed no password or TOTP secret for \(email)")
        }
        let demoPassword = String(passwordLine.dropFirst("Password for every demo account: ".count))
        let connection = LoopbackHTTP.Connection(port: port)
        var jar: [String: String] = [:]
        func send(_ method: String, _ path: String, _ form: [(String, String)] = []) throws -> LoopbackHTTP.Response {
            let body = form.map { "\($0)=\($1.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }.joined(separator: "&")
            let response = try connection.send(LoopbackHTTP.request(method, path, port: port, contentType: form.isEmpty ? nil : "application/x-www-form-urlencoded",
                                                                      cookies: jar.map { "\($0)=\($1)" }, body: Array(body.utf8)))
            for cookie in response.cookies {
                let parts = cookie.split(separator: "=", maxSplits: 1).map(String.init)
                if parts.count == 2 { jar[parts[0]] = parts[1] }
            }
            return response
        }
        _ = try send("GET", "/sign-in")
        guard let csrf = jar.first(where: { $0.key.hasSuffix("egide-csrf") })?.value else {
            throw CommandFailure(message: "egide bench pages: the sign-in page set no CSRF cookie")
        }
        let password = try send("POST", "/sign-in", [("email", email), ("password", demoPassword), ("_csrf", csrf)])
        let code = TOTP(secret: secret).code(at: Date())
        let second = try send("POST", "/sign-in/code", [("code", code), ("_csrf", csrf)])
        guard password.status == 303, second.status == 303, try send("GET", "/cases").status == 200 else {
            throw CommandFailure(message: "egide bench pages: signing in as \(email) failed (\(password.status), \(second.status))")
        }
        return jar.map { "\($0)=\($1)" }
    }

    static func onPath(_ tool: String) -> Bool {
        (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").contains {
            FileManager.default.isExecutableFile(atPath: "\($0)/\(tool)")
        }
    }
}
