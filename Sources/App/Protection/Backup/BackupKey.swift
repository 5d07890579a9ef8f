import Crypto
import EgideCrypto
import Foundation

/// The backup key: derived from the key-encryption key, or sealed under a backup passphrase.
enum BackupKey {
    /// What the operator holds when making a backup.
    enum Source: Sendable {
        case kek(KeyEncryptionKey)
        case passphrase(String, ScryptParameters)
    }

    /// Fills `header`'s key fields for `source` and returns the backup key.
    /// - Throws: `BackupError` if sealing fails.
    static func make(_ source: Source, into header: inout BackupFormat.Header) throws -> SymmetricKey {
        let key: SymmetricKey
        switch source {
        case .kek(let kek):
            let salt = [UInt8].random(count: 32)
            header.keyMode = .kek
            header.salt = Data(salt).base64EncodedString()
            key = derive(from: kek, salt: salt)
        case .passphrase(let passphrase, let parameters):
            let random = KeyEncryptionKey.generate()
            header.keyMode = .passphrase
            do { header.sealedKey = try PassphraseSealedKEK.seal(random, passphrase: passphrase, parameters: parameters) } catch {
                throw BackupError(description: "cannot seal the backup key under the passphrase (\(error))")
            }
            key = random.key
        }
        header.keyCheck = Data(BackupFormat.keyCheck(for: key)).base64EncodedString()
        return key
    }

    /// The key of a backup whose header is `header`, from the KEK (kek mode) or the passphrase.
    /// - Throws: `BackupError` explaining what is missing or wrong.
    static func recover(_ header: BackupFormat.Header, kek: KeyEncryptionKey?, passphrase: String?) throws -> SymmetricKey {
        let key: SymmetricKey
        switch header.keyMode {
        case .kek:
            guard let kek else { throw BackupError(description: "this backup is encrypted to the instance's key file: give --kek-file with a copy of the key file") }
            guard let salt = header.salt.flatMap({ Data(base64Encoded: $0) }), salt.count == 32 else {
                throw BackupError(description: "the backup header is damaged (salt)")
            }
            key = derive(from: kek, salt: Array(salt))
        case .passphrase:
            guard let passphrase else { throw BackupError(description: "this backup is encrypted with a backup passphrase: give --passphrase-file") }
            guard let sealed = header.sealedKey else { throw BackupError(description: "the backup header is damaged (sealed key)") }
            do { key = try PassphraseSealedKEK.unseal(sealed, passphrase: passphrase).key } catch .wrongPassphrase {
                throw BackupError(description: "wrong backup passphrase (or the backup header was altered)")
            } catch {
                throw BackupError(description: "the backup header is damaged (sealed key: \(error))")
            }
        }
        guard Data(BackupFormat.keyCheck(for: key)).base64EncodedString() == header.keyCheck else {
            throw BackupError(description: header.keyMode == .kek
                ? "this backup was made with a different key file: the key given cannot open it"
                : "the backup header was altered: the key does not match")
        }
        return key
    }

    /// HKDF-SHA256(KEK, salt, info "egide-backup-v1"), 256 bits.
    static func derive(from kek: KeyEncryptionKey, salt: [UInt8]) -> SymmetricKey {
        HKDF<SHA256>.deriveKey(inputKeyMaterial: kek.key, salt: salt, info: Array("egide-backup-v1".utf8), outputByteCount: 32)
    }
}

extension Array where Element == UInt8 {
    /// `count` bytes from the system's secure random generator.
    static func random(count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }
}
