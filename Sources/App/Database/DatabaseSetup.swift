import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import Vapor

/// Registers the database chosen by the configuration and sets the durability settings.
package enum DatabaseSetup {
    /// Registers the SQLite or PostgreSQL database as the default one.
    static func register(_ database: AppConfig.Database, on app: Application, searchPath: [String]? = nil) throws {
        switch database {
        case .sqlite(let path):
            app.databases.use(.sqlite(.file(path), sqlLogLevel: .debug), as: .sqlite)
        case .postgres(let url, _):
            var configuration = try SQLPostgresConfiguration(url: url)
            if let searchPath { configuration.searchPath = searchPath }
            app.databases.use(.postgres(configuration: configuration, sqlLogLevel: .debug), as: .psql)
        }
    }

    /// Runs `body` (the migrations, then the key custody of a starting process). On PostgreSQL, under
    /// a session advisory lock held on a connection of its own: several nodes started at once (after
    /// an upgrade, at boot, or the very first start of an instance) go one after the other, the later
    /// ones finding the migrations run, the key file written and the first keys made. The lock dies
    /// with the connection, so a node killed meanwhile never blocks the others.
    package static func underStartLock<T: Sendable>(_ app: Application, _ body: () async throws -> T) async throws -> T {
        guard case .postgres(let url, _) = app.egideConfig.database else { return try await body() }
        let configuration = try SQLPostgresConfiguration(url: url)
        let connection = try await PostgresConnection.connect(
            on: app.eventLoopGroup.any(), configuration: configuration.coreConfiguration, id: 0, logger: app.logger)
        let result: T
        do {
            try await connection.query("SELECT pg_advisory_lock(\(startLockKey))", logger: app.logger)
            result = try await body()
        } catch {
            try? await connection.close()
            throw error
        }
        try await connection.close()
        return result
    }

    /// The advisory lock key of `underStartLock` ("EGIDEMIG").
    static let startLockKey: Int64 = 0x4547_4944_454D_4947

    /// The connection settings every SQLite connection must run with.
    ///
    /// `journal_mode=WAL` is stored in the file itself. `synchronous=FULL` (fsync of the WAL at
    /// every commit, so an acknowledged write survives power loss) is also SQLite's compiled-in
    /// default in the SQLite that sqlite-nio bundles, so a connection reopened after an error keeps it;
    /// setting it explicitly documents the intent. foreign_keys is switched on by sqlite-kit.
    package static let sqlitePragmas = [
        "PRAGMA journal_mode = WAL",
        "PRAGMA synchronous = FULL",
        "PRAGMA foreign_keys = ON",
        "PRAGMA busy_timeout = 5000",
        // Planner statistics (ANALYZE of the tables that need it, with a time limit): without them
        // SQLite walks every case of an organisation for an officer's list or a name search at
        // 100k cases (see docs/DEVELOPMENT.md, "Case list and search"). 0x10002: analyse even
        // tables never analysed before.
        "PRAGMA optimize = 0x10002",
    ]

    /// Applies the connection settings, except on an SQLite file that does not exist yet when the
    /// command only reads (`egide doctor` must not create an empty database).
    static func applyConnectionSettingsIfPresent(_ app: Application, creating: Bool) async throws {
        if case .sqlite(let path) = app.egideConfig.database, !creating, !FileManager.default.fileExists(atPath: path) {
            return
        }
        try await applyConnectionSettings(app)
    }

    /// Applies `sqlitePragmas` on the connection of every event loop (Fluent keeps one SQLite
    /// connection per event loop). Does nothing on PostgreSQL, whose durability is server-side.
    package static func applyConnectionSettings(_ app: Application) async throws {
        guard case .sqlite = app.egideConfig.database else { return }
        for eventLoop in app.eventLoopGroup.makeIterator() {
            guard let db = app.databases.database(logger: app.logger, on: eventLoop) as? any SQLDatabase else { continue }
            for pragma in sqlitePragmas {
                try await db.raw(SQLQueryString(pragma)).run()
            }
        }
    }
}
