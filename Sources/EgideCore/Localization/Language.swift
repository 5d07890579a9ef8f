/// A language the user interface speaks. Adding one means adding its catalogue file
/// (`Resources/Locales/<code>.json`) and a case here; tests then demand every key in it.
public enum Language: String, CaseIterable, Sendable, Codable, Equatable {
    case fr
    case en

    /// The language used when nothing the client sent matches a supported one.
    public static let fallback: Language = .en

    /// The language's own name, as shown in the language switch.
    public var endonym: String {
        switch self {
        case .fr: "Français"
        case .en: "English"
        }
    }

    /// Parses a stored preference (`fr`, `en`), ignoring case; `nil` for anything else.
    public init?(preference: String) {
        self.init(rawValue: preference.lowercased())
    }
}
