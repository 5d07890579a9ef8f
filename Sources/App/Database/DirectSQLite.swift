import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import SQLiteKit
import SQLKit
import VaporCSQLite

/// A write transaction on SQLite that runs from `BEGIN` to `COMMIT` on one thread, without a hop.
///
/// sqlite-nio runs each statement on NIO's thread pool and resumes the caller on an event loop; for
/// a transaction of seven statements that is fourteen thread switches, and each resumption waits in
/// the event loop's queue behind the HTTP work of other requests. Alert intake writes one such
/// transaction per group-commit batch, strictly one after another, so those waits added up to most
/// of a batch's time (measured: 4 ms per batch, of which the disk flush is under 1 ms) and capped
/// intake far below what the disk allows.
///
/// Here a connection of its own is opened on a thread of its own, and the body of the transaction
/// runs on that thread as a Swift task executor (`withTaskExecutorPreference`): the statements it
/// awaits are executed synchronously by `DirectSQLiteDatabase`, which never suspends, so the whole
/// transaction is one job on one thread. Statements are prepared once and kept. Writers are still
/// serialised by `Application.writeLock`, like every other write transaction, with the same
/// connection settings (WAL, `synchronous=FULL`, foreign keys, busy timeout).
final class DirectSQLiteWriter: Sendable {
    private let path: String
    private let logger: Logger
    private let eventLoop: any EventLoop
    private enum State {
        /// Started at the first transaction: most processes (commands, tests) never write alerts.
        case idle
        case running(thread: SQLiteWriterThread, database: DirectSQLiteDatabase)
        /// After shutdown nothing starts again.
        case stopped
    }

    private let state = NIOLockedValueBox(State.idle)

    init(path: String, logger: Logger, eventLoop: any EventLoop) {
        self.path = path
        self.logger = logger
        self.eventLoop = eventLoop
    }

    /// True once a transaction has started the thread and opened the connection.
    var isStarted: Bool {
        state.withLockedValue { if case .running = $0 { true } else { false } }
    }

    /// The writer thread, as a task executor: a task that prefers it runs its transactions there
    /// without a hop.
    var executor: (any TaskExecutor)? { try? running().thread }

    /// Runs `body` in one `BEGIN IMMEDIATE … COMMIT` transaction on the writer thread, rolled back
    /// if it throws. Callers hold `Application.writeLock`.
    func transaction<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        let (thread, database) = try running()
        return try await withTaskExecutorPreference(thread) {
            try database.run("BEGIN IMMEDIATE")
            do {
                let result = try await body(database)
                try database.run("COMMIT")
                return result
            } catch {
                // If the rollback fails too, the connection is closed (which rolls back) rather than
                // left inside a transaction every later BEGIN would trip on.
                if (try? database.run("ROLLBACK")) == nil || database.inTransaction { database.close() }
                throw error
            }
        }
    }

    private func running() throws -> (thread: SQLiteWriterThread, database: DirectSQLiteDatabase) {
        try state.withLockedValue { state in
            switch state {
            case .running(let thread, let database):
                return (thread, database)
            case .stopped:
                throw DirectSQLiteError(code: SQLITE_MISUSE, message: "the writer has shut down")
            case .idle:
                let thread = SQLiteWriterThread(name: "egide-db-writer")
                let database = DirectSQLiteDatabase(path: path, logger: logger, eventLoop: eventLoop, thread: thread)
                state = .running(thread: thread, database: database)
                return (thread, database)
            }
        }
    }

    /// Closes the connection and ends the thread (at application shutdown).
    /// Blocks until the thread's queued jobs have run: call it off the event loops
    /// (`DirectWriterShutdown` does).
    func shutdown() {
        let previous = state.withLockedValue { state in defer { state = .stopped }; return state }
        guard case .running(let thread, let database) = previous else { return }
        thread.stop { database.close() }
    }
}

/// One thread that runs the jobs of the tasks that prefer it, in order: a Swift `TaskExecutor`.
final class SQLiteWriterThread: TaskExecutor, @unchecked Sendable {
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var jobs: [UnownedJob] = []
    private var finalWork: (() -> Void)?
    private var stopping = false
    private var running = true
    private var threadID: pthread_t?

    init(name: String) {
        let thread = Thread { self.loop() }
        thread.name = name
        thread.start()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        guard !stopping else {
            // After shutdown, a late task still runs (elsewhere, where the connection refuses to
            // serve it) instead of waiting forever.
            condition.unlock()
            globalConcurrentExecutor.enqueue(ExecutorJob(job))
            return
        }
        jobs.append(job)
        condition.broadcast()
        condition.unlock()
    }

    /// Runs the jobs already queued, then `finally` on the thread, ends the thread and returns.
    func stop(finally: @escaping () -> Void) {
        condition.lock()
        finalWork = finally
        stopping = true
        condition.broadcast()
        while running { condition.wait() }
        condition.unlock()
    }

