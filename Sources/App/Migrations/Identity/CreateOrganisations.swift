import EgideCore
import Fluent
import Foundation

/// Creates `organisations`.
struct CreateOrganisations: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(OrganisationRecord.schema)
            .id()
            .field("name_ct", .data, .required)
            .field("slug", .string, .required)
            .field("type", .string, .required)
            .field("country", .string, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "slug")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(OrganisationRecord.schema).delete()
    }
}
