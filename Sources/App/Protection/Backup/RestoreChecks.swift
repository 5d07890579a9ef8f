import EgideCrypto
import Foundation
import SQLKit

/// The checks around a restore: the target must be empty before, and the result is inspected after.
enum RestoreChecks {
    /// Refuses a data folder that holds anything (hidden files included).
    /// - Returns: whether the folder is missing (the restore then creates it, and removes it on failure).
    /// - Throws: `BackupError` if the folder is not empty or not a folder.
    static func requireEmptyFolder(_ path: String) throws -> Bool {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return true }
        guard isDirectory.boolValue else { throw BackupError(description: "\(path) is not a folder") }
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? ["?"]
        guard entries.isEmpty else {
            throw BackupError(description: "the data folder \(path) is not empty: restore only into a new, empty folder (nothing was changed)")
        }
        return false
    }

    /// Refuses a PostgreSQL database that already has tables (a whole-database backup) or already
    /// has the schema a single-schema backup creates.
    /// - Throws: `BackupError` if the database is not empty.
    static func requireEmptyDatabase(_ sql: any SQLDatabase, schema: String?) async throws {
        let count: Int
        if let schema {
            count = try await sql.raw("SELECT COUNT(*) AS n FROM information_schema.schemata WHERE schema_name = \(bind: schema)")
                .first()?.decode(column: "n", as: Int.self) ?? 0
        } else {
            count = try await sql.raw("SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema')")
                .first()?.decode(column: "n", as: Int.self) ?? 0
        }
        guard count == 0 else {
            throw BackupError(description: schema.map { "the PostgreSQL database already has a schema \($0): restore only into an empty database (nothing was changed)" }
                ?? "the PostgreSQL database already has tables: restore only into a new, empty database (nothing was changed)")
        }
    }

    /// What a restored database holds, for the operator's summary.
    struct Inspection: Sendable {
        var instance: String
        var events: Int64
        /// The verified head, or why the chain does not verify.
        var chain: Result<AuditChainHead, AuditLogFailure>
        /// Whether `kek` unwraps the first stored data key (`nil`: no key given, or no stored key).
        var keyMatches: Bool?
    }

    /// Reads the instance id and event count, verifies the audit chain and tries `kek` on a data key.
    /// - Throws: database errors (a restored database that cannot be read).
    static func inspect(_ sql: any SQLDatabase, kek: KeyEncryptionKey?) async throws -> Inspection {
        let instance = try await sql.raw("SELECT id FROM instance").first()?.decode(column: "id", as: UUID.self)
        let events = try await sql.raw("SELECT COUNT(*) AS n FROM audit_events").first()?.decode(column: "n", as: Int64.self) ?? 0
        let chain: Result<AuditChainHead, AuditLogFailure>
        do { chain = .success(try await AuditLogCheck.verify(on: sql)) } catch let failure as AuditLogFailure { chain = .failure(failure) }
        var keyMatches: Bool?
        if let kek, let row = try await sql.raw("SELECT owner, wrapped FROM data_keys WHERE wrapped IS NOT NULL").first() {
            let wrapped = try row.decode(column: "wrapped", as: Data.self)
            keyMatches = (try? kek.unwrap(Array(wrapped), owner: row.decode(column: "owner", as: String.self))) != nil
        }
        return Inspection(instance: instance.map(SiteURL.id) ?? "unknown", events: events, chain: chain, keyMatches: keyMatches)
    }

    /// `PRAGMA integrity_check` of a restored SQLite database: `ok`, or what is wrong.
    static func sqliteIntegrity(_ sql: any SQLDatabase) async throws -> String {
        let rows = try await sql.raw("PRAGMA integrity_check").all()
        return try rows.map { try $0.decode(column: "integrity_check", as: String.self) }.joined(separator: "; ")
    }
}
