/// Chooses the interface language for a request.
///
/// Order: an explicit, valid preference (the `egide-lang` cookie) wins; otherwise the
/// `Accept-Language` header is read by quality value (RFC 9110 §12.5.4) and the first range
/// whose primary subtag is a supported language is taken (`fr-CA` → French); otherwise English.
public enum LanguageNegotiation {
    /// The language to render for this preference and header.
    public static func choose(preference: String?, acceptLanguage: String?) -> Language {
        if let preference, let language = Language(preference: preference) {
            return language
        }
        guard let acceptLanguage else { return .fallback }
        for range in ranges(acceptLanguage) where range.quality > 0 {
            let primary = range.tag.split(separator: "-").first.map(String.init) ?? range.tag
            if let language = Language(rawValue: primary.lowercased()) {
                return language
            }
        }
        return .fallback
    }

    /// One `Accept-Language` entry.
    struct Range: Equatable {
        var tag: String
        var quality: Double
    }

    /// The header's ranges, highest quality first; ties keep the header's order.
    static func ranges(_ header: String) -> [Range] {
        let parsed = header.split(separator: ",").enumerated().compactMap { index, part -> (Int, Range)? in
            let pieces = part.split(separator: ";").map { $0.trimmingWhitespace() }
            guard let tag = pieces.first, !tag.isEmpty, tag.count <= 35 else { return nil }
            var quality = 1.0
            for parameter in pieces.dropFirst() {
                let kv = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingWhitespace() }
                if kv.count == 2, kv[0].lowercased() == "q" {
                    guard let q = Double(kv[1]), q >= 0, q <= 1 else { return nil }
                    quality = q
                }
            }
            return (index, Range(tag: tag, quality: quality))
        }
        return parsed
            .sorted { $0.1.quality != $1.1.quality ? $0.1.quality > $1.1.quality : $0.0 < $1.0 }
            .map(\.1)
    }
}

extension StringProtocol {
    /// The string without leading and trailing spaces and tabs.
    func trimmingWhitespace() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first == " " || first == "\t" { scalars = scalars.dropFirst() }
        while let last = scalars.last, last == " " || last == "\t" { scalars = scalars.dropLast() }
        return String(scalars)
    }
}
