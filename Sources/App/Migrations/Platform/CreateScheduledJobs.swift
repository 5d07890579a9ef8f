import Fluent

/// Creates `scheduled_jobs`: one row per periodic job, with its next due time and the lease of the
/// node running it, so each run happens once per instance however many nodes serve (`Jobs`).
struct CreateScheduledJobs: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Jobs.schema)
            .field("name", .string, .identifier(auto: false))
            .field("due_at", .int64, .required)
            .field("lease_owner", .string)
            .field("lease_until", .int64)
            .field("last_started_at", .int64)
            .field("last_finished_at", .int64)
            .field("last_outcome", .string)
            .field("runs", .int64, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(Jobs.schema).delete()
    }
}
