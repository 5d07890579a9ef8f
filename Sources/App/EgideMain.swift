import NIOCore
import NIOPosix
import Foundation
import Logging
import Vapor

/// The `egide` program: decodes the configuration, wires the application, runs one command.
public enum EgideMain {
    /// Commands that read or write the database (and so need the data folder and its settings).
    static let writingCommands: Set<String> = ["serve", "migrate", "org", "user", "token", "demo", "backup", "audit", "keys"]
    /// Commands that need the keys (they read or write encrypted data).
    static let keyCommands: Set<String> = ["org", "user", "token", "demo", "backup", "audit"]
    static let readingCommands: Set<String> = ["doctor"]

    /// Runs the program; `extraCommands` are the commands built outside App (`egide demo`,
    /// `egide bench`: see Sources/EgideDemo, Sources/EgideBench).
    public static func run(extraCommands: [String: any AnyAsyncCommand] = [:]) async -> Never {
        // Swift concurrency runs on NIO's event loops, so an async route handler continues on the
        // thread that owns its connection instead of hopping to a separate pool and back (fewer
        // thread switches per request: see docs/DEVELOPMENT.md, "Alert intake").
        _ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        umask(0o077)  // every file Egide creates (database, WAL, keys, backups) is owner-only
        let (options, arguments) = LaunchOptions.extract(from: CommandLine.arguments)
        var command = Self.command(in: arguments)
        if arguments.contains("--help") || arguments.contains("-h") { command = "help" }  // help never touches data
        do {
            var environment = try Environment.detect(arguments: arguments)
            try LoggingSystem.bootstrap(from: &environment)
            let config = try AppConfig.load(environment: ProcessInfo.processInfo.environment, options: options)
            if writingCommands.contains(command) { try DataDirectory.create(at: config.dataDirectory) }
            let app = try await Application.make(environment)
            do {
                try configure(app, config)
                for (name, extra) in extraCommands { app.asyncCommands.use(extra, as: name) }
                if writingCommands.contains(command) || readingCommands.contains(command) {
                    try await DatabaseSetup.applyConnectionSettingsIfPresent(app, creating: writingCommands.contains(command))
                }
                if keyCommands.contains(command), !(arguments.contains("--help") || arguments.contains("-h")) {
                    let outcome = try await DatabaseSetup.underStartLock(app) {
                        try await app.autoMigrate()
                        return try await KeyCustody.start(app)
                    }
                    // A backup reads the key file itself (and takes --passphrase-file when it is sealed).
                    guard outcome == .open || command == "backup" else {
                        throw CommandFailure(message: "egide \(command): Egide is sealed; unseal it first (see docs/SECURITY.md)")
                    }
                }
                var watcher: Task<Void, Never>?
                var jobs: Task<Void, Never>?
                if command == "serve" {
                    // Migrations, then the key file and the first keys of a new instance: under one lock, so
                    // that nodes started together make one key file and one set of keys.
                    let outcome = try await DatabaseSetup.underStartLock(app) {
                        try await app.autoMigrate()
                        // Statistics for the tables the migrations just created or grew.
                        try await DatabaseSetup.applyConnectionSettings(app)
                        return try await KeyCustody.start(app)
                    }
                    if outcome == .sealed {
                        if options.unseal {
                            let passphrase = try Passphrase.read(file: nil, prompt: "Passphrase of the Egide key file: ")
                            do { try await KeyCustody.unseal(app, passphrase: passphrase) } catch KeyCustody.UnsealError.wrongPassphrase {
                                throw CommandFailure(message: "egide serve: wrong passphrase; Egide was not started")
                            }
                        } else {
                            app.logger.notice("Egide is sealed: open \(Self.baseURL(arguments))/unseal and enter the passphrase, or start with --unseal")
                        }
                    }
                    try await KeyCustody.announceSetupIfUnclaimed(app, baseURL: Self.baseURL(arguments))
                    // What other nodes change (keys, categories), and the instance's scheduled work.
                    watcher = ChangeWatcher.start(app)
                    jobs = Jobs.start(app)
                }
                try await app.execute()
                watcher?.cancel()
                jobs?.cancel()
                await watcher?.value  // never touch the database after shutdown begins
                await jobs?.value
                try await app.asyncShutdown()
            } catch {
                try? await app.asyncShutdown()
                throw error
            }
            exit(0)
        } catch let error as ConfigurationError {
            FileHandle.standardError.write(Data((error.description + "\n").utf8))
            exit(78)  // EX_CONFIG
        } catch let error as CommandFailure {
            FileHandle.standardError.write(Data((error.message + "\n").utf8))
            exit(1)
        } catch {
            FileHandle.standardError.write(Data("egide: \(error)\n".utf8))
            exit(1)
        }
    }
}

extension EgideMain {
    /// The command Vapor will run: `serve` when none is named (`egide`, `egide --port 9000`).
    /// The address `serve` will listen on, from its `--hostname`/`--port`/`--bind` flags.
    static func baseURL(_ arguments: [String]) -> String {
        var host = "127.0.0.1", port = "8080"
        var index = arguments.startIndex
        while index < arguments.endIndex {
            let argument = arguments[index]
            let next = arguments.index(after: index) < arguments.endIndex ? arguments[arguments.index(after: index)] : nil
            let (flag, inline) = argument.contains("=")
                ? (String(argument.split(separator: "=", maxSplits: 1)[0]), String(argument.split(separator: "=", maxSplits: 1)[1]))
                : (argument, nil)
            switch flag {
            case "--hostname", "-H": host = inline ?? next ?? host
            case "--port", "-p": port = inline ?? next ?? port
            case "--bind", "-b":
                let parts = (inline ?? next ?? "").split(separator: ":")
                if parts.count == 2 { host = String(parts[0]); port = String(parts[1]) }
            default: break
            }
            index = arguments.index(after: index)
        }
        if host == "0.0.0.0" || host == "::" { host = "127.0.0.1" }
        return "http://\(host.contains(":") ? "[\(host)]" : host):\(port)"
    }

    static func command(in arguments: [String]) -> String {
        guard let first = arguments.dropFirst().first else { return "serve" }
        if first == "--help" || first == "-h" { return "help" }
        return first.hasPrefix("-") ? "serve" : first
    }
}

/// A command that found a problem it explains in `message`: printed once, exit status 1.
/// (Vapor logs errors escaping a command; at debug level this one stays out of the way.)
package struct CommandFailure: DebuggableError {
    package var message: String
    package var identifier: String { "command-failure" }
    package var reason: String { message }
    package var logLevel: Logger.Level { .debug }
    package init(message: String) { self.message = message }
}
