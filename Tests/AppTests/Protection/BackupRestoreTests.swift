@testable import App
@testable import EgideDemo
import EgideCrypto
import Fluent
import FluentSQLiteDriver
import Foundation
import SQLKit
import Testing
import Vapor

extension Protection {
    /// `egide backup` → `egide restore` on SQLite (the PostgreSQL round trip is in `PostgresBackupTests`);
    /// damaged backups and wrong secrets on both databases.
    @Suite struct BackupRestoreTests {
        @Test(.enabled(if: testPostgresURL == nil, "PostgresBackupTests covers PostgreSQL"))
        func a_backup_restores_into_an_empty_folder_with_equal_tables_and_readable_data() async throws {
            try await withApp { app in
                let (root, backup) = try await ProtectionTest.backedUpDemo(app)
                let before = try await ProtectionTest.tableCounts(ProtectionTest.sql(app.db))
                let instance = try await ProtectionTest.instanceID(ProtectionTest.sql(app.db))
                let target = root + "/restored"
                let output = try await ProtectionTest.restore(app, into: target, [backup, "--kek-file", app.egideConfig.kekFile])
                #expect(output.contains("restored instance \(SiteURL.id(try #require(instance)))"), "\(output)")
                #expect(output.contains("database integrity check: ok") && output.contains("audit chain: intact"))
                #expect(ProtectionTest.mode(target) == 0o700 && ProtectionTest.mode(target + "/egide.sqlite") == 0o600)
                #expect(ProtectionTest.mode(target + "/egide.kek") == 0o600)
                #expect(try KEKFile.read(at: target + "/egide.kek") == KEKFile.read(at: app.egideConfig.kekFile))
                // Open the restored file as Egide would, with the restored key file.
                let restored = DatabaseID(string: "restored-\(UUID().uuidString)")
                app.databases.use(.sqlite(.file(target + "/egide.sqlite")), as: restored, isDefault: false)
                let sql = ProtectionTest.sql(app.db(restored))
                #expect(try await ProtectionTest.tableCounts(sql) == before)
                #expect(try await ProtectionTest.instanceID(sql) == instance)
                #expect(try await sql.raw("PRAGMA integrity_check").first()?.decode(column: "integrity_check", as: String.self) == "ok")
                guard case .plain(let kek)? = try KEKFile.read(at: target + "/egide.kek") else { Issue.record("key file"); return }
                let vault = Vault()
                try await vault.open(with: kek, on: app.db(restored))
                #expect(try await Accounts.findUser(email: "claire.martin@example.org", on: app.db(restored), vault: vault) != nil)
                // A second restore into the now non-empty folder is refused and changes nothing.
                let entries = ProtectionTest.entries(target)
                await #expect(throws: CommandFailure.self) {
                    try await ProtectionTest.restore(app, into: target, [backup, "--kek-file", app.egideConfig.kekFile])
                }
                #expect(ProtectionTest.entries(target) == entries)
            }
        }

        @Test func the_backup_file_is_owner_only_and_reveals_nothing_in_clear() async throws {
            try await withApp { app in
                let (root, backup) = try await ProtectionTest.backedUpDemo(app)
                #expect(ProtectionTest.mode(backup) == 0o600)
                let bytes = try Data(contentsOf: URL(fileURLWithPath: backup))
                let people = DemoData.organisations.flatMap(\.people)
                // Names and emails are field-encrypted already; slugs, table names and the SQL/SQLite
                // markers are not, so they show that the snapshot as a whole is encrypted.
                let canaries = people.map(\.name) + people.map(\.email) + DemoData.organisations.map(\.slug)
                    + ["SQLite format 3", "audit_events", "CREATE TABLE", "data_keys"]
                for canary in canaries {
                    #expect(bytes.range(of: Data(canary.utf8)) == nil, "\(canary) in clear")
                }
                // No snapshot or partial file is left beside the data or the backup.
                #expect(ProtectionTest.entries(app.egideConfig.dataDirectory)?.allSatisfy { !$0.hasPrefix(".egide-backup") } == true)
                #expect(ProtectionTest.entries(root)?.allSatisfy { !$0.contains(".partial-") } == true)
                await #expect(throws: CommandFailure.self) { try await ProtectionTest.run(app, ProtectionTest.backup, ["--out", backup]) }
            }
        }

