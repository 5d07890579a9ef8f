import Foundation

/// Admiralty scale: how reliable the source of a finding has been (A completely reliable … F
/// reliability cannot be judged).
public enum SourceReliability: String, CaseIterable, Sendable, Codable, Comparable {
    case a = "A", b = "B", c = "C", d = "D", e = "E", f = "F"

    public var labelKey: String { "admiralty.reliability.\(rawValue)" }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// Admiralty scale: how credible the information is (1 confirmed by other sources … 6 truth
/// cannot be judged).
public enum InformationCredibility: Int, CaseIterable, Sendable, Codable, Comparable {
    case confirmed = 1, probablyTrue, possiblyTrue, doubtful, improbable, cannotBeJudged

    public var labelKey: String { "admiralty.credibility.\(rawValue)" }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// One verifier's graded finding, as the rule sees it.
public struct GradedFinding: Sendable, Equatable {
    public var organisationID: UUID
    public var reliability: SourceReliability
    public var credibility: InformationCredibility

    public init(organisationID: UUID, reliability: SourceReliability, credibility: InformationCredibility) {
        self.organisationID = organisationID
        self.reliability = reliability
        self.credibility = credibility
    }
}

/// The rule that proposes "verified". The officer decides; the rule only proposes, and says why.
///
/// Default (SPEC §3.2): two findings of credibility 1–2 from different organisations, or one
/// finding of reliability A–B and credibility 1–2.
public struct VerificationRule: Sendable, Equatable, Codable {
    /// How many organisations must independently report credible findings.
    public var independentFindings: Int
    /// The worst credibility that counts as credible (2: "probably true").
    public var credibleAtMost: InformationCredibility
    /// A single finding from a source this reliable (or better) and credible suffices. `nil`: never.
    public var singleSourceReliabilityAtMost: SourceReliability?

    public static let standard = VerificationRule(independentFindings: 2, credibleAtMost: .probablyTrue,
                                                  singleSourceReliabilityAtMost: .b)

    public init(independentFindings: Int, credibleAtMost: InformationCredibility, singleSourceReliabilityAtMost: SourceReliability?) {
        self.independentFindings = independentFindings
        self.credibleAtMost = credibleAtMost
        self.singleSourceReliabilityAtMost = singleSourceReliabilityAtMost
    }

    /// What the rule proposes for these findings.
    public enum Proposal: Sendable, Equatable {
        /// Enough independent credible findings (`organisations` of them).
        case verifiedByIndependentFindings(organisations: Int)
        /// One credible finding from a highly reliable source.
        case verifiedByReliableSource(SourceReliability, InformationCredibility)
        /// Not (yet) enough: `credibleOrganisations` of the `independentFindings` needed.
        case notYet(credibleOrganisations: Int)

        public var proposesVerified: Bool {
            if case .notYet = self { return false }
            return true
        }
    }

    public func evaluate(_ findings: [GradedFinding]) -> Proposal {
        let credible = findings.filter { $0.credibility <= credibleAtMost }
        if let threshold = singleSourceReliabilityAtMost,
           let best = credible.filter({ $0.reliability <= threshold }).min(by: { ($0.reliability, $0.credibility) < ($1.reliability, $1.credibility) }) {
            return .verifiedByReliableSource(best.reliability, best.credibility)
        }
        let organisations = Set(credible.map(\.organisationID)).count
        return organisations >= independentFindings
            ? .verifiedByIndependentFindings(organisations: organisations) : .notYet(credibleOrganisations: organisations)
    }

    /// Whether the rule's numbers make sense (1–5 independent organisations).
    public var isValid: Bool { (1...5).contains(independentFindings) }
}
