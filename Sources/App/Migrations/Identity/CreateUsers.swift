import EgideCore
import Fluent
import Foundation

/// Creates `users` and `user_roles`.
struct CreateUsers: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(UserRecord.schema)
            .id()
            .field("organisation_id", .uuid, .required, .references(OrganisationRecord.schema, "id"))
            .field("email_ct", .data, .required)
            .field("email_index", .int, .required)
            .field("email_key", .data, .required)
            .field("name_ct", .data, .required)
            .field("password_hash", .string)
            .field("totp_seed_ct", .data)
            .field("totp_last_step", .int64)
            .field("totp_confirmed_at", .datetime)
            .field("disabled_at", .datetime)
            .field("failed_attempts", .int, .required)
            .field("last_failed_at", .datetime)
            .field("created_at", .datetime, .required)
            .unique(on: "email_key")
            .create()
        try await database.schema(UserRoleRecord.schema)
            .id()
            .field("user_id", .uuid, .required, .references(UserRecord.schema, "id", onDelete: .cascade))
            .field("role", .string, .required)
            .unique(on: "user_id", "role")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(UserRoleRecord.schema).delete()
        try await database.schema(UserRecord.schema).delete()
    }
}
