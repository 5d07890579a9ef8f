@testable import App
import EgideCrypto
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor

extension Protection {
    /// `egide backup` → `egide restore` through pg_dump and psql. `withApp` gives each test its own
    /// schema (through `search_path`), so the backup is a dump of that schema alone (`--schema`, which
    /// `BackupWriter` chooses whenever the current schema is not `public`), and the restore recreates it
    /// after the test drops it — the same code path as a whole-database restore, minus the schema name.
    @Suite(.enabled(if: testPostgresURL != nil, "needs EGIDE_TEST_DATABASE_URL"))
    struct PostgresBackupTests {
        @Test func a_pg_dump_backup_restores_into_an_empty_database_with_equal_tables_and_readable_data() async throws {
            try await withApp { app in
                let (root, backup) = try await ProtectionTest.backedUpDemo(app)
                let sql = ProtectionTest.sql(app.db)
                let before = try await ProtectionTest.tableCounts(sql)
                let instance = try await ProtectionTest.instanceID(sql)
                let schema = try await ProtectionTest.currentSchema(sql)
                let kekFile = app.egideConfig.kekFile
                await #expect(throws: CommandFailure.self) {
                    try await ProtectionTest.restore(app, into: root + "/refused", [backup, "--kek-file", kekFile])
                }
                #expect(ProtectionTest.entries(root + "/refused") == nil)
                try await sql.raw("DROP SCHEMA \(ident: schema) CASCADE").run()
                let output = try await ProtectionTest.restore(app, into: root + "/restored", [backup, "--kek-file", kekFile])
                #expect(output.contains("restored instance \(SiteURL.id(try #require(instance)))") && output.contains("audit chain: intact"), "\(output)")
                #expect(try await ProtectionTest.tableCounts(sql) == before)
                #expect(try await ProtectionTest.instanceID(sql) == instance)
                #expect(try await Accounts.findUser(email: "claire.martin@example.org", on: app.db, vault: app.vault) != nil)
                #expect(try KEKFile.read(at: root + "/restored/egide.kek") == KEKFile.read(at: kekFile))
            }
        }

        @Test func a_backup_altered_in_a_late_chunk_is_rolled_back_by_psql() async throws {
            try await withApp { app in
                let (root, backup) = try await ProtectionTest.backedUpDemo(app)
                let sql = ProtectionTest.sql(app.db)
                let schema = try await ProtectionTest.currentSchema(sql)
                var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: backup)))
                bytes[bytes.count - 40] ^= 0x01  // inside the last chunk: psql has received all the others
                try Data(bytes).write(to: URL(fileURLWithPath: backup))
                try await sql.raw("DROP SCHEMA \(ident: schema) CASCADE").run()
                await #expect(throws: CommandFailure.self) {
                    try await ProtectionTest.restore(app, into: root + "/target", [backup, "--kek-file", app.egideConfig.kekFile])
                }
                let restoredAnything = try await ProtectionTest.schemaExists(sql, schema)
                #expect(!restoredAnything, "psql committed part of an altered backup")
                #expect(ProtectionTest.entries(root + "/target") == nil)
                if !restoredAnything { try await sql.raw("CREATE SCHEMA \(ident: schema)").run() }  // for withApp's clean-up
            }
        }

        /// A backup crafted so that its first chunk ends exactly between two complete statements: had
        /// psql been allowed to reach the end of its input after the second chunk failed, it would
        /// have committed the first. It must be killed instead, so nothing is created.
        @Test func psql_is_stopped_before_it_can_commit_the_chunks_before_a_bad_one() async throws {
            try await withApp { app in
                let root = (app.egideConfig.dataDirectory as NSString).deletingLastPathComponent
                let schema = "test_crafted_" + UUID().uuidString.prefix(8).lowercased()
                guard case .plain(let kek)? = try KEKFile.read(at: app.egideConfig.kekFile) else { Issue.record("key file"); return }
                var header = BackupFormat.Header(database: "postgresql", postgresSchema: schema, instance: "crafted", createdAt: "now",
                                                 keyMode: .kek, nonceBase: Data([UInt8].random(count: 12)).base64EncodedString(),
                                                 chunkSize: 1024, keyCheck: "")
                let key = try BackupKey.make(.kek(kek), into: &header)
                let headerBytes = try BackupFormat.encode(header)
                var first = Array("CREATE SCHEMA \(schema);\nCREATE TABLE \(schema).t (a integer);\n".utf8)
                first += Array(repeating: UInt8(ascii: "\n"), count: 1024 - first.count)
                var plaintext = (first + Array("INSERT INTO \(schema).t VALUES (1);\n".utf8))[...]
                var file = headerBytes
                _ = try BackupStream(header: header, headerBytes: headerBytes, key: key).encrypt(
                    from: { count in defer { plaintext = plaintext.dropFirst(count) }; return Array(plaintext.prefix(count)) },
                    to: { file += $0 })
                file[file.count - 20] ^= 0x01  // in the second (last) chunk
                let backup = root + "/crafted.egide-backup"
                try Data(file).write(to: URL(fileURLWithPath: backup))
                let message = try await failureMessage {
                    try await ProtectionTest.restore(app, into: root + "/target", [backup, "--kek-file", app.egideConfig.kekFile])
                }
                #expect(message.contains("chunk 1 of the backup does not authenticate"), "\(message)")
                let created = try await ProtectionTest.schemaExists(ProtectionTest.sql(app.db), schema)
                #expect(!created, "psql committed the chunk before the bad one")
                if created { try await ProtectionTest.sql(app.db).raw("DROP SCHEMA \(ident: schema) CASCADE").run() }
            }
        }

        /// The message of the `CommandFailure` that `body` must throw.
        func failureMessage(_ body: () async throws -> Void) async throws -> String {
            do { try await body() } catch let failure as CommandFailure { return failure.message }
            Issue.record("expected a CommandFailure")
            return ""
        }
    }
}
