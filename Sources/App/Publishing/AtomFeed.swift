import Foundation

/// An RFC 4287 Atom feed document, e.g. the published appeals of one language.
///
/// ```swift
/// let feed = AtomFeed(
///     id: AtomFeed.tagURI(authority: "egide.example", date: launch, specific: "appeals/fr"),
///     title: "Appels urgents", language: "fr",
///     selfURL: URL(string: "https://egide.example/fr/appeals.atom")!,
///     alternateURL: URL(string: "https://egide.example/fr/appeals")!,
///     author: .init(name: "Egide"), entries: entries)
/// let xml = feed.xml()   // serve as application/atom+xml; charset=utf-8
/// ```
///
/// All text is XML-escaped and stripped of characters XML 1.0 does not allow
/// (C0 controls other than tab and newline, U+FFFE, U+FFFF) and of the C1
/// controls it discourages. Dates are RFC 3339 in UTC, whole seconds.
public struct AtomFeed: Sendable {
    /// An Atom person construct (`author`).
    public struct Person: Sendable, Hashable {
        public var name: String
        public var uri: URL?
        /// Written only if it contains "@".
        public var email: String?

        public init(name: String, uri: URL? = nil, email: String? = nil) {
            self.name = name
            self.uri = uri
            self.email = email
        }
    }

    /// The software that generated the feed (`generator`).
    public struct Generator: Sendable, Hashable {
        public var name: String
        public var uri: URL?
        public var version: String?

        public init(name: String, uri: URL? = nil, version: String? = nil) {
            self.name = name
            self.uri = uri
            self.version = version
        }
    }

    /// An entry's `content`.
    public enum Content: Sendable, Hashable {
        /// HTML, written escaped as `type="html"`. Pass sanitized HTML only,
        /// such as ``MarkdownText/html(_:headingOffset:)``'s output.
        case html(String)
        /// Plain text, written as `type="text"`.
        case text(String)
    }

    /// One published appeal, statement or press release.
    public struct Entry: Sendable, Hashable {
        /// A stable, permanent IRI: a `tag:` URI (see ``AtomFeed/tagURI(authority:date:specific:)``)
        /// or a URN. It must not change when the entry is edited or moved.
        public var id: String
        public var title: String
        public var updated: Date
        public var published: Date?
        /// The entry's public HTML page (`link rel="alternate"`).
        public var link: URL
        /// Plain text, e.g. ``MarkdownText/summary(_:maxLength:)``.
        public var summary: String?
        public var content: Content?
        /// Category terms (`category term="…"`).
        public var categories: [String]
        /// Entry authors; the feed's author applies when empty.
        public var authors: [Person]

        public init(id: String, title: String, updated: Date, published: Date? = nil, link: URL,
                    summary: String? = nil, content: Content? = nil, categories: [String] = [],
                    authors: [Person] = []) {
            self.id = id
            self.title = title
            self.updated = updated
            self.published = published
            self.link = link
            self.summary = summary
            self.content = content
            self.categories = categories
            self.authors = authors
        }
    }

    /// The feed's permanent id: a `tag:` URI or an absolute URL.
    public var id: String
    public var title: String
    public var subtitle: String?
    /// The feed's language tag, written as `xml:lang` (e.g. "fr", "ar").
    public var language: String
    /// The feed document's own URL (`link rel="self"`).
    public var selfURL: URL
    /// The HTML index page the feed mirrors (`link rel="alternate"`).
    public var alternateURL: URL
    /// The feed's author, which satisfies RFC 4287's author requirement for every entry.
    public var author: Person
    public var generator: Generator?
    public var entries: [Entry]
    /// `updated` of a feed without entries.
    public var updatedWhenEmpty: Date

    public init(id: String, title: String, subtitle: String? = nil, language: String,
                selfURL: URL, alternateURL: URL, author: Person,
                generator: Generator? = Generator(name: "Egide"), entries: [Entry],
                updatedWhenEmpty: Date = Date(timeIntervalSince1970: 0)) {
        self.id = id
        self.title = title
        self.subtitle = subtitle
        self.language = language
        self.selfURL = selfURL
        self.alternateURL = alternateURL
        self.author = author
        self.generator = generator
        self.entries = entries
        self.updatedWhenEmpty = updatedWhenEmpty
    }

    /// The latest `updated` of the entries, or ``updatedWhenEmpty``.
    public var updated: Date {
        entries.map(\.updated).max() ?? updatedWhenEmpty
    }

