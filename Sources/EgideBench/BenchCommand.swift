import App
import EgideCrypto
import Foundation
import Vapor

/// `egide bench crypto [--seconds S]`: field encryption throughput (AES-256-GCM over 256-byte values,
/// with the key id and row/column binding Egide really uses), measured beside
/// `openssl speed -evp aes-256-gcm -bytes 256` in the same run. Target: sealing at least half as fast
/// as OpenSSL. Also prints the AES-GCM engine in use and the decryption rate.
/// Meaningful only on a release build: `swift run -c release egide bench crypto`.
package struct BenchCommand: AsyncCommandGroup {
    package init() {}

    package var commands: [String: any AnyAsyncCommand] { ["crypto": CryptoBench(), "intake": IntakeBench(), "cases": CaseBench(), "fund": FundBench(), "pages": PagesBench(), "linkage": LinkageBench()] }
    package var help: String { "Benchmarks (run them on a release build)." }
}

struct CryptoBench: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "seconds", help: "How long each measurement runs (default 3).") var seconds: Int?
    }

    var help: String { "Field encryption of 256-byte values, ops/s, against openssl speed." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let seconds = max(1, signature.seconds ?? 3)
        context.console.output("AES-GCM engine: \(FieldCipher.engineName)".consoleText())
        let egide = try Self.measureFieldEncryption(seconds: Double(seconds))
        context.console.output("egide field encryption (AES-256-GCM, 256-byte values): \(Int(egide.seal)) ops/s".consoleText())
        context.console.output("egide field decryption (AES-256-GCM, 256-byte values): \(Int(egide.open)) ops/s".consoleText())
        // The blocking wait runs on a plain thread, never on Swift's cooperative pool.
        let openssl = await withCheckedContinuation { continuation in
            Thread.detachNewThread { continuation.resume(returning: Self.measureOpenSSL(seconds: seconds)) }
        }
        guard let openssl else {
            context.console.output("openssl speed could not be run (is openssl installed?): no comparison".consoleText())
            return
        }
        let ratio = egide.seal / openssl
        context.console.output("openssl speed -evp aes-256-gcm -bytes 256:              \(Int(openssl)) ops/s".consoleText())
        context.console.output("ratio (field encryption / openssl) \(String(format: "%.2f", ratio)) — target ≥ 0.50: \(ratio >= 0.5 ? "met" : "NOT met")".consoleText())
    }

    /// Seals a fresh 256-byte value per operation, each bound to its own row, for `seconds`; then
    /// opens such values (1,000 blobs, each at its own row) for `seconds`.
    static func measureFieldEncryption(seconds: Double) throws -> (seal: Double, open: Double) {
        var ring = KeyRing()
        try ring.insert(DataKey.generate(), owner: "bench", makeActive: true)
        let cipher = FieldCipher(ring: ring)
        let value = [UInt8](repeating: 0x41, count: 256)
        var sink = 0
        let seal = try measure(seconds: seconds) { row in
            let blob = try cipher.seal(value, owner: "bench", context: FieldContext(table: "bench", recordID: String(row), field: "value"))
            sink &+= blob.count
        }
        let blobs = try (0..<1_000).map { row in
            try cipher.seal(value, owner: "bench", context: FieldContext(table: "bench", recordID: String(row), field: "value"))
        }
        let open = try measure(seconds: seconds) { row in
            let plaintext = try cipher.open(blobs[row], owner: "bench", context: FieldContext(table: "bench", recordID: String(row), field: "value"))
            sink &+= plaintext.count
        }
        precondition(sink > 0)
        return (seal, open)
    }

    /// Operations per second of `operation(row)` over rows 0..<1,000, repeated for `seconds` of wall-clock time.
    static func measure(seconds: Double, _ operation: (Int) throws -> Void) rethrows -> Double {
        let clock = ContinuousClock()
        let start = clock.now
        var operations = 0
        while clock.now - start < .seconds(seconds) {
            for row in 0..<1_000 { try operation(row) }
            operations += 1_000
        }
        let elapsed = clock.now - start
        return Double(operations) / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }

    /// Operations per second reported by `openssl speed`, or `nil` if it cannot run. Spawned with
    /// posix_spawn so the child gets a clean signal mask (the server's threads block signals).
    static func measureOpenSSL(seconds: Int) -> Double? {
        let outputPath = FileManager.default.temporaryDirectory.appendingPathComponent("egide-bench-\(UUID().uuidString)").path
        defer { unlink(outputPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let arguments = ["openssl", "speed", "-evp", "aes-256-gcm", "-bytes", "256", "-seconds", String(seconds)]
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        // openssl speed times itself with SIGALRM: the child must not inherit a blocked or ignored one.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t(), alarm = sigset_t()
        sigemptyset(&empty)
        sigemptyset(&alarm)
        sigaddset(&alarm, SIGALRM)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &alarm)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid = pid_t()
        guard posix_spawnp(&pid, "openssl", &actions, &attributes, &argv, environ) == 0 else { return nil }
        var status: Int32 = 0
        guard waitpid(pid, &status, 0) == pid, status == 0,
              let text = try? String(contentsOfFile: outputPath, encoding: .utf8) else { return nil }
        return parseOpenSSL(text)
    }

    /// Reads OpenSSL's progress line, "Doing … blocks: 1745028 AES-256-GCM's in 0.99s"
    /// (OpenSSL 3) or "… : 1745028 AES-256-GCM ops in 0.99s" (older wording).
    static func parseOpenSSL(_ text: String) -> Double? {
        guard let pattern = try? NSRegularExpression(pattern: #"blocks: ([0-9]+) \S+(?: ops)? in ([0-9.]+)s"#) else { return nil }
        let range = NSRange(text.startIndex..., in: text)
        guard let match = pattern.firstMatch(in: text, range: range),
              let countRange = Range(match.range(at: 1), in: text), let timeRange = Range(match.range(at: 2), in: text),
              let count = Double(text[countRange]), let time = Double(text[timeRange]), time > 0 else { return nil }
        return count / time
    }
}
