import EgideCore
import LeafKit
import NIOConcurrencyHelpers
import Vapor

/// Pages that are the same for every signed-out visitor — the public alert form, the follow-up
/// form, the home and sign-in pages, the error pages — rendered once per language and kept, with
/// holes for what differs per visitor: the CSRF token, a form's idempotency key, and the language
/// switch links that lead back to the address asked for.
///
/// Rendering the alert form took ~16 ms of processor time (Leaf walking 250 countries with a
/// translation tag each); copying its bytes and filling three holes takes microseconds, so a crowd —
/// or someone trying to make the form unreachable — costs the server little (docs/PERFORMANCE.md).
///
/// What a page shows from the database (the alert categories) may be `lifetime` old on another
/// node; this node forgets its pages at once when a category changes (`invalidate`). A page kept
/// here never holds anything about a visitor: the holes are filled on the way out, per request.
final class SharedPages: Sendable {
    /// What differs per visitor. The markers are what the page is rendered with; no catalogue
    /// string, category label or address can contain them.
    enum Hole: Hashable, Sendable {
        case csrf
        case formKey
        case languageLink(Language)

        var marker: String {
            switch self {
            case .csrf: "egide-hole-csrf-4f1c"
            case .formKey: "egide-hole-form-key-4f1c"
            case .languageLink(let language): "egide-hole-language-\(language.rawValue)-4f1c"
            }
        }

        static let all: [Hole] = [.csrf, .formKey] + Language.allCases.map { .languageLink($0) }
    }

    /// A rendered page cut at its holes.
    struct Entry: Sendable {
        enum Part: Sendable {
            case bytes(ByteBuffer)
            case hole(Hole)
        }

        var parts: [Part]
        var size: Int
        var until: ContinuousClock.Instant

        init(html: String, until: ContinuousClock.Instant) {
            var parts: [Part] = []
            var rest = Substring(html)
            while let (hole, range) = Hole.all.compactMap({ hole in rest.range(of: hole.marker).map { (hole, $0) } })
                .min(by: { $0.1.lowerBound < $1.1.lowerBound }) {
                parts.append(.bytes(ByteBuffer(string: String(rest[..<range.lowerBound]))))
                parts.append(.hole(hole))
                rest = rest[range.upperBound...]
            }
            parts.append(.bytes(ByteBuffer(string: String(rest))))
            self.parts = parts
            size = parts.reduce(0) { total, part in if case .bytes(let buffer) = part { total + buffer.readableBytes } else { total } }
            self.until = until
        }

        /// The page with each hole filled by `value(hole)` (already HTML-escaped).
        func body(_ value: (Hole) -> String) -> ByteBuffer {
            var buffer = ByteBufferAllocator().buffer(capacity: size + 512)
            for part in parts {
                switch part {
                case .bytes(var bytes): buffer.writeBuffer(&bytes)
                case .hole(let hole): buffer.writeString(value(hole))
                }
            }
            return buffer
        }
    }

    /// How long a page is kept: what it shows from the database may be this old.
    static let lifetime: Duration = .seconds(10)
    /// At most this many pages; past it the oldest half is forgotten. A few dozen exist (pages ×
    /// languages × error statuses): the bound only stops an unforeseen key from growing memory.
    static let capacity = 512

    private struct State {
        var pages: [String: Entry] = [:]
        /// Whole answers as the front door sends them, by path and language (`FrontDoor.key`).
        var answers: [String: FrontDoorAnswer] = [:]
        var generation = 0
    }

    private let entries = NIOLockedValueBox(State())

    func entry(_ key: String, now: ContinuousClock.Instant) -> Entry? {
        entries.withLockedValue { $0.pages[key] }.flatMap { $0.until > now ? $0 : nil }
    }

    /// The front door's answer kept under `key`, while it lasts.
    func answer(_ key: String, now: ContinuousClock.Instant) -> FrontDoorAnswer? {
        entries.withLockedValue { $0.answers[key] }.flatMap { answer in answer.until.map { $0 > now } == true ? answer : nil }
    }

    /// Counts `invalidate` calls: a page rendered from data read before one is not kept.
    var generation: Int { entries.withLockedValue { $0.generation } }

    /// Keeps `entry`, unless the pages were forgotten since `generation` was read (its render may
    /// show a category that no longer exists).
    func store(_ entry: Entry, as key: String, renderedAt generation: Int) {
        entries.withLockedValue { state in
            guard state.generation == generation else { return }
            Self.makeRoom(in: &state.pages) { $0.until }
            state.pages[key] = entry
        }
    }

