import EgideCore
import Fluent
import Foundation
import SQLKit

/// Creates the alert and verification tables, seeds the categories.
struct CreateAlerts: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(AlertRecord.schema)
            .id()
            .field("organisation_id", .uuid, .required, .references(OrganisationRecord.schema, "id"))
            .field("year", .int, .required)
            .field("sequence", .int, .required)
            .field("receipt_tag", .data, .required)
            .field("passphrase_tag", .data, .required)
            .field("idempotency_tag", .data)
            .field("payload_tag", .data)
            .field("channel", .string, .required)
            .field("status", .string, .required)
            .field("urgency", .string)
            .field("rejection_reason", .string)
            .field("country", .string, .required)
            .field("categories", .string, .required)
            .field("needs", .string, .required)
            .field("field_of_work", .string)
            .field("sender_is_defender", .bool, .required)
            .field("consent_to_contact", .bool, .required)
            .field("contact_channel", .string)
            .field("language", .string, .required)
            .field("defender_name_ct", .data)
            .field("defender_index", .int)
            .field("organisation_name_ct", .data)
            .field("organisation_index", .int)
            .field("region_ct", .data)
            .field("incident_date_ct", .data)
            .field("narrative_ct", .data, .required)
            .field("contact_ct", .data)
            .field("recorded_by", .uuid)
            .field("recorded_by_organisation", .uuid)
            .field("assignee_id", .uuid)
            .field("received_at", .datetime, .required)
            .field("triaged_at", .datetime)
            .field("deadline_at", .datetime, .required)
            .field("answered_at", .datetime)
            .field("decided_at", .datetime)
            .field("decision_grounds_ct", .data)
            .field("merged_into", .uuid)
            .field("updated_at", .datetime, .required)
            .unique(on: "receipt_tag")
            .unique(on: "idempotency_tag")
            .unique(on: "year", "sequence")
            .create()
        try await database.schema(AlertEntryRecord.schema)
            .id()
            .field("alert_id", .uuid, .required, .references(AlertRecord.schema, "id"))
            .field("organisation_id", .uuid, .required)
            .field("kind", .string, .required)
            .field("actor_id", .uuid)
            .field("body_ct", .data)
            .field("details", .string, .required)
            .field("created_at", .datetime, .required)
            .create()
        try await database.schema(AlertAttachmentRecord.schema)
            .id()
            .field("alert_id", .uuid, .required, .references(AlertRecord.schema, "id"))
            .field("file_id", .uuid, .required, .references(EncryptedFileRecord.schema, "id"))
            .field("source", .string, .required)
            .field("finding_id", .uuid)
            .field("created_at", .datetime, .required)
            .create()
        try await database.schema(AlertCategoryRecord.schema)
            .id()
            .field("code", .string, .required)
            .field("label_en", .string, .required)
            .field("label_fr", .string, .required)
            .field("active", .bool, .required)
            .field("position", .int, .required)
            .unique(on: "code")
            .create()
        try await database.schema(AlertSettingsRecord.schema)
            .id()
            .field("p1_hours", .int, .required)
            .field("p2_hours", .int, .required)
            .field("p3_hours", .int, .required)
            .field("p4_hours", .int, .required)
            .field("rule_independent", .int, .required)
            .field("rule_credible_at_most", .int, .required)
            .field("rule_single_reliability", .string, .required)
            .field("updated_at", .datetime, .required)
            .create()
        try await database.schema(VerificationRequestRecord.schema)
            .id()
            .field("alert_id", .uuid, .required, .references(AlertRecord.schema, "id"))
            .field("alert_organisation_id", .uuid, .required)
            .field("verifier_id", .uuid, .required, .references(UserRecord.schema, "id"))
            .field("verifier_organisation_id", .uuid, .required)
            .field("requested_by", .uuid, .required)
            .field("message_ct", .data)
            .field("state", .string, .required)
            .field("created_at", .datetime, .required)
            .field("answered_at", .datetime)
            .create()
        try await database.schema(VerificationFindingRecord.schema)
            .id()
            .field("request_id", .uuid, .required, .references(VerificationRequestRecord.schema, "id"))
            .field("alert_id", .uuid, .required, .references(AlertRecord.schema, "id"))
            .field("alert_organisation_id", .uuid, .required)
            .field("organisation_id", .uuid, .required)
            .field("verifier_id", .uuid, .required)
            .field("reliability", .string, .required)
            .field("credibility", .int, .required)
            .field("notes_ct", .data, .required)
            .field("created_at", .datetime, .required)
            .create()
        if let sql = database as? any SQLDatabase {
            for statement in [
                "CREATE INDEX alerts_queue ON alerts (organisation_id, status, deadline_at)",
                "CREATE INDEX alerts_received ON alerts (organisation_id, received_at)",
                "CREATE INDEX alerts_defender ON alerts (defender_index)",
                "CREATE INDEX alerts_country ON alerts (organisation_id, country)",
                "CREATE INDEX alert_entries_alert ON alert_entries (alert_id, created_at)",
                "CREATE INDEX alert_attachments_alert ON alert_attachments (alert_id)",
                "CREATE INDEX verification_requests_verifier ON verification_requests (verifier_id, state)",
                "CREATE INDEX verification_requests_alert ON verification_requests (alert_id)",
                "CREATE INDEX verification_findings_alert ON verification_findings (alert_id)",
            ] {
                try await sql.raw(SQLQueryString(statement)).run()
            }
        }
        // The columns this migration created, named one by one: the model has gained columns since
        // (`label_ar`), which later migrations add.
        for (position, category) in AlertCategories.seeded.enumerated() {
            try await AlertCategoryRecord.query(on: database)
                .set(\.$id, to: UUID()).set(\.$code, to: category.code).set(\.$labelEN, to: category.en)
                .set(\.$labelFR, to: category.fr).set(\.$active, to: true).set(\.$position, to: position)
                .create()
        }
    }

    func revert(on database: any Database) async throws {
        for schema in [VerificationFindingRecord.schema, VerificationRequestRecord.schema, AlertSettingsRecord.schema,
                       AlertCategoryRecord.schema, AlertAttachmentRecord.schema, AlertEntryRecord.schema, AlertRecord.schema] {
            try await database.schema(schema).delete()
        }
    }
}
