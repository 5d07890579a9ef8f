@testable import App
@testable import EgideDemo
import ConsoleKit
import EgideCrypto
import Fluent
import Foundation
import NIOConcurrencyHelpers
import SQLKit
import Testing
import Vapor

/// The data-protection suites (`swift test --filter Protection`).
@Suite enum Protection {}

/// A console that keeps what a command prints, so tests can read it.
final class CapturingConsole: Console {
    private let lines = NIOLockedValueBox<[String]>([])
    private let info = NIOLockedValueBox<[AnySendableHashable: any Sendable]>([:])

    var text: String { lines.withLockedValue { $0.joined() } }
    var userInfo: [AnySendableHashable: any Sendable] {
        get { info.withLockedValue { $0 } }
        set { info.withLockedValue { $0 = newValue } }
    }
    var size: (width: Int, height: Int) { (120, 40) }

    func input(isSecure: Bool) -> String { "" }
    func output(_ text: ConsoleText, newLine: Bool) { lines.withLockedValue { $0.append(text.description + (newLine ? "\n" : "")) } }
    func report(error: String, newLine: Bool) { lines.withLockedValue { $0.append(error + (newLine ? "\n" : "")) } }
    func clear(_ type: ConsoleClear) {}
}

enum ProtectionTest {
    /// Fast scrypt for passphrase backups in tests (production always uses `ScryptParameters.default`).
    static let testScrypt: ScryptParameters = {
        guard let parameters = try? ScryptParameters(logN: 10) else { fatalError("scrypt parameters") }
        return parameters
    }()

    /// Small chunks, so a demo database spans many of them and truncation can fall between two.
    static let backup = BackupCommand(scrypt: testScrypt, chunkSize: 4096)

    /// Loads the demo network and backs it up with `egide backup` (to the key file, or to `passphrase`,
    /// written to `<root>/passphrase`); returns the test's root folder and the backup's path.
    static func backedUpDemo(_ app: Application, passphrase: String? = nil) async throws -> (root: String, backup: String) {
        _ = try await DemoData.load(into: app)
        let root = (app.egideConfig.dataDirectory as NSString).deletingLastPathComponent
        let backup = root + "/demo-\(UUID().uuidString.prefix(8)).egide-backup"
        var arguments = ["--out", backup]
        if let passphrase {
            try passphrase.write(toFile: root + "/passphrase", atomically: true, encoding: .utf8)
            arguments += ["--passphrase-file", root + "/passphrase"]
        }
        let output = try await run(app, Self.backup, arguments)
        guard output.contains("backup written to \(backup)") else { throw CommandFailure(message: "unexpected output: \(output)") }
        return (root, backup)
    }

    /// Runs `command` in-process with `arguments` (after the command's name) and returns what it printed.
    @discardableResult
    static func run(_ app: Application, _ command: any AnyAsyncCommand, _ arguments: [String]) async throws -> String {
        let console = CapturingConsole()
        var context = CommandContext(console: console, input: CommandInput(arguments: ["egide"] + arguments))
        context.application = app
        try await command.run(using: &context)
        return console.text
    }

    /// Runs `egide restore` as it runs in production, with `--data-dir folder`: the configuration's data
    /// folder, key file and (on SQLite) database path point into `folder`; the database is unchanged.
    @discardableResult
    static func restore(_ app: Application, into folder: String, _ arguments: [String]) async throws -> String {
        let original = app.egideConfig
        var config = original
        config.dataDirectory = folder
        config.kekFile = folder + "/egide.kek"
        if case .sqlite = original.database { config.database = .sqlite(path: folder + "/" + AppConfig.sqliteFileName) }
        app.egideConfig = config
        defer { app.egideConfig = original }
        return try await run(app, RestoreCommand(), arguments)
    }

    /// Appends `count` audit events through the real recorder.
    static func recordEvents(_ app: Application, count: Int) async throws {
        for index in 1...count {
            try await app.transaction { db in
                try await AuditRecorder.record(AuditEvent(actor: .system, organisation: nil, action: "test.event",
                                                          objectType: "thing", objectID: "\(index)", details: ["n": "\(index)"]),
                                               at: Date(), on: db)
            }
        }
    }

    static func sql(_ db: any Database) -> any SQLDatabase {
        guard let sql = db as? any SQLDatabase else { fatalError("SQLite and PostgreSQL speak SQL") }
        return sql
    }

    /// Every table of the current schema with its row count.
    static func tableCounts(_ sql: any SQLDatabase) async throws -> [String: Int] {
        let names = try await (sql.dialect.name == "sqlite"
            ? sql.raw("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all()
            : sql.raw("SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema()").all())
            .map { try $0.decode(column: "name", as: String.self) }
        var counts: [String: Int] = [:]
        for name in names {
            counts[name] = try await sql.raw("SELECT COUNT(*) AS n FROM \(ident: name)").first()?.decode(column: "n", as: Int.self)
        }
        return counts
    }

    /// The instance id stored in the `instance` table.
    static func instanceID(_ sql: any SQLDatabase) async throws -> UUID? {
        try await sql.raw("SELECT id FROM instance").first()?.decode(column: "id", as: UUID.self)
    }

    /// PostgreSQL: the test's own schema (`withApp` sets `search_path` to it).
    static func currentSchema(_ sql: any SQLDatabase) async throws -> String {
        try #require(try await sql.raw("SELECT current_schema() AS name").first()?.decode(column: "name", as: String.self))
    }

    /// PostgreSQL: whether a schema named `schema` exists.
    static func schemaExists(_ sql: any SQLDatabase, _ schema: String) async throws -> Bool {
        try await sql.raw("SELECT COUNT(*) AS n FROM information_schema.schemata WHERE schema_name = \(bind: schema)")
            .first()?.decode(column: "n", as: Int.self) == 1
    }

    /// The permission bits of `path`.
    static func mode(_ path: String) -> Int? { DataDirectory.mode(of: path) }

    /// The entries of a folder, or `nil` if it does not exist.
    static func entries(_ path: String) -> [String]? { try? FileManager.default.contentsOfDirectory(atPath: path) }
}
