import Foundation

/// TOTP, RFC 6238, with the parameters every authenticator app supports:
/// HMAC-SHA-1, 30-second steps counted from the Unix epoch (T0 = 0).
///
/// Step numbers are `Int64` (`floor(unixSeconds / 30)`); the HOTP counter is
/// the same value as `UInt64`, so dates past 2106 (t = 20 000 000 000 s in the
/// RFC vectors) work. Dates before 1970 have negative steps: codes for them
/// are computed for step 0 and `verify` rejects them.
///
/// Replay protection: `verify` returns the step it matched; the caller must
/// store it and pass it back as `lastUsedStep`, so each code (indeed each
/// step) is accepted at most once per account. The stored secret is as
/// sensitive as a password and belongs in a `FieldCipher` blob.
public struct TOTP: Sendable, Equatable {
    /// Seconds per step (RFC 6238 default, the only value apps agree on).
    public static let period: Int64 = 30
    /// Length in bytes of secrets from `generateSecret()` (160 bits, RFC 4226 §4 recommendation).
    public static let secretLength = 20

    /// The shared HMAC key.
    public let secret: [UInt8]
    /// Code length used by `code(at:)`, `verify` and the otpauth URI.
    public let digits: OTPDigits

    /// A TOTP generator/verifier for `secret`.
    public init(secret: [UInt8], digits: OTPDigits = .six) {
        self.secret = secret
        self.digits = digits
    }

    /// A fresh random 160-bit secret.
    public static func generateSecret() -> [UInt8] {
        SecureRandom.bytes(secretLength)
    }

    /// The step containing `date`: `floor(unixSeconds / 30)` (clamped to the `Int64` range).
    public static func step(at date: Date) -> Int64 {
        let quotient = (date.timeIntervalSince1970 / Double(period)).rounded(.down)
        guard quotient.isFinite else { return quotient > 0 ? .max : .min }
        if quotient >= 9.2e18 { return .max }
        if quotient <= -9.2e18 { return .min }
        return Int64(quotient)
    }

    /// The code valid at `date`.
    public func code(at date: Date, digits: OTPDigits? = nil) -> String {
        code(forStep: Self.step(at: date), digits: digits ?? self.digits)
    }

    /// The code for an explicit step (negative steps are treated as step 0).
    public func code(forStep step: Int64, digits: OTPDigits? = nil) -> String {
        HOTP.code(secret: secret, counter: UInt64(max(step, 0)), digits: digits ?? self.digits)
    }

    /// Checks `code` against the current step and the previous one only.
    ///
    /// - Returns: the matched step, which the caller must persist and pass as
    ///   `lastUsedStep` next time; `nil` if the code is malformed (not exactly
    ///   `digits` ASCII digits), wrong, or belongs to a step `≤ lastUsedStep`.
    ///   Both candidate codes are always computed and compared in constant time.
    public func verify(code: String, at date: Date, lastUsedStep: Int64?) -> Int64? {
        let submitted = Array(code.utf8)
        guard submitted.count == digits.rawValue,
              submitted.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
        else { return nil }

        let current = Self.step(at: date)
        guard current > 0 else { return nil }
        let previous = current - 1
        let matchesCurrent = ConstantTime.equals(Array(self.code(forStep: current).utf8), submitted)
        let matchesPrevious = ConstantTime.equals(Array(self.code(forStep: previous).utf8), submitted)
        let floor = lastUsedStep ?? Int64.min

        if matchesCurrent && current > floor { return current }
        if matchesPrevious && previous > floor { return previous }
        return nil
    }
}
