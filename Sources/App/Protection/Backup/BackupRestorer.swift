import EgideCrypto
import FluentSQLiteDriver
import Foundation
import Vapor

/// Restores an encrypted backup into an empty data folder (SQLite: `egide.sqlite`, mode 0600) or an
/// empty PostgreSQL database (`psql -v ON_ERROR_STOP=1 --single-transaction`). Every chunk is
/// authenticated before its plaintext goes anywhere; on any failure the partial file is deleted,
/// or psql is killed before it can commit, so nothing is left behind.
enum BackupRestorer {
    /// What the operator gave.
    struct Request: Sendable {
        var file: String
        var passphrase: String?
        /// A copy of the instance's key file, put in place after the restore.
        var kekFile: String?
    }

    /// What was restored.
    struct Summary: Sendable {
        var header: BackupFormat.Header
        var inspection: RestoreChecks.Inspection
        /// `PRAGMA integrity_check` (SQLite) or `nil` (PostgreSQL: psql's transaction committed).
        var integrity: String?
        /// Where the key file was put, if it was copied.
        var keyCopiedTo: String?
    }

    /// Restores `request.file` into the data folder (and database) of `app`'s configuration.
    /// - Throws: `BackupError` (not empty, wrong key, altered or truncated backup, psql failure).
    static func restore(_ app: Application, _ request: Request) async throws -> Summary {
        let config = app.egideConfig
        let descriptor = open(request.file, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw BackupError(description: "cannot open the backup \(request.file): \(SecureFile.reason())") }
        defer { close(descriptor) }
        let name = request.file
        let (header, headerBytes) = try BackupStream.readHeader(from: { try SecureFile.read(upTo: $0, from: descriptor, name: name) }, name: name)
        guard header.database == config.database.kind else {
            throw BackupError(description: header.database == "sqlite"
                ? "this backup holds an SQLite database: restore it without DATABASE_URL"
                : "this backup holds a PostgreSQL dump: set DATABASE_URL to a new, empty PostgreSQL database")
        }
        let folderIsNew = try RestoreChecks.requireEmptyFolder(config.dataDirectory)
        if case .postgres = config.database {
            try await RestoreChecks.requireEmptyDatabase(try AuditLogReader.sql(app.db), schema: header.postgresSchema)
        }
        let given = try request.kekFile.map { path -> KEKFile.Content in
            guard let content = try? KEKFile.read(at: path) else { throw BackupError(description: "--kek-file \(path) is not a readable Egide key file") }
            return content
        }
        let existing = try? KEKFile.read(at: config.kekFile)
        if let given, let existing, given != existing {
            throw BackupError(description: "a different key file already exists at \(config.kekFile); move it away or give the same one")
        }
        let keyContent = given ?? existing
        let plainKEK = try await app.threadPool.runIfActive { try unlock(keyContent, passphrase: header.keyMode == .kek ? request.passphrase : nil) }
        if header.keyMode == .kek, plainKEK == nil {
            throw BackupError(description: keyContent == nil
                ? "this backup is encrypted to the instance's key file: give --kek-file with a copy of the key file"
                : "the key file is sealed: give --passphrase-file with its passphrase")
        }
        let key = try await app.threadPool.runIfActive {
            try BackupKey.recover(header, kek: plainKEK, passphrase: request.passphrase)
        }
        if folderIsNew { try DataDirectory.create(at: config.dataDirectory) }
        chmod(config.dataDirectory, 0o700)
        let stream = try BackupStream(header: header, headerBytes: headerBytes, key: key)
        let read: @Sendable (Int) throws -> [UInt8] = { try SecureFile.read(upTo: $0, from: descriptor, name: name) }
        var summary: Summary
        do {
            switch config.database {
            case .sqlite(let path):
                summary = try await restoreSQLite(app, stream: stream, read: read, to: path, header: header, kek: plainKEK)
            case .postgres(let url, _):
                try await restorePostgres(app, stream: stream, read: read, url: url)
                let inspection = try await RestoreChecks.inspect(try AuditLogReader.sql(app.db), kek: plainKEK)
                summary = Summary(header: header, inspection: inspection)
            }
        } catch {
            if folderIsNew { rmdir(config.dataDirectory) }
            throw error
        }
        if let given, existing == nil, summary.inspection.keyMatches != false {
            do { try KEKFile.write(given, to: config.kekFile) } catch {
                throw BackupError(description: "the database was restored but the key file could not be copied to \(config.kekFile): \(error)")
            }
            summary.keyCopiedTo = config.kekFile
        }
        return summary
    }

    /// The plain KEK from a key file's content, unsealing it with `passphrase` if needed.
    private static func unlock(_ content: KEKFile.Content?, passphrase: String?) throws -> KeyEncryptionKey? {
        switch content {
        case .plain(let kek)?: return kek
        case .sealed(let text)?:
            guard let passphrase else { return nil }
            do { return try PassphraseSealedKEK.unseal(text, passphrase: passphrase) } catch .wrongPassphrase {
                throw BackupError(description: "the passphrase given does not unseal the key file: wrong passphrase")
            } catch {
                throw BackupError(description: "the key file cannot be unsealed (\(error))")
            }
        case nil: return nil
        }
    }

    private static func restoreSQLite(_ app: Application, stream: BackupStream, read: @escaping @Sendable (Int) throws -> [UInt8],
                                      to path: String, header: BackupFormat.Header, kek: KeyEncryptionKey?) async throws -> Summary {
        try await app.threadPool.runIfActive {
            var file = try SecureFile(creating: path)
            do {
                _ = try stream.decrypt(from: read, to: { [file] in try file.write($0) })
                try file.commit()
            } catch {
                file.discard()
                throw error
            }
        }
        do {
            let connection = try await SQLiteConnection.open(storage: .file(path: path), threadPool: app.threadPool,
                                                             logger: app.logger, on: app.eventLoopGroup.any())
            do {
                let integrity = try await RestoreChecks.sqliteIntegrity(connection.sql())
                guard integrity == "ok" else { throw BackupError(description: "the restored database fails its integrity check: \(integrity)") }
                let inspection = try await RestoreChecks.inspect(connection.sql(), kek: kek)
                try await connection.close()
                return Summary(header: header, inspection: inspection, integrity: integrity)
            } catch {
                try? await connection.close()
                throw error
            }
        } catch {
            for suffix in ["", "-wal", "-shm", "-journal"] { unlink(path + suffix) }
            throw error
        }
    }
}
