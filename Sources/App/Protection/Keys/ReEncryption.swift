import EgideCrypto
import Fluent
import Foundation
import SQLKit
import Vapor

/// Re-encrypts every encrypted value that is not under its owner's active key, in batches, each
/// batch its own transaction. It is idempotent — values already on the active key are skipped — so
/// a run interrupted by a crash is simply run again. Each update only applies if the value is still
/// the one that was read, so a concurrent change by a running server is never overwritten.
enum ReEncryption {
    struct Progress: Equatable { var examined = 0; var reencrypted = 0 }

    static func run(_ app: Application, owners: Set<String>?, batchSize: Int = 200) async throws -> Progress {
        var progress = Progress()
        for column in EncryptedColumn.all {
            var after: UUID?
            while true {
                let rows = try await batch(app, column, after: after, limit: batchSize)
                guard let last = rows.last else { break }
                after = last.id
                progress.examined += rows.count
                progress.reencrypted += try await app.transaction { db in
                    guard let sql = db as? any SQLDatabase else { return 0 }
                    var done = 0
                    for row in rows {
                        guard owners?.contains(row.owner) ?? true else { continue }
                        let ring = try app.vault.currentRing()
                        let active = try ring.activeKey(for: row.owner)
                        guard try FieldCipher.keyID(of: Array(row.blob)) != active.id else { continue }
                        let context = FieldContext(column.table, row.id, column.field)
                        let plaintext = try app.vault.cipher().open(Array(row.blob), owner: row.owner, context: context)
                        let fresh = try app.vault.cipher().seal(plaintext, owner: row.owner, context: context)
                        try await sql.raw("""
                            UPDATE \(ident: column.table) SET \(ident: column.column) = \(bind: Data(fresh))
                            WHERE id = \(bind: row.id) AND \(ident: column.column) = \(bind: row.blob)
                            """).run()
                        done += 1
                    }
                    return done
                }
            }
        }
        return progress
    }

    struct Row { var id: UUID; var owner: String; var blob: Data }

    static func batch(_ app: Application, _ column: EncryptedColumn, after: UUID?, limit: Int) async throws -> [Row] {
        guard let sql = app.db as? any SQLDatabase else { return [] }
        let owner = column.ownerColumn.map { SQLQueryString("\(ident: $0)") } ?? SQLQueryString("NULL")
        var query = SQLQueryString("SELECT id, \(owner) AS owner, \(ident: column.column) AS blob FROM \(ident: column.table) WHERE \(ident: column.column) IS NOT NULL")
        if let after { query = query + " AND id > \(bind: after)" }
        query = query + " ORDER BY id LIMIT \(literal: limit)"
        return try await sql.raw(query).all().map { row in
            let ownerID = try row.decodeNil(column: "owner") ? nil : row.decode(column: "owner", as: UUID.self)
            return Row(id: try row.decode(column: "id", as: UUID.self),
                       owner: ownerID.map(Accounts.owner) ?? Vault.instanceOwner,
                       blob: try row.decode(column: "blob", as: Data.self))
        }
    }
}
