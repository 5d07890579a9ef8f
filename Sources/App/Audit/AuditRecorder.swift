import EgideCrypto
import Fluent
import Foundation
import SQLKit

/// Who did something, as the audit log names them: a user id, "public" or "system" — never a name.
enum AuditActor: Sendable, Equatable {
    case user(UUID)
    case publicSender
    case system

    var value: String {
        switch self {
        case .user(let id): id.uuidString.lowercased()
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

    /// Appends `event` at `time` to the chain, on `db` — which must be a transaction.
    static func record(_ event: AuditEvent, at time: Date, on db: any Database) async throws {
        if let sql = db as? any SQLDatabase, sql.dialect.name == "postgresql" {
            try await sql.raw("SELECT pg_advisory_xact_lock(\(bind: chainLockKey))").run()
        }
        let head = try await AuditEventModel.query(on: db).sort(\.$id, .descending).first()
        let record = AuditEventRecord(
            sequence: (head?.id ?? 0) + 1,
            timeMillis: Int64((time.timeIntervalSince1970 * 1000).rounded(.down)),
            actor: event.actor.value,
            organisation: event.organisation?.uuidString.lowercased(),
            action: event.action,
            objectType: event.objectType,
            objectID: event.objectID,
            details: event.details,
            previousHash: head.map { Array($0.hash) } ?? AuditEventRecord.genesisHash)
        try await AuditEventModel(StoredAuditEvent(sealing: record)).create(on: db)
    }
}
