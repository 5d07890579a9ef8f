/// Text as it arrives from a form or a JSON body, made fit to store and show: trimmed, line ends
/// made `\n`, and refused when it carries what no person types into a field on purpose but can
/// hide or disguise what an officer reads — control characters (a null byte, an escape), and in
/// names the bidirectional override and isolate characters that make "‮txet" display backwards
/// (U+202A–U+202E, U+2066–U+2069). Every form checker and the API's checks read text through here.
public enum TextInput {
    /// What a field holds, which decides what is refused in it.
    public enum Kind: Sendable {
        /// A name (of a person, an organisation, an account): one line, no direction overrides.
        case name
        /// One line of text (a code, a place, a subject).
        case line
        /// Free text over several lines (a narrative, notes): newlines and tabs allowed.
        case text
    }

    public enum Problem: Error, Equatable, Sendable {
        case tooLong
        /// A control character (other than a newline or a tab in free text).
        case control
        /// A character that overrides or isolates the direction of the text, in a name.
        case bidi
    }

    /// `raw` cleaned, `nil` when absent or blank; refuses text over `max` characters and the
    /// characters its `kind` does not allow.
    public static func clean(_ raw: String?, _ kind: Kind, max: Int) -> Result<String?, Problem> {
        guard let raw else { return .success(nil) }
        // Counting characters walks the whole text: a text no more bytes long than the limit fits.
        let trimmed = raw.trimmedWhitespace
        if trimmed.isEmpty { return .success(nil) }
        if trimmed.utf8.count > max && trimmed.count > max { return .failure(.tooLong) }
        var needsLineEnds = false
        for scalar in trimmed.unicodeScalars {
            switch scalar.value {
            case 0x0D: needsLineEnds = true
            case 0x0A, 0x09: if kind != .text { return .failure(.control) }
            case 0x00...0x1F, 0x7F...0x9F: return .failure(.control)
            case 0x202A...0x202E, 0x2066...0x2069: if kind == .name { return .failure(.bidi) }
            default: break
            }
        }
        guard needsLineEnds else { return .success(trimmed) }
        if kind != .text { return .failure(.control) }
        return .success(trimmed.replacingLineEnds())
    }

    /// The catalogue key of a problem's message on a form.
    public static func messageKey(_ problem: Problem) -> String {
        switch problem {
        case .tooLong: "form.tooLong"
        case .control: "form.control"
        case .bidi: "form.bidi"
        }
    }

    /// The English detail of a problem, for API problem documents.
    public static func detail(_ problem: Problem, max: Int) -> String {
        switch problem {
        case .tooLong: "must be at most \(max) characters."
        case .control: "must not contain control characters (only newlines and tabs, in multi-line text)."
        case .bidi: "must not contain characters that override the direction of the text (U+202A–U+202E, U+2066–U+2069)."
        }
    }

    /// A list of choices as sent (checkboxes, a JSON array): trimmed, blanks dropped, each value
    /// once, in the order first sent; `nil` when more distinct values came than `max`.
    public static func choices(_ values: [String]?, max: Int) -> [String]? {
        var seen = Set<String>(), kept: [String] = []
        for value in values ?? [] {
            let trimmed = value.trimmedWhitespace
            guard !trimmed.isEmpty, seen.insert(trimmed).inserted else { continue }
            kept.append(trimmed)
            if kept.count > max { return nil }
        }
        return kept
    }

    /// What a refused form shows again of a field: at most `max` characters, so a page never
    /// echoes more than the field accepts (a 3 MB narrative comes back as the first 20,000).
    public static func echo(_ raw: String?, max: Int) -> String? {
        guard let raw else { return nil }
        return raw.utf8.count <= max ? raw : String(raw.prefix(max))
    }
}

extension String {
    /// `\r\n` and lone `\r` as `\n`.
    func replacingLineEnds() -> String {
        var out = String.UnicodeScalarView()
        var previousCR = false
        for scalar in unicodeScalars {
            if scalar == "\r" { out.append("\n"); previousCR = true; continue }
            if scalar == "\n" && previousCR { previousCR = false; continue }
            previousCR = false
            out.append(scalar)
        }
        return String(out)
    }
}
