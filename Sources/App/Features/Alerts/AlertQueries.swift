import EgideCore
import EgideCrypto
import Fluent
import Foundation
import NIOConcurrencyHelpers
import SQLKit
import Vapor

/// Reading alerts: the scoped queries (an alert outside the actor's scope is "not found"), the
/// decrypted view of one alert, duplicates, and what needs someone's attention.
package enum AlertQueries {
    /// An id no organisation has: the scope of someone who handles no alerts.
    static let nobody = UUID(uuidString: "00000000-0000-0000-0000-000000000000")!

    /// The alerts `actor` handles: those of their organisation, if they are a handler; none otherwise.
    static func visible(to actor: Actor, on db: any Database) -> QueryBuilder<AlertRecord> {
        AlertRecord.query(on: db).filter(column: \.$organisationID, .equal, AlertPolicy.isHandler(actor) ? actor.organisationID : nobody)
    }

    /// One alert `actor` may handle, or 404 — the same 404 as an alert that does not exist.
    static func alert(_ id: UUID, for actor: Actor, on db: any Database) async throws -> AlertRecord {
        guard let alert = try await visible(to: actor, on: db).filter(\.$id == id).first() else { throw Abort(.notFound) }
        return alert
    }

    /// The blind index of a defender's or organisation's name.
    static func nameIndex(_ name: String, vault: Vault) throws -> Int {
        Int(try vault.blindIndex("alert.name", bits: AlertIntake.nameIndexBits).value(for: BlindIndexNormalizer.name(name)))
    }

    /// An alert's encrypted fields, decrypted.
    struct Opened: Sendable {
        var defenderName: String?
        var organisationName: String?
        var region: String?
        var incidentDate: String?
        var narrative: String
        var contact: String?
        var decisionGrounds: String?

        /// The name shown in lists: the defender, else the organisation.
        var displayName: String { defenderName ?? organisationName ?? "—" }
    }

    static func open(_ alert: AlertRecord, vault: Vault) throws -> Opened {
        let id = try alert.requireID()
        func open(_ blob: Data?, _ field: String) throws -> String? {
            try blob.map { try vault.open($0, owner: alert.owner, AlertRecord.ref(id, field)) }
        }
        return Opened(
            defenderName: try open(alert.defenderNameCiphertext, "defender_name"),
            organisationName: try open(alert.organisationNameCiphertext, "organisation_name"),
            region: try open(alert.regionCiphertext, "region"),
            incidentDate: try open(alert.incidentDateCiphertext, "incident_date"),
            narrative: try open(alert.narrativeCiphertext, "narrative") ?? "",
            contact: try open(alert.contactCiphertext, "contact"),
            decisionGrounds: try open(alert.decisionGroundsCiphertext, "decision_grounds"))
    }

    /// Just the names, for lists (the narrative stays encrypted).
    static func names(_ alert: some AlertSummary, vault: Vault) throws -> (defender: String?, organisation: String?) {
        (try defenderName(alert, vault: vault), try organisationName(alert, vault: vault))
    }

    /// The name a list shows: the defender's, or when there is none the organisation's — only that
    /// one is decrypted.
    static func shownName(_ alert: some AlertSummary, vault: Vault) throws -> String? {
        try alert.defenderNameCiphertext == nil ? organisationName(alert, vault: vault) : defenderName(alert, vault: vault)
    }

    private static func defenderName(_ alert: some AlertSummary, vault: Vault) throws -> String? {
        try alert.defenderNameCiphertext.map { try vault.open($0, owner: alert.owner, AlertRecord.ref(try alert.requireID(), "defender_name")) }
    }

    private static func organisationName(_ alert: some AlertSummary, vault: Vault) throws -> String? {
        try alert.organisationNameCiphertext.map { try vault.open($0, owner: alert.owner, AlertRecord.ref(try alert.requireID(), "organisation_name")) }
    }

    /// Other alerts that may be about the same defender or organisation: the same blind index
    /// (exact match after normalisation, confirmed by decrypting), or a fuzzy, transliteration-aware
    /// name match among the alerts of the same country.
    static func duplicates(of alert: AlertRecord, on db: any Database, vault: Vault) async throws -> [(AlertRecord, Double)] {
        let id = try alert.requireID()
        let mine = try names(alert, vault: vault)
        let wanted = [mine.defender, mine.organisation].compactMap { $0 }
        guard !wanted.isEmpty else { return [] }
        var candidates: [UUID: AlertRecord] = [:]
        let indexes = [alert.defenderIndex, alert.organisationIndex].compactMap { $0 }
        if !indexes.isEmpty {
            for other in try await AlertRecord.query(on: db).filter(\.$organisationID == alert.organisationID)
                .group(.or, { $0.filter(\.$defenderIndex ~~ indexes).filter(\.$organisationIndex ~~ indexes) }).all() {
                candidates[try other.requireID()] = other
            }
        }
        for other in try await AlertRecord.query(on: db).filter(\.$organisationID == alert.organisationID)
            .filter(\.$country == alert.country).sort(\.$receivedAt, .descending).limit(2_000).all() {
            candidates[try other.requireID()] = other
        }
        var found: [(AlertRecord, Double)] = []
        for (otherID, other) in candidates where otherID != id && other.mergedInto != id && alert.mergedInto != otherID {
            let theirs = try names(other, vault: vault)
            let score = [theirs.defender, theirs.organisation].compactMap { $0 }.flatMap { name in
                wanted.map { NameMatcher.similarity($0, name) }
            }.max() ?? 0
            if score >= NameMatcher.threshold { found.append((other, score)) }
        }
        return found.sorted { ($0.1, $0.0.receivedAt) > ($1.1, $1.0.receivedAt) }
    }

    /// The alert a sender's receipt and passphrase open, or nil (wrong receipt or passphrase —
    /// indistinguishable to the caller). Guessing is throttled per receipt, for the instance (`Throttle`).
    static func forSender(receipt: String, passphrase: String, app: Application) async throws -> SenderLookup {
        let now = app.clock.now()
        let key = AlertIntake.normalise(receipt)
        if let wait = try await app.followUpThrottle.wait(account: key, client: nil, now: now) { return .throttled(wait) }
        let tag = try AlertIntake.receiptTag(receipt, vault: app.vault)
        let given = try AlertIntake.passphraseTag(passphrase, vault: app.vault)
        let alert = try await AlertRecord.query(on: app.db).filter(\.$receiptTag == tag).first()
        guard let alert, Secrets.constantTimeEqual(alert.passphraseTag, given) else {
            try await app.followUpThrottle.recordFailure(account: key, client: nil, now: now)
            return .notFound
        }
        try await app.followUpThrottle.recordSuccess(account: key)
        // A merged alert answers for the one it was merged into.
        if let target = alert.mergedInto, let merged = try await AlertRecord.find(target, on: app.db) { return .found(merged) }
        return .found(alert)
    }

    enum SenderLookup {
        /// The alert the sender's status reflects (the primary one, if theirs was merged into it).
        case found(AlertRecord)
        case notFound
        case throttled(TimeInterval)
    }

    /// The active categories, in order, and the set of valid codes.
    package static func categories(on db: any Database, includeInactive: Bool = false) async throws -> [AlertCategoryRecord] {
        var query = AlertCategoryRecord.query(on: db)
        if !includeInactive { query = query.filter(\.$active == true) }
        return try await query.sort(\.$position).sort(\.$code).all()
    }

    /// Every category, switched off ones included, as `AlertCategory`s in the order of the
    /// settings page — read as columns (`CategoryCache` keeps them).
    static func categoryList(on db: any Database) async throws -> [AlertCategory] {
        try await AlertCategoryRecord.query(on: db).sort(\.$position).sort(\.$code).columns(categoryColumns).map { row in
            AlertCategory(code: try row(\.$code), labelEN: try row(\.$labelEN), labelFR: try row(\.$labelFR), labelAR: try row(\.$labelAR),
                          active: try row(\.$active))
        }
    }

    private static let categoryColumns = [
        AlertCategoryRecord.key(\.$code), AlertCategoryRecord.key(\.$labelEN), AlertCategoryRecord.key(\.$labelFR),
        AlertCategoryRecord.key(\.$labelAR), AlertCategoryRecord.key(\.$active),
    ]
}

