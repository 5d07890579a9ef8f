import Crypto
import EgideCrypto
import Foundation

/// Random tokens and their stored form. Tokens carry at least 128 bits from the system CSPRNG;
/// only their SHA-256 is stored (they are high-entropy, so a fast hash is enough).
enum Secrets {
    /// A URL-safe random token of `bytes` random bytes.
    static func token(bytes: Int = 32) -> String {
        var generator = SystemRandomNumberGenerator()
        let raw = (0..<bytes).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return Data(raw).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
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
