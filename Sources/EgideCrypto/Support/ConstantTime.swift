/// Comparisons whose running time does not depend on where two secrets differ.
///
/// Used for TOTP codes, password hashes and anything else an attacker could
/// probe byte by byte through timing. Only the *lengths* may leak (they are
/// public in every use in this module).
public enum ConstantTime: Sendable {
    /// Returns `true` when both byte sequences are equal, examining every byte
    /// of the inputs whatever their content. Inputs of different length
    /// compare unequal immediately.
    public static func equals<A: Collection, B: Collection>(_ a: A, _ b: B) -> Bool
    where A.Element == UInt8, B.Element == UInt8 {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for (x, y) in zip(a, b) {
            difference |= x ^ y
        }
        return difference == 0
    }
}

/// Cryptographically secure random bytes from the operating system
/// (`SystemRandomNumberGenerator`: `getrandom(2)` on Linux).
enum SecureRandom: Sendable {
    /// Returns `count` random bytes.
    static func bytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        var result = [UInt8](repeating: 0, count: count)
        var index = 0
        while index < count {
            var word = generator.next()
            for _ in 0..<8 where index < count {
                result[index] = UInt8(truncatingIfNeeded: word)
                word >>= 8
                index += 1
            }
        }
        return result
    }
}
