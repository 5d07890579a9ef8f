import Foundation

/// Every encrypted column in the database, so key rotation (and the canary tests) can walk them all
/// without knowing the features. A module that adds an encrypted column adds it here, and
/// `EncryptedColumnRegistryTests` fails until it does: it reads the live schema (SQLite and
/// PostgreSQL) and refuses any ciphertext column (`…_ct`) missing from this list. Until that test
/// existed, the six case columns were missing and `egide keys rotate` left case files under the
/// retired key.
struct EncryptedColumn: Sendable {
    var table: String
    var column: String
    /// The field name bound into the ciphertext (`FieldContext.field`).
    var field: String
    /// The column holding the owning organisation's id; `nil` for instance-owned data.
    var ownerColumn: String?

    static let all: [EncryptedColumn] = [
        .init(table: OrganisationRecord.schema, column: "name_ct", field: "name", ownerColumn: nil),
        .init(table: UserRecord.schema, column: "email_ct", field: "email", ownerColumn: "organisation_id"),
        .init(table: UserRecord.schema, column: "name_ct", field: "name", ownerColumn: "organisation_id"),
        .init(table: UserRecord.schema, column: "totp_seed_ct", field: "totp_seed", ownerColumn: "organisation_id"),
        .init(table: EncryptedFileRecord.schema, column: "name_ct", field: "name", ownerColumn: "organisation_id"),
        .init(table: EncryptedFileRecord.schema, column: "content_ct", field: "content", ownerColumn: "organisation_id"),
        .init(table: AlertRecord.schema, column: "defender_name_ct", field: "defender_name", ownerColumn: "organisation_id"),
        .init(table: AlertRecord.schema, column: "organisation_name_ct", field: "organisation_name", ownerColumn: "organisation_id"),
        .init(table: AlertRecord.schema, column: "region_ct", field: "region", ownerColumn: "organisation_id"),
        .init(table: AlertRecord.schema, column: "incident_date_ct", field: "incident_date", ownerColumn: "organisation_id"),
        .init(table: AlertRecord.schema, column: "narrative_ct", field: "narrative", ownerColumn: "organisation_id"),
        .init(table: AlertRecord.schema, column: "contact_ct", field: "contact", ownerColumn: "organisation_id"),
        .init(table: AlertRecord.schema, column: "decision_grounds_ct", field: "decision_grounds", ownerColumn: "organisation_id"),
        .init(table: AlertEntryRecord.schema, column: "body_ct", field: "body", ownerColumn: "organisation_id"),
        .init(table: VerificationRequestRecord.schema, column: "message_ct", field: "message", ownerColumn: "alert_organisation_id"),
        .init(table: VerificationFindingRecord.schema, column: "notes_ct", field: "notes", ownerColumn: "alert_organisation_id"),
        .init(table: CaseRecord.schema, column: "summary_ct", field: "summary", ownerColumn: "organisation_id"),
        .init(table: CaseRecord.schema, column: "region_ct", field: "region", ownerColumn: "organisation_id"),
        .init(table: CaseRecord.schema, column: "closure_ct", field: "closure", ownerColumn: "organisation_id"),
        .init(table: CasePersonRecord.schema, column: "identity_ct", field: "identity", ownerColumn: "organisation_id"),
        .init(table: CasePersonRecord.schema, column: "sensitive_ct", field: "sensitive", ownerColumn: "organisation_id"),
        .init(table: CaseItemRecord.schema, column: "content_ct", field: "content", ownerColumn: "organisation_id"),
    ]
}