    /// Keeps the front door's `answer`, on the same terms as `store`.
    func storeAnswer(_ answer: FrontDoorAnswer, as key: String, renderedAt generation: Int) {
        entries.withLockedValue { state in
            guard state.generation == generation, answer.until != nil else { return }
            // Not-found pages go first: a spray of made-up addresses never pushes the form out.
            Self.makeRoom(in: &state.answers) { $0.status == .ok ? $0.until! + .seconds(86_400 * 365) : $0.until! }
            state.answers[key] = answer
        }
    }

    /// Past `capacity`, forgets the half that expires first: an unforeseen key (every path asked
    /// for, 404s included) never grows memory.
    private static func makeRoom<Value>(in kept: inout [String: Value], until: (Value) -> ContinuousClock.Instant) {
        guard kept.count >= capacity else { return }
        let oldest = kept.sorted { until($0.value) < until($1.value) }.prefix(capacity / 2).map(\.key)
        for key in oldest { kept[key] = nil }
    }

    /// `text` escaped as Leaf escapes `#( )` output; most links need nothing, and are returned as they are.
    static func escaped(_ text: String) -> String {
        text.utf8.contains { $0 == UInt8(ascii: "&") || $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: ">") || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "'") }
            ? text.htmlEscaped() : text
    }

    /// Forgets every page and answer (a category was added, renamed, switched on or off).
    func invalidate() { entries.withLockedValue { $0 = State(generation: $0.generation + 1) } }

    var count: Int { entries.withLockedValue { $0.pages.count } }
}

extension Application {
    private struct SharedPagesKey: StorageKey { typealias Value = SharedPages }

    var sharedPages: SharedPages {
        get { storage[SharedPagesKey.self]! }
        set { storage[SharedPagesKey.self] = newValue }
    }
}

extension Request {
    /// Whether this request may be answered with a page kept for every visitor: no session, no
    /// confirmation waiting, and pages kept at all (not while a developer edits templates).
    var mayShareAPage: Bool {
        principal == nil && Flash.pending(self) == nil && !application.egideConfig.reloadTemplates
    }

    /// Renders `template` like `render`, but for a signed-out visitor answers from `SharedPages`:
    /// `content` is built (and the page rendered) only when no page is kept for this template,
    /// `variant`, language and layout. `content` receives the text to put where the page needs a
    /// per-visitor value (`SharedPages.Hole.formKey.marker`) — or, when the page is not shared,
    /// that value itself.
    func renderShared<Content: Encodable>(
        _ template: Template, titleKey: String, variant: String = "", status: HTTPStatus = .ok, forms: Bool = false,
        _ content: (_ formKey: String) async throws -> Content
    ) async throws -> Response {
        guard mayShareAPage else {
            return try await render(template, titleKey: titleKey, try await content(Secrets.token(bytes: 18)), status: status, forms: forms)
        }
        var layout = layoutContext(titleKey: titleKey)
        let links = layout.languages
        for (index, link) in links.enumerated() where !link.current {
            guard let language = link.lang.flatMap(Language.init(rawValue:)) else { continue }
            layout.languages[index].href = SharedPages.Hole.languageLink(language).marker
        }
        let key = [template.rawValue, language.rawValue, String(status.code), variant, layout.home, layout.signInHref ?? "-",
                   layout.navigation.map { $0.current ? "1" : "0" }.joined()].joined(separator: "|")
        let pages = application.sharedPages
        let now = ContinuousClock.now
        let entry: SharedPages.Entry
        if let kept = pages.entry(key, now: now) {
            entry = kept
        } else {
            let generation = pages.generation
            let page = Page(lang: language.rawValue, dir: language.direction, csrf: forms ? SharedPages.Hole.csrf.marker : nil,
                            layout: layout, page: try await content(SharedPages.Hole.formKey.marker))
            let view = try await self.view.render(template.rawValue, page).get()
            entry = SharedPages.Entry(html: String(buffer: view.data), until: now + SharedPages.lifetime)
            pages.store(entry, as: key, renderedAt: generation)
        }
        let body = entry.body { hole in
            switch hole {
            case .csrf: SharedPages.escaped(csrfToken)
            case .formKey: isFrontDoorTemplate ? FrontDoorAnswer.formKeyMarker : Secrets.token(bytes: FrontDoorAnswer.formKeyBytes)
            case .languageLink(let language): SharedPages.escaped(links.first { $0.lang == language.rawValue }?.href ?? "")
            }
        }
        let response = Response(status: status, body: .init(buffer: body))
        response.headers.contentType = .html
        response.headers.replaceOrAdd(name: .contentLanguage, value: language.rawValue)
        if status == .ok { Flash.clear(on: response, self) }
        response.keptUntil = entry.until
        return response
    }
}
