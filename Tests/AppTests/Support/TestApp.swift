@testable import App
import FluentKit
import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting

/// The package root, so tests find `Resources/` whatever their working directory.
let packageRoot: String = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

/// Whether this run targets PostgreSQL (`EGIDE_TEST_DATABASE_URL` set, as in CI's second stage).
let testPostgresURL: String? = ProcessInfo.processInfo.environment["EGIDE_TEST_DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }

/// A fresh, empty temporary folder.
func makeTemporaryDirectory() throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("egide-test-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// Like `withApp`, but after `body` the application is shut down and `afterStop` receives the data
/// folder while it still exists — for canary scans of everything Egide left on disk.
func withStoppedApp(logLevel: String = "trace", _ body: (Application) async throws -> Void,
                    afterStop: (String) throws -> Void) async throws {
    LogCapture.install()
    var folder = ""
    try await withApp(logLevel: logLevel) { app in
        folder = app.egideConfig.dataDirectory
        try await body(app)
        if let sql = app.db as? any SQLDatabase, case .sqlite = app.egideConfig.database {
            try await sql.raw("PRAGMA wal_checkpoint(PASSIVE)").run()
        }
    } afterShutdown: {
        try afterStop(folder)
    }
}

/// Runs `body` against a fully configured, migrated Egide on a database of its own: a temporary
/// SQLite file, or — when `EGIDE_TEST_DATABASE_URL` is set — a fresh schema on that PostgreSQL
/// server, dropped afterwards. Each test is isolated, so the suite runs in parallel on both.
func withApp(logLevel: String = "warning", _ body: (Application) async throws -> Void,
             afterShutdown: () throws -> Void = {}) async throws {
    let root = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: root) }
    var options = LaunchOptions()
    options.dataDirectory = root + "/data"
    options.databaseURL = testPostgresURL
    var config = try AppConfig.load(
        environment: ["EGIDE_RESOURCES_DIR": packageRoot, "EGIDE_LOG_LEVEL": logLevel], options: options)
    config.scryptLogN = 10  // fast hashing in tests; production refuses less than 17 (see PasswordService)
    let schema = testPostgresURL.map { _ in "test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased() }

    let app = try await Application.make(.testing)
    do {
        try DataDirectory.create(at: config.dataDirectory)
        try configure(app, config, postgresSearchPath: schema.map { [$0] })
        app.storage[TestSchemaKey.self] = schema
        app.clock.freeze()
        if let schema { try await (app.db as! any SQLDatabase).raw("CREATE SCHEMA \(ident: schema)").run() }
        try await DatabaseSetup.applyConnectionSettings(app)
        try await app.autoMigrate()
        try await KeyCustody.start(app)
        try await body(app)
        if let schema { try await (app.db as! any SQLDatabase).raw("DROP SCHEMA \(ident: schema) CASCADE").run() }
    } catch {
        if let schema { try? await (app.db as! any SQLDatabase).raw("DROP SCHEMA \(ident: schema) CASCADE").run() }
        try? await app.asyncShutdown()
        throw error
    }
    try await app.asyncShutdown()
    try afterShutdown()
}

private struct TestSchemaKey: StorageKey { typealias Value = String }

/// Runs `body` with a second node of `app`'s instance: another Application (its own memory, caches,
/// key ring and connections) on the same database and key file, sharing `app`'s clock — what a
/// second `egide serve` behind the same proxy is. Migrations are not run again.
func withSecondNode(of app: Application, _ body: (Application) async throws -> Void) async throws {
    let node = try await Application.make(.testing)
    do {
        try configure(node, app.egideConfig, postgresSearchPath: app.storage[TestSchemaKey.self].map { [$0] })
        node.clock = app.clock
        try await DatabaseSetup.applyConnectionSettings(node)
        try await KeyCustody.start(node)
        try await body(node)
    } catch {
        try? await node.asyncShutdown()
        throw error
    }
    try await node.asyncShutdown()
}

extension Application {
    /// Sends one in-memory request and returns the response.
    func send(_ method: HTTPMethod = .GET, _ path: String, headers: HTTPHeaders = [:], body: String? = nil) async throws -> TestingHTTPResponse {
        try await testing().sendRequest(method, path, headers: headers, body: body.map { ByteBuffer(string: $0) })
    }
}

extension TestingHTTPResponse {
    var text: String { body.getString(at: body.readerIndex, length: body.readableBytes) ?? "" }
}
