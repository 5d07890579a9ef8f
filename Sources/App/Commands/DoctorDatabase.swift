import Foundation
import SQLKit

/// The database half of `egide doctor`: settings as the database itself reports them.
enum DoctorDatabase {
    static func sqliteSettings(_ sql: any SQLDatabase) async -> [DoctorCheck] {
        var checks: [DoctorCheck] = []
        let journal = await value(sql, "PRAGMA journal_mode", column: "journal_mode", as: String.self)
        checks.append(.init(
            status: journal?.lowercased() == "wal" ? .ok : .fail, name: "sqlite",
            detail: "journal_mode=\(journal?.lowercased() ?? "unknown")"))
        let synchronous = await value(sql, "PRAGMA synchronous", column: "synchronous", as: Int.self)
        let names = [0: "off", 1: "normal", 2: "full", 3: "extra"]
        let syncName = synchronous.flatMap { names[$0] } ?? "unknown"
        checks.append(.init(
            status: (synchronous ?? 0) >= 2 ? .ok : .fail, name: "sqlite",
            detail: "synchronous=\(syncName)" + ((synchronous ?? 0) >= 2 ? "" : " (an acknowledged write could be lost on power failure)")))
        let foreignKeys = await value(sql, "PRAGMA foreign_keys", column: "foreign_keys", as: Int.self)
        checks.append(.init(status: foreignKeys == 1 ? .ok : .fail, name: "sqlite", detail: "foreign_keys=\(foreignKeys == 1 ? "on" : "off")"))
        return checks
    }

    static func postgresSettings(_ sql: any SQLDatabase) async -> [DoctorCheck] {
        var checks: [DoctorCheck] = []
        let version = await value(sql, "SHOW server_version", column: "server_version", as: String.self) ?? "unknown"
        checks.append(.init(status: .ok, name: "postgresql", detail: "server_version=\(version)"))
        for setting in ["fsync", "synchronous_commit", "full_page_writes"] {
            let current = await value(sql, "SHOW \(setting)", column: setting, as: String.self) ?? "unknown"
            checks.append(.init(status: current == "on" ? .ok : .fail, name: "postgresql", detail: "\(setting)=\(current)"))
        }
        return checks
    }

    static func migrations(_ sql: any SQLDatabase, expected: [String]) async -> [DoctorCheck] {
        guard let rows = try? await sql.raw("SELECT name FROM _fluent_migrations").all() else {
            return [.init(status: .fail, name: "migrations", detail: "none applied: run `egide serve` or `egide migrate`")]
        }
        let applied = Set(rows.compactMap { try? $0.decode(column: "name", as: String.self) })
        let pending = expected.filter { !applied.contains($0) }
        if pending.isEmpty {
            return [.init(status: .ok, name: "migrations", detail: "\(applied.count) applied, none pending")]
        }
        return [.init(status: .fail, name: "migrations", detail: "\(pending.count) pending (\(pending.joined(separator: ", "))): run `egide migrate`")]
    }

    /// One line per scheduled job: when it last ran and how, warning when its last run failed or when
    /// it is overdue by more than a period (no node runs scheduled work: is `egide serve` running?).
    static func jobs(_ sql: any SQLDatabase, registry: [Jobs.Job], now: Date) async -> [DoctorCheck] {
        guard let rows = try? await sql.select().columns("name", "due_at", "last_finished_at", "last_outcome").from(Jobs.schema).all() else {
            return [.init(status: .warn, name: "jobs", detail: "the scheduled_jobs table cannot be read")]
        }
        var byName: [String: (due: Int64, finished: Int64?, outcome: String?)] = [:]
        for row in rows {
            guard let name = try? row.decode(column: "name", as: String.self), let due = try? row.decode(column: "due_at", as: Int64.self) else { continue }
            byName[name] = (due, try? row.decode(column: "last_finished_at", as: Int64?.self), try? row.decode(column: "last_outcome", as: String?.self))
        }
        let at = Int64(now.timeIntervalSince1970)
        return registry.map { job in
            guard let row = byName[job.name], let finished = row.finished else {
                return DoctorCheck(status: .ok, name: "jobs", detail: "\(job.name): not run yet (egide serve runs it)")
            }
            let ago = "last run \((at - finished) / 60) min ago"
            if row.outcome != "ok" { return DoctorCheck(status: .warn, name: "jobs", detail: "\(job.name): \(ago) failed (see the server's log)") }
            if at - row.due > Int64(job.every + job.lease) {
                return DoctorCheck(status: .warn, name: "jobs", detail: "\(job.name): overdue, \(ago): is egide serve running?")
            }
            return DoctorCheck(status: .ok, name: "jobs", detail: "\(job.name): \(ago), ok")
        }
    }

    private static func value<T: Decodable>(_ sql: any SQLDatabase, _ query: String, column: String, as type: T.Type) async -> T? {
        guard let row = try? await sql.raw(SQLQueryString(query)).first() else { return nil }
        return try? row.decode(column: column, as: T.self)
    }
}
