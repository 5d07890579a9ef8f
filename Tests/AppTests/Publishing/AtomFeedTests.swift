import Foundation
import Testing
@testable import App
#if canImport(FoundationXML)
import FoundationXML
#endif

/// A parsed XML element, built with XMLParser (namespace-aware).
final class XMLNode {
    let name: String
    let namespace: String?
    let attributes: [String: String]
    var children: [XMLNode] = []
    var text = ""

    init(name: String, namespace: String?, attributes: [String: String]) {
        self.name = name
        self.namespace = namespace
        self.attributes = attributes
    }

    func all(_ name: String) -> [XMLNode] { children.filter { $0.name == name } }
    func first(_ name: String) -> XMLNode? { children.first { $0.name == name } }
}

final class TreeBuilder: NSObject, XMLParserDelegate {
    var stack: [XMLNode] = []
    var root: XMLNode?

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                qualifiedName: String?, attributes: [String: String] = [:]) {
        let node = XMLNode(name: elementName, namespace: namespaceURI, attributes: attributes)
        stack.last?.children.append(node)
        if root == nil { root = node }
        stack.append(node)
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
        stack.removeLast()
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        stack.last?.text += string
    }

    static func parse(_ xml: String) -> XMLNode? {
        let parser = XMLParser(data: Data(xml.utf8))
        parser.shouldProcessNamespaces = true
        let builder = TreeBuilder()
        parser.delegate = builder
        return parser.parse() ? builder.root : nil
    }
}

enum Fixture {
    static let base = URL(string: "https://egide.example")!
    static func date(_ string: String) -> Date { ISO8601DateFormatter().date(from: string)! }

    static func frenchFeed() -> AtomFeed {
        let launch = date("2024-01-15T00:00:00Z")
        let appeal = """
            # Libérez M. Dupré & <ses> proches

            Le comité « Égide » exige leur libération. [Signer](https://egide.example/fr/p?a=1&b=2)\u{1}
            """
        let entries = [
            AtomFeed.Entry(
                id: AtomFeed.tagURI(authority: "egide.example", date: launch, specific: "appeal/12/fr"),
                title: "Ancien appel", updated: date("2025-01-02T10:00:00Z"), published: date("2025-01-01T08:00:00Z"),
                link: base.appendingPathComponent("fr/appels/12"),
                summary: "Un appel plus ancien.", content: .text("Texte brut & simple.")),
            AtomFeed.Entry(
                id: AtomFeed.tagURI(authority: "egide.example", date: launch, specific: "appeal/13/fr"),
                title: "Libérez M. Dupré & <ses> proches \u{0}\u{B}\u{FFFE}",
                updated: date("2025-03-01T09:30:00Z"), published: date("2025-02-28T18:00:00Z"),
                link: base.appendingPathComponent("fr/appels/13"),
                summary: MarkdownText.summary(appeal, maxLength: 200),
                content: .html(MarkdownText.html(appeal)),
                categories: ["Tunisie", "Détention & torture"],
                authors: [.init(name: "Service de presse", email: "presse@egide.example")]),
            AtomFeed.Entry(
                id: "urn:uuid:2f7c1e4e-8f0b-4c51-9c55-6f4c1f2a9b10",
                title: "نداء عاجل: الإفراج عن المدافعين", updated: date("2025-02-10T12:00:00Z"),
                link: base.appendingPathComponent("fr/appels/14"),
                content: .html(MarkdownText.html("تطالب **اللجنة** بالإفراج الفوري"))),
        ]
        return AtomFeed(
            id: AtomFeed.tagURI(authority: "egide.example", date: launch, specific: "appeals/fr"),
            title: "Égide — appels urgents & communiqués",
            subtitle: "Appels < urgents >",
            language: "fr",
            selfURL: base.appendingPathComponent("fr/appels.atom"),
            alternateURL: base.appendingPathComponent("fr/appels"),
            author: .init(name: "Égide", uri: base),
            generator: .init(name: "Egide", uri: base, version: "1.0"),
            entries: entries)
    }
}

@Suite("Atom feed")
struct AtomFeedTests {
    let feed = Fixture.frenchFeed()

    @Test func parsesAndHasRequiredElements() throws {
        let xml = feed.xml()
        let root = try #require(TreeBuilder.parse(xml), "feed is not well-formed XML")
        #expect(root.name == "feed")
        #expect(root.namespace == "http://www.w3.org/2005/Atom")
        #expect(root.attributes["xml:lang"] == "fr" || root.attributes["lang"] == "fr")
        for required in ["id", "title", "updated", "author"] {
            #expect(root.all(required).count == 1, "feed/\(required)")
        }
        #expect(root.first("title")?.text == "Égide — appels urgents & communiqués")
        #expect(root.first("subtitle")?.text == "Appels < urgents >")
        #expect(root.first("id")?.text == "tag:egide.example,2024-01-15:appeals/fr")
        #expect(root.first("author")?.first("name")?.text == "Égide")
        let selfLinks = root.all("link").filter { $0.attributes["rel"] == "self" }
        #expect(selfLinks.count == 1)
        #expect(selfLinks.first?.attributes["type"] == "application/atom+xml")
        #expect(selfLinks.first?.attributes["href"] == "https://egide.example/fr/appels.atom")
        #expect(root.all("link").contains { $0.attributes["rel"] == "alternate" && $0.attributes["href"] == "https://egide.example/fr/appels" })
        #expect(root.first("generator")?.text == "Egide")

        let entries = root.all("entry")
        #expect(entries.count == 3)
        for entry in entries {
            for required in ["id", "title", "updated"] {
                #expect(entry.all(required).count == 1, "entry/\(required)")
            }
            #expect(entry.first("link") != nil || entry.first("content") != nil)
        }
        let ids = entries.compactMap { $0.first("id")?.text }
        #expect(Set(ids).count == ids.count)
    }

