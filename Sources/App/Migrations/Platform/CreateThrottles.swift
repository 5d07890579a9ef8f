import Fluent

/// Creates `throttles`: failed-attempt counters, keyed by an HMAC tag (no address, account or
/// receipt in clear; the tag key is derived from the key file, see `Throttle`).
struct CreateThrottles: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Throttle.schema)
            .field("tag", .data, .identifier(auto: false))
            .field("failures", .int64, .required)
            .field("first_at", .int64, .required)
            .field("last_at", .int64, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(Throttle.schema).delete()
    }
}