    /// True when called on this thread.
    var isCurrent: Bool {
        condition.lock()
        defer { condition.unlock() }
        // Once the thread has ended, its id may be reused by another thread.
        guard running else { return false }
        return threadID.map { pthread_equal($0, pthread_self()) != 0 } ?? false
    }

    private func loop() {
        condition.lock()
        threadID = pthread_self()
        while true {
            while jobs.isEmpty && !stopping { condition.wait() }
            if jobs.isEmpty { break }
            let next = jobs
            jobs.removeAll(keepingCapacity: true)
            condition.unlock()
            for job in next { job.runSynchronously(on: asUnownedTaskExecutor()) }
            condition.lock()
        }
        let finalWork = finalWork
        condition.unlock()
        finalWork?()
        condition.lock()
        running = false
        condition.broadcast()
        condition.unlock()
    }
}

/// An `SQLDatabase` over a raw SQLite connection, usable only on its writer thread, where each
/// statement runs synchronously: serialised by SQLKit with SQLite's dialect and its binds encoded
/// by `SQLiteDataEncoder`, exactly as sqlite-kit does for Fluent, so the rows are the same bytes.
final class DirectSQLiteDatabase: SQLDatabase, @unchecked Sendable {
    let logger: Logger
    let eventLoop: any EventLoop
    let dialect: any SQLDialect = SQLiteDialect()
    var queryLogLevel: Logger.Level? { nil }

    private let path: String
    private let thread: SQLiteWriterThread
    private let encoder = SQLiteDataEncoder()
    private let decoder = SQLiteDataDecoder()
    // Touched only on the writer thread.
    private var handle: OpaquePointer?
    private var statements: [String: OpaquePointer] = [:]

    /// Prepared statements kept at most: a batch's multi-row inserts and its lookup differ by their
    /// row count (1–64 for each of four statements), plus a few fixed ones.
    static let statementCacheSize = 512

    init(path: String, logger: Logger, eventLoop: any EventLoop, thread: SQLiteWriterThread) {
        self.path = path
        self.logger = logger
        self.eventLoop = eventLoop
        self.thread = thread
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) -> EventLoopFuture<Void> {
        eventLoop.makeCompletedFuture { try self.execute(query, onRow) }
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) async throws {
        try execute(query, onRow)
    }

    func withSession<R>(_ closure: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await closure(self)
    }

    private func execute(_ query: any SQLExpression, _ onRow: (any SQLRow) -> ()) throws {
        var serializer = SQLSerializer(database: self)
        query.serialize(to: &serializer)
        try run(serializer.sql, try serializer.binds.map { try encoder.encode($0) }, onRow)
    }

    /// Runs one statement with `binds`, handing each result row to `onRow`.
    func run(_ sql: String, _ binds: [SQLiteData] = [], _ onRow: (any SQLRow) -> () = { _ in }) throws {
        guard thread.isCurrent else { throw DirectSQLiteError(code: SQLITE_MISUSE, message: "used off its writer thread") }
        let connection = try open()
        var statement = try prepared(sql, on: connection)
        var temporary = false
        if sqlite_nio_sqlite3_stmt_busy(statement) != 0 {
            // The same statement is being stepped further up this thread's stack (a query run from
            // `onRow`): use a statement of its own rather than disturb that one.
            statement = try prepare(sql, on: connection)
            temporary = true
        }
        defer {
            if temporary {
                sqlite_nio_sqlite3_finalize(statement)
            } else {
                sqlite_nio_sqlite3_reset(statement)
                sqlite_nio_sqlite3_clear_bindings(statement)
            }
        }
        for (index, bind) in binds.enumerated() {
            let position = Int32(index + 1)
            let code: Int32
            switch bind {
            case .blob(let value):
                code = value.withUnsafeReadableBytes {
                    sqlite_nio_sqlite3_bind_blob64(statement, position, $0.baseAddress, UInt64($0.count), Self.transient)
                }
            case .float(let value):
                code = sqlite_nio_sqlite3_bind_double(statement, position, value)
            case .integer(let value):
                code = sqlite_nio_sqlite3_bind_int64(statement, position, Int64(value))
            case .null:
                code = sqlite_nio_sqlite3_bind_null(statement, position)
            case .text(let value):
                code = sqlite_nio_sqlite3_bind_text64(statement, position, value, UInt64(value.utf8.count), Self.transient, UInt8(SQLITE_UTF8))
            }
            guard code == SQLITE_OK else { throw error(code, connection) }
        }
        var columns: [String]?
        while true {
            let code = sqlite_nio_sqlite3_step(statement)
            if code == SQLITE_DONE { return }
            guard code == SQLITE_ROW else { throw error(code, connection) }
            let count = sqlite_nio_sqlite3_column_count(statement)
            if columns == nil {
                columns = (0..<count).map { String(cString: sqlite_nio_sqlite3_column_name(statement, $0)) }
            }
            onRow(DirectSQLiteRow(columns: columns!, values: try (0..<count).map { try value(statement, $0) }, decoder: decoder))
        }
    }

