import Fluent
import Foundation
import SQLKit

/// Urgent appeals and publishing: documents, language versions and every revision, review
/// comments, the cases and consents, targets and replies, the history, and the reference pattern.
struct CreateAppeals: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(AppealRecord.schema)
            .id()
            .field("organisation_id", .uuid, .required, .references(OrganisationRecord.schema, "id"))
            .field("kind", .string, .required)
            .field("country", .string, .required)
            .field("themes", .string, .required)
            .field("original_language", .string, .required)
            .field("reference", .string)
            .field("slug", .string)
            .field("year", .int)
            .field("yearly_sequence", .int)
            .field("country_sequence", .int)
            .field("parent_id", .uuid, .references(AppealRecord.schema, "id"))
            .field("follow_up_kind", .string)
            .field("follow_up_number", .int)
            .field("issued_at", .datetime)
            .field("no_defender_by", .uuid)
            .field("no_defender_at", .datetime)
            .field("created_by", .uuid, .required)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "organisation_id", "reference")
            .unique(on: "slug")
            .create()
        try await database.schema(AppealVersionRecord.schema)
            .id()
            .field("appeal_id", .uuid, .required, .references(AppealRecord.schema, "id"))
            .field("organisation_id", .uuid, .required, .references(OrganisationRecord.schema, "id"))
            .field("language", .string, .required)
            .field("state", .string, .required)
            .field("revision", .int, .required)
            .field("submitted_revision", .int)
            .field("approved_revision", .int)
            .field("approved_by", .uuid)
            .field("published_revision", .int)
            .field("first_published_at", .datetime)
            .field("published_at", .datetime)
            .field("was_published", .bool, .required)
            .field("created_by", .uuid, .required)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "appeal_id", "language")
            .create()
        try await database.schema(AppealRevisionRecord.schema)
            .id()
            .field("version_id", .uuid, .required, .references(AppealVersionRecord.schema, "id"))
            .field("appeal_id", .uuid, .required, .references(AppealRecord.schema, "id"))
            .field("organisation_id", .uuid, .required)
            .field("number", .int, .required)
            .field("text_ct", .data, .required)
            .field("author_id", .uuid, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "version_id", "number")
            .create()
        try await database.schema(AppealCommentRecord.schema)
            .id()
            .field("version_id", .uuid, .required, .references(AppealVersionRecord.schema, "id"))
            .field("appeal_id", .uuid, .required, .references(AppealRecord.schema, "id"))
            .field("organisation_id", .uuid, .required)
            .field("revision", .int, .required)
            .field("author_id", .uuid, .required)
            .field("body_ct", .data, .required)
            .field("created_at", .datetime, .required)
            .create()
        try await database.schema(AppealCaseRecord.schema)
            .id()
            .field("appeal_id", .uuid, .required, .references(AppealRecord.schema, "id"))
            .field("case_id", .uuid, .required, .references(CaseRecord.schema, "id"))
            .unique(on: "appeal_id", "case_id")
            .create()
        try await database.schema(AppealConsentRecord.schema)
            .id()
            .field("appeal_id", .uuid, .required, .references(AppealRecord.schema, "id"))
            .field("organisation_id", .uuid, .required)
            .field("person_id", .uuid, .required)
            .field("channel", .string, .required)
            .field("granted", .bool, .required)
            .field("note_ct", .data)
            .field("recorded_by", .uuid, .required)
            .field("recorded_at", .datetime, .required)
            .create()
        try await database.schema(AppealTargetRecord.schema)
            .id()
            .field("appeal_id", .uuid, .required, .references(AppealRecord.schema, "id"))
            .field("organisation_id", .uuid, .required)
            .field("name", .string, .required)
            .field("institution", .string, .required)
            .field("address", .string, .required)
            .field("created_by", .uuid, .required)
            .field("created_at", .datetime, .required)
            .create()
        try await database.schema(AppealReplyRecord.schema)
            .id()
            .field("appeal_id", .uuid, .required, .references(AppealRecord.schema, "id"))
            .field("target_id", .uuid, .required, .references(AppealTargetRecord.schema, "id"))
            .field("organisation_id", .uuid, .required)
            .field("received_on", .string, .required)
            .field("summary_ct", .data, .required)
            .field("recorded_by", .uuid, .required)
            .field("created_at", .datetime, .required)
            .create()
        try await database.schema(AppealEventRecord.schema)
            .id()
            .field("appeal_id", .uuid, .required, .references(AppealRecord.schema, "id"))
            .field("organisation_id", .uuid, .required)
            .field("language", .string)
            .field("kind", .string, .required)
            .field("actor_id", .uuid, .required)
            .field("created_at", .datetime, .required)
            .create()
        try await database.schema(AppealSettingsRecord.schema)
            .id()
            .field("organisation_id", .uuid, .required, .references(OrganisationRecord.schema, "id"))
            .field("reference_pattern", .string, .required)
            .field("updated_by", .uuid, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "organisation_id")
            .create()
        if let sql = database as? any SQLDatabase {
            for statement in [
                "CREATE INDEX appeals_organisation ON appeals (organisation_id, updated_at)",
                "CREATE INDEX appeals_parent ON appeals (parent_id)",
                "CREATE INDEX appeals_sequence ON appeals (organisation_id, year, country)",
                "CREATE INDEX appeal_versions_public ON appeal_versions (language, published_at)",
                "CREATE INDEX appeal_revisions_version ON appeal_revisions (version_id, number)",
                "CREATE INDEX appeal_comments_version ON appeal_comments (version_id, created_at)",
                "CREATE INDEX appeal_cases_case ON appeal_cases (case_id)",
                "CREATE INDEX appeal_consents_appeal ON appeal_consents (appeal_id, person_id, channel)",
                "CREATE INDEX appeal_targets_appeal ON appeal_targets (appeal_id)",
                "CREATE INDEX appeal_replies_appeal ON appeal_replies (appeal_id)",
                "CREATE INDEX appeal_events_appeal ON appeal_events (appeal_id, created_at)",
            ] {
                try await sql.raw(SQLQueryString(statement)).run()
            }
        }
    }

    func revert(on database: any Database) async throws {
        for schema in [AppealSettingsRecord.schema, AppealEventRecord.schema, AppealReplyRecord.schema, AppealTargetRecord.schema,
                       AppealConsentRecord.schema, AppealCaseRecord.schema, AppealCommentRecord.schema, AppealRevisionRecord.schema,
                       AppealVersionRecord.schema, AppealRecord.schema] {
            try await database.schema(schema).delete()
        }
    }
}
