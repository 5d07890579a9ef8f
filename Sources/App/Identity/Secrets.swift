import Crypto
import EgideCrypto
import Foundation

/// Random tokens and their stored form. Tokens carry at least 128 bits from the system CSPRNG;
/// only their SHA-256 is stored (they are high-entropy, so a fast hash is enough).
enum Secrets {
    /// A URL-safe random token of `bytes` random bytes (base64url, unpadded).
    ///
    /// The bytes come from the system generator in 8-byte draws, not one draw per byte: drawing a
    /// byte at a time made each token 32 `getrandom` calls, a fifth of the cost of the public form.
    static func token(bytes: Int = 32) -> String {
        var generator = SystemRandomNumberGenerator()
        var raw = [UInt8](repeating: 0, count: bytes)
        var index = 0
        while index < bytes {
            var word = generator.next()
            for _ in 0..<min(8, bytes - index) {
                raw[index] = UInt8(truncatingIfNeeded: word)
                word >>= 8
                index += 1
            }
        }
        return base64URL(raw)
    }

    private static let base64URLAlphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// RFC 4648 §5 base64url without padding.
    static func base64URL(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count * 4 + 2) / 3)
        var index = 0
        while index < bytes.count {
            let chunk = bytes[index..<min(index + 3, bytes.count)]
            let value = chunk.enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (16 - 8 * UInt32($1.offset)) }
            for position in 0..<(chunk.count + 1) {
                out.append(base64URLAlphabet[Int((value >> (18 - 6 * UInt32(position))) & 0x3f)])
            }
            index += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// What is stored for a token.
    static func hash(_ token: String) -> Data {
        Data(SHA256.hash(data: Data(token.utf8)))
    }

    /// A recovery code: 16 base32 characters (80 bits) in groups of four.
    static func recoveryCode() -> String {
        var generator = SystemRandomNumberGenerator()
        let raw = (0..<10).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let text = Base32.encode(raw).lowercased()
        return stride(from: 0, to: 16, by: 4).map { i in
            String(text[text.index(text.startIndex, offsetBy: i)..<text.index(text.startIndex, offsetBy: i + 4)])
        }.joined(separator: "-")
    }

    /// A recovery code as typed (any case, with or without dashes and spaces), ready to hash.
    static func normaliseRecoveryCode(_ typed: String) -> String {
        typed.lowercased().filter { $0.isLetter || $0.isNumber }
    }

    /// Compares two byte strings in time independent of where they differ.
    static func constantTimeEqual(_ a: Data, _ b: Data) -> Bool {
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
