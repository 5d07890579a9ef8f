import EgideCore
import LeafKit
import Vapor

/// Helpers shared by the identity forms: reading trimmed fields and collecting problems.
struct FormChecker {
    var problems: [FieldProblem] = []
    let request: Request

    init(_ request: Request) { self.request = request }

    /// A text field cleaned by `TextInput` (trimmed; control characters, and direction overrides
    /// in a `.name`, refused), `nil` when absent or blank; adds a "required" problem if `required`.
    mutating func text(_ field: String, required: Bool = true, max: Int = 200, kind: TextInput.Kind = .text) -> String? {
        switch TextInput.clean(try? request.content.get(String.self, at: field), kind, max: max) {
        case .success(let value?):
            return value
        case .success(nil):
            if required { fail(field, "form.required") }
            return nil
        case .failure(.tooLong):
            problems.append(FieldProblem(field: field, message: request.t("form.tooLong.max", String(max))))
            return nil
        case .failure(let problem):
            fail(field, TextInput.messageKey(problem))
            return nil
        }
    }

    /// A raw (untrimmed) secret field such as a password.
    func secret(_ field: String) -> String {
        (try? request.content.get(String.self, at: field)) ?? ""
    }

    mutating func fail(_ field: String, _ messageKey: String) {
        problems.append(FieldProblem(field: field, message: request.t(messageKey)))
    }

    /// Checks a new password and its confirmation.
    mutating func newPassword(_ field: String = "password", confirmation: String = "passwordConfirmation") -> String? {
        let password = secret(field)
        if let problem = request.application.passwordService.problem(with: password) {
            fail(field, problem)
            return nil
        }
        if password != secret(confirmation) {
            fail(confirmation, "password.mismatch")
            return nil
        }
        return password
    }

    var isValid: Bool { problems.isEmpty }

    /// A day typed as `YYYY-MM-DD` (the browser's date field), as midnight UTC like the API's.
    mutating func day(_ field: String, required: Bool) -> Date? {
        guard let text = text(field, required: required, max: 10) else { return nil }
        guard let date = Day.parse(text) else { fail(field, "case.form.date"); return nil }
        return date
    }

    /// One of an enumeration's raw values (a `<select>` or radio buttons).
    mutating func choice<T: RawRepresentable>(_ field: String, _ type: T.Type, required: Bool = true) -> T? where T.RawValue == String {
        guard let text = text(field, required: required, max: 60) else { return nil }
        guard let value = T(rawValue: text) else { fail(field, "form.choice.invalid"); return nil }
        return value
    }

    /// An exchange rate typed as a decimal (`ExchangeRate.parseNanos`), in billionths.
    mutating func rate(_ field: String, required: Bool = true) -> Int64? {
        guard let typed = text(field, required: required, max: 30) else { return nil }
        do { return try ExchangeRate.parseNanos(typed) } catch { fail(field, error.labelKey); return nil }
    }

    /// An amount typed in `currency` (`Money.parse`: French and English habits, never a float).
    mutating func money(_ field: String, currency: String, required: Bool = true) -> Money? {
        guard let typed = text(field, required: required, max: 40) else { return nil }
        do { return try Money.parse(typed, currency: currency) } catch { fail(field, error.labelKey); return nil }
    }
}

/// A labelled value on a page (the facts at the top of an alert or a case).
struct Fact: Encodable {
    var label: String
    var value: String
    /// The value's direction: `auto` (its first letter's script decides) or, for a value with no
    /// letter to decide by — a phone number, a date in figures — `ltr`, which would otherwise take
    /// the page's direction and read backwards on an Arabic page (`456 123 20 216+`).
    var dir: String

    init(label: String, value: String, dir: String? = nil) {
        self.label = label
        self.value = value
        self.dir = dir ?? (value.unicodeScalars.contains { $0.properties.isAlphabetic } ? "auto" : "ltr")
    }
}

/// A form step's problems, thrown from inside a workflow call so the page re-renders with them (422).
struct FormProblems: Error { var problems: [FieldProblem] }

/// One option of a `<select>`.
struct SelectOption: Encodable {
    var value: String
    var label: String
    var selected: Bool
}

/// The `<option>`s of a `<select>`, written (escaped) in Swift and put in the template with
/// `#unsafeHTML(page.states)`: a list page's filters looped in Leaf, an `#if` an option, cost more
/// than their rows. It encodes as that markup, a string.
struct SelectOptions: Encodable {
    let html: String

    init(_ options: [SelectOption]) {
        var html = ""
        html.reserveCapacity(options.count * 48)
        for option in options {
            html += #"<option value=""# + SharedPages.escaped(option.value) + (option.selected ? #"" selected>"# : #"">"#)
                + SharedPages.escaped(option.label) + "</option>"
        }
        self.html = html
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(html)
    }
}

extension Request {
    /// The countries as the `<option>`s of a `<select>` in this request's language, inserted with
    /// `#unsafeHTML(page.countries)` (see `CountryOptions`).
    func countryOptions(selected: String?) -> String { CountryOptions.html(in: language, selected: selected) }
}

/// The ~250 country `<option>`s, rendered once per language: Leaf walking them in a `#for` loop
/// was most of the cost of every form and list with a country (the public alert form re-shown
/// with its problems above all, which anyone can ask for as often as they like). Names are
/// HTML-escaped here as `#( )` would escape them; the chosen country is marked `selected`.
enum CountryOptions {
    private static let byLanguage: [Language: String] = Dictionary(uniqueKeysWithValues: Language.allCases.map { language in
        (language, Countries.all(in: language).map { #"<option value="\#($0.code)">\#($0.name.htmlEscaped())</option>"# }.joined())
    })

    static func html(in language: Language, selected: String?) -> String {
        let options = byLanguage[language] ?? ""
        guard let code = selected?.uppercased(), Countries.isValid(code) else { return options }
        return options.replacingOccurrences(of: #"<option value="\#(code)">"#, with: #"<option value="\#(code)" selected>"#)
    }
}
