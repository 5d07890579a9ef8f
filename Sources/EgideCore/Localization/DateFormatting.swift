import Foundation

extension Language {
    /// A date as a reader of this language reads it, day precision (`21 Nov 2026`, `21 nov. 2026`,
    /// `21 نوفمبر 2026`), in UTC.
    public func day(_ date: Date) -> String { formatted(date, time: false) }

    /// A date and time (UTC) as a reader of this language reads it.
    public func moment(_ date: Date) -> String { formatted(date, time: true) + " UTC" }

    /// French and English use their medium date style. Arabic's medium style is numeric
    /// (`21‏/11‏/2026`), which reads ambiguously beside French pages, so it spells the month from a
    /// template; its digits stay Western (see `formattingLocale`).
    private func formatted(_ date: Date, time: Bool) -> String {
        DateFormatters.shared.string(date, in: self, time: time)
    }

    /// A new formatter for this language (what `DateFormatters` keeps).
    fileprivate func makeFormatter(time: Bool) -> DateFormatter {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: formattingLocale)
        formatter.timeZone = TimeZone(identifier: "UTC")
        if isRightToLeft {
            formatter.setLocalizedDateFormatFromTemplate(time ? "d MMMM y HH:mm" : "d MMMM y")
        } else {
            formatter.dateStyle = .medium
            formatter.timeStyle = time ? .short : .none
        }
        return formatter
    }
}

/// One formatter per language and precision, made once: making a `DateFormatter` (ICU) took longer
/// than a row of a case list, and lists show two dates a row. Formatting is done under a lock, as
/// swift-corelibs-foundation does not promise that one formatter may be used from two threads.
private final class DateFormatters: @unchecked Sendable {
    static let shared = DateFormatters()
    private let lock = NSLock()
    private var formatters: [Language: (day: DateFormatter, moment: DateFormatter)] = [:]

    /// Dates already written, per language, precision and UTC day or minute: a list page writes a
    /// hundred dates, most of them on a few days, and ICU took 4 % of the case list's (and, for the
    /// alert queue's deadlines to the minute, 2 % of its) processor time writing them. Both forms
    /// show nothing finer than their unit (the time style is hours and minutes), so the text of a
    /// unit is the text of every date in it.
    private var written: [Key: String] = [:]
    /// More distinct dates than this (a long history) starts the remembered ones afresh.
    private static let cap = 8_192

    private struct Key: Hashable {
        var language: Language
        var time: Bool
        /// Whole days (or minutes, with `time`) since 1970, UTC.
        var unit: Int
    }

    func string(_ date: Date, in language: Language, time: Bool) -> String {
        let key = Key(language: language, time: time, unit: Int((date.timeIntervalSince1970 / (time ? 60 : 86_400)).rounded(.down)))
        lock.lock()
        defer { lock.unlock() }
        if let known = written[key] { return known }
        let pair = formatters[language] ?? (language.makeFormatter(time: false), language.makeFormatter(time: true))
        formatters[language] = pair
        let text = (time ? pair.moment : pair.day).string(from: date)
        if written.count >= Self.cap { written = [:] }
        written[key] = text
        return text
    }
}
