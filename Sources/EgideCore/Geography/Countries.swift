import Foundation

/// ISO 3166-1 alpha-2 countries with their names in each interface language (from the Unicode
/// CLDR data Foundation carries, so no list is maintained by hand).
public enum Countries {
    /// Region codes Foundation knows that are not countries (continents, unions, reserved codes).
    static let excluded: Set<String> = ["QO", "EU", "EZ", "UN", "ZZ", "XA", "XB", "AC", "CP", "CQ", "DG", "EA", "IC", "TA"]

    /// Every country code, upper case.
    public static let codes: [String] = Locale.Region.isoRegions.map(\.identifier)
        .filter { $0.count == 2 && $0.allSatisfy { $0.isASCII && $0.isUppercase } && !excluded.contains($0) }
        .sorted()

    private static let codeSet = Set(codes)

    /// Whether `code` (any case) is a country code.
    public static func isValid(_ code: String) -> Bool { codeSet.contains(code.uppercased()) }

    /// The country's name in `language`, or the code itself if unknown.
    public static func name(_ code: String, in language: Language) -> String {
        let upper = code.uppercased()
        return names[language]?[upper] ?? Locale(identifier: language.rawValue).localizedString(forRegionCode: upper) ?? upper
    }

    /// All countries as (code, name), sorted by name in `language`.
    public static func all(in language: Language) -> [(code: String, name: String)] { sorted[language] ?? [] }

    /// The names and the sorted list per language, worked out once: asking ICU for 250 names and
    /// sorting them with a collator took milliseconds, on every page with a country list or name.
    private static let names: [Language: [String: String]] = Dictionary(uniqueKeysWithValues: Language.allCases.map { language in
        let locale = Locale(identifier: language.rawValue)
        return (language, Dictionary(uniqueKeysWithValues: codes.map { ($0, locale.localizedString(forRegionCode: $0) ?? $0) }))
    })

    private static let sorted: [Language: [(code: String, name: String)]] = Dictionary(uniqueKeysWithValues: Language.allCases.map { language in
        let locale = Locale(identifier: language.rawValue)
        let list = codes.map { ($0, names[language]?[$0] ?? $0) }
            .sorted { $0.1.compare($1.1, options: [.caseInsensitive, .diacriticInsensitive], locale: locale) == .orderedAscending }
        return (language, list.map { (code: $0.0, name: $0.1) })
    })
}
