import Fluent
import Foundation

/// Creates `encrypted_files`.
struct CreateEncryptedFiles: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(EncryptedFileRecord.schema)
            .id()
            .field("organisation_id", .uuid, .references(OrganisationRecord.schema, "id"))
            .field("purpose", .string, .required)
            .field("name_ct", .data, .required)
            .field("media_type", .string, .required)
            .field("size", .int, .required)
            .field("content_ct", .data, .required)
            .field("created_at", .datetime, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(EncryptedFileRecord.schema).delete()
    }
}
