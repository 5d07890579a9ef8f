import EgideCore
import Fluent
import Foundation
import Vapor

/// People of other cases who are probably the same person (`NameMatcher`, across scripts), in any
/// organisation of the instance: the Brussels and Tunis offices see that they follow one defender.
/// Candidates come through the keyed blind index of name words and skeletons (`CaseQueries.nameTokens`),
/// are decrypted in memory and compared.
///
/// - A case the reader may see is linked (its code and the similarity; the name is theirs to read
///   by opening it, which is audited). A date of birth on both sides that differs by more than a
///   typing error rules such a pair out.
/// - A case the reader may not see is only counted, and only for a coordinator, who follows such
///   leads up with the other office. The count is computed from the other person's name alone —
///   never their date of birth or aliases — so probing with invented people reveals no more than
///   "someone of that name is followed elsewhere", and only to coordinators.
/// - Records whose keys were destroyed (a shredded organisation) are skipped.
enum CasePeopleLinks {
    struct Link: Content {
        var caseId: UUID
        var code: String
        var href: String
        /// Name similarity, percent.
        var similarity: Int
    }

    struct Found {
        var shown: [UUID: [Link]] = [:]
        var hidden: [UUID: Int] = [:]
    }

    /// Candidates compared per page at most: those sharing the most name tokens first.
    static let candidateLimit = 400
    /// Token rows read at most (a very common name word cannot make a page slow).
    static let tokenRowLimit = 5_000

    static func find(for people: [CaseFileRead.Person], in caseID: UUID, actor: Actor, on db: any Database, vault: Vault) async throws -> Found {
        var found = Found()
        guard !people.isEmpty else { return found }
        var tokens = Set<Int>()
        for person in people { tokens.formUnion(try CaseQueries.nameTokens(person.identity, vault: vault)) }
        var shared: [UUID: Int] = [:]
        for row in try await CaseNameTokenRecord.query(on: db).filter(\.$token ~~ Array(tokens)).filter(\.$caseID != caseID)
            .sort(\.$personID).limit(tokenRowLimit).all() {
            shared[row.personID, default: 0] += 1
        }
        let candidateIDs = shared.sorted { $0.value > $1.value || $0.value == $1.value && $0.key.uuidString < $1.key.uuidString }
            .prefix(candidateLimit).map(\.key)
        guard !candidateIDs.isEmpty else { return found }
        let records = try await CasePersonRecord.query(on: db).filter(\.$id ~~ candidateIDs).all()
        let visible = Set(try await CaseQueries.visible(to: actor, on: db).filter(\.$id ~~ records.map(\.caseID)).all(\.$id))
        let countsHidden = actor.has(.coordinator)
        let cases = Dictionary(uniqueKeysWithValues: try await CaseRecord.query(on: db).filter(\.$id ~~ records.map(\.caseID)).all().map { ($0.id!, $0) })
        // Each candidate decrypted and parsed once.
        struct Candidate { var record: CasePersonRecord; var names: [PersonName]; var dateOfBirth: String? }
        var candidates: [Candidate] = []
        for record in records {
            let visibleCase = visible.contains(record.caseID)
            guard visibleCase || countsHidden,
                  let identity = try? CaseContent.open(CaseContent.Identity.self, record.identityCiphertext, owner: Accounts.owner(record.organisationID),
                                                       CasePersonRecord.ref(try record.requireID(), "identity"), vault: vault) else { continue }
            let texts = [identity.name] + (visibleCase ? (identity.aliases.map { [$0] } ?? []) : [])
            candidates.append(Candidate(record: record, names: texts.map(PersonName.init), dateOfBirth: visibleCase ? identity.dateOfBirth : nil))
        }
        let comparator = NameComparator()
        for person in people {
            let mine = ([person.identity.name] + (person.identity.aliases.map { [$0] } ?? [])).map(PersonName.init)
            var seenCases = Set<UUID>()
            for candidate in candidates where candidate.record.isOrganisation == person.isOrganisation && !seenCases.contains(candidate.record.caseID) {
                let score = mine.flatMap { a in candidate.names.map { comparator.similarity(a, $0) } }.max() ?? 0
                guard score >= NameMatcher.threshold, !bornApart(person.identity.dateOfBirth, candidate.dateOfBirth),
                      let other = cases[candidate.record.caseID] else { continue }
                seenCases.insert(candidate.record.caseID)
                if visible.contains(candidate.record.caseID) {
                    found.shown[person.id, default: []].append(Link(caseId: candidate.record.caseID, code: other.code,
                                                                   href: SiteURL.caseFile(candidate.record.caseID).href,
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
