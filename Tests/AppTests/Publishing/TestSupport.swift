import Foundation
import Testing

/// Independent checks of rendered HTML, written without the library's own
/// tokenizer so that a bug there cannot hide itself.
enum HTMLCheck {
    /// Every `<` in safe output starts a tag (text `<` is escaped), so this
    /// finds all tags.
    static func tags(_ html: String) -> [String] {
        matches(#"<[^>]*>"#, in: html)
    }

    /// Problems with `html`, or [] if every tag is one of the allow-listed
    /// forms, hrefs are http(s)/mailto, and no dangerous construct appears.
    static func problems(_ html: String) -> [String] {
        var problems = [String]()
        let allowedTag = try! NSRegularExpression(pattern:
            #"^<(/?(p|h[1-6]|ul|li|blockquote|pre|code|em|strong|s|hr|br|table|thead|tbody|tr|th|td|ol)"#
            + #"|ol start="\d+"|a href="[^"<>]*" rel="nofollow noopener noreferrer"|/a)>$"#)
        for tag in tags(html) where allowedTag.firstMatch(in: tag, range: NSRange(tag.startIndex..., in: tag)) == nil {
            problems.append("tag not allow-listed: \(tag)")
        }
        let lowered = html.lowercased()
        for needle in ["<script", "<img", "<iframe", "<svg", "<style", "<object", "<form", "<math", "<!--", "<![cdata"]
        where lowered.contains(needle) {
            problems.append("contains \(needle)")
        }
        for tag in tags(html) where !matches(#"\son[a-z]+\s*="#, in: tag.lowercased()).isEmpty
            || tag.lowercased().contains("style=") {
            problems.append("event handler or style attribute in \(tag)")
        }
        for href in matches(#"(?<=href=")[^"]*"#, in: html) {
            let url = decode(href).trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
            if !(url.hasPrefix("http://") || url.hasPrefix("https://") || url.hasPrefix("mailto:")) {
                problems.append("href with a refused scheme: \(href)")
            }
        }
        let text = html.replacingOccurrences(of: #"<[^>]*>"#, with: "", options: .regularExpression)
        if text.contains("\"") || text.contains(">") {
            problems.append("unescaped quote or > in text")
        }
        if !wellFormed(html) { problems.append("not well-formed") }
        return problems
    }

    /// What a reader sees: tags removed, the four entities the library writes decoded.
    static func visibleText(_ html: String) -> String {
        decode(html.replacingOccurrences(of: #"<[^>]*>"#, with: " ", options: .regularExpression))
    }

    static func decode(_ text: String) -> String {
        text.replacingOccurrences(of: "&lt;", with: "<")
            .replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"")
            .replacingOccurrences(of: "&amp;", with: "&")
    }

    /// Well-formed as XML once the two void elements are self-closed.
    static func wellFormed(_ html: String) -> Bool {
        let xml = "<root>" + html.replacingOccurrences(of: "<br>", with: "<br/>")
            .replacingOccurrences(of: "<hr>", with: "<hr/>") + "</root>"
        return XMLParser(data: Data(xml.utf8)).parse()
    }

    static func matches(_ pattern: String, in text: String) -> [String] {
        let regex = try! NSRegularExpression(pattern: pattern)
        return regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap {
            Range($0.range, in: text).map { String(text[$0]) }
        }
    }
}

#if canImport(FoundationXML)
import FoundationXML
#endif
