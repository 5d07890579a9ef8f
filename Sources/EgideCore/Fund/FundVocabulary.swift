import Foundation

// MARK: - Support categories

/// What an emergency grant pays for: the eleven categories of ProtectDefenders.eu's emergency
/// grants, which a fund makes eligible (all of them by default).
public enum SupportCategory: String, CaseIterable, Sendable, Codable, Hashable {
    case physicalSecurity = "physical_security"
    case digitalSecurity = "digital_security"
    case communications
    case securityCapacityBuilding = "security_capacity_building"
    case secureTransport = "secure_transport"
    case legal
    case medicalPsychosocial = "medical_psychosocial"
    case humanitarianFamily = "humanitarian_family"
    case urgentRelocation = "urgent_relocation"
    case urgentMonitoring = "urgent_monitoring_advocacy"
    case other

    public var labelKey: String { "fund.category.\(rawValue)" }

    /// Reads a stored list (`physical_security,legal`); unknown words are dropped.
    public static func list(_ stored: String) -> [SupportCategory] {
        stored.split(separator: ",").compactMap { SupportCategory(rawValue: String($0)) }
    }

    public static func store(_ categories: [SupportCategory]) -> String {
        allCases.filter(categories.contains).map(\.rawValue).joined(separator: ",")
    }
}

// MARK: - Allocations

/// An allocation is proposed by one fund manager and takes effect when a second confirms it: no
/// single account moves budget from one level to the next.
public enum AllocationState: String, CaseIterable, Sendable, Codable, Hashable {
    case proposed, active
    /// Withdrawn before confirmation: the amount returns to its source.
    case withdrawn

    public var labelKey: String { "fund.allocation.state.\(rawValue)" }
}

// MARK: - Grants

/// Where a grant request stands (SPEC §3.4).
public enum GrantState: String, CaseIterable, Sendable, Codable, Hashable {
    case draft, submitted, screening
    case moreInformation = "more_information"
    case approved, rejected, disbursing, disbursed
    case reportDue = "report_due"
    case justified, closed, withdrawn, cancelled

    public var labelKey: String { "grant.state.\(rawValue)" }

    /// Whether the grant's amount is committed against its allocation (approved and not finished
    /// with: the undisbursed part returns when it closes or is cancelled).
    public var holdsCommitment: Bool { [.approved, .disbursing].contains(self) }
    /// Whether approvals may be recorded now.
    public var isBeingDecided: Bool { self == .screening }
    /// Final states: nothing moves any more.
    public var isFinal: Bool { [.rejected, .closed, .withdrawn, .cancelled].contains(self) }
    /// Still before a decision: the requester may edit (draft, more information) or withdraw.
    public var isBeforeDecision: Bool { [.draft, .submitted, .screening, .moreInformation].contains(self) }
    /// States whose amount counts as "approved" in statements and duplicate checks.
    public static let approvedOrLater: [GrantState] = [.approved, .disbursing, .disbursed, .reportDue, .justified, .closed]
}

/// The moves of a grant. `approved` is reached by recording approvals (`FourEyes`), `disbursing`
/// and `disbursed` by recording tranches; the others are explicit steps.
public enum GrantLifecycle {
    public static func canMove(from: GrantState, to: GrantState) -> Bool {
        switch (from, to) {
        case (.draft, .submitted), (.moreInformation, .submitted): true
        case (.submitted, .screening): true
        case (.screening, .moreInformation), (.screening, .approved), (.screening, .rejected), (.submitted, .rejected): true
        case (.draft, .withdrawn), (.submitted, .withdrawn), (.screening, .withdrawn), (.moreInformation, .withdrawn): true
        case (.approved, .disbursing), (.approved, .disbursed), (.disbursing, .disbursed): true
        case (.approved, .cancelled), (.disbursing, .cancelled): true
        case (.disbursed, .reportDue), (.disbursed, .closed): true
        case (.reportDue, .justified), (.justified, .closed): true
        default: false
        }
    }
}

/// How a tranche was paid.
public enum DisbursementMethod: String, CaseIterable, Sendable, Codable, Hashable {
    case cash
    case mobileMoney = "mobile_money"
    case bankTransfer = "bank_transfer"
    case inKind = "in_kind"

    public var labelKey: String { "grant.method.\(rawValue)" }
}

/// The kinds of entry in a fund's ledger. Every movement of budget or money is one entry, in the
/// fund's currency, written in the transaction of its audit event.
public enum LedgerKind: String, CaseIterable, Sendable, Codable, Hashable {
    /// Budget moved to an allocation (from the fund, or from the parent allocation).
    case allocate
    /// An allocation withdrawn before confirmation: its amount returns (negative `allocate`).
    case unallocate
    /// A grant approved: its amount is committed against its allocation.
    case commit
    /// The undisbursed part of a commitment returned (grant cancelled, or closed under budget).
    case release
    /// A tranche paid.
    case disburse
}
