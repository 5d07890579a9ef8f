import EgideCore
import Fluent
import Foundation
import Vapor

/// People of other cases who are probably the same person (`NameMatcher`, across scripts), in any
/// organisation of the instance: the Brussels and Tunis offices see that they follow one defender.
/// Candidates come through the keyed blind index of name words and skeletons (`CaseQueries.nameTokens`),
/// are decrypted in memory and compared; a date of birth on both sides that differs by more than a
/// typing error rules a pair out. A case the reader may see is linked; the others are only counted,
/// as a referral to the coordinator, never named.
enum CasePeopleLinks {
    struct Link: Content {
        var caseId: UUID
        var code: String
        var href: String
        var name: String
        /// Name similarity, percent.
        var similarity: Int
    }

    struct Found {
        var shown: [UUID: [Link]] = [:]
        var hidden: [UUID: Int] = [:]
    }

    /// Candidates read per page at most (the newest tokens first are not needed: a name shares few).
    static let candidateLimit = 400

    static func find(for people: [CaseFileRead.Person], in caseID: UUID, actor: Actor, on db: any Database, vault: Vault) async throws -> Found {
        var found = Found()
        guard !people.isEmpty else { return found }
        var tokensOf: [UUID: Set<Int>] = [:]
        for person in people { tokensOf[person.id] = try CaseQueries.nameTokens(person.identity, vault: vault) }
        let rows = try await CaseNameTokenRecord.query(on: db).filter(\.$token ~~ Array(tokensOf.values.joined()))
            .filter(\.$caseID != caseID).limit(candidateLimit * 4).all()
        let candidateIDs = Array(Set(rows.map(\.personID))).prefix(candidateLimit)
        guard !candidateIDs.isEmpty else { return found }
        let candidates = try await CasePersonRecord.query(on: db).filter(\.$id ~~ Array(candidateIDs)).all()
        let visible = Set(try await CaseQueries.visible(to: actor, on: db).filter(\.$id ~~ candidates.map(\.caseID)).all(\.$id))
        let cases = Dictionary(uniqueKeysWithValues: try await CaseRecord.query(on: db).filter(\.$id ~~ candidates.map(\.caseID)).all()
            .map { ($0.id!, $0) })
        let names = NameComparator()
        for person in people {
            let mine = [person.identity.name] + (person.identity.aliases.map { [$0] } ?? [])
            var seenCases = Set<UUID>()
            for candidate in candidates where candidate.isOrganisation == person.isOrganisation && !seenCases.contains(candidate.caseID) {
                let identity = try CaseContent.open(CaseContent.Identity.self, candidate.identityCiphertext, owner: Accounts.owner(candidate.organisationID),
                                                    CasePersonRecord.ref(try candidate.requireID(), "identity"), vault: vault)
                let theirs = [identity.name] + (identity.aliases.map { [$0] } ?? [])
                let score = mine.flatMap { a in theirs.map { b in names.similarity(a, b) } }.max() ?? 0
                guard score >= NameMatcher.threshold, !bornApart(person.identity.dateOfBirth, identity.dateOfBirth),
                      let other = cases[candidate.caseID] else { continue }
                seenCases.insert(candidate.caseID)
                if visible.contains(candidate.caseID) {
                    found.shown[person.id, default: []].append(Link(caseId: candidate.caseID, code: other.code, href: SiteURL.caseFile(candidate.caseID).href, name: identity.name,
                                                                   similarity: Int((score * 100).rounded())))
                } else {
                    found.hidden[person.id, default: 0] += 1
                }
            }
        }
        return found
    }

    /// Two dates of birth, both known, further apart than one typing error.
    static func bornApart(_ a: String?, _ b: String?) -> Bool {
        let digits = { (text: String?) in Array((text ?? "").utf8.filter { $0 >= 0x30 && $0 <= 0x39 }) }
        let x = digits(a), y = digits(b)
        guard x.count == 8, y.count == 8 else { return false }
        return x.withUnsafeBufferPointer { p in y.withUnsafeBufferPointer { q in !StringKernels.withinOneEdit(p, q) } }
    }
}
