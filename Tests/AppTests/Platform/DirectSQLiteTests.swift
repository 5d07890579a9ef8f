@testable import App
import Foundation
import NIOConcurrencyHelpers
import SQLKit
import Testing
import Vapor

/// The direct SQLite writer (alert intake's write path on SQLite): the same durability settings as
/// every connection, all-or-nothing transactions, and no use outside its thread.
@Suite struct DirectSQLiteTests {
    @Test func transactions_run_with_the_settings_of_every_egide_connection() async throws {
        try await withApp { app in
            guard let writer = app.directSQLiteWriter else {
                #expect(testPostgresURL != nil, "SQLite must have a direct writer")
                return
            }
            #expect(!writer.isStarted)
            let settings = try await app.writeLock.withLock {
                try await writer.transaction { sql in
                    var values: [String: Int] = [:]
                    for name in ["synchronous", "foreign_keys", "timeout"] {
                        values[name] = try await sql.raw("PRAGMA \(unsafeRaw: name == "timeout" ? "busy_timeout" : name)").first()?.decode(column: name, as: Int.self)
                    }
                    let mode = try await sql.raw("PRAGMA journal_mode").first()?.decode(column: "journal_mode", as: String.self)
                    return (values, mode)
                }
            }
            #expect(settings.0 == ["synchronous": 2, "foreign_keys": 1, "timeout": 5000])  // 2: FULL
            #expect(settings.1 == "wal")
            #expect(writer.isStarted)
        }
    }

