import Foundation
import Testing
@testable import App

/// A hostile input, and text a reader must still see in the rendered page.
struct HostileCase: CustomTestStringConvertible, Sendable {
    var name: String
    var markdown: String
    var visible: [String]
    var testDescription: String { name }
}

let hostileCorpus: [HostileCase] = [
    .init(name: "script element", markdown: "<script>alert(1)</script>", visible: ["<script>alert(1)</script>"]),
    .init(name: "script with src, upper case", markdown: "Hi <SCRIPT SRC=//evil.example/x.js></SCRIPT> there",
          visible: ["Hi", "<SCRIPT SRC=//evil.example/x.js></SCRIPT>", "there"]),
    .init(name: "img onerror", markdown: "<img src=x onerror=alert(1)>", visible: ["<img src=x onerror=alert(1)>"]),
    .init(name: "html link to javascript", markdown: #"<a href="javascript:alert(1)">click</a>"#, visible: ["click"]),
    .init(name: "markdown javascript link", markdown: "[x](javascript:alert(1))", visible: ["x"]),
    .init(name: "upper-case scheme", markdown: "[upper](JAVASCRIPT:alert(1))", visible: ["upper"]),
    .init(name: "mixed-case scheme", markdown: "[mixed](JaVaScRiPt:alert(1))", visible: ["mixed"]),
    .init(name: "hex entity in scheme", markdown: "[hex](jav&#x61;script:alert(1))", visible: ["hex"]),
    .init(name: "decimal entity in scheme", markdown: "[dec](&#106;avascript:alert(1))", visible: ["dec"]),
    .init(name: "entities without semicolons", markdown: "[nosemi](&#106&#97&#118&#97script:alert(1))",
          visible: ["nosemi"]),
    .init(name: "named entity colon", markdown: "[colon](javascript&colon;alert(1))", visible: ["colon"]),
    .init(name: "leading spaces", markdown: "[sp](  javascript:alert(1))", visible: ["sp"]),
    .init(name: "tab inside scheme", markdown: "[tab](java\tscript:alert(1))", visible: ["tab"]),
    .init(name: "newline entity inside scheme", markdown: "[nl](java&#10;script:alert(1))", visible: ["nl"]),
    .init(name: "NUL before scheme", markdown: "[nul](\u{0}javascript:alert(1))", visible: ["nul"]),
    .init(name: "data URL", markdown: "[d](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)", visible: ["d"]),
    .init(name: "vbscript", markdown: "[vb](vbscript:msgbox(1))", visible: ["vb"]),
    .init(name: "protocol-relative URL", markdown: "[rel](//evil.example/x)", visible: ["rel"]),
    .init(name: "external image", markdown: "![a](https://evil.example/x.png)", visible: ["a"]),
    .init(name: "image with javascript src", markdown: "Look: ![the alt](javascript:alert(1)) here",
          visible: ["Look:", "the alt", "here"]),
    .init(name: "image src breaking out", markdown: #"![pic](https://evil.example/x.png" onerror="alert(1))"#,
          visible: ["pic"]),
    .init(name: "javascript autolink", markdown: "<javascript:alert(1)>", visible: ["<javascript:alert(1)>"]),
    .init(name: "autolink with quotes", markdown: #"<https://ok.example/"onmouseover="alert(1)>"#,
          visible: ["ok.example"]),
    .init(name: "svg onload", markdown: "<svg onload=alert(1)>", visible: ["<svg onload=alert(1)>"]),
    .init(name: "svg slash onload", markdown: "<svg/onload=alert(1)>", visible: ["<svg/onload=alert(1)>"]),
    .init(name: "iframe", markdown: #"<iframe src="https://evil.example"></iframe>"#, visible: ["<iframe"]),
    .init(name: "style element", markdown: "<style>body{display:none}</style>", visible: ["body{display:none}"]),
    .init(name: "object", markdown: #"<object data="x.swf"></object>"#, visible: ["<object"]),
    .init(name: "form", markdown: #"<form action="https://evil.example"><input name=p></form>"#, visible: ["<form"]),
    .init(name: "html comment", markdown: "<!-- <script>alert(1)</script> --> after", visible: ["after"]),
    .init(name: "nested unclosed tags", markdown: "<div><p>nested <b>unclosed\n\nnext paragraph",
          visible: ["nested", "unclosed", "next paragraph"]),
    .init(name: "unclosed link", markdown: #"<a href="https://ok.example">unclosed link"#, visible: ["unclosed link"]),
    .init(name: "mutation XSS", markdown: "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
          visible: ["<img src=x onerror=alert(1)>"]),
    .init(name: "split script tag", markdown: "<<script>script>alert(1)<</script>/script>", visible: ["alert(1)"]),
    .init(name: "reference link to javascript", markdown: "[click][evil] me\n\n[evil]: javascript:alert(1)",
          visible: ["click", "me"]),
    .init(name: "reference link to data", markdown: "[ref][d]\n\n[d]:   data:text/html,<script>alert(1)</script>",
          visible: ["ref"]),
    .init(name: "script in code span", markdown: "Use `<script>alert(1)</script>` carefully",
          visible: ["<script>alert(1)</script>", "carefully"]),
    .init(name: "script in code block", markdown: "```\n<script>alert(1)</script>\n```", visible: ["<script>alert(1)</script>"]),
    .init(name: "code fence language breaking out", markdown: "```\"><script>alert(1)</script>\ncode\n```",
          visible: ["code"]),
    .init(name: "CDATA", markdown: "<![CDATA[<script>alert(1)</script>]]>", visible: ["alert(1)"]),
    .init(name: "link title with quote and handler",
          markdown: #"[titled](https://ok.example/ "x\" onmouseover=\"alert(1)")"#, visible: ["titled"]),
    .init(name: "link URL breaking out of href", markdown: #"[x](https://ok.example/" onmouseover="alert(1))"#,
          visible: ["x"]),
    .init(name: "entity-encoded markup", markdown: "&lt;script&gt;alert(1)&lt;/script&gt;", visible: ["<script>alert(1)</script>"]),
    .init(name: "ampersand passthrough", markdown: "AT&T &<script>alert(1)</script>;", visible: ["AT&T", "alert(1)"]),
    .init(name: "html inside link text", markdown: "[<img src=x onerror=alert(1)>](https://ok.example)",
          visible: ["<img src=x onerror=alert(1)>"]),
    .init(name: "html in emphasis", markdown: "**<script>alert(1)</script>**", visible: ["alert(1)"]),
    .init(name: "html in heading", markdown: "# <script>alert(1)</script> Title", visible: ["Title"]),
    .init(name: "html in table", markdown: "| <script>x</script> | b |\n|---|---|\n| <img src=x> | [c](javascript:1) |",
          visible: ["<script>x</script>", "<img src=x>", "c"]),
    .init(name: "html in list", markdown: "- <iframe src=x>\n- [a](data:text/html,x)", visible: ["<iframe src=x>", "a"]),
    .init(name: "html in blockquote", markdown: "> <svg/onload=alert(1)> quoted", visible: ["quoted"]),
    .init(name: "p with handler", markdown: #"<p onclick="alert(1)">hi</p>"#, visible: ["hi"]),
    .init(name: "metadata block", markdown: "---\nscript: <script>alert(1)</script>\n---\nbody", visible: ["alert(1)", "body"]),
    .init(name: "javascript in mailto-looking text", markdown: "[m](mailto:a@b.example?body=<script>)", visible: ["m"]),
]

@Suite("Sanitizing hostile Markdown")
struct SanitizingTests {
    @Test("hostile input renders safely", arguments: hostileCorpus)
    func hostile(_ input: HostileCase) {
        for offset in [0, 1] {
            let html = MarkdownText.html(input.markdown, headingOffset: offset)
            #expect(HTMLCheck.problems(html) == [], "\(html)")
            let visible = HTMLCheck.visibleText(html)
            for text in input.visible {
                #expect(visible.contains(text), "\(text) missing from \(html)")
            }
        }
        let plain = MarkdownText.plainText(input.markdown)
        for text in input.visible {
            #expect(plain.contains(text), "\(text) missing from plain text \(plain)")
        }
        #expect(!plain.lowercased().contains("javascript:alert(1))"))
    }

    @Test func corpusIsLargeEnough() {
        #expect(hostileCorpus.count >= 30)
    }

    @Test func refusedLinksKeepTheirText() {
        #expect(MarkdownText.html("[Lire](javascript:alert(1)) la suite") == "<p>Lire la suite</p>")
        #expect(MarkdownText.html("[Lire](JaVaScRiPt:alert(1))") == "<p>Lire</p>")
    }

    @Test func codeShowsMarkupAsEscapedText() {
        #expect(MarkdownText.html("`<script>alert(1)</script>`")
                == "<p><code>&lt;script&gt;alert(1)&lt;/script&gt;</code></p>")
        #expect(MarkdownText.html("```\n<b>&amp;</b>\n```") == "<pre><code>&lt;b&gt;&amp;amp;&lt;/b&gt;\n</code></pre>")
    }

    @Test func rawHTMLIsText() {
        #expect(MarkdownText.html("a <b>bold</b> claim") == "<p>a &lt;b&gt;bold&lt;/b&gt; claim</p>")
        #expect(MarkdownText.html("<em>not emphasis</em>") == "<p>&lt;em&gt;not emphasis&lt;/em&gt;</p>")
        // An unclosed "tag" must not swallow the rest of the document.
        #expect(MarkdownText.html("x<y and z>w\n\nnext") == "<p>x&lt;y and z&gt;w</p><p>next</p>")
    }

    @Test func imagesBecomeAltText() {
        #expect(MarkdownText.html("![Portrait of *A. B.*](https://evil.example/x.png)") == "<p>Portrait of A. B.</p>")
        #expect(MarkdownText.html("See ![map](https://x.example/m.png).") == "<p>See map.</p>")
        #expect(MarkdownText.html("![](https://evil.example/x.png)") == "")
    }

    @Test func sanitizerRejectsMarkupInkCouldProduce() {
        // The final pass on its own, given HTML as a buggy Ink might write it.
        let hostile = #"<p onclick="x">a<script>alert(1)</script><img src=x onerror=y>"#
            + #"<a href="jav&#x61;script:x" onmouseover="y">b</a><a href=" https://ok.example/x" title=t>c</a>"#
            + #"<code class="language-x">d</code><h1 style="x">e</h1></p></div></a></p>"#
        let html = HTMLSanitizer.serialize(HTMLSanitizer.parse(hostile, headingOffset: 1))
        #expect(HTMLCheck.problems(html) == [], "\(html)")
        #expect(html == "<p>a&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=y&gt;b"
                + #"<a href="https://ok.example/x" rel="nofollow noopener noreferrer">c</a><code>d</code>"#
                + "<h2>e</h2></p><p>&lt;/div&gt;</p>")
    }

    @Test func hrefCheck() {
        #expect(HTMLSanitizer.safeHref("https://example.org/a b") == "https://example.org/a%20b")
        #expect(HTMLSanitizer.safeHref("\u{1}\n HTTPS://example.org ") == "HTTPS://example.org")
        #expect(HTMLSanitizer.safeHref("mailto:press@example.org") == "mailto:press@example.org")
        for refused in ["javascript:alert(1)", " JAVASCRIPT:x", "java\tscript:x", "data:text/html,x",
                        "vbscript:x", "/relative", "//evil.example", "#top", "https:", "ｈttps://x.example",
                        "file:///etc/passwd", "https://ok.example/\u{7}x"] {
            #expect(HTMLSanitizer.safeHref(refused) == nil, "\(refused)")
        }
    }
}

/// Seeded random documents assembled from Markdown and HTML fragments that
/// matter to the sanitizer; every one must pass the independent checks.
@Suite("Sanitizer fuzzing")
struct FuzzTests {
    struct SplitMix64: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let pieces = [
        "<", ">", "</", "/>", "<a href=\"", "<img src=x ", "<script>", "</script>", "<svg", "<iframe", "<style>",
        "<!--", "-->", "<![CDATA[", "]]>", "[", "]", "](", ")", "![", "[x]: ", "][x]", "javascript:", "JaVaScRiPt:",
        "jav&#x61;script:", "&#106;", "data:", "vbscript:", "https://ok.example/", "mailto:a@b.example", "//evil",
        "\"", "'", "`", "```", "\n", "\n\n", "  \n", " ", "\t", "*", "**", "_", "~~", "#", "# ", "- ", "1. ", "> ",
        "| ", "---", "&", "&amp;", "&lt;", "&quot;", ";", ":", "=", " onerror=", " onmouseover=", "style=", "alert(1)",
        "é", "نص", "\u{0}", "\u{202E}", "\\", "(", "<p", "<P>", "<a", "<https://ok.example>", "<javascript:x>",
    ]

    @Test func randomDocumentsAreSafe() {
        var rng = SplitMix64(state: 0xE61D_E000)
        for _ in 0..<1200 {
            let count = Int.random(in: 1...40, using: &rng)
            let markdown = (0..<count).map { _ in Self.pieces.randomElement(using: &rng)! }.joined()
            let html = MarkdownText.html(markdown)
            let problems = HTMLCheck.problems(html)
            #expect(problems == [], "\(markdown.debugDescription) → \(html)")
            if !problems.isEmpty { return }
            let plain = MarkdownText.plainText(markdown)
            // Plain text keeps what the author typed, but generates no markup.
            let typed = markdown.replacingOccurrences(of: "\u{0}", with: "")
            for markup in ["<a href", "<p>", "<em>", "<li>"] where !typed.contains(markup) {
                #expect(!plain.contains(markup), "\(markdown.debugDescription)")
            }
            #expect(MarkdownText.summary(markdown, maxLength: 50).count <= 50)
        }
    }
}

@Suite("Pathological input")
struct PathologicalInputTests {
    /// Ink 0.6 alone takes exponential time on unmatched "[" (25 take over a
    /// minute) and quadratic time on "&" without ";" or "[a](" without ")".
    @Test(arguments: ["[", "![", "&a", "[a](", "[a](b", "<a ", "<", "[[](", "`a", "[a](b)"])
    func rendersInLinearTime(_ unit: String) {
        let markdown = String(repeating: unit, count: 4000)
        let start = ContinuousClock.now
        let html = MarkdownText.html(markdown)
        _ = MarkdownText.plainText(markdown)
        #expect(ContinuousClock.now - start < .seconds(15))
        #expect(HTMLCheck.problems(html) == [])
    }

    /// Ink parses nested links recursively; deep nesting must neither
    /// exhaust the stack nor take long.
    @Test func deepNesting() {
        let links = String(repeating: "[", count: 3000) + "x" + String(repeating: "](https://a.example)", count: 3000)
        let images = String(repeating: "![", count: 3000) + "x" + String(repeating: "](https://a.example)", count: 3000)
        let list = (0..<100).map { String(repeating: " ", count: $0) + "- x" }.joined(separator: "\n")
        for markdown in [links, images, list] {
            let start = ContinuousClock.now
            let html = MarkdownText.html(markdown)
            _ = MarkdownText.plainText(markdown)
            #expect(ContinuousClock.now - start < .seconds(30))
            #expect(HTMLCheck.problems(html) == [])
        }
        // The two innermost of six nested pairs are beyond the limit and shown as text.
        let six = String(repeating: "[", count: 6) + "x" + String(repeating: "](https://a.example)", count: 6)
        #expect(MarkdownText.html(six) == #"<p><a href="https://a.example" rel="nofollow noopener noreferrer">[[x</a>"#
                + "](https://a.example)](https://a.example)</p>")
    }

    @Test func unmatchedBracketsStayVisible() {
        #expect(MarkdownText.html("[[[ [a](https://ok.example) ]]") 
                == #"<p>[[[ <a href="https://ok.example" rel="nofollow noopener noreferrer">a</a> ]]</p>"#)
        #expect(MarkdownText.html("[note] & [x]: y") == "<p>[note] &amp; [x]: y</p>")
    }
}