        @Test(.enabled(if: testPostgresURL == nil, "SQLite snapshots only"))
        func a_snapshot_left_by_a_killed_backup_is_removed_by_the_next_one_but_a_recent_one_is_not() async throws {
            try await withApp { app in
                let folder = app.egideConfig.dataDirectory
                let stale = folder + "/" + BackupWriter.snapshotPrefix + "killed.sqlite"
                let recent = folder + "/" + BackupWriter.snapshotPrefix + "running.sqlite"
                for path in [stale, recent] { #expect(FileManager.default.createFile(atPath: path, contents: Data("x".utf8))) }
                try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-2 * 86400)], ofItemAtPath: stale)
                let root = (folder as NSString).deletingLastPathComponent
                try await ProtectionTest.run(app, ProtectionTest.backup, ["--out", root + "/backup"])
                #expect(!FileManager.default.fileExists(atPath: stale))
                #expect(FileManager.default.fileExists(atPath: recent))
            }
        }

        @Test(.enabled(if: testPostgresURL == nil, "restores an SQLite file"))
        func a_passphrase_backup_restores_with_the_passphrase_only() async throws {
            try await withApp { app in
                let (root, backup) = try await ProtectionTest.backedUpDemo(app, passphrase: "a long backup passphrase\n")
                try "a wrong backup passphrase".write(toFile: root + "/wrong", atomically: true, encoding: .utf8)
                await #expect(throws: CommandFailure.self) {
                    try await ProtectionTest.restore(app, into: root + "/wrong-target", [backup, "--passphrase-file", root + "/wrong"])
                }
                #expect(ProtectionTest.entries(root + "/wrong-target") == nil)
                let output = try await ProtectionTest.restore(app, into: root + "/restored", [backup, "--passphrase-file", root + "/passphrase"])
                #expect(output.contains("IMPORTANT: the restored data is encrypted with this instance's key file"))
                #expect(ProtectionTest.entries(root + "/restored") == ["egide.sqlite"])
            }
        }

        /// Ways a backup can be damaged or opened with the wrong secret; each must be refused with the
        /// target folder left empty.
        enum Damage: String, CaseIterable, Sendable {
            case flippedChunkByte, flippedHeaderByte, truncatedMidChunk, truncatedAtChunkBoundary, appendedData, wrongPassphrase, wrongKeyFile
        }

        /// On PostgreSQL the test's schema is dropped first, so that only the damage can stop the restore,
        /// and must still be absent afterwards (psql killed before it could commit).
        @Test(arguments: Damage.allCases)
        func a_damaged_backup_or_a_wrong_secret_is_refused_leaving_nothing_behind(_ damage: Damage) async throws {
            try await withApp { app in
                let (root, backup) = try await ProtectionTest.backedUpDemo(app, passphrase: damage == .wrongPassphrase ? "the right passphrase" : nil)
                var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: backup)))
                let headerEnd = 12 + Int(BackupFormat.integer(bytes[8..<12], as: UInt32.self))
                let frame = 5 + 4096 + BackupFormat.tagLength
                var arguments = [backup, "--kek-file", app.egideConfig.kekFile]
                switch damage {
                case .flippedChunkByte: bytes[headerEnd + 3 * frame + 100] ^= 0x01
                case .flippedHeaderByte: bytes[headerEnd - 5] ^= 0x01
                case .truncatedMidChunk: bytes.removeLast(bytes.count / 2)
                case .truncatedAtChunkBoundary: bytes.removeSubrange((headerEnd + 3 * frame)...)
                case .appendedData: bytes += [UInt8](repeating: 0, count: 32)
                case .wrongPassphrase:
                    try "not the right passphrase".write(toFile: root + "/wrong", atomically: true, encoding: .utf8)
                    arguments = [backup, "--passphrase-file", root + "/wrong"]
                case .wrongKeyFile:
                    try KEKFile.write(.plain(KeyEncryptionKey.generate()), to: root + "/other.kek")
                    arguments = [backup, "--kek-file", root + "/other.kek"]
                }
                try Data(bytes).write(to: URL(fileURLWithPath: backup))
                let target = root + "/target"
                try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: false)
                let sql = ProtectionTest.sql(app.db)
                let schema = testPostgresURL == nil ? nil : try await ProtectionTest.currentSchema(sql)
                if let schema { try await sql.raw("DROP SCHEMA \(ident: schema) CASCADE").run() }
                await #expect(throws: CommandFailure.self) { try await ProtectionTest.restore(app, into: target, arguments) }
                #expect(ProtectionTest.entries(target) == [], "\(damage): \(ProtectionTest.entries(target) ?? [])")
                if let schema {
                    #expect(try await !ProtectionTest.schemaExists(sql, schema), "\(damage): psql committed")
                    try await sql.raw("CREATE SCHEMA IF NOT EXISTS \(ident: schema)").run()  // for withApp's clean-up
                }
            }
        }
    }
}
