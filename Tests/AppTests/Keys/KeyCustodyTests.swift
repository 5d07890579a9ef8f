@testable import App
@testable import EgideDemo
import EgideCore
import EgideCrypto
import Fluent
import Foundation
import Testing
import Vapor

@Suite struct KeyCustodyTests {
    /// Seals the test instance's key file under `passphrase` (cheap scrypt for tests) and locks the vault.
    func seal(_ app: Application, passphrase: String) throws {
        let kek = try app.vault.currentKEK()
        let sealed = try PassphraseSealedKEK.seal(kek, passphrase: passphrase, parameters: try ScryptParameters(logN: 10))
        try KEKFile.write(.sealed(sealed), to: app.egideConfig.kekFile)
        app.vault.seal()
    }

    @Test func a_sealed_server_serves_nothing_but_the_unseal_page() async throws {
        try await withApp { app in
            let (_, admin) = try await Fixtures.hostAdmin(app)
            try seal(app, passphrase: "correct horse battery staple")
            for path in ["/", "/sign-in", "/account", "/admin/users", "/healthz", "/setup/x", "/invitation/x"] {
                let res = try await app.send(.GET, path, headers: ["Accept-Language": "en"])
                #expect(res.status == .serviceUnavailable, "\(path)")
                #expect(!res.text.contains(admin.email))
            }
            let page = try await app.send(.GET, "/", headers: ["Accept-Language": "fr"])
            #expect(page.text.contains("Egide est scellé"))
            let api = try await app.send(.GET, "/api/v1/me")
            #expect(api.status == .serviceUnavailable && api.headers.first(name: .contentType)?.hasPrefix("application/problem+json") == true)
            #expect(try await app.send(.GET, "/css/egide.css").status == .ok)
            let signIn = try await TestClient(app).post("/sign-in", [("email", admin.email), ("password", admin.password)])
            #expect(signIn.status == .serviceUnavailable)

            let client = TestClient(app)
            #expect(try await client.get("/unseal").status == .ok)
            #expect(try await client.post("/unseal", [("passphrase", "wrong passphrase")]).status == .unprocessableEntity)
            #expect(!app.vault.isOpen)
            #expect(try await client.post("/unseal", [("passphrase", "correct horse battery staple")]).status == .seeOther)
            #expect(app.vault.isOpen)
            #expect(try await app.send(.GET, "/healthz").status == .ok)
            try await TestClient(app).signIn(admin)
            let events = try await AuditEventModel.query(on: app.db).filter(\.$action == "instance.unseal").count()
            #expect(events == 1)
        }
    }

    @Test func a_missing_key_file_with_stored_keys_refuses_to_start_rather_than_make_a_new_key() async throws {
        try await withApp { app in
            try FileManager.default.removeItem(atPath: app.egideConfig.kekFile)
            app.vault.seal()
            await #expect(throws: Vault.VaultError.self) { try await KeyCustody.start(app) }
            #expect(!FileManager.default.fileExists(atPath: app.egideConfig.kekFile))
        }
    }

    @Test func the_key_file_is_owner_only_and_doctor_warns_when_it_sits_beside_the_data() async throws {
        try await withApp { app in
            #expect(DataDirectory.mode(of: app.egideConfig.kekFile) == 0o600)
            let checks = await DoctorKeys.checks(app)
            #expect(checks.contains { $0.name == "key file" && $0.status == .ok })
            #expect(checks.contains { $0.name == "key custody" && $0.status == .warn && $0.detail.contains("beside the data") })
            try seal(app, passphrase: "correct horse battery staple")
            #expect(await DoctorKeys.checks(app).contains { $0.name == "key custody" && $0.status == .ok && $0.detail.hasPrefix("sealed") })
        }
    }

