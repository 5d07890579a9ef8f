import EgideCore
import Fluent
import Foundation
import Vapor

/// What an actor may see of one document, decided once for the page and the API: every
/// language version with its latest text, revisions and comments; the linked cases and their
/// defenders — named only where the reader may see the case —, the consents in force; targets,
/// replies, history, the original and the follow-ups.
struct AppealReader {
    struct Version {
        var record: AppealVersionRecord
        var text: AppealText
        var revisions: [AppealRevisionRecord]
        var comments: [(record: AppealCommentRecord, body: String)]
        var authors: Set<UUID>
    }

    struct Defender {
        var personID: UUID
        var caseID: UUID
        var caseCode: String
        /// `nil` when the reader may not see the case.
        var name: String?
        /// The consent in force per channel (`nil`: none recorded).
        var consents: [AppealChannel: AppealConsentRecord]
    }

    struct LinkedCase {
        var id: UUID
        var code: String
        var readable: Bool
    }

    var appeal: AppealRecord
    var versions: [Version]
    var cases: [LinkedCase]
    var defenders: [Defender]
    var targets: [AppealTargetRecord]
    var replies: [(record: AppealReplyRecord, summary: String)]
    var events: [AppealEventRecord]
    var parent: AppealRecord?
    var followUps: [AppealRecord]

    func version(_ language: AppealLanguage?) -> Version? {
        versions.first { $0.record.language == language } ?? versions.first { $0.record.language == appeal.originalLanguage } ?? versions.first
    }

    static func read(_ appeal: AppealRecord, for actor: Actor, on db: any Database, vault: Vault) async throws -> AppealReader {
        let id = try appeal.requireID()
        let owner = Accounts.owner(appeal.organisationID)
        var versions: [Version] = []
        for record in try await AppealQueries.versions(of: id, on: db) {
            let versionID = try record.requireID()
            let revisions = try await AppealQueries.revisions(of: versionID, on: db)
            guard let latest = revisions.last else { continue }
            let comments = try await AppealCommentRecord.query(on: db).filter(\.$versionID == versionID).sort(\.$createdAt).all().map { comment in
                (comment, try vault.open(comment.bodyCiphertext, owner: owner, FieldRef(AppealCommentRecord.schema, try comment.requireID(), "body")))
            }
            versions.append(Version(record: record, text: try AppealQueries.open(latest, vault: vault), revisions: revisions,
                                    comments: comments, authors: Set(revisions.map(\.authorID))))
        }
        let caseIDs = try await AppealQueries.caseIDs(of: id, on: db)
        let caseRecords = caseIDs.isEmpty ? [] : try await CaseRecord.query(on: db).filter(\.$id ~~ caseIDs).sort(\.$code).all()
        let readable = caseIDs.isEmpty ? Set<UUID>() : Set(try await CaseQueries.visible(to: actor, on: db).filter(\.$id ~~ caseIDs).all().compactMap(\.id))
        let codes = Dictionary(caseRecords.compactMap { record in record.id.map { ($0, record.code) } }, uniquingKeysWith: { a, _ in a })
        let consents = try await AppealQueries.consents(of: id, on: db)
        var defenders: [Defender] = []
        for person in try await AppealQueries.defenders(of: id, on: db) {
            let personID = try person.requireID()
            var name: String?
            if readable.contains(person.caseID) {
                name = try CaseContent.open(CaseContent.Identity.self, person.identityCiphertext, owner: Accounts.owner(person.organisationID),
                                            CasePersonRecord.ref(personID, "identity"), vault: vault).name
            }
            var inForce: [AppealChannel: AppealConsentRecord] = [:]
            for consent in consents where consent.personID == personID { inForce[consent.channel] = consent }
            defenders.append(Defender(personID: personID, caseID: person.caseID, caseCode: codes[person.caseID] ?? "—", name: name, consents: inForce))
        }
        let replies = try await AppealReplyRecord.query(on: db).filter(\.$appealID == id).sort(\.$receivedOn).all().map { reply in
            (reply, try vault.open(reply.summaryCiphertext, owner: owner, FieldRef(AppealReplyRecord.schema, try reply.requireID(), "summary")))
        }
        return AppealReader(
            appeal: appeal, versions: versions,
            cases: caseRecords.compactMap { record in record.id.map { LinkedCase(id: $0, code: record.code, readable: readable.contains($0)) } },
            defenders: defenders,
            targets: try await AppealTargetRecord.query(on: db).filter(\.$appealID == id).sort(\.$createdAt).all(),
            replies: replies,
            events: try await AppealEventRecord.query(on: db).filter(\.$appealID == id).sort(\.$createdAt).all(),
            parent: try await appeal.parentID.asyncFlatMap { try await AppealRecord.find($0, on: db) },
            followUps: try await AppealRecord.query(on: db).filter(\.$parentID == id).sort(\.$createdAt).all())
    }

    /// Opening a defender's name reads the case file: the audit log keeps who did, from where.
    func auditNames(by actor: Actor, via: String, on request: Request) async throws {
        let opened = cases.filter { linked in linked.readable && defenders.contains { $0.caseID == linked.id && $0.name != nil } }
        guard !opened.isEmpty else { return }
        let appealID = try appeal.requireID()
        try await request.transaction { db in
            try await AuditRecorder.record(.init(actor: .user(actor.userID), organisation: appeal.organisationID, action: "appeal.read",
                                                 objectType: "appeal", objectID: SiteURL.id(appealID),
                                                 details: ["via": via, "cases": opened.map(\.code).joined(separator: ",")]),
                                           at: request.application.clock.now(), on: db)
        }
    }

    /// The defenders missing a consent in force for `channel`.
    func missingConsent(_ channel: AppealChannel) -> [Defender] {
        defenders.filter { $0.consents[channel]?.granted != true }
    }
}
