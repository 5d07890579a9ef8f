import Fluent
import Foundation
import SQLKit

/// Creates `throttles` (failed-attempt counters, keyed by an HMAC tag: no address or account in
/// clear) and `throttle_keys` (the one random key those tags are made with, shared by every node).
struct CreateThrottles: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Throttle.schema)
            .field("tag", .data, .identifier(auto: false))
            .field("failures", .int64, .required)
            .field("first_at", .int64, .required)
            .field("last_at", .int64, .required)
            .create()
        try await database.schema(Throttle.keySchema)
            .field("id", .int64, .identifier(auto: false))
            .field("key", .data, .required)
            .create()
        let key = Data((0..<32).map { _ in UInt8.random(in: .min ... .max) })
        try await (database as! any SQLDatabase).insert(into: Throttle.keySchema)
            .columns("id", "key").values(SQLBind(1), SQLBind(key)).run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(Throttle.keySchema).delete()
        try await database.schema(Throttle.schema).delete()
    }
}
