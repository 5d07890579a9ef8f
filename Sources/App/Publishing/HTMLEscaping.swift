import Foundation

/// Escaping and character-reference decoding shared by the HTML code.
enum HTMLEscaping {
    /// Escapes text for HTML element content and double-quoted attribute values.
    static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// Decodes numeric character references and the named ones in
    /// ``namedEntities``, each ending in `;`. Anything else is left as it is,
    /// so an unknown reference is later shown literally (escaped), never
    /// interpreted. References to NUL, surrogates, out-of-range values and
    /// control characters other than tab and newline decode to U+FFFD.
    static func decodeEntities(_ text: String) -> String {
        guard text.contains("&") else { return text }
        var result = ""
        var rest = Substring(text)
        while let ampersand = rest.firstIndex(of: "&") {
            result += rest[..<ampersand]
            rest = rest[ampersand...]
            let body = rest.dropFirst().prefix(while: { $0 != ";" && $0 != "&" && !$0.isWhitespace }).prefix(33)
            let end = rest.index(ampersand, offsetBy: body.count + 1)
            if end < rest.endIndex, rest[end] == ";", let decoded = decodeReference(body) {
                result += decoded
                rest = rest[rest.index(after: end)...]
            } else {
                result += "&"
                rest = rest.dropFirst()
            }
        }
        return result + rest
    }

    private static func decodeReference(_ body: Substring) -> String? {
        guard body.first == "#" else { return namedEntities[String(body)] }
        let digits = body.dropFirst()
        let value: UInt32?
        if digits.first == "x" || digits.first == "X" {
            value = digits.count > 1 && digits.count <= 7 ? UInt32(digits.dropFirst(), radix: 16) : nil
        } else {
            value = !digits.isEmpty && digits.count <= 8 ? UInt32(digits, radix: 10) : nil
        }
        guard let value else { return nil }
        guard let scalar = Unicode.Scalar(value), value != 0,
              scalar == "\t" || scalar == "\n" || !MarkdownSource.isControl(scalar)
        else { return "\u{FFFD}" }
        return String(scalar)
    }

    /// Named references understood in the Markdown source: the XML five, and
    /// those a French or Arabic text is likely to use.
    static let namedEntities: [String: String] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'",
        "nbsp": "\u{A0}", "shy": "\u{AD}", "thinsp": "\u{2009}", "ensp": "\u{2002}", "emsp": "\u{2003}",
        "zwnj": "\u{200C}", "zwj": "\u{200D}", "lrm": "\u{200E}", "rlm": "\u{200F}",
        "laquo": "«", "raquo": "»", "lsquo": "‘", "rsquo": "’", "sbquo": "‚",
        "ldquo": "“", "rdquo": "”", "bdquo": "„", "hellip": "…", "ndash": "–", "mdash": "—",
        "middot": "·", "bull": "•", "deg": "°", "copy": "©", "reg": "®", "trade": "™",
        "euro": "€", "sect": "§", "para": "¶", "times": "×", "divide": "÷",
        "agrave": "à", "acirc": "â", "auml": "ä", "aelig": "æ", "ccedil": "ç",
        "egrave": "è", "eacute": "é", "ecirc": "ê", "euml": "ë", "icirc": "î", "iuml": "ï",
        "ocirc": "ô", "ouml": "ö", "oelig": "œ", "ugrave": "ù", "ucirc": "û", "uuml": "ü", "yuml": "ÿ",
        "Agrave": "À", "Acirc": "Â", "AElig": "Æ", "Ccedil": "Ç", "Egrave": "È", "Eacute": "É",
        "Ecirc": "Ê", "Euml": "Ë", "Icirc": "Î", "Iuml": "Ï", "Ocirc": "Ô", "OElig": "Œ",
        "Ugrave": "Ù", "Ucirc": "Û", "Uuml": "Ü",
    ]
}
