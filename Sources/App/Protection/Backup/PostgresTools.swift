import EgideCore
import Foundation
import NIOConcurrencyHelpers

/// `pg_dump` and `psql`, given the connection through libpq's environment variables — never on the
/// command line, where any user of the machine could read the password in the process list.
enum PostgresTools {
    /// The newest `name` under `/usr/lib/postgresql/<version>/bin` (Debian's layout; pg_dump must be
    /// at least as new as the server), else the first one on `PATH`.
    /// - Throws: `BackupError` if it is nowhere to be found.
    static func locate(_ name: String) throws -> String {
        let root = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [])
            .compactMap { Int($0) }.sorted(by: >)
        let candidates = versions.map { "\(root)/\($0)/bin/\(name)" }
            + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").map { "\($0)/\(name)" }
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw BackupError(description: "\(name) was not found in /usr/lib/postgresql/*/bin or on PATH (apt-get install postgresql-client)")
        }
        return found
    }

    /// The environment for a libpq tool connecting to `url`: `PGHOST`, `PGPORT`, `PGUSER`, `PGPASSWORD`,
    /// `PGDATABASE` and `PGSSLMODE` (from `sslmode`/`tlsmode` in the URL, default `prefer`), with every
    /// other inherited `PG…` variable removed so nothing else changes where the tool connects.
    /// - Throws: `BackupError` if the URL cannot be read (AppConfig has validated it already).
    static func environment(for url: String, base: [String: String] = ProcessInfo.processInfo.environment) throws -> [String: String] {
        guard let parts = URLComponents(string: url), let host = parts.host, let user = parts.user else {
            throw BackupError(description: "DATABASE_URL cannot be read")
        }
        var environment = base.filter { !$0.key.hasPrefix("PG") }
        environment["PGHOST"] = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
        environment["PGPORT"] = String(parts.port ?? 5432)
        environment["PGUSER"] = user
        environment["PGPASSWORD"] = parts.password
        environment["PGDATABASE"] = String(parts.path.drop { $0 == "/" })
        let mode = parts.queryItems?.last { ["sslmode", "tlsmode", "ssl", "tls"].contains($0.name.lowercased()) }?.value
        switch mode?.lowercased() {
        case "false", "disable": environment["PGSSLMODE"] = "disable"
        case "require", "verify-ca", "verify-full": environment["PGSSLMODE"] = mode?.lowercased()
        default: environment["PGSSLMODE"] = "prefer"
        }
        environment["PGAPPNAME"] = "egide"
        environment["PGCONNECT_TIMEOUT"] = "15"
        return environment
    }
}

/// A child process (pg_dump, psql) whose standard error is read in the background, so the child
/// never blocks on a full pipe, and is kept (the first 16 KiB) for the operator's message.
final class ChildProcess: @unchecked Sendable {
    private let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private let errors = Pipe()
    private let collected = NIOLockedValueBox<[UInt8]>([])
    private let collectorDone = DispatchSemaphore(value: 0)
    private let result = NIOLockedValueBox<(status: Int32, errors: String)?>(nil)

    /// Starts `executable` with `arguments` and `environment`; its standard output is a pipe
    /// (`stdout`), or discarded.
    /// - Throws: `BackupError` if it cannot be started.
    init(_ executable: String, _ arguments: [String], environment: [String: String], discardOutput: Bool = false) throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        process.standardInput = input
        process.standardOutput = discardOutput ? FileHandle.nullDevice : output
        process.standardError = errors
        do { try process.run() } catch {
            throw BackupError(description: "cannot start \(executable): \(error)")
        }
        let descriptor = errors.fileHandleForReading.fileDescriptor
        Thread.detachNewThread { [collected, collectorDone] in
            while let bytes = try? SecureFile.read(upTo: 4096, from: descriptor, name: "stderr"), !bytes.isEmpty {
                collected.withLockedValue { if $0.count < 16384 { $0 += bytes } }
            }
            collectorDone.signal()
        }
    }

    /// The child's standard input and output.
    var stdin: Int32 { input.fileHandleForWriting.fileDescriptor }
    var stdout: Int32 { output.fileHandleForReading.fileDescriptor }

    /// Signals the end of the input.
    func closeInput() { try? input.fileHandleForWriting.close() }

    /// Kills the child at once if it is still running (a restore that must not commit, a dump
    /// that is no longer wanted).
    func kill() {
        if process.isRunning { _ = Foundation.kill(process.processIdentifier, SIGKILL) }
    }

    /// Waits for the child to exit; its exit status and what it wrote on standard error.
    func wait() -> (status: Int32, errors: String) {
        if let result = result.withLockedValue({ $0 }) { return result }
        process.waitUntilExit()
        collectorDone.wait()
        let text = String(decoding: collected.withLockedValue { $0 }, as: UTF8.self)
        let outcome = (process.terminationStatus, text.trimmedWhitespace)
        result.withLockedValue { $0 = outcome }
        return outcome
    }
}
