import EgideCrypto
import Fluent
import Foundation

/// One row of the append-only, hash-chained audit log (`audit_events`). It names actors and
/// objects by identifier only — never a name or a narrative — and is never updated or deleted.
final class AuditEventModel: Model, @unchecked Sendable {
    static let schema = "audit_events"

    @ID(custom: "seq", generatedBy: .user) var id: Int64?
    /// Unix milliseconds, stored exactly as hashed.
    @Field(key: "occurred_at") var occurredAt: Int64
    @Field(key: "actor") var actor: String
    @OptionalField(key: "organisation_id") var organisationID: String?
    @Field(key: "action") var action: String
    @OptionalField(key: "object_type") var objectType: String?
    @OptionalField(key: "object_id") var objectID: String?
    /// The details as sorted JSON (`{"key":"value"}`): identifiers and codes only.
    @Field(key: "details") var details: String
    @Field(key: "prev_hash") var previousHash: Data
    @Field(key: "hash") var hash: Data

    init() {}

    init(_ stored: StoredAuditEvent) {
        let record = stored.record
        id = record.sequence
        occurredAt = record.timeMillis
        actor = record.actor
        organisationID = record.organisation
        action = record.action
        objectType = record.objectType
        objectID = record.objectID
        details = Self.encode(record.details)
        previousHash = Data(record.previousHash)
        hash = Data(stored.hash)
    }

    /// The stored event as the chain verifier reads it.
    var stored: StoredAuditEvent {
        StoredAuditEvent(
            record: AuditEventRecord(
                sequence: id ?? 0, timeMillis: occurredAt, actor: actor, organisation: organisationID,
                action: action, objectType: objectType, objectID: objectID,
                details: Self.decode(details), previousHash: Array(previousHash)),
            hash: Array(hash))
    }

    static func encode(_ details: [String: String]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(details)).flatMap { String(data: $0, encoding: .utf8) } ?? "{}"
    }

    static func decode(_ text: String) -> [String: String] {
        (try? JSONDecoder().decode([String: String].self, from: Data(text.utf8))) ?? ["<undecodable>": text]
    }
}
