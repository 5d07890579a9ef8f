import Fluent

/// Creates `setup_tokens`: the hashes of the one-time setup links printed by `egide serve` while
/// the instance has no administrator, so a link printed by one node works on every node.
struct CreateSetupTokens: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(SetupGate.schema)
            .field("hash", .data, .identifier(auto: false))
            .field("expires_at", .int64, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(SetupGate.schema).delete()
    }
}
