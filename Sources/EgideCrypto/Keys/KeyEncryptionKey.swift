import Crypto

/// A key-encryption key (KEK): a 256-bit AES key that wraps data keys for
/// storage. The KEK itself is kept outside the database — sealed with a
/// passphrase (`PassphraseSealedKEK`) or supplied by the operator.
///
/// Wrapped-key layout (version 1):
///
///     0x01 ‖ n (1 byte) ‖ key id (n bytes) ‖ nonce (12) ‖ encrypted key (32) ‖ tag (16)
///
/// AES-256-GCM associated data:
///
///     "egide-dek-wrap-v1" ‖ 0x01 ‖ n ‖ key id ‖ len32(owner) ‖ owner
///
/// Binding the key id means a wrapped key cannot be relabelled as another
/// key; binding the owner means a wrapped key row cannot be moved to another
/// organisation. Unwrapping with the wrong KEK, id or owner fails.
public struct KeyEncryptionKey: Sendable {
    /// Why wrapping or unwrapping failed.
    public enum WrapError: Error, Equatable, Sendable {
        /// Wrong length, version or key id field.
        case malformedWrappedKey
        /// Wrong KEK or owner, or the wrapped key was altered.
        case authenticationFailed
    }

    /// The AES-256 key.
    public let key: SymmetricKey
    static let wrappedKeyLength = 1 + 1 + 12 + 32 + 16  // plus the key id

    /// A new random KEK.
    public static func generate() -> KeyEncryptionKey {
        KeyEncryptionKey(checked: SymmetricKey(size: .bits256))
    }

    /// A KEK from 32 bytes of key material.
    /// - Throws: `KeyError.invalidKeyLength` unless exactly 32 bytes.
    public init(bytes: [UInt8]) throws(KeyError) {
        guard bytes.count == 32 else { throw .invalidKeyLength(bytes.count) }
        self.key = SymmetricKey(data: bytes)
    }

    private init(checked key: SymmetricKey) {
        self.key = key
    }

    /// The raw key bytes (for sealing the KEK itself). Handle with care.
    public var bytes: [UInt8] { key.withUnsafeBytes { Array($0) } }

    /// Encrypts `dataKey` for storage, bound to its id and `owner`.
    /// - Throws: `WrapError.authenticationFailed` only if AES-GCM itself fails.
    public func wrap(_ dataKey: DataKey, owner: String) throws(WrapError) -> [UInt8] {
        let header = FieldCipher.header(keyID: dataKey.id)
        let material = dataKey.key.withUnsafeBytes { Array($0) }
        do {
            let box = try AES.GCM.seal(material, using: key, nonce: AES.GCM.Nonce(),
                                       authenticating: Self.associatedData(header: header, owner: owner))
            return header + Array(box.nonce) + Array(box.ciphertext) + Array(box.tag)
        } catch {
            throw .authenticationFailed
        }
    }

    /// Decrypts a wrapped key produced by `wrap(_:owner:)` for the same `owner`.
    /// - Throws: `WrapError.malformedWrappedKey` or `.authenticationFailed`.
    public func unwrap(_ wrapped: [UInt8], owner: String) throws(WrapError) -> DataKey {
        guard let keyID = try? FieldCipher.keyID(of: wrapped) else { throw .malformedWrappedKey }
        let headerLength = 2 + keyID.rawValue.utf8.count
        guard wrapped.count == headerLength + 12 + 32 + 16 else { throw .malformedWrappedKey }
        do {
            let box = try AES.GCM.SealedBox(
                nonce: AES.GCM.Nonce(data: wrapped[headerLength..<(headerLength + 12)]),
                ciphertext: wrapped[(headerLength + 12)..<(headerLength + 44)],
                tag: wrapped[(headerLength + 44)...])
            let aad = Self.associatedData(header: Array(wrapped[..<headerLength]), owner: owner)
            let material = try AES.GCM.open(box, using: key, authenticating: aad)
            return try DataKey(id: keyID, key: SymmetricKey(data: material))
        } catch {
            throw .authenticationFailed
        }
    }

    private static func associatedData(header: [UInt8], owner: String) -> [UInt8] {
        var writer = ByteWriter()
        writer.append("egide-dek-wrap-v1".utf8)
        writer.append(header)
        writer.appendLengthPrefixed(owner)
        return writer.bytes
    }
}
