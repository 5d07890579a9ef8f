import Foundation
import Ink

/// Renders communications officers' Markdown (appeals, statements, press
/// releases) for public pages, Atom feeds and e-mails.
///
/// Everything here treats the Markdown as hostile. The public pages run no
/// script and load nothing from third parties, so the HTML output:
///
/// * never contains raw HTML from the source: `<` outside code is escaped
///   before Ink sees it, so `<b>` is shown as the text "<b>";
/// * keeps links only with an `http:`, `https:` or `mailto:` scheme (checked
///   case-insensitively on the entity-decoded, control-stripped URL); other
///   links, relative ones included, are rendered as their text alone. Kept
///   links get `rel="nofollow noopener noreferrer"`;
/// * never contains `<img>`: an image is rendered as its alt text;
/// * is re-parsed and re-serialized by an allow-list pass (``HTMLSanitizer``)
///   as the last step, so even a bug in Ink cannot emit other markup.
///
/// Supported syntax is Ink 0.6's: headings, paragraphs, emphasis, `~~strike~~`,
/// lists, `>` blockquotes, fenced code, inline code, links (inline and
/// reference), tables and `---` rules. Autolinks `<https://…>`, `<mailto:…>`
/// and `<name@example.org>` are supported (Ink has none; they are rewritten to
/// links before rendering); an autolink with any other scheme is shown as text.
public enum MarkdownText: Sendable {
    /// Renders Markdown to safe HTML for embedding in a page, a feed or an
    /// HTML e-mail.
    ///
    /// - Parameters:
    ///   - markdown: Untrusted Markdown source.
    ///   - headingOffset: Added to every heading level (clamped to 1...6).
    ///     The default, 1, makes the document's `#` an `<h2>`, since the page
    ///     owns its `<h1>`. Pass 0 to keep the source's levels.
    /// - Returns: Well-formed HTML using only the tags `p h1–h6 ul ol li
    ///   blockquote pre code em strong s a hr br table thead tbody tr th td`
    ///   and the attributes `href`/`rel` on `a` and a numeric `start` on `ol`.
    public static func html(_ markdown: String, headingOffset: Int = 1) -> String {
        HTMLSanitizer.serialize(nodes(markdown, headingOffset: headingOffset))
    }

    /// Renders Markdown as readable plain text for e-mail bodies.
    ///
    /// Blocks are separated by blank lines, headings stand on their own line,
    /// list items start with "- " (or "1. " for ordered lists), blockquotes
    /// are indented by four spaces, links read `text <url>`, images become
    /// their alt text, and character references are decoded. No Markdown
    /// syntax or generated markup is left. Text that the author typed
    /// literally, such as "<b>", stays literal, as on the web page.
    public static func plainText(_ markdown: String) -> String {
        PlainTextRenderer.render(nodes(markdown, headingOffset: 0))
    }

    /// A short plain-text summary for OpenGraph `og:description` and a
    /// feed's `<summary>`: the text of the first paragraphs (blockquotes and
    /// lists count, headings, code and tables are skipped unless nothing else
    /// exists), whitespace collapsed, cut at a word boundary with "…".
    ///
    /// - Parameter maxLength: Maximum length in characters, "…" included.
    /// - Returns: Plain text; escape it before putting it into HTML or XML.
    public static func summary(_ markdown: String, maxLength: Int) -> String {
        PlainTextRenderer.summary(nodes(markdown, headingOffset: 0), maxLength: maxLength)
    }

    // MARK: - Pipeline

    /// Source → neutralised source → Ink HTML → allow-listed node tree.
    static func nodes(_ markdown: String, headingOffset: Int) -> [HTMLNode] {
        let html = renderWithInk(MarkdownSource.neutralise(markdown))
        return HTMLSanitizer.parse(html, headingOffset: headingOffset)
    }

    /// Runs Ink with two modifiers: anything Ink still takes for raw HTML is
    /// escaped (defence in depth: `<` was already escaped outside code), and
    /// an image becomes its alt text (or nothing, inside another image's alt).
    static func renderWithInk(_ source: String, imagesAsAltText: Bool = true) -> String {
        var parser = MarkdownParser()
        parser.addModifier(Modifier(target: .html) { input in
            HTMLEscaping.escape(String(input.markdown))
        })
        parser.addModifier(Modifier(target: .images) { input in
            imagesAsAltText ? imageAltText(input.markdown) : ""
        })
        return parser.html(from: source)
    }

