/// A language the user interface speaks. Adding one means adding its catalogue files
/// (`Resources/Locales/<code>.json` and `Resources/Locales/<code>/*.json`) and a case here, with its
/// endonym, direction and formatting locale; tests then demand every key in every catalogue.
public enum Language: String, CaseIterable, Sendable, Codable, Equatable {
    case fr
    case en
    case ar

    /// The language used when nothing the client sent matches a supported one.
    public static let fallback: Language = .en

    /// The language's own name, as shown in the language switch.
    public var endonym: String {
        switch self {
        case .fr: "Français"
        case .en: "English"
        case .ar: "العربية"
        }
    }

    /// Whether the language is written right to left (pages in it carry `dir="rtl"`).
    public var isRightToLeft: Bool { self == .ar }

    /// The value of the `dir` attribute of a page in this language.
    public var direction: String { isRightToLeft ? "rtl" : "ltr" }

    /// The locale dates and numbers are formatted with. Arabic uses Western digits (0–9), as the
    /// Maghreb does and as codes, phone numbers and receipts are written: one set of digits on every
    /// page, so an officer never compares `٢٠٢٦` with `2026`.
    public var formattingLocale: String {
        switch self {
        case .fr: "fr_FR"
        case .en: "en_GB"
        case .ar: "ar-u-nu-latn"
        }
    }

    /// What separates the items of a list in a sentence (`threats, surveillance`; Arabic `تهديدات، مراقبة`).
    public var listSeparator: String { self == .ar ? "\u{060C} " : ", " }

    /// A whole percentage as this language writes it: `90 %` (French, narrow no-break space),
    /// `90%` (English), `90٪` (Arabic, its own percent sign after Western digits).
    public func percent(_ value: Int) -> String {
        switch self {
        case .fr: "\(value)\u{202F}%"
        case .en: "\(value)%"
        case .ar: "\(value)\u{066A}"
        }
    }

    /// The decimal separator of amounts and rates typed or shown in this language.
    public var decimalSeparator: String { self == .fr ? "," : "." }

    /// Parses a stored preference (`fr`, `en`, `ar`), ignoring case; `nil` for anything else.
    public init?(preference: String) {
        self.init(rawValue: preference.lowercased())
    }
}
