import EgideCrypto
import Fluent
import Foundation

/// Creates `audit_events`.
struct CreateAuditEvents: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(AuditEventModel.schema)
            .field("seq", .int64, .identifier(auto: false))
            .field("occurred_at", .int64, .required)
            .field("actor", .string, .required)
            .field("organisation_id", .string)
            .field("action", .string, .required)
            .field("object_type", .string)
            .field("object_id", .string)
            .field("details", .string, .required)
            .field("prev_hash", .data, .required)
            .field("hash", .data, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(AuditEventModel.schema).delete()
    }
}