    @Test func a_failed_transaction_leaves_nothing_and_the_next_one_commits() async throws {
        try await withApp { app in
            guard let writer = try await Self.scratchTable(app) else { return }
            struct Refused: Error {}
            let id = UUID()
            await #expect(throws: Refused.self) {
                try await app.writeLock.withLock {
                    try await writer.transaction { sql in
                        try await sql.raw("INSERT INTO direct_test (id, seq) VALUES (\(bind: id), 1)").run()
                        throw Refused()
                    }
                }
            }
            // A constraint the database enforces (the foreign key of an entry) also undoes the whole transaction.
            await #expect(throws: DirectSQLiteError.self) {
                try await app.writeLock.withLock {
                    try await writer.transaction { sql in
                        try await sql.raw("INSERT INTO direct_test (id, seq) VALUES (\(bind: id), 1)").run()
                        try await sql.raw("INSERT INTO alert_entries (id, alert_id, organisation_id, kind, details, created_at) VALUES (\(bind: UUID()), \(bind: UUID()), \(bind: UUID()), 'received', '{}', 0)").run()
                    }
                }
            }
            let sql = try #require(app.db as? any SQLDatabase)
            #expect(try await sql.raw("SELECT COUNT(*) AS n FROM direct_test").first()?.decode(column: "n", as: Int.self) == 0)
            try await app.writeLock.withLock {
                try await writer.transaction { sql in
                    try await sql.raw("INSERT INTO direct_test (id, seq) VALUES (\(bind: id), 1)").run()
                }
            }
            // Written by the direct connection, read back through Fluent's: the same values.
            let row = try #require(try await sql.raw("SELECT id, seq FROM direct_test").first())
            #expect(try row.decode(column: "id", as: UUID.self) == id)
            #expect(try row.decode(column: "seq", as: Int.self) == 1)
        }
    }

    @Test func the_connection_refuses_to_be_used_off_its_thread() async throws {
        try await withApp { app in
            guard let writer = app.directSQLiteWriter else { return }
            let escaped = NIOLockedValueBox<(any SQLDatabase)?>(nil)
            try await app.writeLock.withLock {
                try await writer.transaction { sql in escaped.withLockedValue { $0 = sql } }
            }
            let sql = try #require(escaped.withLockedValue { $0 })
            await #expect(throws: DirectSQLiteError.self) { try await sql.raw("SELECT 1 AS one").run() }
        }
    }

    @Test func concurrent_transactions_are_serialised_and_all_commit() async throws {
        try await withApp { app in
            guard let writer = try await Self.scratchTable(app) else { return }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 1...40 {
                    group.addTask {
                        try await app.writeLock.withLock {
                            try await writer.transaction { sql in
                                let last = try await sql.raw("SELECT COALESCE(MAX(seq), 0) AS seq FROM direct_test").first()?.decode(column: "seq", as: Int.self) ?? 0
                                try await sql.raw("INSERT INTO direct_test (id, seq) VALUES (\(bind: UUID()), \(bind: last + 1))").run()
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
            let sql = try #require(app.db as? any SQLDatabase)
            let sequences = try await sql.raw("SELECT seq FROM direct_test ORDER BY seq").all().map { try $0.decode(column: "seq", as: Int.self) }
            #expect(sequences == Array(1...40))
        }
    }

    @Test func the_writer_thread_runs_the_tasks_that_prefer_it_and_never_strands_one_after_it_stopped() async throws {
        let thread = SQLiteWriterThread(name: "test-writer")
        let onThread = try await withThrowingTaskGroup(of: (Int, Bool).self) { group in
            for number in 0..<20 { group.addTask(executorPreference: thread) { (number, thread.isCurrent) } }
            return try await group.reduce(into: [Int: Bool]()) { $0[$1.0] = $1.1 }
        }
        #expect(onThread.count == 20 && onThread.values.allSatisfy { $0 })
        let finalWork = NIOLockedValueBox(false)
        thread.stop { finalWork.withLockedValue { $0 = true } }
        #expect(finalWork.withLockedValue { $0 })
        // A task that prefers the stopped thread still runs, elsewhere.
        let late = await Task(executorPreference: thread) { thread.isCurrent }.value
        #expect(late == false)
    }

    @Test func a_new_database_file_is_switched_to_wal_before_the_first_write() async throws {
        let folder = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/fresh.sqlite"
        #expect(FileManager.default.createFile(atPath: path, contents: nil))  // SQLite's default journal: DELETE
        let writer = DirectSQLiteWriter(path: path, logger: Logger(label: "test"), eventLoop: MultiThreadedEventLoopGroup.singleton.any())
        let mode = try await writer.transaction { sql in
            try await sql.raw("CREATE TABLE t (x INTEGER)").run()
            return try await sql.raw("PRAGMA journal_mode").first()?.decode(column: "journal_mode", as: String.self)
        }
        #expect(mode == "wal")
        writer.shutdown()
        // After shutdown nothing starts again.
        #expect(writer.executor == nil && !writer.isStarted)
        await #expect(throws: DirectSQLiteError.self) { try await writer.transaction { _ in 1 } }
    }

    @Test func a_commit_that_fails_is_rolled_back_and_the_next_transaction_commits() async throws {
        try await withApp { app in
            guard let writer = try await Self.scratchTable(app) else { return }
            let orphan = UUID()
            // A history entry of an alert that does not exist, with the foreign key checked at COMMIT.
            await #expect(throws: DirectSQLiteError.self) {
                try await app.writeLock.withLock {
                    try await writer.transaction { sql in
                        try await sql.raw("PRAGMA defer_foreign_keys = ON").run()
                        try await sql.raw("INSERT INTO direct_test (id, seq) VALUES (\(bind: UUID()), 1)").run()
                        try await sql.raw("INSERT INTO alert_entries (id, alert_id, organisation_id, kind, details, created_at) VALUES (\(bind: orphan), \(bind: UUID()), \(bind: UUID()), 'received', '{}', 0)").run()
                    }
                }
            }
            let sql = try #require(app.db as? any SQLDatabase)
            #expect(try await sql.raw("SELECT COUNT(*) AS n FROM direct_test").first()?.decode(column: "n", as: Int.self) == 0)
            #expect(try await sql.raw("SELECT COUNT(*) AS n FROM alert_entries WHERE id = \(bind: orphan)").first()?.decode(column: "n", as: Int.self) == 0)
            try await app.writeLock.withLock {
                try await writer.transaction { sql in try await sql.raw("INSERT INTO direct_test (id, seq) VALUES (\(bind: UUID()), 1)").run() }
            }
            #expect(try await sql.raw("SELECT COUNT(*) AS n FROM direct_test").first()?.decode(column: "n", as: Int.self) == 1)
        }
    }

    @Test func a_query_run_while_the_same_query_is_read_does_not_disturb_it() async throws {
        try await withApp { app in
            guard let writer = try await Self.scratchTable(app) else { return }
            let (outer, inner) = try await app.writeLock.withLock {
                try await writer.transaction { sql in
                    for seq in 1...3 { try await sql.raw("INSERT INTO direct_test (id, seq) VALUES (\(bind: UUID()), \(bind: seq))").run() }
                    let database = try #require(sql as? DirectSQLiteDatabase)
                    var outer: [Int] = [], inner: [Int] = []
                    let query = "SELECT seq FROM direct_test ORDER BY seq"
                    try database.run(query) { row in
                        outer.append((try? row.decode(column: "seq", as: Int.self)) ?? -1)
                        try? database.run(query) { inner.append((try? $0.decode(column: "seq", as: Int.self)) ?? -1) }
                    }
                    return (outer, inner)
                }
            }
            #expect(outer == [1, 2, 3])
            #expect(inner == [1, 2, 3, 1, 2, 3, 1, 2, 3])
        }
    }

    /// The direct writer, after creating a table for the test (nil on PostgreSQL).
    static func scratchTable(_ app: Application) async throws -> DirectSQLiteWriter? {
        guard let writer = app.directSQLiteWriter, let sql = app.db as? any SQLDatabase else { return nil }
        try await sql.raw("CREATE TABLE direct_test (id BLOB PRIMARY KEY, seq INTEGER NOT NULL UNIQUE)").run()
        return writer
    }
}