    @Test func textIsEscapedAndCleaned() throws {
        let xml = feed.xml()
        let root = try #require(TreeBuilder.parse(xml))
        let newest = try #require(root.all("entry").first)
        #expect(newest.first("title")?.text == "Libérez M. Dupré & <ses> proches ")
        #expect(!xml.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" && $0 != "\t" })
        #expect(!xml.unicodeScalars.contains { $0.value == 0xFFFE })
        #expect(newest.all("category").map { $0.attributes["term"] } == ["Tunisie", "Détention & torture"])
        #expect(newest.first("author")?.first("email")?.text == "presse@egide.example")
        let content = try #require(newest.first("content"))
        #expect(content.attributes["type"] == "html")
        #expect(content.text.hasPrefix("<h2>Libérez M. Dupré &amp; &lt;ses&gt; proches</h2>"))
        #expect(content.text.contains(#"<a href="https://egide.example/fr/p?a=1&amp;b=2" rel="nofollow noopener noreferrer">Signer</a>"#))
        #expect(HTMLCheck.problems(content.text) == [])
        #expect(newest.first("summary")?.text == "Le comité « Égide » exige leur libération. Signer")
        let arabic = try #require(root.all("entry").dropFirst().first)
        #expect(arabic.first("title")?.text == "نداء عاجل: الإفراج عن المدافعين")
    }

    @Test func datesAreRFC3339UTCAndEntriesNewestFirst() throws {
        let root = try #require(TreeBuilder.parse(feed.xml()))
        let pattern = #"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$"#
        var dates = [root.first("updated")?.text ?? ""]
        for entry in root.all("entry") {
            dates += entry.all("updated").map(\.text) + entry.all("published").map(\.text)
        }
        for date in dates {
            #expect(date.range(of: pattern, options: .regularExpression) != nil, "\(date)")
            #expect(ISO8601DateFormatter().date(from: date) != nil, "\(date)")
        }
        let updated = root.all("entry").compactMap { $0.first("updated")?.text }
        #expect(updated == ["2025-03-01T09:30:00Z", "2025-02-10T12:00:00Z", "2025-01-02T10:00:00Z"])
        #expect(root.first("updated")?.text == "2025-03-01T09:30:00Z")
        #expect(AtomFeed.rfc3339(Date(timeIntervalSince1970: 1_700_000_000.999)) == "2023-11-14T22:13:20Z")
    }

    @Test func duplicateIdsKeepTheLatestVersion() {
        var feed = feed
        var older = feed.entries[1]
        older.updated = Fixture.date("2020-01-01T00:00:00Z")
        older.title = "Old version"
        feed.entries.append(older)
        let ids = feed.sortedEntries.map(\.id)
        #expect(Set(ids).count == ids.count)
        #expect(!feed.sortedEntries.contains { $0.title == "Old version" })
    }

    @Test func emptyFeed() throws {
        var feed = feed
        feed.entries = []
        let root = try #require(TreeBuilder.parse(feed.xml()))
        #expect(root.first("updated")?.text == "1970-01-01T00:00:00Z")
        #expect(root.all("entry").isEmpty)
    }

    @Test func tagURIs() {
        let date = Fixture.date("2024-01-15T23:00:00Z")
        #expect(AtomFeed.tagURI(authority: "Egide.example", date: date, specific: "appel/12/fr")
                == "tag:egide.example,2024-01-15:appel/12/fr")
        #expect(AtomFeed.tagURI(authority: "egide.example", date: date, specific: "appel été #3")
                == "tag:egide.example,2024-01-15:appel%20%C3%A9t%C3%A9%20%233")
    }

    /// Runs tests/feeds/validate_atom.py (RFC 4287 RELAX NG schema + rules)
    /// when ATOM_VALIDATOR=1; it needs python3 with lxml and rnc2rng.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["ATOM_VALIDATOR"] == "1"))
    func externalValidatorAcceptsFeed() throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("atom-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var emptyFeed = feed
        emptyFeed.entries = []
        var files = [URL]()
        for (name, document) in [("fr.atom", feed), ("empty.atom", emptyFeed)] {
            let file = directory.appendingPathComponent(name)
            try document.xml().write(to: file, atomically: true, encoding: .utf8)
            files.append(file)
        }
        let script = URL(fileURLWithPath: packageRoot + "/tests/feeds/validate_atom.py")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path] + files.map(\.path)
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }
}
