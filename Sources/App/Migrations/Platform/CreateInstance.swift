import Fluent
import Foundation

/// The instance record: one row with a random identifier and the date the database was created.
/// Backups and audit checkpoints name it, so one instance's artefacts are never confused with another's.
struct CreateInstance: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(InstanceRecord.schema)
            .id()
            .field("created_at", .datetime, .required)
            .create()
        try await InstanceRecord(id: UUID(), createdAt: Date()).create(on: database)
    }

    func revert(on database: any Database) async throws {
        try await database.schema(InstanceRecord.schema).delete()
    }
}

/// The single row of the `instance` table.
final class InstanceRecord: Model, @unchecked Sendable {
    static let schema = "instance"

    @ID(key: .id) var id: UUID?
    @Field(key: "created_at") var createdAt: Date

    init() {}

    init(id: UUID, createdAt: Date) {
        self.id = id
        self.createdAt = createdAt
    }
}
