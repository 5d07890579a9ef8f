import EgideCore
import Foundation

/// The words of each part of a case file: one `Codable` document per item, encrypted as a whole
/// (`CaseItemRecord.content_ct`) under the case owner's key and bound to the item's row.
enum CaseContent {
    /// A person's (or an organisation's) identity.
    struct Identity: Codable, Sendable, Equatable {
        var name: String
        var aliases: String?
        var dateOfBirth: String?
        var contacts: String?
        var address: String?
        var notes: String?
    }

    /// Gender identity and sexual orientation: written only with the person's recorded consent.
    struct Sensitive: Codable, Sendable, Equatable {
        var genderIdentity: String?
        var sexualOrientation: String?

        var isEmpty: Bool { (genderIdentity ?? "").isEmpty && (sexualOrientation ?? "").isEmpty }
    }

    struct Threat: Codable, Sendable, Equatable {
        var actor: ThreatActorType
        var space: ThreatSpace
        var description: String
        var likelihood: Int
        var impact: Int
    }

    struct Factor: Codable, Sendable, Equatable {
        var description: String
        var weight: Int
    }

    /// One version of the risk assessment.
    struct Assessment: Codable, Sendable, Equatable {
        var threats: [Threat]
        var vulnerabilities: [Factor]
        var capacities: [Factor]
        var justification: String
        /// Why this assessment was made: `initial`, `scheduled`, `new_threat`, `change`.
        var trigger: String
    }

    struct Measure: Codable, Sendable, Equatable {
        var description: String
        var domain: MeasureDomain
        var ownerKind: MeasureOwnerKind
        /// Who, in words, when the owner is not a staff member (a partner, the defender).
        var ownerName: String?
        var note: String?
    }

    struct PlanReview: Codable, Sendable, Equatable {
        var summary: String
    }

    struct Support: Codable, Sendable, Equatable {
        var description: String
        var provider: SupportProvider
        var providerName: String?
        var outcome: String?
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

    struct Review: Codable, Sendable, Equatable {
        var kind: CaseReviewKind
        var findings: String
        var actions: String
    }

    struct Impact: Codable, Sendable, Equatable {
        var answers: [String: ImpactAnswer]
        var notes: String?
    }

    static func seal<T: Encodable>(_ value: T, owner: String, _ ref: FieldRef, vault: Vault) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try vault.seal(String(decoding: try encoder.encode(value), as: UTF8.self), owner: owner, ref)
    }

    static func open<T: Decodable>(_ type: T.Type, _ blob: Data, owner: String, _ ref: FieldRef, vault: Vault) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(try vault.open(blob, owner: owner, ref).utf8))
    }
}
