import Fluent
import SQLKit

/// Creates `sessions`, `invitations`, `recovery_codes` and `api_tokens`.
struct CreateSessionsAndTokens: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let user = { (b: SchemaBuilder) in b.field("user_id", .uuid, .required, .references(UserRecord.schema, "id", onDelete: .cascade)) }
        try await user(database.schema(SessionRecord.schema).id())
            .field("token_hash", .data, .required)
            .field("stage", .string, .required)
            .field("created_at", .datetime, .required)
            .field("last_seen_at", .datetime, .required)
            .field("expires_at", .datetime, .required)
            .unique(on: "token_hash")
            .create()
        try await user(database.schema(InvitationRecord.schema).id())
            .field("token_hash", .data, .required)
            .field("created_by", .string, .required)
            .field("created_at", .datetime, .required)
            .field("expires_at", .datetime, .required)
            .field("accepted_at", .datetime)
            .unique(on: "token_hash")
            .create()
        try await user(database.schema(RecoveryCodeRecord.schema).id())
            .field("code_hash", .data, .required)
            .field("used_at", .datetime)
            .create()
        try await user(database.schema(APITokenRecord.schema).id())
            .field("name", .string, .required)
            .field("token_hash", .data, .required)
            .field("scopes", .string, .required)
            .field("created_at", .datetime, .required)
            .field("expires_at", .datetime, .required)
            .field("last_used_at", .datetime)
            .field("revoked_at", .datetime)
            .unique(on: "token_hash")
            .create()
        if let sql = database as? any SQLDatabase {
            try await sql.raw("CREATE INDEX users_email_index ON users (email_index)").run()
        }
    }

    func revert(on database: any Database) async throws {
        if let sql = database as? any SQLDatabase {
            try await sql.raw("DROP INDEX users_email_index").run()
        }
        for schema in [APITokenRecord.schema, RecoveryCodeRecord.schema, InvitationRecord.schema, SessionRecord.schema] {
            try await database.schema(schema).delete()
        }
    }
}
