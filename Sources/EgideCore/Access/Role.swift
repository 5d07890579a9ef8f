/// What a person does in Egide. A user holds one or more roles within their organisation.
public enum Role: String, CaseIterable, Sendable, Codable, Hashable, Comparable {
    case administrator
    case coordinator
    case protectionOfficer = "protection_officer"
    case verifier
    case fundManager = "fund_manager"
    case communicationsOfficer = "communications_officer"
    case trainer
    /// Monitoring, evaluation and audit: reads, never changes.
    case auditor

    /// The catalogue key of the role's name.
    public var labelKey: String { "role.\(rawValue)" }

    public static func < (lhs: Role, rhs: Role) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// The kind of organisation a user belongs to. Exactly one organisation is the host.
public enum OrganisationType: String, CaseIterable, Sendable, Codable, Hashable {
    case host
    case partner
    case consortiumMember = "consortium_member"
    case networkMember = "network_member"

    /// The catalogue key of the type's name.
    public var labelKey: String { "organisation.type.\(rawValue)" }

    /// The organisations that handle alerts and protection cases: the host and consortium members.
    public static let handling: [OrganisationType] = [.host, .consortiumMember]
    /// The organisations that cases are granted and referred to, and whose staff verify alerts:
    /// local partners and network members.
    public static let partnering: [OrganisationType] = [.partner, .networkMember]

    /// Whether this organisation handles alerts and protection cases (`handling`).
    public var handlesProtection: Bool { Self.handling.contains(self) }
    /// Whether this organisation is a partner of the network (`partnering`).
    public var isPartnering: Bool { Self.partnering.contains(self) }
}
