import EgideCore
import Fluent
import Foundation
import Vapor

/// Reading appeals: what an actor may see (their organisation's documents, for the appeals
/// roles; another organisation's document answers 404), one document through that scope, its
/// texts decrypted, and the defenders whose consent it needs.
package enum AppealQueries {
    static let nobody = UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))

    static func visible(to actor: Actor, on db: any Database) -> QueryBuilder<AppealRecord> {
        let query = AppealRecord.query(on: db)
        guard AppealPolicy.evaluate(actor, .view, nil).isAllowed else { return query.filter(column: \.$id, .equal, nobody) }
        return query.filter(column: \.$organisationID, .equal, actor.organisationID)
    }

    /// The document `id` if `actor` may see it; 404 otherwise, like a missing one.
    static func appeal(_ id: UUID, for actor: Actor, on db: any Database) async throws -> AppealRecord {
        guard let record = try await visible(to: actor, on: db).filter(\.$id == id).first() else { throw Abort(.notFound) }
        return record
    }

    static func versions(of appealID: UUID, on db: any Database) async throws -> [AppealVersionRecord] {
        try await AppealVersionRecord.query(on: db).filter(\.$appealID == appealID).all().sorted { $0.language < $1.language }
    }

    static func revisions(of versionID: UUID, on db: any Database) async throws -> [AppealRevisionRecord] {
        try await AppealRevisionRecord.query(on: db).filter(\.$versionID == versionID).sort(\.$number).all()
    }

    static func open(_ revision: AppealRevisionRecord, vault: Vault) throws -> AppealText {
        try open(revision.textCiphertext, revision: try revision.requireID(), organisation: revision.organisationID, vault: vault)
    }

    /// A revision's text from its columns (a list reads them without the record).
    static func open(_ ciphertext: Data, revision: UUID, organisation: UUID, vault: Vault) throws -> AppealText {
        try open(AppealText.self, ciphertext, revision: revision, organisation: organisation, vault: vault)
    }

    /// A revision's title alone, from its columns: a list shows nothing else, and decoding the body
    /// (the whole appeal) for it was a tenth of the appeal list's time.
    static func title(_ ciphertext: Data, revision: UUID, organisation: UUID, vault: Vault) throws -> String {
        try open(Title.self, ciphertext, revision: revision, organisation: organisation, vault: vault).title
    }

    private struct Title: Decodable { var title: String }

    private static func open<Text: Decodable>(_ type: Text.Type, _ ciphertext: Data, revision: UUID, organisation: UUID, vault: Vault) throws -> Text {
        try SealedDocument.open(type, ciphertext, owner: Accounts.owner(organisation), AppealRevisionRecord.ref(revision), vault: vault)
    }

    static func seal(_ text: AppealText, revisionID: UUID, organisation: UUID, vault: Vault) throws -> Data {
        try SealedDocument.seal(text, owner: Accounts.owner(organisation), AppealRevisionRecord.ref(revisionID), vault: vault)
    }

    /// One revision's text.
    package static func text(of versionID: UUID, revision: Int, on db: any Database, vault: Vault) async throws -> AppealText? {
        guard let record = try await AppealRevisionRecord.query(on: db).filter(\.$versionID == versionID).filter(\.$number == revision).first() else {
            return nil
        }
        return try open(record, vault: vault)
    }

    /// Everyone who wrote a revision of the version: none of them approves it.
    static func authors(of versionID: UUID, on db: any Database) async throws -> Set<UUID> {
        Set(try await AppealRevisionRecord.query(on: db).filter(\.$versionID == versionID).all().map(\.authorID))
    }

    static func caseIDs(of appealID: UUID, on db: any Database) async throws -> [UUID] {
        try await AppealCaseRecord.query(on: db).filter(\.$appealID == appealID).all().map(\.caseID)
    }

    /// The defenders of the linked cases, whose consent each channel needs.
    package static func defenders(of appealID: UUID, on db: any Database) async throws -> [CasePersonRecord] {
        let cases = try await caseIDs(of: appealID, on: db)
        guard !cases.isEmpty else { return [] }
        return try await CasePersonRecord.query(on: db).filter(\.$caseID ~~ cases).filter(\.$role == .defender).sort(\.$createdAt).all()
    }

    static func consents(of appealID: UUID, on db: any Database) async throws -> [AppealConsentRecord] {
        try await AppealConsentRecord.query(on: db).filter(\.$appealID == appealID).sort(\.$recordedAt).all()
    }

    /// The defenders of `appealID` missing a consent in force for `channel`.
    static func missingConsent(_ appealID: UUID, channel: AppealChannel, on db: any Database) async throws -> [UUID] {
        let defenders = try await defenders(of: appealID, on: db).compactMap(\.id)
        let consents = try await consents(of: appealID, on: db).map {
            AppealSteps.Consent(personID: $0.personID, channel: $0.channel, granted: $0.granted, at: $0.recordedAt)
        }
        return AppealSteps.missingConsent(for: channel, defenders: defenders, consents: consents)
    }

    /// Why `appeal` may not use `channel` yet, or `nil`: a closed letter never reaches the public;
    /// a document linked to no case needs the declaration that it names no defender at risk; one
    /// linked to cases needs each defender's consent for the channel.
    static func channelRefusal(_ appeal: AppealRecord, _ channel: AppealChannel, on db: any Database) async throws -> String? {
        if let refusal = AppealSteps.refusal(kind: appeal.kind, channel: channel) { return refusal }
        let id = try appeal.requireID()
        if try await caseIDs(of: id, on: db).isEmpty { return appeal.noDefenderBy == nil ? "appeal.refusal.noCase" : nil }
        return try await missingConsent(id, channel: channel, on: db).isEmpty ? nil : "appeal.refusal.consentMissing"
    }

    /// The organisation's reference pattern (the Observatory's when none was set).
    static func pattern(for organisation: UUID, on db: any Database) async throws -> ReferencePattern {
        guard let stored = try await AppealSettingsRecord.query(on: db).filter(\.$organisationID == organisation).first() else { return .observatory }
        return (try? ReferencePattern(stored.referencePattern)) ?? .observatory
    }
}

extension AppealText {
    /// The body as HTML for a page whose `<h1>` is the title: the document's highest heading
    /// becomes an `<h2>`, whether its author started with `#` or `##`.
    static func html(_ markdown: String) -> String {
        MarkdownText.html(markdown, headingOffset: 2 - topHeadingLevel(markdown))
    }

    /// The level of the document's highest ATX heading outside code fences (2 when it has none).
    static func topHeadingLevel(_ markdown: String) -> Int {
        var level = 7, fenced = false
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.drop { $0 == " " }
            if trimmed.hasPrefix("```") || trimmed.hasPrefix("~~~") { fenced.toggle(); continue }
            guard !fenced, line.count - trimmed.count < 4 else { continue }
            let hashes = trimmed.prefix { $0 == "#" }.count
            if (1...6).contains(hashes), trimmed.count == hashes || trimmed.dropFirst(hashes).first == " " { level = min(level, hashes) }
        }
        return level == 7 ? 2 : level
    }
}
