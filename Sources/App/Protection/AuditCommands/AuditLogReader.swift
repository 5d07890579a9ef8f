import EgideCrypto
import Fluent
import Foundation
import SQLKit

/// Reads `audit_events` in sequence order, one batch at a time, so that checking a log of any size
/// holds one batch in memory. Rows are read with plain SQL and decoded one by one (not through the
/// Fluent model) so that a row whose columns were tampered into an undecodable shape is reported at
/// its place in the chain instead of failing a whole batch anonymously.
struct AuditLogReader {
    /// One batch: the rows decoded in order, and — if a row could not be decoded — why. Rows after
    /// an undecodable one are not returned: the chain is broken there anyway.
    struct Batch {
        var events: [StoredAuditEvent]
        var unreadable: String?
    }

    let sql: any SQLDatabase
    let batchSize: Int
    private var lastSequence: Int64?
    private var finished = false

    /// A reader over the log in `sql`, `batchSize` events at a time.
    init(on sql: any SQLDatabase, batchSize: Int = 1000) {
        self.sql = sql
        self.batchSize = max(1, batchSize)
    }

    /// The SQL interface of a Fluent database.
    /// - Throws: `CommandFailure` if `db` does not take SQL (never for SQLite or PostgreSQL).
    static func sql(_ db: any Database) throws -> any SQLDatabase {
        guard let sql = db as? any SQLDatabase else {
            throw CommandFailure(message: "egide: the database does not accept SQL queries")
        }
        return sql
    }

    /// The next batch, empty at the end of the log.
    mutating func next() async throws -> Batch {
        guard !finished else { return Batch(events: [], unreadable: nil) }
        // The first batch has no lower bound, so a row slipped in with sequence 0 or below is seen.
        var query = sql.select()
            .columns("seq", "occurred_at", "actor", "organisation_id", "action", "object_type", "object_id",
                     "details", "prev_hash", "hash")
            .from(AuditEventModel.schema)
        if let lastSequence { query = query.where("seq", .greaterThan, lastSequence) }
        let rows = try await query.orderBy("seq").limit(batchSize).all()
        if rows.count < batchSize { finished = true }
        var events: [StoredAuditEvent] = []
        events.reserveCapacity(rows.count)
        for row in rows {
            do {
                events.append(try Self.decode(row))
            } catch {
                finished = true
                return Batch(events: events, unreadable: "a row cannot be read as an audit event (\(Self.column(of: error)))")
            }
        }
        lastSequence = events.last?.record.sequence ?? lastSequence
        return Batch(events: events, unreadable: nil)
    }

    private static func decode(_ row: any SQLRow) throws -> StoredAuditEvent {
        let details = try row.decode(column: "details", as: String.self)
        let record = AuditEventRecord(
            sequence: try row.decode(column: "seq", as: Int64.self),
            timeMillis: try row.decode(column: "occurred_at", as: Int64.self),
            actor: try row.decode(column: "actor", as: String.self),
            organisation: try row.decode(column: "organisation_id", as: String?.self),
            action: try row.decode(column: "action", as: String.self),
            objectType: try row.decode(column: "object_type", as: String?.self),
            objectID: try row.decode(column: "object_id", as: String?.self),
            details: AuditEventModel.decode(details),
            previousHash: Array(try row.decode(column: "prev_hash", as: Data.self)))
        return StoredAuditEvent(record: record, hash: Array(try row.decode(column: "hash", as: Data.self)))
    }

    /// The name of the column a decoding error is about, for the operator's message.
    private static func column(of error: any Error) -> String {
        if let error = error as? DecodingError {
            switch error {
            case .typeMismatch(_, let context), .valueNotFound(_, let context), .keyNotFound(_, let context),
                 .dataCorrupted(let context):
                if let key = context.codingPath.last { return "column \(key.stringValue)" }
            @unknown default: break
            }
        }
        return "\(error)"
    }
}
