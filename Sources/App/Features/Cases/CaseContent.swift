import EgideCore
import Foundation

/// The words of each part of a case file: one `Codable` document per item, encrypted as a whole
/// (`CaseItemRecord.content_ct`) under the case owner's key and bound to the item's row.
package enum CaseContent {
    /// A person's (or an organisation's) identity.
    package struct Identity: Codable, Sendable, Equatable {
        package var name: String
        package var aliases: String?
        var dateOfBirth: String?
        var contacts: String?
        var address: String?
        var notes: String?
        package init(name: String, aliases: String? = nil, dateOfBirth: String? = nil, contacts: String? = nil,
                     address: String? = nil, notes: String? = nil) {
            self.name = name
            self.aliases = aliases
            self.dateOfBirth = dateOfBirth
            self.contacts = contacts
            self.address = address
            self.notes = notes
        }
    }

    /// Gender identity and sexual orientation: written only with the person's recorded consent.
    package struct Sensitive: Codable, Sendable, Equatable {
        var genderIdentity: String?
        var sexualOrientation: String?

        var isEmpty: Bool { (genderIdentity ?? "").isEmpty && (sexualOrientation ?? "").isEmpty }
        package init(genderIdentity: String? = nil, sexualOrientation: String? = nil) {
            self.genderIdentity = genderIdentity
            self.sexualOrientation = sexualOrientation
        }
    }

    package struct Threat: Codable, Sendable, Equatable {
        var actor: ThreatActorType
        var space: ThreatSpace
        var description: String
        var likelihood: Int
        var impact: Int
        package init(actor: ThreatActorType, space: ThreatSpace, description: String, likelihood: Int, impact: Int) {
            self.actor = actor
            self.space = space
            self.description = description
            self.likelihood = likelihood
            self.impact = impact
        }
    }

    package struct Factor: Codable, Sendable, Equatable {
        var description: String
        var weight: Int
        package init(description: String, weight: Int) { self.description = description; self.weight = weight }
    }

    /// One version of the risk assessment.
    package struct Assessment: Codable, Sendable, Equatable {
        package var threats: [Threat]
        package var vulnerabilities: [Factor]
        package var capacities: [Factor]
        package var justification: String
        /// Why this assessment was made: `initial`, `scheduled`, `new_threat`, `change`.
        var trigger: String
        package init(threats: [Threat], vulnerabilities: [Factor], capacities: [Factor], justification: String, trigger: String) {
            self.threats = threats
            self.vulnerabilities = vulnerabilities
            self.capacities = capacities
            self.justification = justification
            self.trigger = trigger
        }
    }

    package struct Measure: Codable, Sendable, Equatable {
        var description: String
        var domain: MeasureDomain
        var ownerKind: MeasureOwnerKind
        /// Who, in words, when the owner is not a staff member (a partner, the defender).
        var ownerName: String?
        var note: String?
        package init(description: String, domain: MeasureDomain, ownerKind: MeasureOwnerKind, ownerName: String? = nil,
                     note: String? = nil) {
            self.description = description
            self.domain = domain
            self.ownerKind = ownerKind
            self.ownerName = ownerName
            self.note = note
        }
    }

    struct PlanReview: Codable, Sendable, Equatable {
        var summary: String
    }

    package struct Support: Codable, Sendable, Equatable {
        var description: String
        var provider: SupportProvider
        var providerName: String?
        var outcome: String?
        package init(description: String, provider: SupportProvider, providerName: String? = nil, outcome: String? = nil) {
            self.description = description
            self.provider = provider
            self.providerName = providerName
            self.outcome = outcome
        }
    }

    struct Referral: Codable, Sendable, Equatable {
        var shared: [ReferralShare]
        var consentRecorded: Bool
        var message: String
        /// What was shared, as it was when the referral was made (so the partner reads only that).
        var summary: String?
        var riskLevel: Int?
        var people: [String]
        var contacts: [String]
        var plan: [String]
        var response: String?
        var report: String?
    }

    struct FollowUp: Codable, Sendable, Equatable {
        var purpose: String
        var notes: String?
        var newThreat: Bool
    }

    package struct Review: Codable, Sendable, Equatable {
        var kind: CaseReviewKind
        var findings: String
        var actions: String
        package init(kind: CaseReviewKind, findings: String, actions: String) {
            self.kind = kind
            self.findings = findings
            self.actions = actions
        }
    }

    package struct Impact: Codable, Sendable, Equatable {
        var answers: [String: ImpactAnswer]
        var notes: String?
        package init(answers: [String: ImpactAnswer], notes: String? = nil) { self.answers = answers; self.notes = notes }
    }

    package static func seal<T: Encodable>(_ value: T, owner: String, _ ref: FieldRef, vault: Vault) throws -> Data {
        try SealedDocument.seal(value, owner: owner, ref, vault: vault)
    }

    package static func open<T: Decodable>(_ type: T.Type, _ blob: Data, owner: String, _ ref: FieldRef, vault: Vault) throws -> T {
        try SealedDocument.open(type, blob, owner: owner, ref, vault: vault)
    }
}
