import Crypto
import Foundation

/// A `KeyEncryptionKey` sealed under an operator passphrase, as one line of text:
///
///     $egide-kek-v1$ln=17,r=8,p=1$<salt>$<nonce ‖ ciphertext ‖ tag>
///
/// Fields are unpadded standard base64. The wrapping key is
/// `scrypt(NFC(passphrase), salt, N = 2^ln, r, p, 32 bytes)`; the KEK is
/// sealed with AES-256-GCM under it, with the text up to and including the
/// salt field (`$egide-kek-v1$ln=…$<salt>`) as associated data, so the
/// parameters cannot be altered without detection. Salt: 16 random bytes.
///
/// Unsealing at the default parameters takes 128 MiB and about a second.
public enum PassphraseSealedKEK: Sendable {
    /// Why sealing or unsealing failed.
    public enum SealError: Error, Equatable, Sendable {
        /// Not a well-formed `$egide-kek-v1$` string, or parameters out of range.
        case malformed
        /// Authentication failed: the passphrase is wrong (or the sealed text was altered).
        case wrongPassphrase
        /// scrypt or AES-GCM reported an internal error.
        case cryptoFailure
    }

    static let prefix = "$egide-kek-v1$"

    /// Seals `kek` under `passphrase`.
    /// - Throws: `SealError.cryptoFailure` if scrypt or AES-GCM fails.
    public static func seal(
        _ kek: KeyEncryptionKey, passphrase: String, parameters: ScryptParameters = .default
    ) throws(SealError) -> String {
        let salt = SecureRandom.bytes(ScryptParameters.saltLength)
        let header = prefix + "ln=\(parameters.logN),r=\(parameters.blockSize),p=\(parameters.parallelism)"
            + "$" + UnpaddedBase64.encode(salt)
        let wrappingKey = try deriveWrappingKey(passphrase, salt: salt, parameters: parameters)
        do {
            let box = try AES.GCM.seal(kek.bytes, using: wrappingKey, nonce: AES.GCM.Nonce(),
                                       authenticating: Array(header.utf8))
            return header + "$" + UnpaddedBase64.encode(Array(box.nonce) + Array(box.ciphertext) + Array(box.tag))
        } catch {
            throw .cryptoFailure
        }
    }

    /// Recovers the KEK from text produced by `seal`.
    /// - Throws: `SealError.malformed`, `.wrongPassphrase`, or `.cryptoFailure`.
    public static func unseal(_ sealed: String, passphrase: String) throws(SealError) -> KeyEncryptionKey {
        guard sealed.hasPrefix(prefix) else { throw .malformed }
        let rest = sealed.dropFirst(prefix.count).split(separator: "$", omittingEmptySubsequences: false)
        guard rest.count == 3,
              let parameters = PHCString.parameters(rest[0]),
              let salt = PHCString.salt(rest[1]),
              let body = UnpaddedBase64.decode(rest[2]), body.count == 12 + 32 + 16
        else { throw .malformed }
        let header = sealed.dropLast(rest[2].count + 1)
        let wrappingKey = try deriveWrappingKey(passphrase, salt: salt, parameters: parameters)
        let material: Data
        do {
            let box = try AES.GCM.SealedBox(nonce: AES.GCM.Nonce(data: body[0..<12]),
                                            ciphertext: body[12..<44], tag: body[44...])
            material = try AES.GCM.open(box, using: wrappingKey, authenticating: Array(header.utf8))
        } catch {
            throw .wrongPassphrase
        }
        do { return try KeyEncryptionKey(bytes: Array(material)) } catch { throw .malformed }
    }

    private static func deriveWrappingKey(
        _ passphrase: String, salt: [UInt8], parameters: ScryptParameters
    ) throws(SealError) -> SymmetricKey {
        let password = Array(passphrase.precomposedStringWithCanonicalMapping.utf8)
        do {
            return SymmetricKey(data: try parameters.deriveKey(password: password, salt: salt, outputLength: 32))
        } catch {
            throw .cryptoFailure
        }
    }
}
