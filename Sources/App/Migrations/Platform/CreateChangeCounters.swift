import Fluent
import SQLKit

/// Creates `change_counters`: one version number per kind of state that nodes keep in memory
/// (keys, alert categories), raised in the transaction that changes it, so every node sees the
/// change within a second (`ChangeWatcher`).
struct CreateChangeCounters: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(ChangeCounters.schema)
            .field("name", .string, .identifier(auto: false))
            .field("version", .int64, .required)
            .create()
        let insert = (database as! any SQLDatabase).insert(into: ChangeCounters.schema).columns("name", "version")
        for kind in ChangeCounters.Kind.allCases { insert.values(SQLBind(kind.rawValue), SQLBind(0)) }
        try await insert.run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(ChangeCounters.schema).delete()
    }
}
