import Foundation

/// Turns the sanitized node tree into plain text for e-mails and summaries.
enum PlainTextRenderer {
    private static let blockElements = HTMLSanitizer.blockElements

    static func render(_ nodes: [HTMLNode]) -> String {
        blocks(nodes).joined(separator: "\n\n")
    }

    static func summary(_ nodes: [HTMLNode], maxLength: Int) -> String {
        var parts = [String]()
        var length = 0
        for node in nodes where length < maxLength {
            if case .element(let element) = node,
               !["p", "blockquote", "ul", "ol"].contains(element.name) { continue }
            let text = collapsed(textContent([node]))
            if text.isEmpty { continue }
            parts.append(text)
            length += text.count + 1
        }
        let text = parts.isEmpty ? collapsed(textContent(nodes)) : parts.joined(separator: " ")
        return truncated(text, maxLength: maxLength)
    }

    /// Text of the nodes without URLs, block elements separated by spaces.
    static func textContent(_ nodes: [HTMLNode]) -> String {
        nodes.map { node in
            switch node {
            case .text(let text): return text
            case .element(let element):
                let inner = textContent(element.children)
                return blockElements.contains(element.name) || element.name == "br" || element.name == "td"
                    || element.name == "th" ? " \(inner) " : inner
            }
        }.joined()
    }

    /// Cuts `text` to at most `maxLength` characters, "…" included, at a word
    /// boundary when there is one.
    static func truncated(_ text: String, maxLength: Int) -> String {
        guard text.count > maxLength else { return text }
        guard maxLength > 1 else { return maxLength == 1 ? "…" : "" }
        var cut = text.prefix(maxLength - 1)
        if !text[cut.endIndex].isWhitespace,
           let space = cut.lastIndex(where: \.isWhitespace), space > cut.startIndex {
            cut = cut[..<space]
        }
        while let last = cut.last, last.isWhitespace || ",;:-–—([{«".contains(last) {
            cut = cut.dropLast()
        }
        return cut + "…"
    }

    private static func collapsed(_ text: String) -> String {
        text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    // MARK: Blocks

    private static func blocks(_ nodes: [HTMLNode]) -> [String] {
        var result = [String]()
        var inlineRun = [HTMLNode]()
        func flush() {
            let text = inline(inlineRun)
            if !text.isEmpty { result.append(text) }
            inlineRun = []
        }
        for node in nodes {
            guard case .element(let element) = node, blockElements.contains(element.name) else {
                inlineRun.append(node)
                continue
            }
            flush()
            let text = block(element)
            if !text.isEmpty { result.append(text) }
        }
        flush()
        return result
    }

    private static func block(_ element: HTMLElement) -> String {
        switch element.name {
        case "ul", "ol", "li":
            return list(element, indent: "")
        case "blockquote":
            return indented(blocks(element.children).joined(separator: "\n\n"), by: "    ")
        case "pre":
            var code = textContent(element.children)
            while code.last?.isNewline == true { code.removeLast() }
            return code
        case "hr":
            return "———"
        case "table":
            return rows(of: element).map { row in
                row.map { inline($0.children) }.joined(separator: " | ")
            }.joined(separator: "\n")
        default:
            return inline(element.children)
        }
    }

    private static func list(_ element: HTMLElement, indent: String) -> String {
        var number = element.start ?? 1
        let items = element.name == "li" ? [HTMLNode.element(element)] : element.children
        var lines = [String]()
        for case .element(let item) in items where item.name == "li" {
            let marker = element.name == "ol" ? "\(number). " : "- "
            number += 1
            let nested = item.children.compactMap { node -> HTMLElement? in
                if case .element(let e) = node, e.name == "ul" || e.name == "ol" { return e }
                return nil
            }
            let own = item.children.filter { node in
                if case .element(let e) = node { return e.name != "ul" && e.name != "ol" }
                return true
            }
            let padding = indent + String(repeating: " ", count: marker.count)
            let text = blocks(own).joined(separator: "\n")
            lines.append(indent + marker + indented(text, by: padding).dropFirst(padding.count))
            lines += nested.map { list($0, indent: padding) }
        }
        return lines.joined(separator: "\n")
    }

    private static func rows(of element: HTMLElement) -> [[HTMLElement]] {
        var rows = [[HTMLElement]]()
        for case .element(let child) in element.children {
            if child.name == "tr" {
                rows.append(child.children.compactMap { node -> HTMLElement? in
                    if case .element(let cell) = node { return cell }
                    return nil
                })
            } else {
                rows += self.rows(of: child)
            }
        }
        return rows
    }

    private static func indented(_ text: String, by prefix: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.isEmpty ? "" : prefix + $0 }
            .joined(separator: "\n")
    }

    // MARK: Inline

    /// Inline content on one or more lines (only `<br>` breaks lines).
    private static func inline(_ nodes: [HTMLNode]) -> String {
        let raw = inlineRaw(nodes)
        return raw.split(separator: "\n", omittingEmptySubsequences: false)
            .map { collapsed(String($0)) }
            .joined(separator: "\n")
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private static func inlineRaw(_ nodes: [HTMLNode]) -> String {
        nodes.map { node -> String in
            switch node {
            case .text(let text):
                return text.replacingOccurrences(of: "\n", with: " ")
            case .element(let element):
                switch element.name {
                case "br":
                    return "\n"
                case "a":
                    let text = inline(element.children)
                    guard let href = element.href else { return text }
                    if text.isEmpty || text == href { return href }
                    if "mailto:" + text == href { return text }
                    return "\(text) <\(href)>"
                default:
                    let inner = inlineRaw(element.children)
                    return blockElements.contains(element.name) ? " \(inner) " : inner
                }
            }
        }.joined()
    }
}
