import EgideCore
import Fluent
import NIOConcurrencyHelpers
import Vapor

/// What the public may read of the appeals: the published text of each document in each
/// language — its reference, kind, date, title and body, nothing else (no case code, no name
/// but those the published text itself carries). A closed letter never appears, whatever its state.
enum PublishedAppeals {
    struct Entry: Sendable {
        var appeal: AppealRecord
        var version: AppealVersionRecord
        var text: AppealText
        var slug: String
    }

    /// The published documents in `language`, newest first.
    static func list(_ language: AppealLanguage, limit: Int, offset: Int = 0, on db: any Database, vault: Vault) async throws -> [Entry] {
        let versions = try await AppealVersionRecord.query(on: db).filter(\.$language == language).filter(\.$publishedRevision != nil)
            .sort(\.$publishedAt, .descending).range(offset..<(offset + limit)).all()
        let appeals = Dictionary(try await AppealRecord.query(on: db).filter(\.$id ~~ versions.map(\.appealID)).all()
            .compactMap { appeal in appeal.id.map { ($0, appeal) } }, uniquingKeysWith: { a, _ in a })
        var entries: [Entry] = []
        for version in versions {
            guard let appeal = appeals[version.appealID], let entry = try await entry(appeal, version, on: db, vault: vault) else { continue }
            entries.append(entry)
        }
        return entries
    }

    /// The published document at `slug` in `language`, or `nil`.
    static func find(_ slug: String, _ language: AppealLanguage, on db: any Database, vault: Vault) async throws -> Entry? {
        guard slug.count <= 90, let appeal = try await AppealRecord.query(on: db).filter(\.$slug == slug).first(),
              let version = try await AppealVersionRecord.query(on: db).filter(\.$appealID == appeal.requireID()).filter(\.$language == language).first()
        else { return nil }
        return try await entry(appeal, version, on: db, vault: vault)
    }

    /// The other languages `appeal` is published in.
    static func languages(of appeal: AppealRecord, on db: any Database) async throws -> [AppealLanguage] {
        try await AppealVersionRecord.query(on: db).filter(\.$appealID == appeal.requireID()).filter(\.$publishedRevision != nil).all()
            .map(\.language).sorted()
    }

    private static func entry(_ appeal: AppealRecord, _ version: AppealVersionRecord, on db: any Database, vault: Vault) async throws -> Entry? {
        guard appeal.kind.isPublic, let revision = version.publishedRevision, let slug = appeal.slug,
              let text = try await AppealQueries.text(of: try version.requireID(), revision: revision, on: db, vault: vault) else { return nil }
        return Entry(appeal: appeal, version: version, text: text, slug: slug)
    }
}

/// The public list and feeds as last rendered, each with the state of the published versions it
/// was rendered from (`validator`): a request pays one small query, and renders again only when a
/// version of its language was published, updated, withdrawn or closed since — on any node, since
/// the validator is read from the database. Only signed-out visitors' pages are kept (a signed-in
/// page carries its reader's menu and form token).
final class PublicAppealCache: Sendable {
    private let entries = NIOLockedValueBox<[String: (validator: String, body: String)]>([:])

    func body(_ key: String, validator: String) -> String? {
        entries.withLockedValue { $0[key].flatMap { $0.validator == validator ? $0.body : nil } }
    }

    func keep(_ key: String, validator: String, body: String) {
        entries.withLockedValue { entries in
            if entries.count > 256 { entries.removeAll() }
            entries[key] = (validator, body)
        }
    }

    /// What the rendering of `language`'s list or feed depends on: how many versions are online
    /// and the latest change to any version in that language.
    static func validator(_ language: AppealLanguage, on db: any Database) async throws -> String {
        let versions = AppealVersionRecord.query(on: db).filter(\.$language == language)
        let latest = try await versions.copy().max(\.$updatedAt)?.timeIntervalSince1970 ?? 0
        let online = try await versions.copy().filter(\.$publishedRevision != nil).count()
        return "\(online)/\(latest)"
    }
}

