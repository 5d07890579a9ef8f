import Foundation

/// An exchange rate entered by finance: how many units of `paymentCurrency` one unit of the
/// fund's currency buys (1 EUR = 655.957 XAF), exact to nine decimals, as an integer of
/// billionths — never a floating-point number.
public struct ExchangeRate: Sendable, Hashable, Codable {
    public var fundCurrency: String
    public var paymentCurrency: String
    /// The rate × 10⁹.
    public var nanos: Int64

    public static let scale: Int64 = 1_000_000_000

    public init(fundCurrency: String, paymentCurrency: String, nanos: Int64) {
        self.fundCurrency = fundCurrency
        self.paymentCurrency = paymentCurrency
        self.nanos = nanos
    }

    public enum InputError: String, Error, Sendable {
        case empty, invalid, zero
        case tooPrecise = "too_precise"
        public var labelKey: String { "fund.rate.error.\(rawValue)" }
    }

    /// Reads a typed rate: digits with `.` or `,` as decimal separator, at most nine decimals,
    /// strictly positive, below 10⁹.
    public static func parseNanos(_ text: String) throws(InputError) -> Int64 {
        let body = text.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: ",", with: ".")
        guard !body.isEmpty else { throw .empty }
        let parts = body.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let integer = parts.first, !integer.isEmpty, integer.count <= 9,
              integer.allSatisfy({ $0.isASCII && $0.isNumber }) else { throw .invalid }
        let fraction = parts.count == 2 ? parts[1] : ""
        guard fraction.allSatisfy({ $0.isASCII && $0.isNumber }), !(parts.count == 2 && fraction.isEmpty) else { throw .invalid }
        guard fraction.count <= 9 else { throw .tooPrecise }
        let nanos = Int64(integer)! * scale + Int64(fraction + String(repeating: "0", count: 9 - fraction.count))!
        guard nanos > 0 else { throw .zero }
        return nanos
    }

    /// The rate as typed back, without trailing zeros (`655.957`).
    public var text: String {
        let integer = nanos / Self.scale, fraction = nanos % Self.scale
        guard fraction > 0 else { return String(integer) }
        var digits = String(fraction)
        digits = String(repeating: "0", count: 9 - digits.count) + digits
        while digits.hasSuffix("0") { digits.removeLast() }
        return "\(integer).\(digits)"
    }

    /// The value in the fund's currency of `paid` (in the payment currency).
    ///
    /// Rounding rule (docs/FUND.md): the exact quotient `paid ÷ rate`, in the fund currency's
    /// minor units, rounded half away from zero — the rule of the euro conversion regulations
    /// (EC 1103/97, art. 5). Computed in 128-bit integers, so no intermediate rounding and no
    /// overflow in the computation; `nil` when the value itself would not fit in 64 bits (an
    /// absurd rate, such as 10¹² francs at a billionth).
    public func toFundCurrency(_ paid: Money) -> Money? {
        let fundDigits = Currency(code: fundCurrency)?.minorDigits ?? 2
        let paidDigits = Currency(code: paid.currency)?.minorDigits ?? 2
        let numerator = Int128(paid.minorUnits) * Int128(Self.scale) * Self.power(fundDigits)
        let denominator = Int128(nanos) * Self.power(paidDigits)
        let (quotient, remainder) = numerator.quotientAndRemainder(dividingBy: denominator)
        let rounded = remainder.magnitude * 2 >= denominator.magnitude ? quotient + (numerator < 0 ? -1 : 1) : quotient
        guard let value = Int64(exactly: rounded) else { return nil }
        return Money(minorUnits: value, currency: fundCurrency)
    }

    static func power(_ digits: Int) -> Int128 {
        var value: Int128 = 1
        for _ in 0..<digits { value *= 10 }
        return value
    }
}
