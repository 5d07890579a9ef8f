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
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: formattingLocale)
        formatter.timeZone = TimeZone(identifier: "UTC")
        if isRightToLeft {
            formatter.setLocalizedDateFormatFromTemplate(time ? "d MMMM y HH:mm" : "d MMMM y")
        } else {
            formatter.dateStyle = .medium
            formatter.timeStyle = time ? .short : .none
        }
        return formatter.string(from: date)
    }
}