extension Application {
    private struct PublicAppealCacheKey: StorageKey { typealias Value = PublicAppealCache }

    var publicAppealCache: PublicAppealCache {
        if let cache = storage[PublicAppealCacheKey.self] { return cache }
        let cache = PublicAppealCache()
        storage[PublicAppealCacheKey.self] = cache
        return cache
    }
}

/// The public pages of published appeals and their Atom feeds.
enum PublicAppealsController {
    struct ListContext: Encodable {
        struct Item: Encodable {
            var href: String
            var reference: String
            var kind: String
            var date: String
            var title: String
            var summary: String
        }
        var heading: String
        var items: [Item]
        var feedHref: String
        var dir: String
        var lang: String
        var olderHref: String?
        var newerHref: String?
    }

    struct DocumentContext: Encodable {
        var reference: String
        var kind: String
        var published: String
        var updated: String?
        var title: String
        var bodyHTML: String
        var dir: String
        var lang: String
        var otherLanguages: [PageHead.Alternate]
        var followUpOf: String?
        var followUpOfHref: String?
        /// Its follow-ups published in this language (a release, a sentencing…), newest last.
        var followUps: [PageHead.Alternate]
        var closed: Bool
        var listHref: String
        var feedHref: String
    }

    static let pageSize = 20

    static func list(_ language: AppealLanguage) -> @Sendable (Request) async throws -> Response {
        { request in
            frame(request, language) { .publicAppeals($0) }
            let page = try request.listPage(size: pageSize)
            let cacheKey = "list/\(language.rawValue)/\(page.number)/\(request.language.rawValue)"
            let anonymous = request.principal == nil && Flash.pending(request) == nil
            let validator = try await PublicAppealCache.validator(language, on: request.db)
            if anonymous, let body = request.application.publicAppealCache.body(cacheKey, validator: validator) {
                return html(body, language: request.language)
            }
            var entries = try await PublishedAppeals.list(language, limit: pageSize + 1, offset: page.offset, on: request.db, vault: request.application.vault)
            let hasOlder = entries.count > pageSize
            entries = Array(entries.prefix(pageSize))
            let base = SiteURL.publicAppeals(language).href
            request.pageHead = PageHead(meta: [], alternates: [], feedHref: SiteURL.appealFeed(language).href,
                                        feedTitle: request.t("appeal.public.feedTitle"), canonical: nil)
            let context = ListContext(
                heading: request.t("appeal.public.heading"),
                items: entries.map { entry in
                    .init(href: SiteURL.publicAppeal(language, slug: entry.slug).href, reference: entry.appeal.reference ?? "",
                          kind: request.t(entry.appeal.kind.labelKey), date: request.day(entry.version.firstPublishedAt ?? entry.version.publishedAt ?? Date()),
                          title: entry.text.title, summary: MarkdownText.summary(entry.text.body, maxLength: 280))
                },
                feedHref: SiteURL.appealFeed(language).href, dir: language.direction, lang: language.rawValue,
                olderHref: hasOlder ? page.next.map { base + "?page=\($0.number)" } : nil,
                newerHref: page.previous.map { $0.number == 0 ? base : base + "?page=\($0.number)" })
            let response = try await request.render(.publicAppeals, titleKey: "appeal.public.title", context)
            if anonymous, response.status == .ok, let body = response.body.string {
                request.application.publicAppealCache.keep(cacheKey, validator: validator, body: body)
            }
            return response
        }
    }

