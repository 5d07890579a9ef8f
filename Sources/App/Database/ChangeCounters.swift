import Fluent
import Foundation
import SQLKit
import Vapor

/// One version number per kind of state a node keeps in memory. The transaction that changes the
/// state raises its number; every node reads the numbers once a second (`ChangeWatcher`) and drops
/// what it keeps when one moved. This is how several nodes on one PostgreSQL (or `egide keys` run
/// beside a server on SQLite) see each other's changes.
enum ChangeCounters {
    static let schema = "change_counters"

    enum Kind: String, CaseIterable, Sendable {
        /// Data keys made, retired or destroyed: nodes reload their key ring.
        case keys
        /// Alert categories added, renamed, switched on or off: nodes drop the codes and pages they keep.
        case categories
    }

    /// Raises `kind`'s number; call it inside the transaction that makes the change.
    static func bump(_ kind: Kind, on db: any Database) async throws {
        try await (db as! any SQLDatabase).update(schema)
            .set(SQLIdentifier("version"), to: SQLRaw("version + 1"))
            .where("name", .equal, SQLBind(kind.rawValue)).run()
    }

    /// Every kind's number.
    static func read(on db: any Database) async throws -> [Kind: Int64] {
        var versions: [Kind: Int64] = [:]
        for row in try await (db as! any SQLDatabase).select().columns("name", "version").from(schema).all() {
            if let kind = Kind(rawValue: try row.decode(column: "name", as: String.self)) {
                versions[kind] = try row.decode(column: "version", as: Int64.self)
            }
        }
        return versions
    }
}

/// Follows `ChangeCounters` while `egide serve` runs: once a second it reads the numbers and,
/// for each that moved, reloads the keys or forgets the categories. Every 30 s it also compares a
/// fingerprint of the stored keys, for keys written by something that does not raise the number
/// (a node of an older release during a rolling upgrade).
enum ChangeWatcher {
    static func start(_ app: Application, every interval: Duration = .seconds(1)) -> Task<Void, Never> {
        Task {
            var seen = (try? await ChangeCounters.read(on: app.db)) ?? [:]
            var fingerprint = (try? await Vault.keysFingerprint(on: app.db)) ?? ""
            var ticks = 0
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                guard !Task.isCancelled else { return }
                ticks += 1
                guard let now = try? await ChangeCounters.read(on: app.db) else { continue }
                var reloadKeys = now[.keys] != seen[.keys]
                if ticks % 30 == 0, let current = try? await Vault.keysFingerprint(on: app.db), current != fingerprint {
                    reloadKeys = true
                    fingerprint = current
                }
                if reloadKeys, app.vault.isOpen {
                    // Keep the old number on failure: the next tick tries again.
                    guard let stale = try? await app.vault.reload(on: app.db) else { continue }
                    if stale > 0 {
                        app.logger.warning("\(stale) data keys are wrapped by another key file than this node's: copy the current key file to this node and restart it (docs/DEPLOYMENT.md, \"Several nodes\")")
                    }
                }
                if now[.categories] != seen[.categories] { app.categoriesChanged() }
                seen = now
            }
        }
    }
}
