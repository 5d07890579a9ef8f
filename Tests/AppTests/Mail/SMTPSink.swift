import Foundation

/// Runs `tests/smtp/smtp_sink.py` (aiosmtpd) as a subprocess on 127.0.0.1 for one test.
///
/// ```swift
/// let sink = try await SMTPSink.start(["--refuse", "bad"])
/// // … connect to 127.0.0.1:sink.port, send …
/// let received = try sink.messages()        // parsed log.jsonl
/// let raw = try sink.rawMessage(received[0]) // the .eml as received
/// ```
/// The process is killed by `stop()` or, at the latest, when the sink is deallocated; its
/// temporary directory (spool, stdout, stderr) is removed then.
///
/// Environment: `PYTHON` (default `python3` on the PATH) and `SMTP_SINK_SCRIPT` (default: the
/// script found from this file's location, `<package root>/tests/smtp/smtp_sink.py`).
final class SMTPSink {
    /// One line of `log.jsonl`.
    struct Message: Decodable {
        let n: Int
        let file: String
        let mailFrom: String
        let rcptTos: [String]
        let tls: Bool
        let auth: Bool
        let authUser: String?
        let maxLineLength: Int
        let subject: String?
        let from: String?
        let to: String?
        let text: String?
        let html: String?
        let decodeError: String?
    }

    struct StartError: Error, CustomStringConvertible {
        let description: String
    }

    let port: Int
    let directory: URL
    var spool: URL { directory.appendingPathComponent("spool") }
    private let process: Process

    private init(port: Int, directory: URL, process: Process) {
        self.port = port
        self.directory = directory
        self.process = process
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }

    static var scriptPath: String {
        if let path = ProcessInfo.processInfo.environment["SMTP_SINK_SCRIPT"] { return path }
        return packageRoot + "/tests/smtp/smtp_sink.py"
    }

    /// Starts the sink with `--port 0 --spool <temp dir>` plus `arguments`, and waits for
    /// `READY <port>` on its stdout.
    static func start(_ arguments: [String] = [], timeout: Duration = .seconds(30)) async throws -> SMTPSink {
        let fileManager = FileManager.default
        let directory = fileManager.temporaryDirectory.appendingPathComponent("smtp-sink-\(UUID().uuidString)")
        try fileManager.createDirectory(at: directory, withIntermediateDirectories: true)
        let stdoutURL = directory.appendingPathComponent("stdout.txt")
        let stderrURL = directory.appendingPathComponent("stderr.txt")
        _ = fileManager.createFile(atPath: stdoutURL.path, contents: nil)
        _ = fileManager.createFile(atPath: stderrURL.path, contents: nil)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        let python = ProcessInfo.processInfo.environment["PYTHON"] ?? "python3"
        process.arguments = [python, scriptPath, "--port", "0", "--spool", directory.appendingPathComponent("spool").path] + arguments
        // Files rather than pipes: nothing to drain, and the output stays readable for errors.
        process.standardOutput = try FileHandle(forWritingTo: stdoutURL)
        process.standardError = try FileHandle(forWritingTo: stderrURL)
        process.standardInput = FileHandle.nullDevice
        try process.run()

        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let output = (try? String(contentsOf: stdoutURL, encoding: .utf8)) ?? ""
            if let line = output.split(separator: "\n").first(where: { $0.hasPrefix("READY ") }),
               let port = Int(line.dropFirst("READY ".count).trimmingCharacters(in: .whitespaces)) {
                return SMTPSink(port: port, directory: directory, process: process)
            }
            if !process.isRunning { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        let stderr = (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? ""
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        try? fileManager.removeItem(at: directory)
        throw StartError(description: "smtp_sink.py did not become ready (is aiosmtpd installed?): \(stderr)")
    }

    /// Stops the sink: SIGTERM, then SIGKILL if it has not exited after 2 seconds.
    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(2)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// The messages accepted so far, in order.
    func messages() throws -> [Message] {
        let log = spool.appendingPathComponent("log.jsonl")
        guard FileManager.default.fileExists(atPath: log.path) else { return [] }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try String(contentsOf: log, encoding: .utf8)
            .split(separator: "\n")
            .map { try decoder.decode(Message.self, from: Data($0.utf8)) }
    }

    /// The raw message as received (dot-stuffing removed), CRLF line endings.
    func rawMessage(_ message: Message) throws -> String {
        try String(contentsOf: spool.appendingPathComponent(message.file), encoding: .utf8)
    }

    /// The sink's stderr so far, for diagnostics.
    func stderr() -> String {
        (try? String(contentsOf: directory.appendingPathComponent("stderr.txt"), encoding: .utf8)) ?? ""
    }
}

/// A throwaway self-signed certificate for TLS tests, made with the `openssl` command line tool.
/// Its directory is removed on deinit.
final class TestCertificate {
    let directory: URL
    var certificatePath: String { directory.appendingPathComponent("cert.pem").path }
    var keyPath: String { directory.appendingPathComponent("key.pem").path }

    init(commonName: String = "localhost", subjectAltName: String = "DNS:localhost,IP:127.0.0.1") throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("smtp-cert-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=\(commonName)",
            "-addext", "subjectAltName=\(subjectAltName)", "-days", "1",
            "-keyout", keyPath, "-out", certificatePath,
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw SMTPSink.StartError(description: "openssl req failed with status \(process.terminationStatus)")
        }
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }
}