    @Test func rotation_moves_every_value_to_the_new_keys_and_leaves_everything_readable() async throws {
        try await withApp { app in
            _ = try await DemoData.load(into: app)
            let owners = try await DataKeyRecord.query(on: app.db).filter(\.$state == .active).filter(\.$purpose == .field).all().map(\.owner)
            try await app.transaction { db in for owner in owners { try await app.vault.createKey(owner: owner, on: db) } }
            // An interruption: only one organisation is done…
            let first = try #require(owners.first { $0 != Vault.instanceOwner })
            let partial = try await ReEncryption.run(app, owners: [first], batchSize: 3)
            #expect(partial.reencrypted > 0)
            // …then the rerun finishes the rest, and a third run has nothing left to do.
            let rest = try await ReEncryption.run(app, owners: nil, batchSize: 3)
            #expect(rest.reencrypted > 0)
            #expect(try await ReEncryption.run(app, owners: nil).reencrypted == 0)
            let ring = try app.vault.currentRing()
            for column in EncryptedColumn.all {
                var after: UUID?
                while true {
                    let rows = try await ReEncryption.batch(app, column, after: after, limit: 100)
                    guard let last = rows.last else { break }
                    after = last.id
                    for row in rows {
                        #expect(try FieldCipher.keyID(of: Array(row.blob)) == ring.activeKey(for: row.owner).id)
                    }
                }
            }
            for user in try await UserRecord.query(on: app.db).all() { _ = try Accounts.identity(of: user, vault: app.vault) }
        }
    }

    @Test func a_new_kek_rewraps_every_key_and_the_old_one_opens_nothing() async throws {
        try await withApp { app in
            let (_, admin) = try await Fixtures.hostAdmin(app)
            let old = try app.vault.currentKEK()
            try await KeyCustody.rotateKEK(app, passphraseFile: nil)
            guard case .plain(let new)? = try KEKFile.read(at: app.egideConfig.kekFile) else { Issue.record("no key file"); return }
            #expect(new.bytes != old.bytes)
            let restarted = Vault()
            try await restarted.open(with: new, on: app.db)
            let user = try #require(try await UserRecord.find(admin.id, on: app.db))
            #expect(try Accounts.identity(of: user, vault: restarted).email == admin.email)
            await #expect(throws: (any Error).self) { try await Vault().open(with: old, on: app.db) }
        }
    }

    @Test func shredding_an_organisation_makes_its_people_unreadable_and_spares_the_others() async throws {
        try await withApp { app in
            let (host, admin) = try await Fixtures.hostAdmin(app)
            let partner = try await Fixtures.organisation(app, type: .partner, slug: "to-shred")
            let person = try await Fixtures.account(app, in: partner, roles: [.verifier])
            let oldKEK = try app.vault.currentKEK()
            try await KeyCustody.shred(app, organisation: partner)
            let user = try #require(try await UserRecord.find(person.id, on: app.db))
            #expect(throws: (any Error).self) { try Accounts.identity(of: user, vault: app.vault) }
            #expect(user.disabledAt != nil)
            #expect(try await Accounts.findUser(email: person.email, on: app.db, vault: app.vault) == nil)
            let kept = try #require(try await UserRecord.find(admin.id, on: app.db))
            #expect(try Accounts.identity(of: kept, vault: app.vault).email == admin.email)
            #expect(try app.vault.currentKEK().bytes != oldKEK.bytes, "the KEK is replaced so older backups die with the old key file")
            let destroyed = try await DataKeyRecord.query(on: app.db).filter(\.$owner == Accounts.owner(try partner.requireID())).all()
            #expect(!destroyed.isEmpty && destroyed.allSatisfy { $0.wrapped == nil && $0.state == .destroyed })
            _ = host
            // The administrator's list still renders, showing the shredded accounts as unreadable.
            let client = TestClient(app)
            try await client.signIn(admin)
            let list = try await client.get("/admin/users")
            #expect(list.status == .ok && list.text.contains("Unreadable"))
        }
    }

    @Test func a_running_server_picks_up_keys_made_by_another_process() async throws {
        try await withApp { app in
            let other = Vault()
            try await other.open(with: try app.vault.currentKEK(), on: app.db)
            let organisation = try await Fixtures.organisation(app, type: .partner)
            let owner = Accounts.owner(try organisation.requireID())
            #expect(throws: (any Error).self) { try other.currentRing().activeKey(for: owner) }
            try await other.reload(on: app.db)
            #expect(try other.currentRing().activeKey(for: owner).id == app.vault.currentRing().activeKey(for: owner).id)
        }
    }
}