    /// Ink writes an image's alt text into an attribute without escaping it,
    /// so rather than picking that apart, the raw `![alt](url)` is rendered
    /// again without its `!`: Ink parses the alt exactly as a link's text,
    /// and the text of that link, escaped, is what is shown. Images nested in
    /// the alt render as nothing, which keeps the cost linear in the nesting.
    private static func imageAltText(_ raw: Substring) -> String {
        guard raw.first == "!" else { return "" }
        let asLink = renderWithInk(String(raw.dropFirst()), imagesAsAltText: false)
        let text = PlainTextRenderer.textContent(HTMLSanitizer.parse(asLink, headingOffset: 0))
        return HTMLEscaping.escape(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}

/// Prepares untrusted Markdown for Ink.
enum MarkdownSource {
    /// * Line endings become `\n`; control characters other than tab and
    ///   newline are removed.
    /// * Outside code, `<` becomes `&lt;` so Ink never sees raw HTML, except
    ///   that an autolink with an allowed scheme becomes an ordinary link.
    ///   Code spans and fenced blocks are left alone: Ink escapes them itself.
    ///   Where this guess of what is code differs from Ink's, the result is
    ///   still safe: Ink's HTML path is escaped by a modifier, and the final
    ///   allow-list pass sees everything.
    /// * A leading `---` line becomes `***` (also a rule): Ink would otherwise
    ///   swallow a `---`…`---` block at the start as metadata, silently.
    static func neutralise(_ markdown: String) -> String {
        let cleaned = String(String.UnicodeScalarView(
            markdown
                .replacingOccurrences(of: "\r\n", with: "\n")
                .replacingOccurrences(of: "\r", with: "\n")
                .unicodeScalars
                .filter { $0 == "\t" || $0 == "\n" || !isControl($0) }
        ))
        var lines = cleaned.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if let first = lines.firstIndex(where: { !$0.trimmingCharacters(in: .whitespaces).isEmpty }),
           lines[first].trimmingCharacters(in: .whitespaces) == "---" {
            lines[first] = "***"
        }

        var output = [String]()
        var openFence: Int?          // backtick count of the open code fence
        var atFragmentStart = true   // Ink starts a new block on this line
        var inContainer = false      // inside a list or blockquote (no fences there)
        for line in lines {
            if let fence = openFence {
                // Ink closes a fence only with the same number of backticks at column 0.
                let ticks = line.prefix(while: { $0 == "`" }).count
                if ticks == fence {
                    openFence = nil
                    atFragmentStart = true
                    output.append(String(line.prefix(ticks)) + escapeLine(String(line.dropFirst(ticks))))
                } else {
                    output.append(line)
                }
                continue
            }
            let trimmed = line.drop(while: { $0 == " " || $0 == "\t" })
            if trimmed.isEmpty {
                atFragmentStart = true
                inContainer = false
                output.append(line)
                continue
            }
            let ticks = trimmed.prefix(while: { $0 == "`" }).count
            if ticks >= 3, !inContainer, atFragmentStart || line.first == "`" {
                openFence = ticks
                // The rest of the fence line is Ink's "language": not code, so escape it.
                let indent = line.count - trimmed.count
                output.append(String(line.prefix(indent + ticks)) + escapeLine(String(trimmed.dropFirst(ticks))))
                continue
            }
            if atFragmentStart {
                inContainer = trimmed.first == ">" || startsList(trimmed)
            }
            atFragmentStart = !inContainer && (trimmed.first == "#" || trimmed.first == "|")
            output.append(escapeLine(line))
        }
        return output.joined(separator: "\n")
    }

    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }

    private static func startsList(_ line: Substring) -> Bool {
        if let first = line.first, "-*+".contains(first) {
            return line.dropFirst().first.map { $0 == " " || $0 == "\t" } ?? false
        }
        let digits = line.prefix(while: { $0.isASCII && $0.isNumber })
        return !digits.isEmpty && [".", ")"].contains(line.dropFirst(digits.count).first)
    }

    /// Prepares one line of text (not inside a fenced block) for Ink, leaving
    /// same-line code spans as they are:
    /// * `<` becomes `&lt;`, or a link if it opens an allowed autolink;
    /// * `&` not starting a well-formed character reference becomes `&amp;`;
    /// * `[` that cannot open a link becomes `&#91;`.
    ///
    /// The last two also keep Ink fast: on its own, Ink 0.6 takes exponential
    /// time on unmatched `[` (25 of them take over a minute) and quadratic
    /// time on `&` without `;` and on `[a](` without `)`. Every scan here is
    /// linear or bounded.
    private static func escapeLine(_ line: String) -> String {
        let chars = Array(line)
        let n = chars.count

        // Code spans: a backtick and the next one on the line.
        var inCode = [Bool](repeating: false, count: n)
        var nextTick = [Int?](repeating: nil, count: n + 1)
        for i in stride(from: n - 1, through: 0, by: -1) {
            nextTick[i] = chars[i] == "`" ? i : nextTick[i + 1]
        }
        var i = 0
        while i < n {
            if chars[i] == "`", let close = nextTick[i + 1] {
                for k in i...close { inCode[k] = true }
                i = close + 1
            } else {
                i += 1
            }
        }

        // Bracket pairs outside code ("\]" does not close, as in Ink), and
        // parentheses matched on the raw line, as Ink reads link URLs.
        var bracketClose = [Int: Int]()
        var parenClose = [Int: Int]()
        var openBrackets = [Int]()
        var openParens = [Int]()
        var lastCloseBracket: Int?
        for (k, c) in chars.enumerated() {
            if c == "(" { openParens.append(k) }
            if c == ")", let open = openParens.popLast() { parenClose[open] = k }
            if c == "]" { lastCloseBracket = k }
            guard !inCode[k] else { continue }
            if c == "[" { openBrackets.append(k) }
            if c == "]", k == 0 || chars[k - 1] != "\\", let open = openBrackets.popLast() { bracketClose[open] = k }
        }
        // Ink parses nested links and images recursively: drop pairs nested
        // deeper than `maxLinkNesting` so hostile nesting cannot exhaust the stack.
        var depth = 0
        for (k, c) in chars.enumerated() where !inCode[k] {
            if c == "[", bracketClose[k] != nil {
                depth += 1
                if depth > maxLinkNesting { bracketClose[k] = nil }
            } else if c == "]", k == 0 || chars[k - 1] != "\\", depth > 0 {
                depth -= 1
            }
        }
        let firstNonSpace = chars.firstIndex { $0 != " " && $0 != "\t" }
        func opensLink(_ k: Int) -> Bool {
            guard let close = bracketClose[k], close + 1 < n else { return false }
            switch chars[close + 1] {
            case "(": return parenClose[close + 1] != nil
            case "[": return (lastCloseBracket ?? 0) > close + 1
            case ":": return k == firstNonSpace   // a "[name]: url" declaration
            default: return false
            }
        }

        var result = ""
        var referenceOpeners = Set<Int>()   // the "[" of "[text][ref]"
        i = 0
        while i < n {
            let c = chars[i]
            if inCode[i] {
                result.append(c)
            } else if c == "[" {
                if referenceOpeners.contains(i) || opensLink(i) {
                    if let close = bracketClose[i], close + 1 < n, chars[close + 1] == "[" {
                        referenceOpeners.insert(close + 1)
                    }
                    result += "["
                } else {
                    result += "&#91;"
                }
            } else if c == "&" {
                result += isCharacterReference(chars, at: i) ? "&" : "&amp;"
            } else if c == "<" {
                // An autolink holds no whitespace or "<", so this scan is bounded by the next one.
                var close = i + 1
                while close < n, chars[close] != ">", chars[close] != "<", !chars[close].isWhitespace { close += 1 }
                if close < n, chars[close] == ">", let link = autolink(String(chars[(i + 1)..<close])) {
                    result += link
                    i = close + 1
                    continue
                }
                result += "&lt;"
            } else {
                result.append(c)
            }
            i += 1
        }
        return result
    }

    /// How deeply links and images may nest (an image in a link is 2).
    static let maxLinkNesting = 4

    /// `&#123;`, `&#x1F;` or `&name;` (up to 32 characters) starting at `start`.
    private static func isCharacterReference(_ chars: [Character], at start: Int) -> Bool {
        var k = start + 1
        var allowed: (Character) -> Bool = { $0.isASCII && ($0.isLetter || $0.isNumber) }
        if k < chars.count, chars[k] == "#" {
            k += 1
            allowed = { $0.isASCII && $0.isNumber }
            if k < chars.count, chars[k] == "x" || chars[k] == "X" {
                k += 1
                allowed = { $0.isASCII && $0.isHexDigit }
            }
        }
        let bodyStart = k
        while k < chars.count, k - bodyStart < 32, allowed(chars[k]) { k += 1 }
        return k > bodyStart && k < chars.count && chars[k] == ";"
    }

    /// Turns the inside of `<…>` into `[text](url)` if it is an http, https
    /// or mailto URI, or an e-mail address. Punctuation in the text is written
    /// as character references so that Ink reads no emphasis or link syntax
    /// in it; the URL's parentheses, quotes and ampersands likewise (the
    /// sanitizer decodes attribute values before checking them).
    private static func autolink(_ inner: String) -> String? {
        guard !inner.isEmpty, !inner.contains(where: { $0.isWhitespace || $0 == "<" }) else { return nil }
        let href: String
        if let colon = inner.firstIndex(of: ":"),
           ["http", "https", "mailto"].contains(inner[..<colon].lowercased()) {
            href = inner
        } else if isEmailAddress(inner) {
            href = "mailto:" + inner
        } else {
            return nil
        }
        func encoded(_ text: String, _ special: Set<Character>) -> String {
            text.map { special.contains($0) ? "&#\($0.asciiValue ?? 0);" : String($0) }.joined()
        }
        let textSpecial = Set<Character>("\\`*_~[]()!&<>#|\"'")
        return "[\(encoded(inner, textSpecial))](\(encoded(href, ["(", ")", "&", "\"", "'", "`"])))"
    }

    private static func isEmailAddress(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."),
              !parts[1].hasPrefix("."), !parts[1].hasSuffix(".") else { return false }
        return !text.contains(where: { ":/\\".contains($0) })
    }
}
