import Foundation

/// A currency Egide offers, with its number of minor digits (ISO 4217: 2 for EUR, 0 for XAF, 3 for TND).
public struct Currency: Sendable, Hashable, Codable {
    /// ISO 4217 code, upper case.
    public let code: String
    /// Digits after the decimal separator.
    public let minorDigits: Int

    init(_ code: String, _ minorDigits: Int) {
        self.code = code
        self.minorDigits = minorDigits
    }

    /// The offered currency with this code (any case, spaces ignored); `nil` if not offered.
    public init?(code: String) {
        guard let found = Self.byCode[code.trimmingCharacters(in: .whitespaces).uppercased()] else { return nil }
        self = found
    }

    /// The currencies offered in forms, by code: those of the regions protection programmes work in
    /// (Central and West Africa, the Great Lakes, North Africa and the Middle East, the Caucasus and
    /// Eastern Europe, Asia, Latin America) and the donors' currencies. Minor digits from ISO 4217.
    public static let offered: [Currency] = [
        Currency("AFN", 2), Currency("AMD", 2), Currency("AOA", 2), Currency("ARS", 2), Currency("AZN", 2),
        Currency("BDT", 2), Currency("BHD", 3), Currency("BIF", 0), Currency("BOB", 2), Currency("BRL", 2),
        Currency("BYN", 2), Currency("CAD", 2), Currency("CDF", 2), Currency("CHF", 2), Currency("CLP", 0),
        Currency("CNY", 2), Currency("COP", 2), Currency("CVE", 2), Currency("DJF", 0), Currency("DKK", 2),
        Currency("DZD", 2), Currency("EGP", 2), Currency("ERN", 2), Currency("ETB", 2), Currency("EUR", 2),
        Currency("GBP", 2), Currency("GEL", 2), Currency("GHS", 2), Currency("GMD", 2), Currency("GNF", 0),
        Currency("GTQ", 2), Currency("HNL", 2), Currency("HTG", 2), Currency("IDR", 2), Currency("ILS", 2),
        Currency("INR", 2), Currency("IQD", 3), Currency("JOD", 3), Currency("JPY", 0), Currency("KES", 2),
        Currency("KGS", 2), Currency("KHR", 2), Currency("KMF", 0), Currency("KRW", 0), Currency("KWD", 3),
        Currency("KZT", 2), Currency("LBP", 2), Currency("LKR", 2), Currency("LRD", 2), Currency("LYD", 3),
        Currency("MAD", 2), Currency("MDL", 2), Currency("MGA", 2), Currency("MMK", 2), Currency("MRU", 2),
        Currency("MWK", 2), Currency("MXN", 2), Currency("MZN", 2), Currency("NGN", 2), Currency("NIO", 2),
        Currency("NOK", 2), Currency("NPR", 2), Currency("OMR", 3), Currency("PEN", 2), Currency("PHP", 2),
        Currency("PKR", 2), Currency("PYG", 0), Currency("RUB", 2), Currency("RWF", 0), Currency("SDG", 2),
        Currency("SEK", 2), Currency("SLE", 2), Currency("SOS", 2), Currency("SSP", 2), Currency("SYP", 2),
        Currency("THB", 2), Currency("TJS", 2), Currency("TND", 3), Currency("TRY", 2), Currency("TZS", 2),
        Currency("UAH", 2), Currency("UGX", 0), Currency("USD", 2), Currency("UZS", 2), Currency("VES", 2),
        Currency("VND", 0), Currency("XAF", 0), Currency("XOF", 0), Currency("YER", 2), Currency("ZAR", 2),
        Currency("ZMW", 2), Currency("ZWG", 2),
    ]

    private static let byCode: [String: Currency] = Dictionary(uniqueKeysWithValues: offered.map { ($0.code, $0) })
}

/// Why a typed amount was refused. The form shows the label and keeps what was typed.
public enum MoneyInputError: String, Error, CaseIterable, Sendable, Equatable {
    case empty
    /// The currency is not one of `Currency.offered`.
    case unknownCurrency = "unknown_currency"
    case negative
    /// Not an amount (letters, another currency's symbol, misplaced separators, bad grouping).
    case notANumber = "not_a_number"
    /// `1,250` or `1.250` for a currency with 2 decimals: a thousand or one and a quarter? Rather
    /// than guess a factor of a thousand on someone's money, the form asks for `1250` or `1,25`.
    case ambiguous
    /// More decimals than the currency has (`10,505` EUR, `25,50` XAF).
    case tooManyDecimals = "too_many_decimals"
    /// More than `Money.maximumMajorUnits`.
    case tooLarge = "too_large"

    /// Shared with the grants module, hence not under `case.`.
    public var labelKey: String { "money.error.\(rawValue)" }
}

