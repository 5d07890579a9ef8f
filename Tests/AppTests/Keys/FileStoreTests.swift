@testable import App
import EgideCrypto
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor

@Suite struct FileStoreTests {
    @Test func a_file_round_trips_encrypted_and_survives_key_rotation() async throws {
        try await withApp { app in
            let organisation = try await Fixtures.organisation(app, type: .partner)
            let orgID = try organisation.requireID()
            let content = Data((0..<50_000).map { UInt8($0 % 251) })
            let id = try await app.transaction { db in
                try await FileStore.store(content, name: "témoignage-Bamenda.pdf", mediaType: "application/pdf", organisation: orgID,
                                          purpose: "test", at: app.clock.now(), on: db, vault: app.vault)
            }
            let record = try #require(try await EncryptedFileRecord.find(id, on: app.db))
            #expect(record.contentCiphertext.range(of: content.prefix(64)) == nil)
            #expect(try FileStore.open(record, vault: app.vault) == ("témoignage-Bamenda.pdf", content))
            try await app.transaction { db in _ = try await app.vault.createKey(owner: Accounts.owner(orgID), on: db) }
            #expect(try await ReEncryption.run(app, owners: nil).reencrypted == 2)
            let rotated = try #require(try await EncryptedFileRecord.find(id, on: app.db))
            #expect(try FileStore.open(rotated, vault: app.vault).content == content)
        }
    }

    @Test func a_file_over_the_limit_or_empty_is_refused_and_nothing_is_written() async throws {
        try await withApp { app in
            await #expect(throws: FileStore.StoreError.tooLarge(size: 2049, limit: 2048)) {
                _ = try await app.transaction { db in
                    try await FileStore.store(Data(count: 2049), name: "x", mediaType: "image/jpeg", organisation: nil, purpose: "test",
                                              limit: 2048, at: app.clock.now(), on: db, vault: app.vault)
                }
            }
            await #expect(throws: FileStore.StoreError.empty) {
                _ = try await app.transaction { db in
                    try await FileStore.store(Data(), name: "x", mediaType: "image/jpeg", organisation: nil, purpose: "test",
                                              at: app.clock.now(), on: db, vault: app.vault)
                }
            }
            let stored = try await EncryptedFileRecord.query(on: app.db).count()
            #expect(stored == 0)
            #expect(FileStore.maximumSize == 10 * 1024 * 1024)
        }
    }

    @Test func a_file_moved_to_another_row_does_not_decrypt() async throws {
        try await withApp { app in
            let ids = try await app.transaction { db in
                [try await FileStore.store(Data("first secret".utf8), name: "a", mediaType: "text/plain", organisation: nil, purpose: "test",
                                           at: app.clock.now(), on: db, vault: app.vault),
                 try await FileStore.store(Data("second".utf8), name: "b", mediaType: "text/plain", organisation: nil, purpose: "test",
                                           at: app.clock.now(), on: db, vault: app.vault)]
            }
            let first = try #require(try await EncryptedFileRecord.find(ids[0], on: app.db))
            let second = try #require(try await EncryptedFileRecord.find(ids[1], on: app.db))
            second.contentCiphertext = first.contentCiphertext
            #expect(throws: (any Error).self) { try FileStore.open(second, vault: app.vault) }
        }
    }
}