/// The categories kept in memory, for the JSON intake (the active codes, checked for every alert:
/// reading them cost a read transaction per alert, and on SQLite the page cache of the connection
/// the writer last used) and for the pages naming them (the alert queue's filter, an alert's page:
/// Fluent filled a record per category through reflection on every page). Changing a category
/// empties it at once in this process; other nodes see `ChangeCounters.categories` move within a
/// second (`ChangeWatcher`), and whatever happens, nothing is kept longer than `lifetime`.
final class CategoryCache: Sendable {
    static let lifetime: Duration = .seconds(10)
    private struct State {
        var categories: [AlertCategory]?
        var until = ContinuousClock.now
        /// Raised by `invalidate`: a read that started before is not kept.
        var generation = 0
    }
    private let state = NIOLockedValueBox(State())

    /// Every category, switched off ones included, in the settings page's order.
    func all(on db: any Database) async throws -> [AlertCategory] {
        let now = ContinuousClock.now
        let (kept, generation) = state.withLockedValue { ($0.until > now ? $0.categories : nil, $0.generation) }
        if let kept { return kept }
        let categories = try await AlertQueries.categoryList(on: db)
        state.withLockedValue { state in
            guard state.generation == generation else { return }
            state.categories = categories
            state.until = now + Self.lifetime
        }
        return categories
    }

    /// The codes of the active categories (what intake validates against).
    func codes(on db: any Database) async throws -> Set<String> {
        Set(try await all(on: db).filter(\.active).map(\.code))
    }

    /// Forgets the categories (after one is added, renamed, switched on or off).
    func invalidate() {
        state.withLockedValue { state in
            state.categories = nil
            state.generation += 1
        }
    }
}

extension Application {
    private struct CategoryCacheKey: StorageKey { typealias Value = CategoryCache }

    /// The categories kept in memory (`CategoryCache`).
    var alertCategories: CategoryCache {
        get { storage[CategoryCacheKey.self]! }
        set { storage[CategoryCacheKey.self] = newValue }
    }

    /// Forgets what this node keeps of the categories: the codes and the pages listing them.
    /// (`ChangeWatcher` calls it on every node when another one changed them.)
    func categoriesChanged() {
        alertCategories.invalidate()
        sharedPages.invalidate()
    }
}
