import EgideCore
import EgideCrypto
import Fluent
import Foundation
import SQLKit
import Vapor

/// Reading cases: what an actor may see (the scoped query a foreign case is absent from, so it
/// answers 404), the policy context of one case, search through blind indexes, and decryption.
package enum CaseQueries {
    /// Width of the name-word blind index: sized for 100,000 cases' worth of words, so a word
    /// matches a few cases by chance (k-anonymity on disk) and the list stays exact enough.
    static let nameTokenBits = (try? BlindIndexSizing.bits(forExpectedRecords: 400_000)) ?? 16

    /// The cases `actor` may see, as a query: a coordinator's organisation's cases; a protection
    /// officer's own cases (lead or team); a partner's cases granted to its organisation.
    static func visible(to actor: Actor, on db: any Database) async throws -> QueryBuilder<CaseRecord> {
        let query = CaseRecord.query(on: db)
        let nobody = UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))
        guard !actor.roles.isDisjoint(with: CasePolicy.handlerRoles) else { return query.filter(\.$id == nobody) }
        if actor.organisationType.handlesProtection {
            query.filter(\.$organisationID == actor.organisationID)
            if actor.has(.coordinator) { return query }
            let team = try await CaseTeamRecord.query(on: db).filter(\.$userID == actor.userID).all().map(\.caseID)
            return query.group(.or) { $0.filter(\.$leadID == actor.userID).filter(\.$id ~~ team) }
        }
        let granted = try await CaseGrantRecord.query(on: db).filter(\.$organisationID == actor.organisationID).all().map(\.caseID)
        return query.filter(\.$id ~~ granted)
    }

    /// The policy's view of one case: owner, lead, team, granted organisations.
    static func access(_ record: CaseRecord, referralTarget: UUID? = nil, on db: any Database) async throws -> CaseAccess {
        let id = try record.requireID()
        return CaseAccess(
            organisationID: record.organisationID, leadOfficerID: record.leadID,
            teamMemberIDs: Set(try await CaseTeamRecord.query(on: db).filter(\.$caseID == id).all().map(\.userID)),
            grantedOrganisationIDs: Set(try await CaseGrantRecord.query(on: db).filter(\.$caseID == id).all().map(\.organisationID)),
            referralTargetOrganisationID: referralTarget)
    }

    /// The case `id` if `actor` may do `action` on it; otherwise 404, the same answer as a case
    /// that does not exist (a foreign case is never confirmed).
    static func authorized(_ id: UUID, for actor: Actor, _ action: CaseAction, on db: any Database) async throws -> (CaseRecord, CaseAccess) {
        guard let record = try await CaseRecord.find(id, on: db) else { throw Abort(.notFound) }
        let access = try await access(record, on: db)
        try require(action, by: actor, on: access)
        return (record, access)
    }

    /// The one place a case decision becomes an answer: 404 when `actor` may not know the case
    /// exists (for a referral's answer: when it is not addressed to their organisation), 403 when
    /// they see it but `CasePolicy` refuses them `action`.
    static func require(_ action: CaseAction, by actor: Actor, on access: CaseAccess) throws {
        if action == .answerReferral {
            guard CasePolicy.evaluate(actor, action, access).isAllowed else { throw Abort(.notFound) }
            return
        }
        guard CasePolicy.evaluate(actor, .viewCase, access).isAllowed else { throw Abort(.notFound) }
        guard CasePolicy.evaluate(actor, action, access).isAllowed else { throw Abort(.forbidden) }
    }

    /// The permissions `user` holds beyond their roles (`UserPermissionRecord`).
    static func permissions(of user: UUID, on db: any Database) async throws -> Set<String> {
        Set(try await UserPermissionRecord.query(on: db).filter(\.$userID == user).all().map(\.permission))
    }

    // MARK: Search

    /// The blind-index values of every word of a name and its aliases (and their Latin
    /// transliteration), so a search for one word of a name finds the case; and of each word's
    /// consonant skeleton ("~hsn" for Hocine, Houssein and حسين), so the same person written in
    /// another script is found as a candidate by `CasePeopleLinks`. All keyed: nothing in clear.
    package static func nameTokens(_ identity: CaseContent.Identity, vault: Vault) throws -> Set<Int> {
        var words = Set<String>()
        for text in [identity.name, identity.aliases ?? ""] {
            for variant in [text, NameMatcher.latin(text)] {
                for word in BlindIndexNormalizer.name(variant).split(separator: " ") where word.count >= 2 { words.insert(String(word)) }
            }
            for word in PersonName(text).words where word.skeleton.count >= 3 {
                words.insert("~" + String(decoding: word.skeleton, as: UTF8.self))
            }
        }
        let index = try vault.blindIndex("case.name", bits: nameTokenBits)
        return Set(words.map { Int(index.value(for: $0)) })
    }

    /// The blind-index values of the words of a typed search (each must match).
    package static func searchTokens(_ text: String, vault: Vault) throws -> [Int] {
        let index = try vault.blindIndex("case.name", bits: nameTokenBits)
        let words = BlindIndexNormalizer.name(NameMatcher.latin(text)).split(separator: " ").filter { $0.count >= 2 }
        return Array(Set(words.map { Int(index.value(for: String($0))) }))
    }

    /// Narrows `query` to cases whose people have every word of `text` in their names (through
    /// the blind index: a chance collision can add a case, never hide one).
    static func matchingNames(_ text: String, organisations: [UUID]?, vault: Vault, on db: any Database) async throws -> [UUID] {
        let tokens = try searchTokens(text, vault: vault)
        guard !tokens.isEmpty else { return [] }
        var query = CaseNameTokenRecord.query(on: db).filter(\.$token ~~ tokens)
        if let organisations { query = query.filter(\.$organisationID ~~ organisations) }
        var hits: [UUID: Set<Int>] = [:]
        for row in try await query.all() { hits[row.caseID, default: []].insert(row.token) }
        return hits.filter { $0.value.count == tokens.count }.map(\.key)
    }

    // MARK: Decryption

    struct Opened: Sendable {
        var summary: String
        var region: String?
        var closure: String?
    }

    static func open(_ record: CaseRecord, vault: Vault) throws -> Opened {
        let id = try record.requireID()
        return Opened(
            summary: try vault.open(record.summaryCiphertext, owner: record.owner, CaseRecord.ref(id, "summary")),
            region: try record.regionCiphertext.map { try vault.open($0, owner: record.owner, CaseRecord.ref(id, "region")) },
            closure: try record.closureCiphertext.map { try vault.open($0, owner: record.owner, CaseRecord.ref(id, "closure")) })
    }

    struct Person: Sendable {
        var id: UUID
        var role: PersonRole
        var isOrganisation: Bool
        var identity: CaseContent.Identity
        var consentAt: Date?
        var record: CasePersonRecord
    }

    /// The people concerned, identity decrypted (sensitive fields stay sealed: `sensitive(of:)`).
    static func people(of record: CaseRecord, on db: any Database, vault: Vault) async throws -> [Person] {
        try await CasePersonRecord.query(on: db).filter(\.$caseID == record.requireID()).sort(\.$createdAt).all().map { person in
            let id = try person.requireID()
            return Person(id: id, role: person.role, isOrganisation: person.isOrganisation,
                          identity: try CaseContent.open(CaseContent.Identity.self, person.identityCiphertext, owner: record.owner,
                                                         CasePersonRecord.ref(id, "identity"), vault: vault),
                          consentAt: person.consentAt, record: person)
        }
    }

    /// A person's gender identity and sexual orientation — opened only for a reader allowed to
    /// see at least one of them (`CasePolicy.maySee`); the caller shows only the fields allowed.
    static func sensitive(of person: CasePersonRecord, vault: Vault) throws -> CaseContent.Sensitive? {
        guard let blob = person.sensitiveCiphertext else { return nil }
        return try CaseContent.open(CaseContent.Sensitive.self, blob, owner: Accounts.owner(person.organisationID),
                                    CasePersonRecord.ref(try person.requireID(), "sensitive"), vault: vault)
    }

    /// The items of a case, of one kind, oldest first.
    static func items(of caseID: UUID, kind: CaseItemRecord.Kind, on db: any Database) async throws -> [CaseItemRecord] {
        try await CaseItemRecord.query(on: db).filter(\.$caseID == caseID).filter(\.$kind == kind).sort(\.$createdAt).sort(\.$version).all()
    }
}
