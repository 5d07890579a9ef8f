import Fluent
import SQLKit
import Vapor

extension Application {
    private struct WriteLockKey: StorageKey { typealias Value = AsyncMutex }
    private struct WriterLoopKey: StorageKey { typealias Value = any EventLoop }
    private struct DirectWriterKey: StorageKey { typealias Value = DirectSQLiteWriter }

    /// Serialises write transactions on SQLite, which has one writer anyway: a transaction that read
    /// first could otherwise fail with SQLITE_BUSY when another commits between its read and its
    /// write, and the audit chain needs each append to see the head it extends.
    var writeLock: AsyncMutex {
        get { storage[WriteLockKey.self]! }
        set { storage[WriteLockKey.self] = newValue }
    }

    /// The event loop whose SQLite connection makes every write through Fluent. With one such
    /// connection, commits from the others do not empty its page cache between two transactions
    /// (SQLite drops a connection's cache whenever another one has changed the file), so a write
    /// reads the pages it needs from memory. Alert intake's own connection (`DirectSQLiteWriter`)
    /// is the one other writer; while alerts pour in, it is the one whose cache stays warm.
    var writerEventLoop: any EventLoop {
        get { storage[WriterLoopKey.self]! }
        set { storage[WriterLoopKey.self] = newValue }
    }

    /// On SQLite, the writer whose transactions run on a thread of their own without a hop per
    /// statement (alert intake's hot path, see `DirectSQLiteWriter`); nil on PostgreSQL.
    var directSQLiteWriter: DirectSQLiteWriter? {
        get { storage[DirectWriterKey.self] }
        set { storage[DirectWriterKey.self] = newValue }
    }

    /// Sets up the write path: the lock, the writer's event loop and, on SQLite, the direct writer
    /// (closed at shutdown).
    func configureWrites() {
        writeLock = AsyncMutex()
        writerEventLoop = eventLoopGroup.next()
        if case .sqlite(let path) = egideConfig.database {
            directSQLiteWriter = DirectSQLiteWriter(path: path, logger: logger, eventLoop: writerEventLoop)
            lifecycle.use(DirectWriterShutdown())
        }
    }

    /// Closes the direct writer on a thread of its own: its last batch may still be committing,
    /// and an event loop must not wait for a disk flush.
    private struct DirectWriterShutdown: LifecycleHandler {
        func shutdown(_ application: Application) { application.directSQLiteWriter?.shutdown() }

        func shutdownAsync(_ application: Application) async {
            guard let writer = application.directSQLiteWriter else { return }
            await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                Thread {
                    writer.shutdown()
                    done.resume()
                }.start()
            }
        }
    }

    /// Runs `body` in one database transaction — the change and its audit event commit together or
    /// not at all. Every write in Egide goes through here, except alert intake's batches without
    /// files on SQLite, which `DirectSQLiteWriter` runs under the same lock.
    package func transaction<T: Sendable>(_ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        if case .sqlite = egideConfig.database {
            let db = databases.database(logger: logger, on: writerEventLoop)!
            return try await writeLock.withLock { try await db.transaction(body) }
        }
        return try await db.transaction(body)
    }
}

extension Request {
    /// `Application.transaction` with this request's logger.
    func transaction<T: Sendable>(_ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        try await application.transaction(body)
    }
}

/// Locks one row until the end of the current transaction (PostgreSQL `SELECT … FOR UPDATE`), so a
/// read-check-write on it — spending an invitation, a TOTP step — cannot run twice concurrently
/// across nodes. On SQLite, `Application.transaction` already serialises writers.
func lockRow(_ table: String, id: UUID, on db: any Database) async throws {
    guard let sql = db as? any SQLDatabase, sql.dialect.name == "postgresql" else { return }
    try await sql.raw("SELECT id FROM \(ident: table) WHERE id = \(bind: id) FOR UPDATE").run()
}

/// Serialises a whole transaction against others taking the same `key` (PostgreSQL advisory lock,
/// released at commit). On SQLite, `Application.transaction` already serialises writers.
func lockNamed(_ key: Int64, on db: any Database) async throws {
    guard let sql = db as? any SQLDatabase, sql.dialect.name == "postgresql" else { return }
    try await sql.raw("SELECT pg_advisory_xact_lock(\(bind: key))").run()
}
