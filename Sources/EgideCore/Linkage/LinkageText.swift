import Foundation

/// Text normalisation for record linkage: any script to lower-case Latin ASCII, and the consonant
/// skeleton that transliterations agree on.
///
/// `latin(_:)`, in order:
/// 1. NFKC (presentation forms, full-width letters, ligatures).
/// 2. Arabic (and Persian letters), Cyrillic and Georgian through Egide's own tables (below): ICU's
///    Any-Latin writes scholarly forms (`ḥusayn`, `ṣāliḥ`) that no officer types, and is not vowel-aware.
/// 3. Latin letters lose their diacritics (canonical decomposition, marks dropped); ß→ss, æ→ae,
///    œ→oe, ø→o, ł→l, đ→d, ð→d, þ→th, ı→i, ħ→h.
/// 4. Any other script goes through ICU's `Any-Latin; Latin-ASCII` when Foundation has it.
/// 5. Everything that is not a letter or digit separates words; runs of separators collapse.
///
/// Arabic is written without short vowels, so the tables are vowel-aware only where the script is:
/// `و` and `ي` are `w`/`y` at the start of a word or after a long vowel, `u`/`i` between consonants;
/// `ع` opens a word as `a` and is silent inside it; `ة` is `a`; the article `ال` opening a word is
/// dropped (Latin `al-`/`el-` are dropped by `PersonName`).
public enum LinkageText {
    /// How much of a text is read: names and places are far shorter; hostile input costs no more.
    public static let maximumScalars = 256

    /// Lower-case Latin ASCII letters, digits and single spaces.
    public static func latin(_ text: String) -> String {
        String(decoding: latinBytes(text), as: UTF8.self)
    }

