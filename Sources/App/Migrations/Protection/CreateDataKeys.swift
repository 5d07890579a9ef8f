import Fluent
import Foundation

/// Creates `data_keys`.
struct CreateDataKeys: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(DataKeyRecord.schema)
            .field("id", .string, .identifier(auto: false))
            .field("owner", .string, .required)
            .field("purpose", .string, .required)
            .field("state", .string, .required)
            .field("wrapped", .data)
            .field("created_at", .datetime, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(DataKeyRecord.schema).delete()
    }
}
