import Foundation

/// Normalisation applied before blind indexing, so that spellings a person
/// would consider "the same name" or "the same number" index identically.
/// The output is what gets HMAC'd; changing any rule below changes every
/// index value and requires re-indexing.
///
/// `name(_:)`, in order:
/// 1. NFKC (compatibility forms: full-width Latin, ligatures such as "ﬁ",
///    Arabic presentation forms become ordinary letters).
/// 2. Full case folding via Foundation (`"Straße"` → `"strasse"`, `"Ё"` → `"ё"`).
/// 3. Canonical decomposition and removal of every non-spacing mark
///    (General Category Mn): Latin accents (é → e), Cyrillic breve and
///    diaeresis (й → и, ё → е: "Ёлкин" ≡ "Елкин"), all Arabic harakat
///    (fatha, kasra, damma, tanwin, shadda, sukun, superscript alef) and the
///    hamza carried on alef/waw/yeh (أ إ آ → ا, ؤ → و, ئ → ي). This applies to
///    every script (Hebrew niqqud, Indic signs of category Mn too): the index
///    favours recall, and false positives are filtered after decryption.
///    Foundation's `.diacriticInsensitive` folding does not remove Arabic
///    marks on Linux, hence this explicit step.
/// 4. Letters with strokes that do not decompose: ø→o, ł→l, đ→d, ð→d, ħ→h,
///    ı→i, æ→ae, œ→oe, þ→th; Arabic: tatweel (ـ) removed, ٱ→ا, ى→ي, ة→ه,
///    and the Persian forms ی→ي, ک→ك.
/// 5. Every Unicode decimal digit becomes its ASCII digit (٣ → 3).
/// 6. Punctuation (P*), symbols (S*), modifier apostrophes (ʼ ʻ ʹ) and
///    whitespace become a space; control and format characters (bidi marks,
///    zero-width joiners, soft hyphen) are removed.
/// 7. Runs of spaces collapse to one; leading/trailing spaces are trimmed.
///
/// Consequences: "Hélène N'Diaye-Kaboré" ≡ "HELENE N DIAYE KABORE" ≡
/// "helene n’diaye kabore", but ≢ "Helene Ndiaye Kabore" (an apostrophe
/// splits a word; index such variants separately if needed). Georgian
/// Mkhedruli has no case and no marks: only whitespace changes.
///
/// `phone(_:)`: every Unicode decimal digit (ASCII, Arabic-Indic ٠–٩,
/// Eastern Arabic-Indic ۰–۹, full-width, …) becomes ASCII and everything else
/// is dropped; then the international prefix is unified: a leading `+` or a
/// leading `00` is removed, so "+237 6 77 12 34 56" ≡ "00237677123456" ≡
/// "237677123456". National formats (a trunk `0`, or `011` from North
/// America) are *not* rewritten: convert to international form first when
/// the country is known.
public enum BlindIndexNormalizer: Sendable {
    /// The normalised form of a personal name (see the type documentation).
    public static func name(_ input: String) -> String {
        let folded = input.precomposedStringWithCompatibilityMapping
            .folding(options: [.caseInsensitive], locale: nil)
            .decomposedStringWithCanonicalMapping
        var output = String.UnicodeScalarView()
        var pendingSpace = false
        for scalar in folded.unicodeScalars {
            let properties = scalar.properties
            if properties.generalCategory == .nonspacingMark || scalar == "\u{0640}" { continue }
            if let digit = asciiDigit(scalar) {
                appendWord(digit, to: &output, pendingSpace: &pendingSpace)
            } else if isSeparator(scalar) {
                pendingSpace = true
            } else if isIgnorable(scalar) {
                continue
            } else if let replacement = letterFolds[scalar] {
                appendWord(replacement, to: &output, pendingSpace: &pendingSpace)
            } else {
                appendWord(String(scalar), to: &output, pendingSpace: &pendingSpace)
            }
        }
        return String(output).precomposedStringWithCanonicalMapping
    }

    /// The normalised form of a phone number (see the type documentation).
    public static func phone(_ input: String) -> String {
        var digits = ""
        for scalar in input.unicodeScalars {
            if let digit = asciiDigit(scalar) { digits += digit }
        }
        // "+" is dropped with the other non-digits; "00" is the ITU international prefix.
        if digits.hasPrefix("00") { digits.removeFirst(2) }
        return digits
    }

    private static let letterFolds: [Unicode.Scalar: String] = [
        "ø": "o", "ł": "l", "đ": "d", "ð": "d", "ħ": "h", "ı": "i", "æ": "ae", "œ": "oe", "þ": "th",
        "\u{0671}": "\u{0627}",  // alef wasla → alef
        "\u{0649}": "\u{064A}",  // alef maksura → yeh
        "\u{0629}": "\u{0647}",  // teh marbuta → heh
        "\u{06CC}": "\u{064A}",  // Farsi yeh → Arabic yeh
        "\u{06A9}": "\u{0643}",  // keheh → kaf
    ]

    private static func appendWord(_ text: String, to output: inout String.UnicodeScalarView, pendingSpace: inout Bool) {
        if pendingSpace && !output.isEmpty { output.append(" ") }
        pendingSpace = false
        output.append(contentsOf: text.unicodeScalars)
    }

    private static func asciiDigit(_ scalar: Unicode.Scalar) -> String? {
        guard scalar.properties.numericType == .decimal,
              let value = scalar.properties.numericValue, (0...9).contains(value)
        else { return nil }
        return String(Int(value))
    }

    private static func isSeparator(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.properties.isWhitespace || ["\u{02BC}", "\u{02BB}", "\u{02B9}"].contains(scalar) { return true }
        switch scalar.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation,
             .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol,
             .spaceSeparator, .lineSeparator, .paragraphSeparator:
            return true
        default:
            return false
        }
    }

    private static func isIgnorable(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .format, .surrogate: return true
        default: return false
        }
    }
}
