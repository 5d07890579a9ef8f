import EgideCore
import EgideCrypto
import Fluent
import Foundation
import Vapor

extension KeyCustody {
    /// Replaces the KEK. Crash-safe order: the new key is first written beside the old one
    /// (`<key file>.new`), then every data key is re-wrapped in one transaction, then the new file
    /// replaces the old. If the process dies in between, `start` finds the `.new` file and uses it.
    static func rotateKEK(_ app: Application, passphraseFile: String?) async throws {
        let path = app.egideConfig.kekFile
        let old = try KEKFile.read(at: path)
        let kek = KeyEncryptionKey.generate()
        var content = KEKFile.Content.plain(kek)
        if case .sealed = old {
            let passphrase = try Passphrase.read(file: passphraseFile, prompt: "Passphrase for the new key file: ")
            content = .sealed(try PassphraseSealedKEK.seal(kek, passphrase: passphrase))
        }
        try KEKFile.write(content, to: path + ".new")
        let oldKEK = try app.vault.currentKEK()
        let now = app.clock.now()
        try await app.transaction { db in
            for record in try await DataKeyRecord.query(on: db).all() {
                guard let wrapped = record.wrapped else { continue }
                let key = try oldKEK.unwrap(Array(wrapped), owner: record.owner)
                record.wrapped = Data(try kek.wrap(key, owner: record.owner))
                try await record.save(on: db)
            }
            try await AuditRecorder.record(.init(actor: .system, organisation: nil, action: "keys.rotate_kek"), at: now, on: db)
        }
        guard rename(path + ".new", path) == 0 else { throw KEKFile.FileError(description: "cannot replace \(path)") }
        try await app.vault.open(with: kek, on: app.db)
    }

    /// Crypto-shredding: destroys every key of `organisation` (its encrypted data can never be read
    /// again), disables its accounts, and replaces the KEK so that copies of its keys inside older
    /// backups — wrapped by the old KEK — die with the old key file.
    static func shred(_ app: Application, organisation: OrganisationRecord, passphraseFile: String? = nil) async throws {
        let orgID = try organisation.requireID()
        let owner = Accounts.owner(orgID)
        let now = app.clock.now()
        try await app.transaction { db in
            try await DataKeyRecord.query(on: db).filter(\.$owner == owner)
                .set(\.$wrapped, to: nil).set(\.$state, to: .destroyed).update()
            try await ChangeCounters.bump(.keys, on: db)
            for user in try await UserRecord.query(on: db).filter(\.$organisation.$id == orgID).all() where user.disabledAt == nil {
                try await AccountAccess.disable(user, by: .system, details: ["via": "shred"], at: now, on: db)
            }
            try await AuditRecorder.record(.init(actor: .system, organisation: orgID, action: "keys.shred",
                                                 objectType: "organisation", objectID: SiteURL.id(orgID)), at: now, on: db)
        }
        try await app.vault.reload(on: app.db)
        try await rotateKEK(app, passphraseFile: passphraseFile)
    }
}
