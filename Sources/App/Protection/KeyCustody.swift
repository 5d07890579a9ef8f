import EgideCrypto
import Fluent
import Foundation
import Vapor

/// Opens the vault at start from the key file, creating the key on a brand-new instance.
package enum KeyCustody {
    package enum Outcome: Equatable {
        case open
        /// The key file holds a passphrase-sealed key: an administrator must unseal Egide.
        case sealed
    }

    /// Reads the KEK and opens the vault. On a first run (no key file, no stored keys) a new KEK
    /// is created in the key file, mode 0600. A missing key file with stored keys is an error:
    /// nothing could be decrypted, and creating a new key would hide the problem.
    @discardableResult
    package static func start(_ app: Application) async throws -> Outcome {
        let config = app.egideConfig
        switch try KEKFile.read(at: config.kekFile) {
        case .plain(let kek):
            do {
                try await app.vault.open(with: kek, on: app.db)
            } catch {
                // A key rotation interrupted after re-wrapping: the new key waits beside the old.
                guard case .plain(let newer)? = try? KEKFile.read(at: config.kekFile + ".new") else { throw error }
                try await app.vault.open(with: newer, on: app.db)
                guard rename(config.kekFile + ".new", config.kekFile) == 0 else { throw error }
            }
            return .open
        case .sealed:
            return .sealed
        case nil:
            guard try await DataKeyRecord.query(on: app.db).count() == 0 else {
                throw Vault.VaultError.keyFileMissing(config.kekFile)
            }
            let kek = KeyEncryptionKey.generate()
            try KEKFile.write(.plain(kek), to: config.kekFile)
            try await app.vault.open(with: kek, on: app.db)
            return .open
        }
    }

    enum UnsealError: Error { case wrongPassphrase, notSealed }

    /// Opens a sealed instance with the operator's passphrase (unseal page, `serve --unseal`,
    /// `keys` commands). The key file itself stays sealed: only this process holds the key.
    static func unseal(_ app: Application, passphrase: String) async throws {
        guard case .sealed(let text) = try KEKFile.read(at: app.egideConfig.kekFile) else { throw UnsealError.notSealed }
        let kek: KeyEncryptionKey
        do {
            kek = try PassphraseSealedKEK.unseal(text, passphrase: passphrase)
        } catch {
            throw UnsealError.wrongPassphrase
        }
        try await app.vault.open(with: kek, on: app.db)
        let now = app.clock.now()
        try await app.transaction { db in
            try await AuditRecorder.record(.init(actor: .system, organisation: nil, action: "instance.unseal"), at: now, on: db)
        }
    }

    /// Prints the one-time setup link while the instance has no administrator.
    static func announceSetupIfUnclaimed(_ app: Application, baseURL: String) async throws {
        guard app.vault.isOpen, try await SetupGate.isUnclaimed(on: app.db) else { return }
        let token = try await SetupGate.issue(app, now: app.clock.now())
        let link = baseURL + SiteURL.setup(token: token).href
        print("""

        ┌─ First run ─────────────────────────────────────────────────────────────
        │ No administrator exists yet. Open this one-time link within an hour to create
        │ the host organisation and the first administrator (a new link is printed at
        │ each start until it is used):
        │
        │   \(link)
        └─────────────────────────────────────────────────────────────────────────

        """)
        fflush(nil)  // flush every stream: the link must appear even when output is piped
    }
}
