import Foundation

/// What the emergency fund's pages and API do.
public enum FundAction: String, CaseIterable, Sendable {
    /// The funds list, a fund's page and statement (scoped to the allocations one's organisation holds).
    case viewFunds
    /// Open a fund (its owner is the actor's organisation).
    case createFund
    /// Allocate from a fund or an allocation, confirm or withdraw a proposed allocation, enter rates
    /// (with a target: the giving organisation's fund managers, `FundTarget(chain: [giver])`).
    case manageMoney
    /// Start a grant request under an allocation one's organisation holds; edit, submit and
    /// withdraw one's own (with `FundTarget.requesterID`: its requester only).
    case requestGrant
    /// See the grants (the query narrows which).
    case viewGrants
    /// Take a request into screening, ask for information, reject, approve, record tranches,
    /// reports and closure: fund managers of an organisation in the grant's chain, never the
    /// grant's requester.
    case decideGrant
}

/// What a decision about one grant or allocation needs to know: the organisations with authority
/// over it (its allocation's organisation first, then each parent's, then the fund's owner) and
/// who requested it.
public struct FundTarget: Sendable, Equatable {
    public var chain: [UUID]
    public var requesterID: UUID?
    public init(chain: [UUID], requesterID: UUID? = nil) {
        self.chain = chain
        self.requesterID = requesterID
    }
}

/// The emergency fund policy, as pure functions.
///
/// - Money is moved by **fund managers** only (the role `fund_manager`); an administrator without
///   that role moves none, and with it is bound by the same four-eyes rule (`FourEyes`).
/// - Funds are opened by fund managers of an organisation that runs protection work (host or
///   consortium member); partners receive allocations and sub-allocate.
/// - Grants are requested by fund managers, protection officers and coordinators of an
///   organisation holding an allocation, and only their requester edits, submits or withdraws one;
///   they are decided and paid by fund managers of the organisations in the grant's chain, never by
///   their requester. Auditors and coordinators read.
/// - Which funds, allocations and grants exist for the actor is the scoped queries' decision
///   (`FundQueries.visible…`): a sibling's allocation or grant answers 404.
public enum FundPolicy: Policy {
    public static let readerRoles: Set<Role> = [.fundManager, .coordinator, .auditor, .protectionOfficer]
    public static let requesterRoles: Set<Role> = [.fundManager, .protectionOfficer, .coordinator]

    public static func evaluate(_ actor: Actor, _ action: FundAction, _ target: FundTarget?) -> Decision {
        switch action {
        case .viewFunds, .viewGrants:
            return actor.roles.isDisjoint(with: readerRoles) ? .deny("no fund role") : .allow
        case .createFund:
            guard actor.has(.fundManager) else { return .deny("not a fund manager") }
            return actor.organisationType.handlesProtection ? .allow : .deny("partners receive allocations, they do not open funds")
        case .requestGrant:
            guard !actor.roles.isDisjoint(with: requesterRoles) else { return .deny("may not request grants") }
            guard let target else { return .allow }
            guard target.chain.first == actor.organisationID else { return .deny("the allocation is another organisation's") }
            if let requester = target.requesterID, requester != actor.userID { return .deny("only its requester edits, submits or withdraws a request") }
            return .allow
        case .manageMoney, .decideGrant:
            guard actor.has(.fundManager) else { return .deny("not a fund manager") }
            guard let target else { return .allow }
            if action == .decideGrant, target.requesterID == actor.userID { return .deny("nobody decides on, or pays, their own request") }
            return target.chain.contains(actor.organisationID) ? .allow : .deny("not in the chain of this money")
        }
    }
}
