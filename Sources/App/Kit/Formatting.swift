import EgideCore
import Foundation
import Vapor

/// Dates as the reader reads them, in the request's language, and the page's addresses in each
/// language: the formatting every module's pages share.
extension Request {
    private struct AlternatesKey: StorageKey { typealias Value = [Language: String] }

    /// The same page in each language, when its address carries the language (`/alerte`, `/alert`):
    /// the language switch links there instead of setting a preference cookie.
    var languageAlternates: [Language: String]? {
        get { storage[AlternatesKey.self] }
        set { storage[AlternatesKey.self] = newValue }
    }

    /// For a page whose address carries its language (`/ar/alert`, `/fr`): the page is in that
    /// language (as `LanguageMiddleware` already read it from the address), and the language switch
    /// points at the same page's address in each language instead of setting a cookie.
    func pin(_ language: Language, to page: (Language) -> SiteURL) {
        self.language = language
        languageAlternates = Dictionary(uniqueKeysWithValues: Language.allCases.map { ($0, page($0).href) })
    }

    /// Items listed in a sentence, with this language's separator (see `Language.listSeparator`).
    func list(_ items: some Sequence<String>) -> String { items.joined(separator: language.listSeparator) }

    /// A figure with `digits` decimals and this language's decimal separator (`12,8` in French).
    func decimal(_ value: Double, digits: Int) -> String { decimal(String(format: "%.\(digits)f", value)) }

    /// A figure written with a point (`655.957`, an exchange rate's text) in this language's decimals.
    func decimal(_ text: String) -> String { text.replacingOccurrences(of: ".", with: language.decimalSeparator) }

    /// A file size in this language (`1.2 MB`, `1,2 Mo`).
    func fileSize(_ bytes: Int) -> String {
        let formatter = ByteCountFormatter()
        formatter.countStyle = .file
        formatter.formattingContext = .standalone
        return decimal(formatter.string(fromByteCount: Int64(bytes)))
    }

    /// A day stored as `YYYY-MM-DD`, as the user reads it (the text itself if it is not one).
    func day(iso: String) -> String { Day.parse(iso).map(day) ?? iso }

    /// From one stored day to another (`1 Jan 2026 → 31 Dec 2026`, `من 1 يناير 2026 إلى …`).
    func period(_ from: String, _ to: String) -> String { t("period.span", day(iso: from), day(iso: to)) }

    /// A date as the user reads it, day precision (see `Language.day`).
    func day(_ date: Date) -> String { language.day(date) }

    /// A date and time (UTC) as the user reads it (see `Language.moment`).
    func moment(_ date: Date) -> String { language.moment(date) }
}

/// The request's language and catalogue, read once for a page that translates and formats row
/// after row (`request.words`). `request.t` finds both in the request's and the application's
/// storage on every call — a dictionary lookup and a dynamic cast each — which for a list of fifty
/// rows was 3 % of the page's processor time.
struct Words {
    let language: Language
    private let catalogue: Catalogue

    init(language: Language, catalogue: Catalogue) {
        self.language = language
        self.catalogue = catalogue
    }

    /// The catalogue string for `key` (`request.t`).
    func callAsFunction(_ key: String, _ arguments: String...) -> String { catalogue.text(key, in: language, arguments) }

    /// A date as the user reads it, day precision (`request.day`).
    func day(_ date: Date) -> String { language.day(date) }

    /// A date and time (UTC) as the user reads it (`request.moment`).
    func moment(_ date: Date) -> String { language.moment(date) }

    /// A country's name (`Countries.name`).
    func country(_ code: String) -> String { Countries.name(code, in: language) }
}

extension Request {
    /// This request's `Words`.
    var words: Words { Words(language: language, catalogue: application.catalogue) }
}