    /// `latin(_:)` as bytes. ASCII input takes a fast path (no Unicode work).
    public static func latinBytes(_ text: String) -> [UInt8] {
        var utf8 = Array(text.utf8)
        if utf8.allSatisfy({ $0 < 0x80 }) {
            if utf8.count > maximumScalars { utf8.removeSubrange(maximumScalars...) }
            for i in utf8.indices where utf8[i] == 0x7C { utf8[i] = 0x20 }
            return foldASCII(&utf8)
        }
        let ukrainian = text.unicodeScalars.contains { "іїєґІЇЄҐ".unicodeScalars.contains($0) }
        let composed = text.precomposedStringWithCompatibilityMapping
        var out: [UInt8] = []
        out.reserveCapacity(composed.utf8.count)
        // A name is short: past `maximumScalars`, text is not compared (nor made to cost time).
        let scalars = Array(composed.unicodeScalars.prefix(maximumScalars))
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            let value = scalar.value
            if value < 0x80 {
                out.append(UInt8(value))
            } else if (0x0600...0x06FF).contains(value) {
                out.append(contentsOf: arabic(scalars, at: index))
            } else if value == 0x7C {
                out.append(0x20)
            } else if (0x0400...0x04FF).contains(value) {
                let letter = Character(scalar).lowercased()
                // Ukrainian writes г for h ("Ігор" is Ihor).
                out.append(contentsOf: ukrainian && letter == "г" ? [0x68] : cyrillic[letter] ?? [0x20])
            } else if (0x10A0...0x10FF).contains(value) || (0x1C90...0x1CBF).contains(value) {
                out.append(contentsOf: georgian[String(scalar)] ?? [0x20])
            } else if let special = latinSpecial[String(scalar).lowercased()] {
                out.append(contentsOf: Array(special.utf8))
            } else {
                out.append(contentsOf: otherScript(scalar))
            }
            index += 1
        }
        return foldASCII(&out)
    }

    /// Lower-cases ASCII letters, keeps digits, turns everything else into single spaces.
    static func foldASCII(_ bytes: inout [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var pendingSpace = false
        for byte in bytes {
            var b = byte
            if b >= 0x41 && b <= 0x5A { b |= 0x20 }
            // "|" (from the Arabic table only) keeps two letters from reading as a digraph.
            if (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) || b == 0x7C {
                if pendingSpace && !out.isEmpty { out.append(0x20) }
                pendingSpace = false
                out.append(b)
            } else {
                pendingSpace = true
            }
        }
        return out
    }

    /// A Latin letter with marks: decomposed, marks dropped; anything else through ICU, or a space.
    static func otherScript(_ scalar: Unicode.Scalar) -> [UInt8] {
        let decomposed = String(scalar).decomposedStringWithCanonicalMapping.unicodeScalars
            .filter { $0.properties.generalCategory != .nonspacingMark }
        if decomposed.allSatisfy({ $0.value < 0x80 }), !decomposed.isEmpty {
            return decomposed.map { UInt8($0.value) }
        }
        if scalar.properties.generalCategory == .nonspacingMark || scalar.properties.generalCategory == .format { return [] }
        guard scalar.properties.isAlphabetic else { return [0x20] }
        let transformed = String(scalar).applyingTransform(StringTransform("Any-Latin; Latin-ASCII"), reverse: false) ?? ""
        let ascii = transformed.unicodeScalars.filter { $0.value < 0x80 }.map { UInt8($0.value) }
        return ascii.isEmpty ? [0x20] : ascii
    }

    static let latinSpecial: [String: String] = [
        "ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i", "ħ": "h",
        "ŀ": "l", "ŧ": "t", "ʼ": "", "ʻ": "", "ʹ": "", "’": "", "‘": "",
    ]

    // MARK: Arabic

    /// Long vowels and the letters that are vowels or consonants depending on their place.
    private static let arabicConsonants: [UInt32: String] = [
        0x0628: "b", 0x062A: "t", 0x062B: "th", 0x062C: "j", 0x062D: "h", 0x062E: "kh", 0x062F: "d",
        0x0630: "dh", 0x0631: "r", 0x0632: "z", 0x0633: "s", 0x0634: "sh", 0x0635: "s", 0x0636: "d",
        0x0637: "t", 0x0638: "z", 0x063A: "gh", 0x0641: "f", 0x0642: "q", 0x0643: "k", 0x0644: "l",
        0x0645: "m", 0x0646: "n", 0x0647: "h", 0x067E: "p", 0x0686: "ch", 0x0698: "zh", 0x06AF: "g",
        0x06A9: "k", 0x06A4: "v",
    ]
    private static let arabicMarks: ClosedRange<UInt32> = 0x064B...0x065F
    private static let tatweel: UInt32 = 0x0640

    /// One Arabic letter, in context (`scalars[index]`), as Latin.
    static func arabic(_ scalars: [Unicode.Scalar], at index: Int) -> [UInt8] {
        let value = scalars[index].value
        func letter(_ offset: Int) -> UInt32? {
            var i = index + offset
            while i >= 0, i < scalars.count, arabicMarks.contains(scalars[i].value) || scalars[i].value == tatweel { i += offset }
            guard i >= 0, i < scalars.count, (0x0621...0x06FF).contains(scalars[i].value) else { return nil }
            return scalars[i].value
        }
        func letterAt(_ from: Int, _ offset: Int) -> UInt32? {
            var i = from, steps = 0
            while steps < abs(offset) {
                i += offset < 0 ? -1 : 1
                while i >= 0, i < scalars.count, arabicMarks.contains(scalars[i].value) || scalars[i].value == tatweel { i += offset < 0 ? -1 : 1 }
                guard i >= 0, i < scalars.count, (0x0621...0x06FF).contains(scalars[i].value) else { return nil }
                steps += 1
            }
            return scalars[i].value
        }
        let previous = letter(-1), next = letter(1)
        let isLongVowel: (UInt32?) -> Bool = { $0.map { [0x0627, 0x0648, 0x064A, 0x0649, 0x06CC, 0x0622, 0x0623, 0x0625].contains($0) } ?? false }
        let text: String
        switch value {
        // The article ال opening a word of two letters or more is not written in Latin names
        // ("الطرابلسي" is Trabelsi); a name spelt with a hamza (إلياس) is not an article.
        case 0x0627 where previous == nil && next == 0x0644 && letterAt(index, 3) != nil: text = ""
        case 0x0644 where previous == 0x0627 && letterAt(index, -2) == nil && letterAt(index, 2) != nil: text = ""
        case 0x0627, 0x0622, 0x0623, 0x0671: text = "a"          // ا آ أ ٱ
        case 0x0625: text = "i"                                     // إ
        case 0x0624: text = "u"                                     // ؤ
        case 0x0626: text = "i"                                     // ئ
        case 0x0621: text = ""                                      // ء
        case 0x0639:                                                // ع: "a" opening a word (after the article too)
            let afterArticle = previous == 0x0644 && letterAt(index, -2) == 0x0627 && letterAt(index, -3) == nil
            text = previous == nil || afterArticle ? "a" : ""
        case 0x0647 where previous.map({ [0x0632, 0x0633, 0x0643, 0x062A, 0x062F, 0x063A, 0x0635, 0x0637, 0x0638, 0x0634].contains($0) }) ?? false:
            text = "|h"                                             // ه after z, s, k, t, d…: not a digraph
        case 0x0629: text = "a"                                     // ة
        case 0x0649: text = "a"                                     // ى
        case 0x0648:                                                // و
            text = previous == nil || isLongVowel(previous) || (next.map(isLongVowel) ?? false) && next != 0x0648 ? "w" : "u"
        case 0x064A, 0x06CC:                                        // ي ی
            text = previous == nil || isLongVowel(previous) ? "y" : next == nil ? "i" : (next.map(isLongVowel) ?? false) ? "y" : "i"
        case 0x064E: text = "a"                                     // fatha, when written
        case 0x0650: text = "i"                                     // kasra
        case 0x064F: text = "u"                                     // damma
        case 0x0651:                                                // shadda doubles the letter before
            if let before = letter(-1), let latin = arabicConsonants[before] { text = latin } else { text = "" }
        case arabicMarks, tatweel: text = ""
        case 0x0660...0x0669: text = String(value - 0x0660)       // Arabic-Indic digits
        case 0x06F0...0x06F9: text = String(value - 0x06F0)
        default: text = arabicConsonants[value] ?? " "
        }
        return Array(text.utf8)
    }

    // MARK: Cyrillic and Georgian

    static let cyrillic: [String: [UInt8]] = {
        let table: [String: String] = [
            "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z", "и": "i",
            "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
            "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y",
            "ь": "", "э": "e", "ю": "yu", "я": "ya", "і": "i", "ї": "i", "є": "e", "ґ": "g", "ў": "u",
            "ђ": "dj", "ј": "j", "љ": "lj", "њ": "nj", "ћ": "c", "џ": "dz", "ѓ": "g", "ќ": "k", "ѕ": "dz",
            "қ": "k", "ғ": "g", "ң": "n", "ү": "u", "ұ": "u", "һ": "h", "ә": "a", "ө": "o",
        ]
        return table.mapValues { Array($0.utf8) }
    }()

    static let georgian: [String: [UInt8]] = {
        let mkhedruli: [(String, String)] = [
            ("ა", "a"), ("ბ", "b"), ("გ", "g"), ("დ", "d"), ("ე", "e"), ("ვ", "v"), ("ზ", "z"), ("თ", "t"),
            ("ი", "i"), ("კ", "k"), ("ლ", "l"), ("მ", "m"), ("ნ", "n"), ("ო", "o"), ("პ", "p"), ("ჟ", "zh"),
            ("რ", "r"), ("ს", "s"), ("ტ", "t"), ("უ", "u"), ("ფ", "p"), ("ქ", "k"), ("ღ", "gh"), ("ყ", "q"),
            ("შ", "sh"), ("ჩ", "ch"), ("ც", "ts"), ("ძ", "dz"), ("წ", "ts"), ("ჭ", "ch"), ("ხ", "kh"),
            ("ჯ", "j"), ("ჰ", "h"),
        ]
        var table: [String: [UInt8]] = [:]
        for (letter, latin) in mkhedruli {
            table[letter] = Array(latin.utf8)
            // Mtavruli capitals (U+1C90…) sit 0xBC0 above their Mkhedruli letters (U+10D0…).
            if let scalar = letter.unicodeScalars.first, let capital = Unicode.Scalar(scalar.value + 0xBC0) {
                table[String(capital)] = Array(latin.utf8)
            }
        }
        return table
    }()

    // MARK: Skeleton

    /// The consonant skeleton of one Latin word (`latin(_:)` output, no spaces): what Arabic,
    /// Cyrillic, Georgian and the French and English habits of writing them agree on.
    ///
    /// Digraphs fold (`kh`→`h`, `gh`→`g`, `ph`→`f`, `th`→`t`, `dh`→`d`; `sh`, `ch`, `sch`, `tch`
    /// → one hushing sound; `dj`, `dzh`, `zh`→`j`; `ou`, `oo`→`u`); `q`→`k`, `c` is `s` before
    /// e/i/y and `k` elsewhere, `x`→`ks`, `z`→`s`; `w` is `v` opening a word before a vowel and a
    /// vowel elsewhere ("Zouari" ≡ "Zwari"), `y` is a vowel, a final `d` is `t` ("David" ≡ "Davit"). Doubled letters collapse, vowels are dropped except a leading
    /// one, which is kept as `a` ("Ali" is not "Li", but "Omar" is "Amr").
    public static func skeleton(_ word: [UInt8]) -> [UInt8] {
        let n = word.count
        var folded: [UInt8] = []
        folded.reserveCapacity(n)
        func at(_ i: Int) -> UInt8 { i < n ? word[i] : 0 }
        func isVowel(_ b: UInt8) -> Bool { b == 0x61 || b == 0x65 || b == 0x69 || b == 0x6F || b == 0x75 || b == 0x79 }
        let hush: UInt8 = 0x24  // "$": sh, ch, sch, tch
        var i = 0
        while i < n {
            let b = word[i], c = at(i + 1)
            switch b {
            case 0x6B where c == 0x68, 0x67 where c == 0x68, 0x70 where c == 0x68, 0x74 where c == 0x68, 0x64 where c == 0x68:
                folded.append(b == 0x6B ? 0x68 : b == 0x70 ? 0x66 : b); i += 2; continue   // kh gh ph th dh
            case 0x73 where c == 0x63 && at(i + 2) == 0x68: folded.append(hush); i += 3; continue  // sch
            case 0x74 where c == 0x63 && at(i + 2) == 0x68: folded.append(hush); i += 3; continue  // tch
            case 0x73 where c == 0x68, 0x63 where c == 0x68: folded.append(hush); i += 2; continue  // sh ch
            case 0x64 where c == 0x7A && at(i + 2) == 0x68: folded.append(0x6A); i += 3; continue  // dzh
            case 0x64 where c == 0x6A, 0x7A where c == 0x68: folded.append(0x6A); i += 2; continue  // dj zh
            case 0x6F where c == 0x75 || c == 0x6F: folded.append(0x75); i += 2; continue  // ou oo
            case 0x63 where c == 0x6B: folded.append(0x6B); i += 2; continue                  // ck
            case 0x63: folded.append(c == 0x65 || c == 0x69 || c == 0x79 ? 0x73 : 0x6B)       // c
            case 0x71: folded.append(0x6B)                                                       // q
            case 0x78: folded.append(0x6B); folded.append(0x73)                                  // x
            case 0x7A: folded.append(0x73)                                                       // z
            case 0x77: folded.append(i == 0 && isVowel(c) ? 0x76 : 0x75)                        // w
            case 0x7C: break                                                                     // | (Arabic ه apart)
            case 0x64 where i == n - 1: folded.append(0x74)                                      // final d sounds t
            case 0x79: folded.append(0x69)                                                       // y
            default: folded.append(b)
            }
            i += 1
        }
        var out: [UInt8] = []
        out.reserveCapacity(folded.count)
        for (index, b) in folded.enumerated() {
            if isVowel(b) {
                if index == 0 { out.append(0x61) }
                continue
            }
            if index > 0, folded[index - 1] == b { continue }  // doubled letter
            out.append(b)
        }
        return out
    }
}
