import EgideCore
import Fluent
import Foundation
import Vapor

/// One case file as an actor may see it: loaded in a few queries, opened, and with everything
/// `CaseDisclosure` withholds from their view already left out. The case page
/// (`CaseFileController`) and the API (`CasesAPIController.CaseFile`) both build from this and
/// never from the records, so the two doors cannot disclose different fields.
struct CaseFileRead: Sendable {
    /// An item of the case with its opened (and, for the view, trimmed) content.
    struct Item<Content: Sendable>: Sendable {
        var record: CaseItemRecord
        var content: Content
        var id: UUID { record.id! }
    }

    /// A person concerned: the identity trimmed to the view, the sensitive fields the reader may see.
    struct Person: Sendable {
        var id: UUID
        var role: PersonRole
        var isOrganisation: Bool
        var identity: CaseContent.Identity
        var sensitive: CaseContent.Sensitive?
        var consentAt: Date?
    }

    /// An assessment: its content trimmed to the view, and the score computed from the whole of it.
    struct Assessment: Sendable {
        var item: Item<CaseContent.Assessment>
        var score: RiskScore?
    }

    var record: CaseRecord
    var access: CaseAccess
    var view: CaseView
    var disclosure: CaseDisclosure
    /// The sensitive fields the reader may see (`CasePolicy.maySee`).
    var sensitiveFields: Set<SensitiveField>
    var summary: String?
    var region: String?
    var closure: String?
    var people: [Person]
    /// Oldest version first.
    var assessments: [Assessment]
    var measures: [Item<CaseContent.Measure>]
    var planReviews: [Item<CaseContent.PlanReview>]
    var support: [Item<CaseContent.Support>]
    var referrals: [Item<CaseContent.Referral>]
    var followUps: [Item<CaseContent.FollowUp>]
    var reviews: [Item<CaseContent.Review>]
    var impacts: [Item<CaseContent.Impact>]
}

enum CaseFileReader {
    /// What `actor` may see of the case. The caller has authorised `viewCase` (so `access` gives
    /// a view) and audited the read.
    static func read(_ record: CaseRecord, access: CaseAccess, actor: Actor, on db: any Database, vault: Vault) async throws -> CaseFileRead {
        let caseID = try record.requireID()
        let view = CasePolicy.view(actor, context: access) ?? .limited
        let shown = CaseDisclosure.of(view)
        let opened = try CaseQueries.open(record, vault: vault)
        let permissions = try await CaseQueries.permissions(of: actor.userID, on: db)
        let sensitiveFields = shown.sensitiveFields ? Set(SensitiveField.allCases.filter {
            CasePolicy.maySee($0, actor: actor, grantedPermissions: permissions, context: access).isAllowed
        }) : []
        let people = try await CaseQueries.people(of: record, on: db, vault: vault).map { person in
            try CaseFileRead.Person(id: person.id, role: person.role, isOrganisation: person.isOrganisation,
                                    identity: trimmed(person.identity, shown), sensitive: sensitive(person, sensitiveFields, vault: vault),
                                    consentAt: person.consentAt)
        }
        let items = try await CaseItemRecord.query(on: db).filter(\.$caseID == caseID).sort(\.$createdAt).sort(\.$version).all()
        func of<T: Decodable & Sendable>(_ kind: CaseItemRecord.Kind, _ type: T.Type) throws -> [CaseFileRead.Item<T>] {
            try items.filter { $0.kind == kind }.map { .init(record: $0, content: try CaseWorkflow.content(T.self, of: $0, vault: vault)) }
        }
        let assessments = try of(.assessment, CaseContent.Assessment.self).sorted { $0.record.version < $1.record.version }.map { item in
            CaseFileRead.Assessment(item: .init(record: item.record, content: trimmed(item.content, shown)),
                                    score: try? CaseWorkflow.score(of: item.content))
        }
        let referrals = try of(.referral, CaseContent.Referral.self)
            .filter { shown.allReferrals || $0.record.targetOrganisationID == actor.organisationID }
            .map { CaseFileRead.Item(record: $0.record, content: trimmed($0.content, shown)) }
        return CaseFileRead(
            record: record, access: access, view: view, disclosure: shown, sensitiveFields: sensitiveFields,
            summary: shown.situation ? opened.summary : nil, region: opened.region, closure: shown.situation ? opened.closure : nil,
            people: people, assessments: assessments, measures: try of(.measure, CaseContent.Measure.self),
            planReviews: try of(.planReview, CaseContent.PlanReview.self), support: try of(.support, CaseContent.Support.self),
            referrals: referrals, followUps: try of(.followUp, CaseContent.FollowUp.self),
            reviews: shown.reviews ? try of(.review, CaseContent.Review.self) : [],
            impacts: try of(.impact, CaseContent.Impact.self).map { item in
                var content = item.content
                if !shown.impactNotes { content.notes = nil }
                return .init(record: item.record, content: content)
            })
    }

    static func trimmed(_ identity: CaseContent.Identity, _ shown: CaseDisclosure) -> CaseContent.Identity {
        shown.personDetails ? identity : CaseContent.Identity(name: identity.name)
    }

    static func trimmed(_ assessment: CaseContent.Assessment, _ shown: CaseDisclosure) -> CaseContent.Assessment {
        guard !shown.assessmentDetails else { return assessment }
        return CaseContent.Assessment(threats: [], vulnerabilities: [], capacities: [], justification: "", trigger: assessment.trigger)
    }

    static func trimmed(_ referral: CaseContent.Referral, _ shown: CaseDisclosure) -> CaseContent.Referral {
        guard !shown.referralMessages else { return referral }
        var kept = referral
        kept.message = ""
        kept.response = nil
        kept.report = nil
        kept.summary = nil
        kept.people = []
        kept.contacts = []
        kept.plan = []
        return kept
    }

    /// The person's sensitive fields the reader may see; `nil` when none (nothing is opened then).
    static func sensitive(_ person: CaseQueries.Person, _ fields: Set<SensitiveField>, vault: Vault) throws -> CaseContent.Sensitive? {
        guard !fields.isEmpty, let values = try CaseQueries.sensitive(of: person.record, vault: vault) else { return nil }
        return CaseContent.Sensitive(genderIdentity: fields.contains(.genderIdentity) ? values.genderIdentity : nil,
                                     sexualOrientation: fields.contains(.sexualOrientation) ? values.sexualOrientation : nil)
    }
}
