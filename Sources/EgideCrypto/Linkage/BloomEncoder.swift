import Crypto

/// Cryptographic long-term key (CLK) encoding for privacy-preserving record linkage (Schnell,
/// Bachteler and Reiher 2011): every feature of a record — the letter pairs of its name, the digits
/// of its date of birth — sets `hashes` bits of one Bloom filter of `bits` bits. The positions come
/// from HMAC-SHA256 under a key derived from a secret the two organisations agree on, per field
/// (double hashing: position_i = h1 + i·h2 mod bits), so without the secret nobody can test a
/// guessed name against an encoding, and the same secret gives comparable encodings on both sides.
///
/// Whoever holds the secret can test any feature against an encoding and so read it back: the
/// encodings are compared by a third party that does not know the secret, never sent to the other
/// organisation. What they leak to that party, and its bounds, is in docs/SECURITY.md ("Linkage
/// between instances").
public struct BloomEncoder: Sendable {
    public let bits: Int
    public let hashes: Int
    private let fieldKeys: [SymmetricKey]

    /// - Parameters:
    ///   - secret: at least 16 bytes, agreed between the two organisations out of band.
    ///   - fields: how many fields each record has (each gets its own key).
    public init(secret: [UInt8], fields: Int, bits: Int = 1024, hashes: Int = 20) throws(EncoderError) {
        guard secret.count >= 16 else { throw .secretTooShort }
        guard bits % 64 == 0, bits >= 64 else { throw .invalidSize }
        self.bits = bits
        self.hashes = hashes
        let root = SymmetricKey(data: secret)
        exchange = Array(HKDF<SHA256>.deriveKey(inputKeyMaterial: root, info: Array("egide-clk-exchange-v1".utf8), outputByteCount: 16)
            .withUnsafeBytes { Array($0) })
        fieldKeys = (0..<fields).map { field in
            HKDF<SHA256>.deriveKey(inputKeyMaterial: root, info: Array("egide-clk-v1:\(field)".utf8), outputByteCount: 32)
        }
    }

    /// Names this exchange (a digest of the secret, not the secret): each instance keys the opaque
    /// ids of its export with it, so ids from two exchanges cannot be joined.
    public var exchangeID: String {
        exchange.map { String(format: "%02x", $0) }.joined()
    }
    private let exchange: [UInt8]

    public enum EncoderError: Error, Equatable, Sendable {
        case secretTooShort
        case invalidSize
    }

    /// The filter for one record: `features[field]` are that field's features (already normalised).
    public func encode(_ features: [[String]]) -> [UInt64] {
        var filter = [UInt64](repeating: 0, count: bits / 64)
        for (field, list) in features.enumerated() where field < fieldKeys.count {
            for feature in list {
                let mac = Array(HMAC<SHA256>.authenticationCode(for: Array(feature.utf8), using: fieldKeys[field]))
                var h1: UInt64 = 0, h2: UInt64 = 0
                for k in 0..<8 {
                    h1 = h1 << 8 | UInt64(mac[k])
                    h2 = h2 << 8 | UInt64(mac[8 + k])
                }
                h2 |= 1
                for i in 0..<UInt64(hashes) {
                    let position = Int((h1 &+ i &* h2) % UInt64(bits))
                    filter[position / 64] |= 1 << UInt64(position % 64)
                }
            }
        }
        return filter
    }
}
