import Fluent
import Foundation
import SQLKit
import Vapor

/// The first-run claim: while no administrator exists, each start of `egide serve` makes a new
/// random setup token (single use, valid one hour) and prints its link. Only its hash is kept, in
/// the database, so a link printed by one node works through any node of the instance; every
/// token dies when the first administrator is created. There is no other way to claim an instance.
enum SetupGate {
    static let schema = "setup_tokens"
    static let lifetime: TimeInterval = 3600

    /// Whether the instance still has no administrator.
    static func isUnclaimed(on db: any Database) async throws -> Bool {
        try await UserRoleRecord.query(on: db).filter(\.$role == .administrator).count() == 0
    }

    /// Makes a new token beside those of other nodes (forgetting the expired ones) and returns it.
    static func issue(_ app: Application, now: Date) async throws -> String {
        let token = Secrets.token()
        let at = Int64(now.timeIntervalSince1970)
        try await app.transaction { db in
            let sql = db as! any SQLDatabase
            try await sql.delete(from: schema).where("expires_at", .lessThanOrEqual, SQLBind(at)).run()
            try await sql.insert(into: schema).columns("hash", "expires_at")
                .values(SQLBind(Secrets.hash(token)), SQLBind(at + Int64(lifetime))).run()
        }
        return token
    }

    /// Whether `token` is a live, unexpired setup token.
    static func isValid(_ token: String, now: Date, on db: any Database) async throws -> Bool {
        // The lookup is by hash: comparing hashes of a random token leaks nothing about it.
        try await (db as! any SQLDatabase).select().column("hash").from(schema)
            .where("hash", .equal, SQLBind(Secrets.hash(token)))
            .where("expires_at", .greaterThan, SQLBind(Int64(now.timeIntervalSince1970))).first() != nil
    }

    /// Uses every token up (inside the transaction that creates the first administrator).
    static func consumeAll(on db: any Database) async throws {
        try await (db as! any SQLDatabase).delete(from: schema).run()
    }
}