    static func show(_ language: AppealLanguage) -> @Sendable (Request) async throws -> Response {
        { request in
            let slug = request.parameters.get("slug") ?? ""
            guard let entry = try await PublishedAppeals.find(slug, language, on: request.db, vault: request.application.vault) else { throw Abort(.notFound) }
            frame(request, language) { .publicAppeal($0, slug: slug) }
            let others = try await PublishedAppeals.languages(of: entry.appeal, on: request.db)
            // The language switch leads to this document where it is published in that language, else to that language's list.
            request.languageAlternates = Dictionary(uniqueKeysWithValues: Language.allCases.map { interface in
                let documentLanguage = AppealLanguage(rawValue: interface.rawValue) ?? .en
                return (interface, (others.contains(documentLanguage) ? SiteURL.publicAppeal(documentLanguage, slug: slug) : .publicAppeals(documentLanguage)).href)
            })
            let base = request.application.egideConfig.publicBaseURL ?? ""
            let here = SiteURL.publicAppeal(language, slug: slug).href
            let summary = MarkdownText.summary(entry.text.body, maxLength: 200)
            let alternates = others.map { PageHead.Alternate(href: base + SiteURL.publicAppeal($0, slug: slug).href, lang: $0.rawValue) }
            request.pageHead = PageHead(
                meta: [.init(property: "og:type", content: "article"), .init(property: "og:title", content: entry.text.title),
                       .init(property: "og:description", content: summary), .init(property: "og:locale", content: ogLocale(language)),
                       .init(property: "og:site_name", content: "Egide")] + (base.isEmpty ? [] : [.init(property: "og:url", content: base + here)])
                    + [.init(property: "description", content: summary)],
                alternates: alternates, feedHref: SiteURL.appealFeed(language).href, feedTitle: request.t("appeal.public.feedTitle"),
                canonical: base.isEmpty ? nil : base + here)
            var parentReference: String?, parentHref: String?
            // The original is named only where it is itself public in this language.
            if let parentID = entry.appeal.parentID, let parent = try await AppealRecord.find(parentID, on: request.db),
               let parentSlug = parent.slug, try await PublishedAppeals.find(parentSlug, language, on: request.db, vault: request.application.vault) != nil {
                parentReference = parent.reference
                parentHref = SiteURL.publicAppeal(language, slug: parentSlug).href
            }
            var followUps: [PageHead.Alternate] = []
            for follow in try await AppealRecord.query(on: request.db).filter(\.$parentID == entry.appeal.requireID()).sort(\.$createdAt).all() {
                guard let followSlug = follow.slug,
                      let published = try await PublishedAppeals.find(followSlug, language, on: request.db, vault: request.application.vault) else { continue }
                followUps.append(.init(href: SiteURL.publicAppeal(language, slug: followSlug).href,
                                       lang: request.t((follow.followUpKind ?? .other).labelKey) + " — " + published.text.title))
            }
            let published = entry.version.firstPublishedAt ?? entry.version.publishedAt ?? Date()
            let context = DocumentContext(
                reference: entry.appeal.reference ?? "", kind: request.t(entry.appeal.kind.labelKey), published: request.day(published),
                updated: entry.version.publishedAt.flatMap { $0 > published.addingTimeInterval(60) ? request.day($0) : nil },
                title: entry.text.title, bodyHTML: AppealText.html(entry.text.body),
                dir: language.direction, lang: language.rawValue,
                otherLanguages: others.filter { $0 != language }.map { PageHead.Alternate(href: SiteURL.publicAppeal($0, slug: slug).href, lang: $0.endonym) },
                followUpOf: parentReference, followUpOfHref: parentHref, followUps: followUps, closed: entry.version.state == .closed,
                listHref: SiteURL.publicAppeals(language).href, feedHref: SiteURL.appealFeed(language).href)
            return try await request.render(.publicAppeal, titleKey: "appeal.public.documentTitle", context, title: entry.text.title)
        }
    }

