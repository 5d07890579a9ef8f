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

    /// Items listed in a sentence, with this language's separator (see `Language.listSeparator`).
    func list(_ items: some Sequence<String>) -> String { items.joined(separator: language.listSeparator) }

    /// A date as the user reads it, day precision (see `Language.day`).
    func day(_ date: Date) -> String { language.day(date) }

    /// A date and time (UTC) as the user reads it (see `Language.moment`).
    func moment(_ date: Date) -> String { language.moment(date) }
}