/// An amount of money: an integer number of the currency's minor units (cents, millimes; francs
/// CFA have none), never a floating-point number, so sums and budgets always balance.
public struct Money: Sendable, Hashable, Codable {
    public var minorUnits: Int64
    /// ISO 4217 code, upper case (`EUR`).
    public var currency: String

    public init(minorUnits: Int64, currency: String) {
        self.minorUnits = minorUnits
        self.currency = currency
    }

    /// The largest amount accepted from a form, in major units (10¹²): well above any grant, and
    /// far from overflowing 64 bits whatever the currency's minor digits.
    public static let maximumMajorUnits: Int64 = 1_000_000_000_000

    /// The currency's minor digits (2 for a currency Egide does not offer, the ISO 4217 default).
    public var minorDigits: Int { Currency(code: currency)?.minorDigits ?? 2 }

    /// Reads an amount typed in a form, in French or English habits, for an offered `currency`.
    ///
    /// - Group separators: spaces (plain, no-break U+00A0, narrow no-break U+202F, thin U+2009),
    ///   apostrophes (Swiss `1'250.50`), or `.`/`,` when the other is the decimal separator; groups
    ///   after the first must have three digits.
    /// - Decimal separator: `.` or `,`. With both, the last one is the decimal separator
    ///   (`1,250.50`, `1.250,50`). With one of them used once and a group of exactly three digits
    ///   after it (`1,250`): for a currency without decimals it groups thousands (`25.000` XAF is
    ///   25 000), for a currency with three it is decimal (`1,250` TND), and for a currency with two
    ///   it is refused as `ambiguous`.
    /// - The currency's own code may be typed before or after the amount (`EUR 12`, `12 eur`), and
    ///   `€`, `$`, `£` for EUR, USD, GBP. Arabic-Indic digits are read as digits.
    /// - Refused: empty, negative, any other character, more decimals than the currency has, more
    ///   than `maximumMajorUnits`. Zero is accepted (in-house support may cost nothing).
    public static func parse(_ text: String, currency: String) throws(MoneyInputError) -> Money {
        guard let unit = Currency(code: currency) else { throw .unknownCurrency }
        var body = text.trimmedWhitespace
        guard !body.isEmpty else { throw .empty }
        let symbols: [String: [String]] = ["EUR": ["€"], "USD": ["US$", "$"], "GBP": ["£"]]
        for mark in [unit.code] + (symbols[unit.code] ?? []) {
            if body.prefix(mark.count).uppercased() == mark {
                body = String(body.dropFirst(mark.count))
            } else if body.suffix(mark.count).uppercased() == mark {
                body = String(body.dropLast(mark.count))
            }
        }
        body = body.trimmedWhitespace
        guard !body.isEmpty else { throw .empty }
        if body.first == "-" || body.first == "\u{2212}" { throw .negative }

        // Normalise to ASCII digits, "." "," and "_" (any space-like or apostrophe group separator).
        let spaceLike: Set<Character> = [" ", "\u{00A0}", "\u{202F}", "\u{2009}", "'", "\u{2019}"]
        var chars: [Character] = []
        for character in body {
            if character.isASCII, character.isNumber || character == "." || character == "," {
                chars.append(character)
            } else if spaceLike.contains(character) {
                chars.append("_")
            } else if character == "\u{066B}" || character == "\u{066C}" {
                chars.append(character == "\u{066B}" ? "." : ",")  // Arabic decimal and thousands marks
            } else if character.unicodeScalars.count == 1, let value = character.unicodeScalars.first?.value,
                      let zero = [0x0660, 0x06F0].first(where: { (UInt32($0)...UInt32($0) + 9).contains(value) }) {
                chars.append(Character(String(value - UInt32(zero))))  // Arabic-Indic, Eastern Arabic-Indic
            } else {
                throw .notANumber
            }
        }
        let separators: Set<Character> = [".", ",", "_"]
        guard let first = chars.first, let last = chars.last, !separators.contains(first), !separators.contains(last)
        else { throw .notANumber }
        for (a, b) in zip(chars, chars.dropFirst()) where separators.contains(a) && separators.contains(b) {
            throw .notANumber
        }

        // Decide which mark, if any, is the decimal separator.
        let dots = chars.filter { $0 == "." }.count, commas = chars.filter { $0 == "," }.count
        let spaced = chars.contains("_")
        var decimal: Character?
        var group: Character?
        if dots > 0 && commas > 0 {
            guard !spaced else { throw .notANumber }
            decimal = chars.lastIndex(of: ".")! > chars.lastIndex(of: ",")! ? "." : ","
            group = decimal == "." ? "," : "."
            guard chars.filter({ $0 == decimal }).count == 1 else { throw .notANumber }
        } else if dots + commas > 1 {
            guard !spaced else { throw .notANumber }
            group = dots > 0 ? "." : ","
        } else if dots + commas == 1 {
            let mark: Character = dots == 1 ? "." : ","
            let index = chars.firstIndex(of: mark)!
            let before = chars[..<index], after = chars[chars.index(after: index)...]
            if !spaced, after.count == 3, (1...3).contains(before.count), before.first != "0" {
                switch unit.minorDigits {
                case 0: group = mark
                case 3: decimal = mark
                default: throw .ambiguous
                }
            } else {
                decimal = mark
            }
            if spaced { group = "_" }
        } else if spaced {
            group = "_"
        }

        // Split integer and fraction; check the grouping.
        var integerChars = chars[...], fractionChars: ArraySlice<Character> = []
        if let decimal, let index = chars.firstIndex(of: decimal) {
            integerChars = chars[..<index]
            fractionChars = chars[chars.index(after: index)...]
        }
        guard fractionChars.allSatisfy(\.isNumber) else { throw .notANumber }
        let groups = integerChars.split(separator: group ?? "_", omittingEmptySubsequences: false)
        guard groups.allSatisfy({ $0.allSatisfy(\.isNumber) }) else { throw .notANumber }
        if groups.count > 1 {
            guard (1...3).contains(groups[0].count), groups.dropFirst().allSatisfy({ $0.count == 3 }) else { throw .notANumber }
        }
        guard fractionChars.count <= unit.minorDigits else { throw .tooManyDecimals }

        let integerDigits = String(groups.joined()).drop { $0 == "0" }
        guard integerDigits.count <= 13, let major = integerDigits.isEmpty ? 0 : Int64(integerDigits) else { throw .tooLarge }
        let paddedFraction = String(fractionChars) + String(repeating: "0", count: unit.minorDigits - fractionChars.count)
        let fraction = paddedFraction.isEmpty ? 0 : Int64(paddedFraction)!
        guard major < maximumMajorUnits || (major == maximumMajorUnits && fraction == 0) else { throw .tooLarge }
        var scale: Int64 = 1
        for _ in 0..<unit.minorDigits { scale *= 10 }
        return Money(minorUnits: major * scale + fraction, currency: unit.code)
    }