    /// The Atom feed of the language's published documents (RFC 4287): the 50 latest, each with
    /// its summary and its published text.
    static func feed(_ language: AppealLanguage) -> @Sendable (Request) async throws -> Response {
        { request in
            request.language = language.interface
            let base = baseURL(request)
            let cacheKey = "feed/\(language.rawValue)/\(base)"
            let validator = try await PublicAppealCache.validator(language, on: request.db)
            if let body = request.application.publicAppealCache.body(cacheKey, validator: validator) { return atom(body, language: language) }
            let entries = try await PublishedAppeals.list(language, limit: 50, on: request.db, vault: request.application.vault)
            let authority = URL(string: base)?.host ?? "egide.invalid"
            let url = { (path: String) in URL(string: base + path) ?? URL(string: path)! }
            let feed = AtomFeed(
                id: AtomFeed.tagURI(authority: authority, date: Date(timeIntervalSince1970: 1_767_225_600), specific: "appeals/\(language.rawValue)"),
                title: request.t("appeal.public.feedTitle"), language: language.rawValue,
                selfURL: url(SiteURL.appealFeed(language).href), alternateURL: url(SiteURL.publicAppeals(language).href),
                author: AtomFeed.Person(name: "Egide"),
                entries: entries.map { entry(for: $0, language: language, authority: authority, url: url, request: request) },
                // A feed with nothing published yet: dated when the feeds began, not 1970.
                updatedWhenEmpty: Date(timeIntervalSince1970: 1_767_225_600))
            let xml = feed.xml()
            request.application.publicAppealCache.keep(cacheKey, validator: validator, body: xml)
            return atom(xml, language: language)
        }
    }

    static func atom(_ xml: String, language: AppealLanguage) -> Response {
        let response = Response(status: .ok, body: .init(string: xml))
        response.headers.replaceOrAdd(name: .contentType, value: "application/atom+xml; charset=utf-8")
        response.headers.replaceOrAdd(name: .contentLanguage, value: language.rawValue)
        return response
    }

    static func html(_ body: String, language: Language) -> Response {
        let response = Response(status: .ok, body: .init(string: body))
        response.headers.replaceOrAdd(name: .contentType, value: "text/html; charset=utf-8")
        response.headers.replaceOrAdd(name: .contentLanguage, value: language.rawValue)
        return response
    }

    static func entry(for entry: PublishedAppeals.Entry, language: AppealLanguage, authority: String, url: (String) -> URL,
                      request: Request) -> AtomFeed.Entry {
        let published = entry.version.firstPublishedAt ?? entry.version.publishedAt ?? Date()
        let title = (entry.appeal.reference.map { $0 + " — " } ?? "") + entry.text.title
        let categories = [request.t(entry.appeal.kind.labelKey)] + AppealTheme.list(entry.appeal.themes).map { request.t($0.labelKey) }
        return AtomFeed.Entry(
            id: AtomFeed.tagURI(authority: authority, date: entry.appeal.issuedAt ?? published, specific: "appeal/\(entry.slug)/\(language.rawValue)"),
            title: title, updated: entry.version.publishedAt ?? published, published: published,
            link: url(SiteURL.publicAppeal(language, slug: entry.slug).href),
            summary: MarkdownText.summary(entry.text.body, maxLength: 400), content: .html(AppealText.html(entry.text.body)),
            categories: categories)
    }

    /// The instance's public address (`EGIDE_PUBLIC_URL`), else the address the request came to.
    static func baseURL(_ request: Request) -> String {
        if let configured = request.application.egideConfig.publicBaseURL { return configured }
        let host = request.headers.first(name: .host).flatMap { $0.allSatisfy { $0.isLetter || $0.isNumber || ".-:[]".contains($0) } ? $0 : nil }
        return "http://" + (host ?? "localhost")
    }

    /// The page is framed in the document language's interface language (Spanish in English),
    /// and the language switch leads to the same page in the interface's other languages.
    static func frame(_ request: Request, _ language: AppealLanguage, _ page: (AppealLanguage) -> SiteURL) {
        request.pin(language.interface) { page(AppealLanguage(rawValue: $0.rawValue) ?? .en) }
    }

    static func ogLocale(_ language: AppealLanguage) -> String {
        switch language {
        case .fr: "fr_FR"
        case .en: "en_GB"
        case .es: "es_ES"
        case .ar: "ar_AR"
        }
    }
}
