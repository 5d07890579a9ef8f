import Crypto
import Fluent
import Foundation
import SQLKit
import Vapor

/// Takes a consistent snapshot of the running instance's database and writes it, encrypted, to a
/// new file. SQLite: `VACUUM INTO` a temporary file in the data folder (mode 0600, deleted whatever
/// happens); PostgreSQL: `pg_dump` streamed straight into the encryption, never touching the disk.
enum BackupWriter {
    /// What was written.
    struct Summary: Sendable {
        var header: BackupFormat.Header
        var plaintextBytes: Int
    }

    /// Writes an encrypted backup of `app`'s database to `path` (which must not exist yet).
    /// - Throws: `BackupError`, `SecureFile.IOError` or a database error; nothing is left at `path`.
    static func write(_ app: Application, to path: String, key source: BackupKey.Source,
                      chunkSize: Int = BackupFormat.defaultChunkSize) async throws -> Summary {
        guard let instance = try await InstanceRecord.query(on: app.db).first()?.id else {
            throw BackupError(description: "the database has no instance record (run egide migrate first)")
        }
        let base = BackupFormat.Header(
            database: app.egideConfig.database.kind, instance: SiteURL.id(instance),
            createdAt: ISO8601DateFormatter().string(from: app.clock.now()), keyMode: .kek,
            nonceBase: Data([UInt8].random(count: 12)).base64EncodedString(), chunkSize: chunkSize, keyCheck: "")
        let sql = try AuditLogReader.sql(app.db)
        switch app.egideConfig.database {
        case .sqlite(let database):
            let folder = (database as NSString).deletingLastPathComponent
            removeStaleSnapshots(in: folder)
            let snapshot = folder + "/" + snapshotPrefix + UUID().uuidString.lowercased() + ".sqlite"
            defer { for suffix in ["", "-journal", "-wal", "-shm"] { unlink(snapshot + suffix) } }
            try createEmpty(snapshot)
            try await sql.raw("VACUUM INTO \(bind: snapshot)").run()
            return try await app.threadPool.runIfActive {
                let descriptor = open(snapshot, O_RDONLY | O_CLOEXEC)
                guard descriptor >= 0 else { throw BackupError(description: "cannot read the snapshot \(snapshot): \(SecureFile.reason())") }
                defer { close(descriptor) }
                return try encrypt(header: base, source: source, to: path) {
                    try SecureFile.read(upTo: $0, from: descriptor, name: snapshot)
                }
            }
        case .postgres(let url, _):
            var header = base
            let schema = try await sql.raw("SELECT current_schema() AS name").first()?.decode(column: "name", as: String?.self)
            // The default schema means "the whole database"; a dedicated one (search_path) is dumped alone.
            header.postgresSchema = schema == "public" ? nil : schema
            let arguments = ["--format=plain", "--no-owner", "--no-privileges", "--encoding=UTF8"]
                + (header.postgresSchema.map { ["--schema=\"\($0.replacingOccurrences(of: "\"", with: "\"\""))\""] } ?? [])
            let environment = try PostgresTools.environment(for: url)
            let executable = try PostgresTools.locate("pg_dump")
            return try await app.threadPool.runIfActive { [header] in
                let dump = try ChildProcess(executable, arguments, environment: environment)
                dump.closeInput()
                do {
                    return try encrypt(header: header, source: source, to: path, read: {
                        try SecureFile.read(upTo: $0, from: dump.stdout, name: "pg_dump's output")
                    }, beforeCommit: {
                        let (status, errors) = dump.wait()
                        guard status == 0 else { throw BackupError(description: "pg_dump failed (exit status \(status)): \(errors)") }
                    })
                } catch {
                    dump.kill()
                    _ = dump.wait()
                    throw error
                }
            }
        }
    }

    /// Derives the key, then writes header and chunks to a temporary file renamed to `path` once
    /// complete and `beforeCommit` has accepted it.
    private static func encrypt(header base: BackupFormat.Header, source: BackupKey.Source, to path: String,
                                read: ReadBytes, beforeCommit: () throws -> Void = {}) throws -> Summary {
        var header = base
        let key = try BackupKey.make(source, into: &header)
        var file = try SecureFile(creating: path)
        do {
            let headerBytes = try BackupFormat.encode(header)
            try file.write(headerBytes)
            let stream = try BackupStream(header: header, headerBytes: headerBytes, key: key)
            let total = try stream.encrypt(from: read, to: { [file] in try file.write($0) })
            try beforeCommit()
            try file.commit()
            return Summary(header: header, plaintextBytes: total)
        } catch {
            file.discard()
            throw error
        }
    }

    static let snapshotPrefix = ".egide-backup-"

    /// Deletes snapshots more than a day old: left only if a backup process was killed outright, and
    /// they would keep, for instance, a data key that has since been destroyed (crypto-shredding).
    /// A day is far longer than any backup takes, so a concurrent backup's snapshot is never touched.
    static func removeStaleSnapshots(in folder: String, now: Date = Date()) {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] where name.hasPrefix(snapshotPrefix) {
            let path = folder + "/" + name
            guard let modified = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date,
                  now.timeIntervalSince(modified) > 24 * 3600 else { continue }
            unlink(path)
        }
    }

    /// An empty owner-only file for `VACUUM INTO` (which accepts an existing empty file).
    private static func createEmpty(_ path: String) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw BackupError(description: "cannot create a snapshot file in the data folder: \(SecureFile.reason())") }
        fchmod(descriptor, 0o600)
        close(descriptor)
    }
}
