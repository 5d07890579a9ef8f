import Foundation

/// A node of sanitized HTML: only allow-listed elements with checked attributes.
indirect enum HTMLNode: Sendable, Equatable {
    case text(String)
    case element(HTMLElement)
}

struct HTMLElement: Sendable, Equatable {
    var name: String
    /// Only on `a`; already checked by ``HTMLSanitizer/safeHref(_:)``.
    var href: String?
    /// Only on `ol`.
    var start: Int?
    var children: [HTMLNode] = []
}

/// The final allow-list pass over Ink's output.
///
/// The input is tokenized the way an HTML5 parser tokenizes tags (names end at
/// whitespace, `/` or `>`; quoted attribute values may contain `>`; values are
/// entity-decoded), and a tree is rebuilt from allowed elements only. Output is
/// then serialized from that tree, never copied from the input: text is
/// escaped, the only attributes written are a re-checked `href`, a fixed `rel`
/// and an integer `start`, and every element is closed. Whatever the input,
/// a browser reading the output can meet no other element, attribute or URL
/// (it may still re-nest misnested blocks, which Ink does not produce).
/// Disallowed tags are shown as text; `a` with a refused URL is unwrapped.
enum HTMLSanitizer {
    static let allowedElements: Set<String> = [
        "p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "blockquote",
        "pre", "code", "em", "strong", "s", "a", "hr", "br",
        "table", "thead", "tbody", "tr", "th", "td",
    ]
    static let voidElements: Set<String> = ["hr", "br"]
    static let allowedSchemes: Set<String> = ["http", "https", "mailto"]
    static let linkRel = "nofollow noopener noreferrer"

    // MARK: Parsing

    static func parse(_ html: String, headingOffset: Int) -> [HTMLNode] {
        var root = [HTMLNode]()
        // Open elements; `kept == false` marks an element whose tag is dropped
        // but whose content stays (a link with a refused URL, a nested link).
        var stack = [(element: HTMLElement, kept: Bool)]()

        func append(_ nodes: [HTMLNode]) {
            if stack.isEmpty { root += nodes } else { stack[stack.count - 1].element.children += nodes }
        }
        func closeTop() {
            let (element, kept) = stack.removeLast()
            append(kept ? [.element(element)] : element.children)
        }

        for token in HTMLTokenizer.tokenize(html) {
            switch token {
            case .text(let text):
                append([.text(text)])
            case .startTag(let rawName, let attributes, let source):
                let name = shiftedHeading(rawName, by: headingOffset)
                guard allowedElements.contains(name) else {
                    append([.text(source)])
                    continue
                }
                var element = HTMLElement(name: name)
                var kept = true
                switch name {
                case "a":
                    element.href = attributes.first { $0.name == "href" }.flatMap { safeHref($0.value) }
                    let insideLink = stack.contains { $0.element.name == "a" && $0.kept }
                    kept = element.href != nil && !insideLink
                case "ol":
                    element.start = attributes.first { $0.name == "start" }
                        .flatMap { $0.value.count <= 9 ? Int($0.value) : nil }
                        .flatMap { $0 >= 0 ? $0 : nil }
                default:
                    break
                }
                if voidElements.contains(name) {
                    append([.element(element)])
                } else {
                    stack.append((element, kept))
                }
            case .endTag(let rawName, let source):
                let name = shiftedHeading(rawName, by: headingOffset)
                guard allowedElements.contains(name) else {
                    append([.text(source)])
                    continue
                }
                // Close up to the matching open element; an end tag with no
                // open element (or of a void element) is dropped.
                if let index = stack.lastIndex(where: { $0.element.name == name }) {
                    while stack.count > index { closeTop() }
                }
            }
        }
        while !stack.isEmpty { closeTop() }
        return wrappingInlineRuns(root)
    }

    static let blockElements: Set<String> = [
        "p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "blockquote", "pre", "hr", "table",
    ]

    /// Puts top-level text and inline elements (Ink writes an image, here its
    /// alt text, as a block of its own) into a `p`; drops blank text there.
    private static func wrappingInlineRuns(_ nodes: [HTMLNode]) -> [HTMLNode] {
        var result = [HTMLNode]()
        var run = [HTMLNode]()
        func flush() {
            let blank = run.allSatisfy { if case .text(let text) = $0 { text.allSatisfy(\.isWhitespace) } else { false } }
            if !blank { result.append(.element(HTMLElement(name: "p", children: run))) }
            run = []
        }
        for node in nodes {
            if case .element(let element) = node, blockElements.contains(element.name) {
                flush()
                result.append(node)
            } else {
                run.append(node)
            }
        }
        flush()
        return result
    }

    private static func shiftedHeading(_ name: String, by offset: Int) -> String {
        guard name.count == 2, name.first == "h", let level = Int(name.dropFirst()),
              (1...6).contains(level) else { return name }
        return "h\(min(6, max(1, level + min(6, max(-6, offset)))))"
    }

