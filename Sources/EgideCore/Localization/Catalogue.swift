/// Every user-interface string, per language, keyed by a dotted identifier (`nav.home`).
///
/// Catalogues are loaded once at start from `Resources/Locales/<lang>.json`; a missing key in
/// one language is a defect that `missingKeys()` reports and a test turns into a failure.
/// At run time a missing key never shows a blank: it falls back to English, then to the key.
public struct Catalogue: Sendable {
    private let strings: [Language: [String: String]]

    /// A catalogue from already-decoded tables.
    public init(strings: [Language: [String: String]]) {
        self.strings = strings
    }

    /// The string for `key` in `language`, with `{0}`, `{1}`… replaced by `arguments`.
    public func text(_ key: String, in language: Language, _ arguments: [String] = []) -> String {
        let template = strings[language]?[key] ?? strings[.fallback]?[key] ?? key
        guard !arguments.isEmpty else { return template }
        return Self.substitute(template, language.isRightToLeft ? arguments.map(Self.isolated) : arguments)
    }

    /// An argument inside a right-to-left sentence keeps its own direction: a Latin name, a case
    /// code or a date ending in a digit is wrapped in FIRST STRONG ISOLATE … POP DIRECTIONAL
    /// ISOLATE (the text equivalent of `<bdi>`), so the sentence's punctuation never jumps across it.
    static func isolated(_ argument: String) -> String {
        argument.isEmpty ? argument : "\u{2068}" + argument + "\u{2069}"
    }

    /// Replaces `{n}` placeholders in one pass, so an argument containing `{1}` is never re-expanded.
    static func substitute(_ template: String, _ arguments: [String]) -> String {
        var result = ""
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{") {
            result += rest[..<open]
            let afterOpen = rest.index(after: open)
            if let close = rest[afterOpen...].firstIndex(of: "}"),
               let index = Int(rest[afterOpen..<close]), arguments.indices.contains(index) {
                result += arguments[index]
                rest = rest[rest.index(after: close)...]
            } else {
                result.append("{")
                rest = rest[afterOpen...]
            }
        }
        return result + rest
    }

    /// Whether `key` exists in every language.
    public func contains(_ key: String) -> Bool {
        Language.allCases.allSatisfy { strings[$0]?[key] != nil }
    }

    /// All keys known in any language.
    public var allKeys: Set<String> {
        Set(strings.values.flatMap(\.keys))
    }

    /// For each language, the keys that another language has and this one lacks.
    public func missingKeys() -> [Language: Set<String>] {
        let all = allKeys
        var result: [Language: Set<String>] = [:]
        for language in Language.allCases {
            let missing = all.subtracting(strings[language]?.keys.map { $0 } ?? [])
            if !missing.isEmpty { result[language] = missing }
        }
        return result
    }
}
