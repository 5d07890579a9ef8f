import Crypto

/// Errors constructing key identifiers and key material.
public enum KeyError: Error, Equatable, Sendable {
    /// A key id must be 1–64 characters from `A–Z a–z 0–9 _ -`.
    case invalidKeyID
    /// Key material must be exactly 32 bytes (256 bits).
    case invalidKeyLength(Int)
}

/// The identifier of a data key, stored in clear inside every blob it seals.
///
/// Freshly generated ids are 16 lower-case hex characters (8 random bytes);
/// parsed ids may be any 1–64 characters from `A–Z a–z 0–9 _ -`, so the id
/// always fits the one-byte length field of the blob formats.
public struct KeyID: Hashable, Sendable, CustomStringConvertible {
    /// The identifier text (ASCII).
    public let rawValue: String

    /// Validates an identifier read from storage.
    /// - Throws: `KeyError.invalidKeyID` for empty, over-long or non-`[A-Za-z0-9_-]` text.
    public init(_ rawValue: String) throws(KeyError) {
        let bytes = Array(rawValue.utf8)
        guard (1...64).contains(bytes.count), bytes.allSatisfy(Self.isAllowed) else { throw .invalidKeyID }
        self.rawValue = rawValue
    }

    private init(unchecked rawValue: String) {
        self.rawValue = rawValue
    }

    /// A new random identifier: 8 random bytes as 16 hex characters.
    public static func random() -> KeyID {
        KeyID(unchecked: Hex.encode(SecureRandom.bytes(8)))
    }

    public var description: String { rawValue }

    static func isAllowed(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"):
            return true
        default:
            return false
        }
    }
}

/// A data-encryption key (DEK): 256-bit AES key plus its id. DEKs encrypt
/// fields; they are stored only wrapped by a `KeyEncryptionKey`.
public struct DataKey: Sendable {
    /// Identifier written into every blob this key seals.
    public let id: KeyID
    /// The AES-256 key.
    public let key: SymmetricKey
    /// The key as `FieldCipher` uses it (with its reusable cipher contexts).
    let aead: AESGCMKey

    /// Wraps existing key material.
    /// - Throws: `KeyError.invalidKeyLength` unless `key` is 256 bits.
    public init(id: KeyID, key: SymmetricKey) throws(KeyError) {
        guard key.bitCount == 256 else { throw .invalidKeyLength(key.bitCount / 8) }
        self.init(checkedID: id, key: key)
    }

    /// A new random key with a new random id (or the given one).
    public static func generate(id: KeyID = .random()) -> DataKey {
        DataKey(checkedID: id, key: SymmetricKey(size: .bits256))
    }

    private init(checkedID: KeyID, key: SymmetricKey) {
        self.id = checkedID
        self.key = key
        self.aead = AESGCMKey(key)
    }
}