    /// Returns the URL to write in `href`, or `nil` if the link must go.
    ///
    /// `value` is the entity-decoded attribute value. As browsers do, leading
    /// and trailing C0 controls and spaces are stripped and tabs and newlines
    /// removed; the URL must then start with an ASCII `http:`, `https:` or
    /// `mailto:` scheme (any case). Relative and scheme-relative URLs are
    /// refused: appeals are also read in feeds and e-mails, where they break.
    /// The result is exactly what will be written (escaped), so the browser
    /// sees the same URL that was checked.
    static func safeHref(_ value: String) -> String? {
        var scalars = Substring(value).unicodeScalars
        while let first = scalars.first, first.value <= 0x20 { scalars.removeFirst() }
        while let last = scalars.last, last.value <= 0x20 { scalars.removeLast() }
        let url = String(String.UnicodeScalarView(scalars.filter { !["\t", "\n", "\r"].contains($0) }))
        guard !url.unicodeScalars.contains(where: MarkdownSource.isControl),
              let colon = url.firstIndex(of: ":"),
              url[..<colon].allSatisfy(\.isASCII),
              allowedSchemes.contains(url[..<colon].lowercased()),
              url.index(after: colon) < url.endIndex
        else { return nil }
        return url.replacingOccurrences(of: " ", with: "%20")
    }

    // MARK: Serializing

    static func serialize(_ nodes: [HTMLNode]) -> String {
        var html = ""
        for node in nodes {
            switch node {
            case .text(let text):
                html += HTMLEscaping.escape(text)
            case .element(let element):
                html += "<\(element.name)"
                if let href = element.href {
                    html += " href=\"\(HTMLEscaping.escape(href))\" rel=\"\(linkRel)\""
                }
                if let start = element.start {
                    html += " start=\"\(start)\""
                }
                html += ">"
                if !voidElements.contains(element.name) {
                    html += serialize(element.children) + "</\(element.name)>"
                }
            }
        }
        return html
    }
}

/// A tag tokenizer following the HTML5 tokenizer's rules for tags. Anything
/// that is not a start or end tag (comments, `<!…>`, `<?…>`, a `<` not
/// followed by a letter, an unterminated tag) is text.
enum HTMLTokenizer {
    enum Token: Equatable {
        case text(String)
        case startTag(name: String, attributes: [Attribute], source: String)
        case endTag(name: String, source: String)
    }

    struct Attribute: Equatable {
        var name: String
        var value: String
    }

    static func tokenize(_ html: String) -> [Token] {
        let scalars = Array(html.unicodeScalars)
        var tokens = [Token]()
        var textStart = 0
        var index = 0
        func flushText(upTo end: Int) {
            if textStart < end {
                tokens.append(.text(HTMLEscaping.decodeEntities(string(scalars[textStart..<end]))))
            }
        }
        while index < scalars.count {
            if scalars[index] == "<", let (token, next) = readTag(scalars, at: index) {
                flushText(upTo: index)
                tokens.append(token)
                index = next
                textStart = next
            } else {
                index += 1
            }
        }
        flushText(upTo: scalars.count)
        return tokens
    }

    private static func readTag(_ s: [Unicode.Scalar], at start: Int) -> (Token, Int)? {
        let n = s.count
        var i = start + 1
        let isEndTag = i < n && s[i] == "/"
        if isEndTag { i += 1 }
        // As in HTML, only "<" or "</" followed by an ASCII letter opens a tag.
        guard i < n, ("a"..."z").contains(s[i]) || ("A"..."Z").contains(s[i]) else { return nil }
        func isSpace(_ c: Unicode.Scalar) -> Bool { c == " " || c == "\t" || c == "\n" || c == "\r" || c == "\u{0C}" }
        func skipSpaces() { while i < n, isSpace(s[i]) { i += 1 } }

        let nameStart = i
        while i < n, !isSpace(s[i]), s[i] != "/", s[i] != ">" { i += 1 }
        let name = string(s[nameStart..<i]).lowercased()
        var attributes = [Attribute]()
        while true {
            while i < n, isSpace(s[i]) || s[i] == "/" { i += 1 }
            guard i < n else { return nil }
            if s[i] == ">" { i += 1; break }
            let attributeStart = i
            i += 1
            while i < n, !isSpace(s[i]), s[i] != "/", s[i] != ">", s[i] != "=" { i += 1 }
            let attributeName = string(s[attributeStart..<i]).lowercased()
            skipSpaces()
            var value = ""
            if i < n, s[i] == "=" {
                i += 1
                skipSpaces()
                guard i < n else { return nil }
                if s[i] == "\"" || s[i] == "'" {
                    let quote = s[i]
                    let valueStart = i + 1
                    i = valueStart
                    while i < n, s[i] != quote { i += 1 }
                    guard i < n else { return nil }
                    value = string(s[valueStart..<i])
                    i += 1
                } else {
                    let valueStart = i
                    while i < n, !isSpace(s[i]), s[i] != ">" { i += 1 }
                    value = string(s[valueStart..<i])
                }
            }
            // As in HTML, the first of duplicate attributes wins.
            if !attributes.contains(where: { $0.name == attributeName }) {
                attributes.append(Attribute(name: attributeName, value: HTMLEscaping.decodeEntities(value)))
            }
        }
        let source = string(s[start..<i])
        return (isEndTag ? .endTag(name: name, source: source)
                         : .startTag(name: name, attributes: attributes, source: source), i)
    }

    private static func string(_ scalars: ArraySlice<Unicode.Scalar>) -> String {
        String(String.UnicodeScalarView(scalars))
    }
}
