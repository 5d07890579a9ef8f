import Crypto

/// A keyed, truncated hash of a normalised value, stored next to the
/// encrypted value so that equality search works without decrypting.
///
/// * Per-index key: `HKDF-SHA256(ikm: rootKey, salt: empty,
///   info: "egide-blind-index-v1:" + name, 32 bytes)`, so indexes with
///   different names never share values even for the same input.
/// * Value: the first `bits` bits (big-endian, most significant first) of
///   `HMAC-SHA256(indexKey, UTF-8(normalised))`, as an unsigned integer in
///   `0 ..< 2^bits`.
///
/// Truncation is the point: many records share each value (see
/// `BlindIndexSizing`), so the index alone does not reveal who is who.
/// Callers normalise first (`BlindIndexNormalizer`) and must filter false
/// positives after decrypting the candidates.
public struct BlindIndex: Sendable {
    /// Why an index cannot be created.
    public enum IndexError: Error, Equatable, Sendable {
        /// `bits` must be 1–32.
        case invalidBitCount(Int)
        /// The root key must be at least 256 bits.
        case rootKeyTooShort
    }

    /// The index name (part of the key derivation), e.g. `"people.name"`.
    public let name: String
    /// Number of output bits, 1–32.
    public let bits: Int
    private let indexKey: SymmetricKey

    /// Derives the index key for `name` from `rootKey`.
    /// - Throws: `IndexError.invalidBitCount` or `.rootKeyTooShort`.
    public init(name: String, key rootKey: SymmetricKey, bits: Int) throws(IndexError) {
        guard (1...32).contains(bits) else { throw .invalidBitCount(bits) }
        guard rootKey.bitCount >= 256 else { throw .rootKeyTooShort }
        self.name = name
        self.bits = bits
        self.indexKey = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: rootKey,
            info: Array(("egide-blind-index-v1:" + name).utf8),
            outputByteCount: 32)
    }

    /// The index value of an already normalised string.
    public func value(for normalised: String) -> UInt32 {
        let mac = Array(HMAC<SHA256>.authenticationCode(for: Array(normalised.utf8), using: indexKey))
        let prefix = UInt32(mac[0]) << 24 | UInt32(mac[1]) << 16 | UInt32(mac[2]) << 8 | UInt32(mac[3])
        return prefix >> UInt32(32 - bits)
    }
}
