import Fluent
import Foundation
import SQLKit

/// The appeals' mailing: subscribers, one mailing per published text, one row per recipient.
struct CreateAppealMailings: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(AppealSubscriberRecord.schema)
            .id()
            .field("organisation_id", .uuid, .required, .references(OrganisationRecord.schema, "id"))
            .field("email_ct", .data, .required)
            .field("email_index", .int, .required)
            .field("name_ct", .data)
            .field("languages", .string, .required)
            .field("kind", .string, .required)
            .field("token_ct", .data, .required)
            .field("token_hash", .data, .required)
            .field("created_by", .uuid, .required)
            .field("created_at", .datetime, .required)
            .field("unsubscribed_at", .datetime)
            .unique(on: "token_hash")
            .create()
        try await database.schema(AppealMailingRecord.schema)
            .id()
            .field("appeal_id", .uuid, .required, .references(AppealRecord.schema, "id"))
            .field("version_id", .uuid, .required, .references(AppealVersionRecord.schema, "id"))
            .field("organisation_id", .uuid, .required)
            .field("language", .string, .required)
            .field("revision", .int, .required)
            .field("state", .string, .required)
            .field("created_by", .uuid, .required)
            .field("created_at", .datetime, .required)
            .field("finished_at", .datetime)
            .unique(on: "version_id", "revision")
            .create()
        try await database.schema(AppealRecipientRecord.schema)
            .id()
            .field("mailing_id", .uuid, .required, .references(AppealMailingRecord.schema, "id"))
            .field("subscriber_id", .uuid, .required, .references(AppealSubscriberRecord.schema, "id"))
            .field("state", .string, .required)
            .field("attempts", .int, .required)
            .field("next_attempt_at", .datetime, .required)
            .field("claimed_at", .datetime)
            .field("last_code", .string)
            .field("sent_at", .datetime)
            .unique(on: "mailing_id", "subscriber_id")
            .create()
        if let sql = database as? any SQLDatabase {
            for statement in [
                "CREATE INDEX appeal_subscribers_organisation ON appeal_subscribers (organisation_id, email_index)",
                "CREATE INDEX appeal_mailings_appeal ON appeal_mailings (appeal_id)",
                "CREATE INDEX appeal_recipients_due ON appeal_mailing_recipients (state, next_attempt_at)",
            ] {
                try await sql.raw(SQLQueryString(statement)).run()
            }
        }
    }

    func revert(on database: any Database) async throws {
        for schema in [AppealRecipientRecord.schema, AppealMailingRecord.schema, AppealSubscriberRecord.schema] {
            try await database.schema(schema).delete()
        }
    }
}
