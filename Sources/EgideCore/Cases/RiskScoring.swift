import Foundation

/// The five steps of the risk scale, lowest first.
public enum RiskLevel: String, CaseIterable, Sendable, Codable, Hashable, Comparable {
    case low, moderate, elevated, high, critical

    public var labelKey: String { "case.risk.level.\(rawValue)" }

    /// 1 (low) … 5 (critical).
    public var value: Int { Self.allCases.firstIndex(of: self)! + 1 }

    /// The level of `value` 1…5; `nil` otherwise.
    public init?(value: Int) {
        guard (1...5).contains(value) else { return nil }
        self = Self.allCases[value - 1]
    }

    public static func < (lhs: RiskLevel, rhs: RiskLevel) -> Bool { lhs.value < rhs.value }

    /// The next review date proposed when an assessment is saved at this level, in days (critical
    /// 7, high 14, elevated 30, moderate 60, low 90). A proposal: the officer sets the date.
    public var suggestedReviewDays: Int {
        switch self {
        case .low: 90
        case .moderate: 60
        case .elevated: 30
        case .high: 14
        case .critical: 7
        }
    }
}

/// An assessment input that is out of range. It names the item (which list, its position from 0,
/// the value found) so the form can point at it.
public struct RiskInputError: Error, Sendable, Equatable {
    public enum Item: String, Sendable, CaseIterable {
        case threatLikelihood = "threat_likelihood"
        case threatImpact = "threat_impact"
        case vulnerability
        case capacity
    }

    public var item: Item
    /// Position of the threat, vulnerability or capacity in its list, from 0.
    public var index: Int
    public var value: Int

    public init(item: Item, index: Int, value: Int) {
        self.item = item
        self.index = index
        self.value = value
    }

    /// "Likelihood must be between 1 and 5", etc.
    public var labelKey: String { "case.risk.error.\(item.rawValue)" }
}

/// The computed risk of one assessment, with its working, so the page can show how the level was
/// reached (see docs/RISK-SCORING.md).
public struct RiskScore: Sendable, Equatable {
    /// Highest likelihood × impact among the threats (0 without threats).
    public let highestThreat: Int
    /// Sum of likelihood × impact of the other threats.
    public let otherThreats: Int
    /// Sum of the vulnerabilities' weights, and of the capacities' weights (before the cap).
    public let vulnerabilityWeights: Int
    public let capacityWeights: Int

    /// T = min(25, highest + 0.1 × others), 0…25.
    public var threatFactor: Double { Double(threats10) / 10 }
    /// V = 1 + min(Σ weights, 15) ÷ 15, 1…2.
    public var vulnerabilityFactor: Double { Double(vulnerabilities15) / 15 }
    /// C = 1 + min(Σ weights, 15) ÷ 15, 1…2.
    public var capacityFactor: Double { Double(capacities15) / 15 }
    /// R = T × V ÷ C, 0…50.
    public var score: Double { Double(threats10 * vulnerabilities15) / Double(10 * capacities15) }

    /// The level of the score (compared in integers, so a score exactly on a threshold is never
    /// pushed either side by rounding).
    public var level: RiskLevel {
        var found = RiskLevel.low
        for (level, threshold) in RiskScoring.thresholds where isAtLeast(threshold) { found = level }
        return found
    }

    /// 10 × T, 15 × V, 15 × C: the factors as integers.
    var threats10: Int { min(10 * RiskScoring.threatCap, 10 * highestThreat + otherThreats) }
    var vulnerabilities15: Int { RiskScoring.saturation + min(vulnerabilityWeights, RiskScoring.saturation) }
    var capacities15: Int { RiskScoring.saturation + min(capacityWeights, RiskScoring.saturation) }

    /// R ≥ `threshold`, i.e. 10T × 15V ≥ threshold × 10 × 15C.
    func isAtLeast(_ threshold: Int) -> Bool { threats10 * vulnerabilities15 >= threshold * 10 * capacities15 }
}

/// The computed risk of a case, after Protection International's formula
/// **risk = threats × vulnerabilities ÷ capacities** (*New Protection Manual for Human Rights
/// Defenders*). The exact scoring, its reasons and its limits are in docs/RISK-SCORING.md; in short:
///
/// - each threat scores likelihood × impact (each 1–5), so 1–25;
/// - T = the highest threat score + a tenth of the others' scores, at most 25 — the worst threat
///   dominates, several threats add up a little, and no threat at all means no risk (T = 0);
/// - V = 1 + (sum of vulnerability weights, counted up to 15) ÷ 15, so 1–2; C the same for capacities;
/// - R = T × V ÷ C, from 0 to 50; levels: low < 3 ≤ moderate < 6 ≤ elevated < 12 ≤ high < 20 ≤ critical.
///
/// The level supports the officer's judgement and never replaces it: the officer records their
/// own level beside it, with a justification.
public enum RiskScoring {
    /// The highest threat factor: a certain threat of the gravest impact.
    public static let threatCap = 25
    /// The sum of weights at which vulnerabilities (or capacities) count fully (three of weight 5):
    /// beyond it more items do not move the factor, which stays within 1…2.
    public static let saturation = 15
    /// The lowest score of each level.
    public static let thresholds: [(level: RiskLevel, from: Int)] = [
        (.low, 0), (.moderate, 3), (.elevated, 6), (.high, 12), (.critical, 20),
    ]
    /// Likelihood, impact and weights are on 1…5.
    public static let scale = 1...5

    /// One threat as the score sees it.
    public struct Threat: Sendable, Equatable, Codable {
        /// 1 (unlikely) … 5 (almost certain).
        public var likelihood: Int
        /// 1 (minor) … 5 (life or liberty).
        public var impact: Int

        public init(likelihood: Int, impact: Int) {
            self.likelihood = likelihood
            self.impact = impact
        }

        public var score: Int { likelihood * impact }
    }

    /// Scores an assessment. Each likelihood, impact and weight must be within 1…5; the first one
    /// that is not is reported.
    public static func score(threats: [Threat], vulnerabilities: [Int], capacities: [Int]) throws(RiskInputError) -> RiskScore {
        for (index, threat) in threats.enumerated() {
            guard scale.contains(threat.likelihood) else { throw RiskInputError(item: .threatLikelihood, index: index, value: threat.likelihood) }
            guard scale.contains(threat.impact) else { throw RiskInputError(item: .threatImpact, index: index, value: threat.impact) }
        }
        for (index, weight) in vulnerabilities.enumerated() where !scale.contains(weight) {
            throw RiskInputError(item: .vulnerability, index: index, value: weight)
        }
        for (index, weight) in capacities.enumerated() where !scale.contains(weight) {
            throw RiskInputError(item: .capacity, index: index, value: weight)
        }
        let scores = threats.map(\.score)
        let highest = scores.max() ?? 0
        return RiskScore(highestThreat: highest, otherThreats: scores.reduce(0, +) - highest,
                         vulnerabilityWeights: vulnerabilities.reduce(0, +), capacityWeights: capacities.reduce(0, +))
    }
}

/// How the latest assessment compares with the one before.
public enum RiskTrend: String, CaseIterable, Sendable, Codable, Hashable {
    case up, down, same

    public var labelKey: String { "case.risk.trend.\(rawValue)" }

    /// The trend of a series of levels ordered oldest first; `nil` with fewer than two.
    public static func of(_ levels: [RiskLevel]) -> RiskTrend? {
        guard levels.count >= 2 else { return nil }
        let latest = levels[levels.count - 1], previous = levels[levels.count - 2]
        return latest > previous ? .up : latest < previous ? .down : .same
    }
}
