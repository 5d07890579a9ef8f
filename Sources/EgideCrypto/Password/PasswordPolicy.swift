import Foundation

/// Length rules for new passwords (NIST SP 800-63B style: length, not
/// composition). Length is the number of Unicode scalar values (code points)
/// after NFC normalisation, the same form `PasswordHasher` hashes, so "é"
/// counts as one whether typed precomposed or as e + combining accent.
public struct PasswordPolicy: Sendable, Equatable {
    /// Why a password is refused.
    public enum Violation: Error, Equatable, Sendable {
        /// Fewer than `minimum` characters.
        case tooShort(minimum: Int, actual: Int)
        /// More than `maximum` characters.
        case tooLong(maximum: Int, actual: Int)
    }

    /// Inclusive lower bound (default 12).
    public let minimumLength: Int
    /// Inclusive upper bound (default 128).
    public let maximumLength: Int

    /// A policy accepting `minimumLength...maximumLength` characters.
    public init(minimumLength: Int = 12, maximumLength: Int = 128) {
        self.minimumLength = minimumLength
        self.maximumLength = maximumLength
    }

    /// The policy's length of `password`: code points after NFC.
    public static func length(of password: String) -> Int {
        password.precomposedStringWithCanonicalMapping.unicodeScalars.count
    }

    /// `nil` if `password` is acceptable, otherwise the first rule it breaks.
    public func check(_ password: String) -> Violation? {
        let length = Self.length(of: password)
        if length < minimumLength { return .tooShort(minimum: minimumLength, actual: length) }
        if length > maximumLength { return .tooLong(maximum: maximumLength, actual: length) }
        return nil
    }
}
