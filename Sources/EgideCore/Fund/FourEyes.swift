import Foundation

/// One level of authority over a grant: the organisation holding an allocation (its fund managers
/// approve alone up to `delegationLimit`, in the fund's minor units), and above the root
/// allocation the fund's owner (no limit but the fund's ceiling).
public struct ApprovalLevel: Sendable, Equatable {
    public var organisationID: UUID
    public var delegationLimit: Int64?
    public init(organisationID: UUID, delegationLimit: Int64?) {
        self.organisationID = organisationID
        self.delegationLimit = delegationLimit
    }
}

/// An approval already recorded: who, and at which level of the chain.
public struct RecordedApproval: Sendable, Equatable {
    public var userID: UUID
    public var level: Int
    public init(userID: UUID, level: Int) {
        self.userID = userID
        self.level = level
    }
}

/// The four-eyes rule of the emergency fund, as pure functions.
///
/// A grant under an allocation has a chain of levels: the allocation's organisation (level 0),
/// the organisation of its parent allocation (level 1), … up to the root allocation's
/// organisation, and last the fund's owner. An amount within level 0's delegation limit needs one
/// approval; above it, also one from level 1; above level 1's limit, also one from level 2; and
/// so on. A higher level's approver may stand for a lower level, never the reverse, and every
/// approver is a different person, none of them the requester. So an amount above the first
/// delegation limit always has at least two approvers, and no account — an administrator's
/// included — approves its own request or approves alone above its limit.
public enum FourEyes {
    /// How many levels must approve `amount`: 1 + the number of limits it exceeds, climbing.
    public static func requiredLevels(amount: Int64, chain: [ApprovalLevel]) -> Int {
        for (index, level) in chain.enumerated() {
            guard let limit = level.delegationLimit else { return index + 1 }
            if amount <= limit { return index + 1 }
        }
        return chain.count
    }

    /// Whether `amount` exceeds every level's authority (the chain ends in limits all below it).
    public static func exceedsChain(amount: Int64, chain: [ApprovalLevel]) -> Bool {
        guard let last = chain.last else { return true }
        return last.delegationLimit.map { amount > $0 } ?? false
    }

    /// How many of the `required` levels (0..<required) the approvals cover, each approver
    /// standing for one level at or below their own. Greedy from the top level down is optimal:
    /// every approver who covers level j also covers every level below it.
    public static func covered(_ approvals: [RecordedApproval], required: Int) -> Int {
        var available = approvals.map(\.level).sorted(by: >)
        var count = 0
        for level in stride(from: required - 1, through: 0, by: -1) {
            if let index = available.firstIndex(where: { $0 >= level }) {
                available.remove(at: index)
                count += 1
            }
        }
        return count
    }

    public static func isComplete(_ approvals: [RecordedApproval], amount: Int64, chain: [ApprovalLevel]) -> Bool {
        let required = requiredLevels(amount: amount, chain: chain)
        return covered(approvals, required: required) == required
    }

    /// The highest level of the chain `organisationID` holds (`nil` if none).
    public static func level(of organisationID: UUID, in chain: [ApprovalLevel]) -> Int? {
        chain.indices.last { chain[$0].organisationID == organisationID }
    }

    /// Why an approval by `approver` cannot be recorded now, or `nil` if it can. The caller has
    /// checked the grant is being decided and the approver holds the fund-manager role (and, at
    /// the owner's level, is one of the fund's managers).
    public static func refusal(approver: UUID, approverOrganisation: UUID, requester: UUID, amount: Int64, ceiling: Int64?,
                               chain: [ApprovalLevel], approvals: [RecordedApproval]) -> String? {
        if approver == requester { return "grant.refusal.ownRequest" }
        if approvals.contains(where: { $0.userID == approver }) { return "grant.refusal.alreadyApproved" }
        if let ceiling, amount > ceiling { return "grant.refusal.aboveCeiling" }
        if exceedsChain(amount: amount, chain: chain) { return "grant.refusal.aboveCeiling" }
        guard let level = level(of: approverOrganisation, in: chain) else { return "grant.refusal.notInChain" }
        let required = requiredLevels(amount: amount, chain: chain)
        let before = covered(approvals, required: required)
        let after = covered(approvals + [RecordedApproval(userID: approver, level: level)], required: required)
        return after > before ? nil : "grant.refusal.higherLevelNeeded"
    }

    /// The levels still missing an approver, lowest first (for "waiting for …" on the grant page).
    public static func missingLevels(_ approvals: [RecordedApproval], amount: Int64, chain: [ApprovalLevel]) -> [Int] {
        let required = requiredLevels(amount: amount, chain: chain)
        var available = approvals.map(\.level).sorted(by: >)
        var missing: [Int] = []
        for level in stride(from: required - 1, through: 0, by: -1) {
            if let index = available.firstIndex(where: { $0 >= level }) { available.remove(at: index) } else { missing.append(level) }
        }
        return missing.sorted()
    }
}