    /// `parse` without the reason: `nil` when the amount is refused.
    public init?(parsing text: String, currency: String) {
        guard let money = try? Self.parse(text, currency: currency) else { return nil }
        self = money
    }

    /// The amount as a plain decimal with a point and the currency's minor digits, no grouping and
    /// no currency (`2500.00`, `25000` XAF, `3.350` TND): what a CSV cell holds and what a form
    /// field is refilled with (`parse` reads it back to the same amount).
    public var plainDecimal: String {
        let digits = minorDigits
        var scale: UInt64 = 1
        for _ in 0..<digits { scale *= 10 }
        let magnitude = minorUnits.magnitude, sign = minorUnits < 0 ? "-" : ""
        guard digits > 0 else { return sign + String(magnitude) }
        let fraction = String(magnitude % scale)
        return sign + String(magnitude / scale) + "." + String(repeating: "0", count: digits - fraction.count) + fraction
    }

    /// The amount for people to read, with the currency's minor digits.
    ///
    /// - French: `1 250,50 €` — digits grouped by a **narrow no-break space** (U+202F, as CLDR's
    ///   French data does), a decimal comma, then a **no-break space** (U+00A0) and
    ///   the symbol `€` for euros, the ISO code for every other currency (`25 000 XAF`): the code is
    ///   unambiguous where `$` or `FCFA` are not.
    /// - English: `EUR 1,250.50` — the ISO code, a **no-break space** (U+00A0), digits grouped by
    ///   commas, a decimal point.
    /// - Arabic: `1,250.50 EUR` — Western digits grouped by commas, a decimal point, then the ISO
    ///   code, so that in a right-to-left line the code reads first, as `EUR` does in English.
    ///
    /// No-break spaces keep an amount on one line in tables and print. A negative amount (a
    /// correction) starts with `-`.
    public func formatted(language: Language) -> String {
        let digits = minorDigits
        var scale: UInt64 = 1
        for _ in 0..<digits { scale *= 10 }
        let magnitude = minorUnits.magnitude
        let major = String(magnitude / scale), fraction = String(magnitude % scale)
        let groupSeparator = language == .fr ? "\u{202F}" : ","
        var grouped = ""
        for (offset, character) in major.enumerated() {
            if offset > 0, (major.count - offset) % 3 == 0 { grouped += groupSeparator }
            grouped.append(character)
        }
        let number = digits == 0
            ? grouped
            : grouped + language.decimalSeparator + String(repeating: "0", count: digits - fraction.count) + fraction
        let sign = minorUnits < 0 ? "-" : ""
        switch language {
        case .fr: return sign + number + "\u{00A0}" + (currency == "EUR" ? "€" : currency)
        case .en: return sign + currency + "\u{00A0}" + number
        case .ar: return sign + number + "\u{00A0}" + currency
        }
    }
}
