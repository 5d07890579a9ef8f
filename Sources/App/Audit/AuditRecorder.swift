import EgideCore
import EgideCrypto
import Fluent
import Foundation
import SQLKit

/// Who did something, as the audit log names them: a user id, "public" or "system" — never a name.
package enum AuditActor: Sendable, Equatable {
    case user(UUID)
    case publicSender
    case system

    var value: String {
        switch self {
        case .user(let id): id.lowercasedText
        case .publicSender: "public"
        case .system: "system"
        }
    }
}

/// One thing to record. `details` holds identifiers and codes only, never personal data.
struct AuditEvent: Sendable {
    var actor: AuditActor
    var organisation: UUID?
    var action: String
    var objectType: String?
    var objectID: String?
    var details: [String: String] = [:]
}

/// The one way anything is written to the audit log: appended to the hash chain inside the
/// caller's transaction, so the event commits with the change it records or not at all.
enum AuditRecorder {
    /// A constant key for PostgreSQL's transaction-scoped advisory lock: appends are serialised
    /// across every node, so each sees the head it extends. (SQLite writes are serialised by
    /// `Application.transaction`.)
    static let chainLockKey: Int64 = 0x4567_6964_6541_7564

    /// The last event of the chain: its sequence number and hash (nil while the log is empty).
    struct Head: Sendable {
        var sequence: Int64
        var hash: Data
    }

    /// Appends `event` at `time` to the chain, on `db` — which must be a transaction.
    static func record(_ event: AuditEvent, at time: Date, on db: any Database) async throws {
        let sql = try sqlDatabase(db)
        if sql.dialect.name == "postgresql" {
            try await sql.raw("SELECT pg_advisory_xact_lock(\(bind: chainLockKey))").run()
        }
        try await append(event, at: time, after: try await head(on: sql), on: sql)
    }

    /// Reads the head with one small statement (only the two columns the next event needs).
    static func head(on sql: any SQLDatabase) async throws -> Head? {
        guard let row = try await sql.raw("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1").first() else { return nil }
        return Head(sequence: try row.decode(column: "seq", as: Int64.self), hash: try row.decode(column: "hash", as: Data.self))
    }

    /// Appends `event` after `head`, which the caller read in this same transaction while holding
    /// the chain lock (`chainLockKey` on PostgreSQL; `Application.transaction`'s write lock on
    /// SQLite) — otherwise another append could slip in between and fork the chain (the insert
    /// would then fail on the sequence's primary key rather than fork it).
    static func append(_ event: AuditEvent, at time: Date, after head: Head?, on sql: any SQLDatabase) async throws {
        _ = try await append([event], at: time, after: head, on: sql)
    }

    /// Appends `events` in order after `head`, as one multi-row statement, and returns the new head
    /// (the same locking rules as the single-event form).
    @discardableResult
    static func append(_ events: [AuditEvent], at time: Date, after head: Head?, on sql: any SQLDatabase) async throws -> Head? {
        guard !events.isEmpty else { return head }
        let timeMillis = Int64((time.timeIntervalSince1970 * 1000).rounded(.down))
        // The same columns and values `AuditEventModel(stored).create(on:)` writes, without Fluent's
        // model reflection on the hot path.
        let insert = sql.insert(into: AuditEventModel.schema)
            .columns("seq", "occurred_at", "actor", "organisation_id", "action", "object_type", "object_id", "details", "prev_hash", "hash")
        var last = head
        for event in events {
            let record = AuditEventRecord(
                sequence: (last?.sequence ?? 0) + 1,
                timeMillis: timeMillis,
                actor: event.actor.value,
                organisation: event.organisation?.lowercasedText,
                action: event.action,
                objectType: event.objectType,
                objectID: event.objectID,
                details: event.details,
                previousHash: last.map { Array($0.hash) } ?? AuditEventRecord.genesisHash)
            let stored = StoredAuditEvent(sealing: record)
            insert.values(SQLBind(record.sequence), SQLBind(record.timeMillis), SQLBind(record.actor), SQLBind.orNull(record.organisation),
                          SQLBind(record.action), SQLBind.orNull(record.objectType), SQLBind.orNull(record.objectID),
                          SQLBind(AuditEventModel.encode(record.details)), SQLBind(Data(record.previousHash)), SQLBind(Data(stored.hash)))
            last = Head(sequence: record.sequence, hash: Data(stored.hash))
        }
        try await insert.run()
        return last
    }

    static func sqlDatabase(_ db: any Database) throws -> any SQLDatabase {
        guard let sql = db as? any SQLDatabase else { throw AuditError.notSQL }
        return sql
    }

    enum AuditError: Error { case notSQL }
}

extension SQLBind {
    /// A bind of `value`, or `NULL` when there is none (the column left empty, as Fluent writes a nil field).
    package static func orNull<T: Encodable & Sendable>(_ value: T?) -> any SQLExpression {
        value.map { SQLBind($0) } ?? SQLLiteral.null
    }
}
