import Foundation

/// How an organisation numbers its documents, in the Observatory's style by default:
/// `{ISO3} {seq:03} / {MMYY} / OBS {yearly:03}` gives `TUN 003 / 0725 / OBS 045` — the third
/// document about Tunisia this year, issued in July 2025, the 45th of the year.
///
/// Tokens: `{ISO3}` (the country, ISO 3166-1 alpha-3), `{seq}` (the country's yearly sequence),
/// `{yearly}` (the organisation's yearly sequence), `{MMYY}`, `{YYYY}`, `{YY}`; a sequence token may
/// take a width (`{seq:03}`, zero-padded). A pattern must hold `{yearly}` and a year (`{YYYY}`,
/// `{YY}` or `{MMYY}`), so two documents can never be given the same reference.
/// A follow-up takes its original's reference and a suffix: `TUN 003 / 0725 / OBS 045.1`.
public struct ReferencePattern: Sendable, Equatable {
    public static let observatory = ReferencePattern(validated: "{ISO3} {seq:03} / {MMYY} / OBS {yearly:03}")

    public let text: String

    public enum Problem: Error, Equatable {
        case empty, tooLong, unknownToken(String), missingYearly, missingYear, unclosedBrace
        public var labelKey: String {
            switch self {
            case .empty: "appeal.pattern.empty"
            case .tooLong: "appeal.pattern.tooLong"
            case .unknownToken: "appeal.pattern.unknownToken"
            case .missingYearly: "appeal.pattern.missingYearly"
            case .missingYear: "appeal.pattern.missingYear"
            case .unclosedBrace: "appeal.pattern.unclosedBrace"
            }
        }
    }

    private init(validated: String) { text = validated }

    /// A pattern typed by a coordinator, or why it cannot number documents.
    public init(_ text: String) throws(Problem) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { throw .empty }
        guard trimmed.count <= 80 else { throw .tooLong }
        let pieces = try Self.pieces(trimmed)
        let tokens = pieces.compactMap { if case .token(let name, _) = $0 { name } else { nil } }
        guard tokens.contains("yearly") else { throw .missingYearly }
        guard tokens.contains(where: { ["YYYY", "YY", "MMYY"].contains($0) }) else { throw .missingYear }
        self.text = trimmed
    }

    /// What a document's reference is made of.
    public struct Parts: Sendable, Equatable {
        public var countryAlpha3: String
        public var countrySequence: Int
        public var yearlySequence: Int
        public var year: Int
        public var month: Int
        public init(countryAlpha3: String, countrySequence: Int, yearlySequence: Int, year: Int, month: Int) {
            self.countryAlpha3 = countryAlpha3
            self.countrySequence = countrySequence
            self.yearlySequence = yearlySequence
            self.year = year
            self.month = month
        }
    }

    public func format(_ parts: Parts) -> String {
        // The pattern was validated when made.
        let pieces = (try? Self.pieces(text)) ?? []
        return pieces.map { piece in
            switch piece {
            case .literal(let text): return text
            case .token(let name, let width):
                switch name {
                case "ISO3": return parts.countryAlpha3.uppercased()
                case "seq": return Self.padded(parts.countrySequence, width)
                case "yearly": return Self.padded(parts.yearlySequence, width)
                case "MMYY": return Self.padded(parts.month, 2) + Self.padded(parts.year % 100, 2)
                case "YYYY": return Self.padded(parts.year, 4)
                default: return Self.padded(parts.year % 100, 2)
                }
            }
        }.joined()
    }

    /// A follow-up's reference: its original's and `.n`, `n` counting the original's follow-ups.
    public static func followUp(of original: String, number: Int) -> String { "\(original).\(number)" }

    /// The stable public address of a reference: lower-case letters and digits joined by hyphens
    /// (`TUN 003 / 0725 / OBS 045.1` → `tun-003-0725-obs-045-1`).
    public static func slug(_ reference: String) -> String {
        var slug = ""
        var pendingHyphen = false
        for scalar in reference.lowercased().unicodeScalars {
            if ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) {
                if pendingHyphen, !slug.isEmpty { slug.append("-") }
                pendingHyphen = false
                slug.unicodeScalars.append(scalar)
            } else {
                pendingHyphen = true
            }
        }
        return String(slug.prefix(80))
    }

    private enum Piece { case literal(String), token(String, Int) }
    private static let names: Set<String> = ["ISO3", "seq", "yearly", "MMYY", "YYYY", "YY"]

    private static func pieces(_ text: String) throws(Problem) -> [Piece] {
        var pieces: [Piece] = []
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{") {
            if open > rest.startIndex { pieces.append(.literal(String(rest[..<open]))) }
            guard let close = rest[open...].firstIndex(of: "}") else { throw .unclosedBrace }
            let inside = rest[rest.index(after: open)..<close]
            if inside.contains("{") { throw .unclosedBrace }
            let parts = inside.split(separator: ":", maxSplits: 1).map(String.init)
            guard let name = parts.first, names.contains(name) else { throw .unknownToken(String(inside)) }
            var width = 0
            if parts.count == 2 {
                guard ["seq", "yearly"].contains(name), let value = Int(parts[1]), (1...6).contains(value) else { throw .unknownToken(String(inside)) }
                width = value
            }
            pieces.append(.token(name, width))
            rest = rest[rest.index(after: close)...]
        }
        if rest.contains("}") { throw .unknownToken("}") }
        if !rest.isEmpty { pieces.append(.literal(String(rest))) }
        return pieces
    }

    private static func padded(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
