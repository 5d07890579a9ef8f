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

    /// A date as the user reads it, day precision (`21 Nov 2026`, `21 nov. 2026`).
    func day(_ date: Date) -> String { formatted(date, time: .none) }

    /// A date and time (UTC) as the user reads it.
    func moment(_ date: Date) -> String { formatted(date, time: .short) + " UTC" }

    private func formatted(_ date: Date, time: DateFormatter.Style) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: language == .fr ? "fr_FR" : "en_GB")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateStyle = .medium
        formatter.timeStyle = time
        return formatter.string(from: date)
    }
}