    /// Finalises the statements and closes the connection (on the writer thread).
    func close() {
        for statement in statements.values { sqlite_nio_sqlite3_finalize(statement) }
        statements.removeAll()
        if let handle { sqlite_nio_sqlite3_close_v2(handle) }
        handle = nil
    }

    private func open() throws -> OpaquePointer {
        if let handle { return handle }
        var connection: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX | SQLITE_OPEN_EXRESCODE
        let code = sqlite_nio_sqlite3_open_v2(path, &connection, flags, nil)
        guard code == SQLITE_OK, let connection else {
            let failure = DirectSQLiteError(code: code, message: connection.map { String(cString: sqlite_nio_sqlite3_errmsg($0)) } ?? "cannot open")
            if let connection { sqlite_nio_sqlite3_close_v2(connection) }
            throw failure
        }
        handle = connection
        // The settings of every Egide connection, except the planner's `optimize` (reads only).
        // (A larger page cache was tried: SQLite scans its hash table at every commit when the file
        // grows, which cost more than the page reads it saved.)
        for pragma in DatabaseSetup.sqlitePragmas where !pragma.contains("optimize") {
            do {
                try run(pragma)
            } catch {
                close()
                throw error
            }
        }
        return connection
    }

    /// The cached statement for `sql`, prepared on first use. When the cache is full, the
    /// statements not being stepped are finalised.
    private func prepared(_ sql: String, on connection: OpaquePointer) throws -> OpaquePointer {
        if let statement = statements[sql] { return statement }
        if statements.count >= Self.statementCacheSize {
            for (text, statement) in statements where sqlite_nio_sqlite3_stmt_busy(statement) == 0 {
                sqlite_nio_sqlite3_finalize(statement)
                statements[text] = nil
            }
        }
        let statement = try prepare(sql, on: connection)
        statements[sql] = statement
        return statement
    }

    private func prepare(_ sql: String, on connection: OpaquePointer) throws -> OpaquePointer {
        var statement: OpaquePointer?
        let code = sqlite_nio_sqlite3_prepare_v3(connection, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard code == SQLITE_OK, let statement else { throw error(code, connection) }
        return statement
    }

    /// True while the connection is inside a transaction (not in autocommit mode).
    var inTransaction: Bool {
        guard let handle else { return false }
        return sqlite_nio_sqlite3_get_autocommit(handle) == 0
    }

    private func value(_ statement: OpaquePointer, _ column: Int32) throws -> SQLiteData {
        switch sqlite_nio_sqlite3_column_type(statement, column) {
        case SQLITE_INTEGER:
            return .integer(Int(sqlite_nio_sqlite3_column_int64(statement, column)))
        case SQLITE_FLOAT:
            return .float(sqlite_nio_sqlite3_column_double(statement, column))
        case SQLITE_TEXT:
            guard let text = sqlite_nio_sqlite3_column_text(statement, column) else {
                throw DirectSQLiteError(code: SQLITE_ERROR, message: "unexpected nil text")
            }
            return .text(String(cString: text))
        case SQLITE_BLOB:
            let length = Int(sqlite_nio_sqlite3_column_bytes(statement, column))
            var buffer = ByteBufferAllocator().buffer(capacity: length)
            if let bytes = sqlite_nio_sqlite3_column_blob(statement, column) {
                buffer.writeBytes(UnsafeRawBufferPointer(start: bytes, count: length))
            }
            return .blob(buffer)
        default:
            return .null
        }
    }

    private func error(_ code: Int32, _ connection: OpaquePointer) -> DirectSQLiteError {
        DirectSQLiteError(code: code, message: String(cString: sqlite_nio_sqlite3_errmsg(connection)))
    }

    /// SQLite copies the bound bytes before the call returns.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
}

/// An SQLite result code with SQLite's message (which names tables and constraints, never values).
struct DirectSQLiteError: Error, CustomStringConvertible {
    var code: Int32
    var message: String
    var description: String { "SQLite error \(code): \(message)" }
}

/// A result row, decoded as sqlite-kit decodes its rows.
struct DirectSQLiteRow: SQLRow {
    var columns: [String]
    var values: [SQLiteData]
    var decoder: SQLiteDataDecoder

    var allColumns: [String] { columns }

    func contains(column: String) -> Bool { columns.contains(column) }

    func decodeNil(column: String) throws -> Bool {
        guard let index = columns.firstIndex(of: column) else { return true }
        return values[index] == .null
    }

    func decode<D: Decodable>(column: String, as type: D.Type) throws -> D {
        guard let index = columns.firstIndex(of: column) else { throw DirectSQLiteError(code: SQLITE_ERROR, message: "no column \(column)") }
        return try decoder.decode(D.self, from: values[index])
    }
}
