import EgideCore
import Fluent
import Foundation
import SQLKit

/// The emergency fund: funds, allocations in cascade, grants with approvals, tranches, the ledger,
/// exchange rates, and the blind indexes of beneficiaries' names.
struct CreateFund: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(FundRecord.schema)
            .id()
            .field("organisation_id", .uuid, .required, .references(OrganisationRecord.schema, "id"))
            .field("name", .string, .required)
            .field("donor", .string, .required)
            .field("currency", .string, .required)
            .field("budget", .int64, .required)
            .field("starts_on", .string, .required)
            .field("ends_on", .string, .required)
            .field("categories", .string, .required)
            .field("grant_ceiling", .int64)
            .field("criteria", .string, .required)
            .field("created_by", .uuid, .required)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .create()
        try await database.schema(FundManagerRecord.schema)
            .id()
            .field("fund_id", .uuid, .required, .references(FundRecord.schema, "id"))
            .field("user_id", .uuid, .required, .references(UserRecord.schema, "id"))
            .unique(on: "fund_id", "user_id")
            .create()
        try await database.schema(AllocationRecord.schema)
            .id()
            .field("fund_id", .uuid, .required, .references(FundRecord.schema, "id"))
            .field("organisation_id", .uuid, .required, .references(OrganisationRecord.schema, "id"))
            .field("parent_id", .uuid, .references(AllocationRecord.schema, "id"))
            .field("amount", .int64, .required)
            .field("delegation_limit", .int64, .required)
            .field("state", .string, .required)
            .field("proposed_by", .uuid, .required)
            .field("confirmed_by", .uuid)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .create()
        try await database.schema(GrantRecord.schema)
            .id()
            .field("code", .string, .required)
            .field("year", .int, .required)
            .field("sequence", .int, .required)
            .field("fund_id", .uuid, .required, .references(FundRecord.schema, "id"))
            .field("allocation_id", .uuid, .required, .references(AllocationRecord.schema, "id"))
            .field("organisation_id", .uuid, .required, .references(OrganisationRecord.schema, "id"))
            .field("case_id", .uuid, .references(CaseRecord.schema, "id"))
            .field("category", .string, .required)
            .field("country", .string, .required)
            .field("amount", .int64, .required)
            .field("currency", .string, .required)
            .field("disbursed", .int64, .required)
            .field("state", .string, .required)
            .field("requested_by", .uuid, .required)
            .field("details_ct", .data, .required)
            .field("submitted_at", .datetime)
            .field("decided_at", .datetime)
            .field("report_due_on", .string)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "code")
            .create()
        try await database.schema(GrantApprovalRecord.schema)
            .id()
            .field("grant_id", .uuid, .required, .references(GrantRecord.schema, "id"))
            .field("user_id", .uuid, .required, .references(UserRecord.schema, "id"))
            .field("organisation_id", .uuid, .required)
            .field("level", .int, .required)
            .field("allocation_id", .uuid)
            .field("delegation_limit", .int64)
            .field("approved_at", .datetime, .required)
            .unique(on: "grant_id", "user_id")
            .create()
        try await database.schema(GrantEntryRecord.schema)
            .id()
            .field("grant_id", .uuid, .required, .references(GrantRecord.schema, "id"))
            .field("organisation_id", .uuid, .required)
            .field("kind", .string, .required)
            .field("actor_id", .uuid, .required)
            .field("note_ct", .data)
            .field("file_id", .uuid)
            .field("created_at", .datetime, .required)
            .create()
        try await database.schema(DisbursementRecord.schema)
            .id()
            .field("grant_id", .uuid, .required, .references(GrantRecord.schema, "id"))
            .field("tranche", .int, .required)
            .field("method", .string, .required)
            .field("paid_amount", .int64, .required)
            .field("paid_currency", .string, .required)
            .field("rate_nanos", .int64, .required)
            .field("rate_on", .string, .required)
            .field("amount", .int64, .required)
            .field("paid_on", .string, .required)
            .field("recorded_by", .uuid, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "grant_id", "tranche")
            .create()
        try await database.schema(LedgerEntryRecord.schema)
            .id()
            .field("fund_id", .uuid, .required, .references(FundRecord.schema, "id"))
            .field("allocation_id", .uuid, .required)
            .field("source_id", .uuid)
            .field("grant_id", .uuid)
            .field("kind", .string, .required)
            .field("amount", .int64, .required)
            .field("category", .string)
            .field("country", .string)
            .field("actor_id", .uuid, .required)
            .field("at", .datetime, .required)
            .create()
        try await database.schema(ExchangeRateRecord.schema)
            .id()
            .field("organisation_id", .uuid, .required)
            .field("fund_currency", .string, .required)
            .field("payment_currency", .string, .required)
            .field("rate_nanos", .int64, .required)
            .field("rate_on", .string, .required)
            .field("entered_by", .uuid, .required)
            .field("created_at", .datetime, .required)
            .create()
        try await database.schema(GrantNameTokenRecord.schema)
            .id()
            .field("grant_id", .uuid, .required, .references(GrantRecord.schema, "id"))
            .field("token", .int, .required)
            .create()
        if let sql = database as? any SQLDatabase {
            for statement in [
                "CREATE INDEX fund_allocations_fund ON fund_allocations (fund_id, parent_id)",
                "CREATE INDEX fund_allocations_organisation ON fund_allocations (organisation_id)",
                "CREATE INDEX grants_allocation ON grants (allocation_id, state)",
                "CREATE INDEX grants_case ON grants (case_id)",
                "CREATE INDEX grants_organisation ON grants (organisation_id, updated_at)",
                "CREATE INDEX grant_approvals_grant ON grant_approvals (grant_id)",
                "CREATE INDEX grant_entries_grant ON grant_entries (grant_id, created_at)",
                "CREATE INDEX fund_ledger_fund ON fund_ledger (fund_id, at)",
                "CREATE INDEX fund_ledger_allocation ON fund_ledger (allocation_id, kind)",
                "CREATE INDEX exchange_rates_pair ON exchange_rates (organisation_id, fund_currency, payment_currency, rate_on)",
                "CREATE INDEX grant_name_tokens_token ON grant_name_tokens (token)",
            ] {
                try await sql.raw(SQLQueryString(statement)).run()
            }
        }
    }

    func revert(on database: any Database) async throws {
        for schema in [GrantNameTokenRecord.schema, ExchangeRateRecord.schema, LedgerEntryRecord.schema, DisbursementRecord.schema,
                       GrantEntryRecord.schema, GrantApprovalRecord.schema, GrantRecord.schema, AllocationRecord.schema,
                       FundManagerRecord.schema, FundRecord.schema] {
            try await database.schema(schema).delete()
        }
    }
}
