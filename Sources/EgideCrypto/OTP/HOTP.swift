import Crypto

/// Number of decimal digits in a one-time password. Six is what every
/// authenticator app shows; seven and eight exist for RFC test vectors and
/// the rare token that uses them.
public enum OTPDigits: Int, Sendable, Equatable, CaseIterable {
    case six = 6
    case seven = 7
    case eight = 8

    var modulus: UInt32 {
        switch self {
        case .six: 1_000_000
        case .seven: 10_000_000
        case .eight: 100_000_000
        }
    }
}

/// HOTP, RFC 4226: `Truncate(HMAC-SHA-1(K, C)) mod 10^digits`, with the
/// 8-byte big-endian counter `C` as an unsigned 64-bit integer.
public enum HOTP: Sendable {
    /// The code for `counter`, left-padded with zeros to `digits` characters.
    public static func code(secret: [UInt8], counter: UInt64, digits: OTPDigits = .six) -> String {
        let value = truncatedValue(secret: secret, counter: counter) % digits.modulus
        let decimal = String(value)
        return String(repeating: "0", count: digits.rawValue - decimal.count) + decimal
    }

    /// Dynamic truncation (RFC 4226 §5.3): a 31-bit integer from the HMAC.
    static func truncatedValue(secret: [UInt8], counter: UInt64) -> UInt32 {
        var message = [UInt8](repeating: 0, count: 8)
        for index in 0..<8 {
            message[index] = UInt8(truncatingIfNeeded: counter >> UInt64(56 - 8 * index))
        }
        let mac = Array(HMAC<Insecure.SHA1>.authenticationCode(for: message, using: SymmetricKey(data: secret)))
        let offset = Int(mac[19] & 0x0F)
        return (UInt32(mac[offset] & 0x7F) << 24)
            | (UInt32(mac[offset + 1]) << 16)
            | (UInt32(mac[offset + 2]) << 8)
            | UInt32(mac[offset + 3])
    }
}