    /// The entries as written: newest `updated` first (ties by id), and of
    /// entries sharing an id only the most recently updated one.
    public var sortedEntries: [Entry] {
        let sorted = entries.sorted { ($0.updated, $1.id) > ($1.updated, $0.id) }
        var seen = Set<String>()
        return sorted.filter { seen.insert($0.id).inserted }
    }

    /// The feed document, UTF-8 XML 1.0.
    public func xml() -> String {
        var xml = """
            <?xml version="1.0" encoding="utf-8"?>
            <feed xmlns="http://www.w3.org/2005/Atom" xml:lang="\(Self.escape(language))">
              <id>\(Self.escape(id))</id>
              <title type="text">\(Self.escape(title))</title>\n
            """
        if let subtitle {
            xml += "  <subtitle type=\"text\">\(Self.escape(subtitle))</subtitle>\n"
        }
        xml += """
              <updated>\(Self.rfc3339(updated))</updated>
              <link rel="self" type="application/atom+xml" href="\(Self.escape(selfURL.absoluteString))"/>
              <link rel="alternate" type="text/html" href="\(Self.escape(alternateURL.absoluteString))"/>
              \(Self.personXML(author, element: "author"))\n
            """
        if let generator {
            var attributes = ""
            if let uri = generator.uri { attributes += " uri=\"\(Self.escape(uri.absoluteString))\"" }
            if let version = generator.version { attributes += " version=\"\(Self.escape(version))\"" }
            xml += "  <generator\(attributes)>\(Self.escape(generator.name))</generator>\n"
        }
        for entry in sortedEntries {
            xml += Self.entryXML(entry)
        }
        return xml + "</feed>\n"
    }

    // MARK: Helpers

    /// A tag URI (RFC 4151): `tag:authority,YYYY-MM-DD:specific`, with
    /// `specific` percent-encoded where RFC 4151 does not allow a character.
    /// `date` is a day on which the authority name was yours (UTC).
    public static func tagURI(authority: String, date: Date, specific: String) -> String {
        let allowed = CharacterSet(charactersIn:
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&'()*+,;=:@/?")
        let encoded = specific.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
        return "tag:\(authority.lowercased()),\(rfc3339(date).prefix(10)):\(encoded)"
    }

    /// `date` as an RFC 3339 timestamp in UTC, e.g. `2025-03-01T09:30:00Z`
    /// (fractions of a second are dropped).
    public static func rfc3339(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 0)!
        let whole = Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down))
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: whole)
        func pad(_ value: Int?, _ width: Int) -> String {
            let digits = String(value ?? 0)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(c.year, 4))-\(pad(c.month, 2))-\(pad(c.day, 2))T"
            + "\(pad(c.hour, 2)):\(pad(c.minute, 2)):\(pad(c.second, 2))Z"
    }

    /// Escapes text for XML content and double-quoted attributes, dropping
    /// characters XML 1.0 forbids or discourages and normalising line ends.
    static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for scalar in text.replacingOccurrences(of: "\r\n", with: "\n").unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "\r": result += "\n"
            case "\t", "\n": result.unicodeScalars.append(scalar)
            default:
                let value = scalar.value
                if value < 0x20 || (0x7F...0x9F).contains(value) || value == 0xFFFE || value == 0xFFFF {
                    continue
                }
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    private static func personXML(_ person: Person, element: String) -> String {
        var xml = "<\(element)><name>\(escape(person.name))</name>"
        if let uri = person.uri { xml += "<uri>\(escape(uri.absoluteString))</uri>" }
        if let email = person.email, email.contains("@") { xml += "<email>\(escape(email))</email>" }
        return xml + "</\(element)>"
    }

    private static func entryXML(_ entry: Entry) -> String {
        var xml = """
              <entry>
                <id>\(escape(entry.id))</id>
                <title type="text">\(escape(entry.title))</title>
                <updated>\(rfc3339(entry.updated))</updated>\n
            """
        if let published = entry.published {
            xml += "    <published>\(rfc3339(published))</published>\n"
        }
        xml += "    <link rel=\"alternate\" type=\"text/html\" href=\"\(escape(entry.link.absoluteString))\"/>\n"
        for author in entry.authors {
            xml += "    \(personXML(author, element: "author"))\n"
        }
        for term in entry.categories {
            xml += "    <category term=\"\(escape(term))\"/>\n"
        }
        if let summary = entry.summary {
            xml += "    <summary type=\"text\">\(escape(summary))</summary>\n"
        }
        switch entry.content {
        case .html(let html): xml += "    <content type=\"html\">\(escape(html))</content>\n"
        case .text(let text): xml += "    <content type=\"text\">\(escape(text))</content>\n"
        case nil: break
        }
        return xml + "  </entry>\n"
    }
}
