import EgideCore
import Fluent
import Foundation
import SQLKit

struct CreateCases: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(CaseRecord.schema)
            .id()
            .field("organisation_id", .uuid, .required, .references(OrganisationRecord.schema, "id"))
            .field("code", .string, .required)
            .field("year", .int, .required)
            .field("sequence", .int, .required)
            .field("country", .string, .required)
            .field("region_ct", .data)
            .field("summary_ct", .data, .required)
            .field("field_of_work", .string)
            .field("status", .string, .required)
            .field("lead_id", .uuid, .required, .references(UserRecord.schema, "id"))
            .field("alert_id", .uuid, .references(AlertRecord.schema, "id"))
            .field("risk_level", .int)
            .field("judged_level", .int)
            .field("next_review_at", .datetime)
            .field("opened_at", .datetime, .required)
            .field("closed_at", .datetime)
            .field("outcome", .string)
            .field("closure_ct", .data)
            .field("updated_at", .datetime, .required)
            .unique(on: "code")
            .create()
        try await database.schema(CasePersonRecord.schema)
            .id()
            .field("case_id", .uuid, .required, .references(CaseRecord.schema, "id"))
            .field("organisation_id", .uuid, .required)
            .field("role", .string, .required)
            .field("is_organisation", .bool, .required)
            .field("identity_ct", .data, .required)
            .field("sensitive_ct", .data)
            .field("consent_at", .datetime)
            .field("consent_by", .uuid)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .create()
        try await database.schema(CaseNameTokenRecord.schema)
            .id()
            .field("case_id", .uuid, .required, .references(CaseRecord.schema, "id"))
            .field("person_id", .uuid, .required, .references(CasePersonRecord.schema, "id"))
            .field("organisation_id", .uuid, .required)
            .field("token", .int, .required)
            .create()
        try await database.schema(CaseTeamRecord.schema)
            .id()
            .field("case_id", .uuid, .required, .references(CaseRecord.schema, "id"))
            .field("user_id", .uuid, .required, .references(UserRecord.schema, "id"))
            .field("added_at", .datetime, .required)
            .unique(on: "case_id", "user_id")
            .create()
        try await database.schema(CaseGrantRecord.schema)
            .id()
            .field("case_id", .uuid, .required, .references(CaseRecord.schema, "id"))
            .field("organisation_id", .uuid, .required, .references(OrganisationRecord.schema, "id"))
            .field("granted_by", .uuid, .required)
            .field("granted_at", .datetime, .required)
            .unique(on: "case_id", "organisation_id")
            .create()
        try await database.schema(CaseItemRecord.schema)
            .id()
            .field("case_id", .uuid, .required, .references(CaseRecord.schema, "id"))
            .field("organisation_id", .uuid, .required)
            .field("kind", .string, .required)
            .field("version", .int, .required)
            .field("state", .string, .required)
            .field("category", .string, .required)
            .field("due_at", .datetime)
            .field("assignee_id", .uuid)
            .field("target_organisation_id", .uuid)
            .field("level", .int)
            .field("judged_level", .int)
            .field("amount_minor", .int64)
            .field("currency", .string)
            .field("content_ct", .data, .required)
            .field("created_by", .uuid, .required)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .create()
        try await database.schema(CaseEntryRecord.schema)
            .id()
            .field("case_id", .uuid, .required, .references(CaseRecord.schema, "id"))
            .field("kind", .string, .required)
            .field("item_id", .uuid)
            .field("actor_id", .uuid)
            .field("details", .string, .required)
            .field("created_at", .datetime, .required)
            .create()
        try await database.schema(UserPermissionRecord.schema)
            .id()
            .field("user_id", .uuid, .required, .references(UserRecord.schema, "id"))
            .field("permission", .string, .required)
            .field("granted_by", .uuid, .required)
            .field("granted_at", .datetime, .required)
            .unique(on: "user_id", "permission")
            .create()
        if let sql = database as? any SQLDatabase {
            for statement in [
                // The list: an organisation's cases by status, newest activity first.
                "CREATE INDEX cases_list ON cases (organisation_id, status, updated_at)",
                "CREATE INDEX cases_recent ON cases (organisation_id, updated_at)",
                "CREATE INDEX cases_country ON cases (organisation_id, country, updated_at)",
                "CREATE INDEX cases_lead ON cases (lead_id, updated_at)",
                "CREATE INDEX cases_alert ON cases (alert_id)",
                "CREATE INDEX case_people_case ON case_people (case_id)",
                "CREATE INDEX case_name_tokens_search ON case_name_tokens (organisation_id, token)",
                "CREATE INDEX case_name_tokens_case ON case_name_tokens (case_id)",
                "CREATE INDEX case_team_user ON case_team (user_id)",
                "CREATE INDEX case_grants_organisation ON case_grants (organisation_id)",
                "CREATE INDEX case_items_case ON case_items (case_id, kind, created_at)",
                "CREATE INDEX case_items_due ON case_items (kind, state, due_at)",
                "CREATE INDEX case_items_target ON case_items (target_organisation_id, kind, state)",
                "CREATE INDEX case_entries_case ON case_entries (case_id, created_at)",
                // "Who viewed this case": the access events are audit events about the case.
                "CREATE INDEX audit_events_object ON audit_events (object_type, object_id, seq)",
            ] {
                try await sql.raw(SQLQueryString(statement)).run()
            }
        }
    }

    func revert(on database: any Database) async throws {
        if let sql = database as? any SQLDatabase {
            try await sql.raw("DROP INDEX audit_events_object").run()
        }
        for schema in [UserPermissionRecord.schema, CaseEntryRecord.schema, CaseItemRecord.schema, CaseGrantRecord.schema, CaseTeamRecord.schema,
                       CaseNameTokenRecord.schema, CasePersonRecord.schema, CaseRecord.schema] {
            try await database.schema(schema).delete()
        }
    }
}
