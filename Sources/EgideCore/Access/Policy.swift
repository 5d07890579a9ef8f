import Foundation

/// The outcome of a policy check. `deny` carries why, for logs and tests; the client is told
/// 404 when the record is outside the actor's scope, 403 otherwise.
public enum Decision: Sendable, Equatable {
    case allow
    case deny(String)

    public var isAllowed: Bool { self == .allow }
}

/// The one shape of every policy of every module: a pure function of who acts, what they do and
/// the record they do it to (`Resource` carries what the decision needs to know of it; `nil` for
/// lists, creation and settings, which the scoped queries narrow). Admin, Alerts and Cases adopt
/// it; a new module's policy does too (docs/DEVELOPMENT.md, "Adding a module").
public protocol Policy {
    associatedtype Action: Sendable
    associatedtype Resource: Sendable
    static func evaluate(_ actor: Actor, _ action: Action, _ resource: Resource) -> Decision
}

extension Policy where Resource: ExpressibleByNilLiteral {
    /// The decision when no particular record is named (a list, creating one, the settings).
    public static func evaluate(_ actor: Actor, _ action: Action) -> Decision { evaluate(actor, action, nil) }
}

/// The record an administration action names: an organisation, a user, or neither (a list).
public struct AdminTarget: Sendable, Equatable {
    public var organisation: UUID?
    public var user: UUID?
    public init(organisation: UUID? = nil, user: UUID? = nil) {
        self.organisation = organisation
        self.user = user
    }
}

/// What the administration pages can do.
public enum AdminAction: String, CaseIterable, Sendable {
    case listOrganisations, createOrganisation, viewOrganisation, editOrganisation
    case listUsers, inviteUser, viewUser, changeRoles, disableUser, enableUser, resetTwoFactor
    /// Grant or withdraw the permissions to see sensitive fields in cases (`SensitiveField.permission`).
    case changeSensitivePermissions
    case viewAuditTrail
}

/// The administration policy, as pure functions: who may do what to which organisation's users.
///
/// - A host administrator administers every organisation and user.
/// - An administrator of another organisation administers the users of their own organisation
///   only, and cannot create organisations or grant roles their organisation may not hold.
/// - Nobody changes their own roles, disables themselves or resets their own second factor here
///   (that is done from "my account", with the current code): no self-escalation.
/// - The audit trail is for host administrators and host auditors.
/// - Only host administrators grant the permissions to see sensitive fields in cases, and never
///   to themselves (which users may hold them is the App's check: case handlers only).
public enum AdminPolicy: Policy {
    /// Whether `actor` may do `action` to `target` (the organisation and/or user acted on; `nil` for lists).
    public static func evaluate(_ actor: Actor, _ action: AdminAction, _ target: AdminTarget?) -> Decision {
        let targetOrganisation = target?.organisation, targetUser = target?.user
        if action == .viewAuditTrail {
            return actor.organisationType == .host && (actor.has(.administrator) || actor.has(.auditor))
                ? .allow : .deny("the audit trail is for host administrators and auditors")
        }
        guard actor.has(.administrator) else { return .deny("not an administrator") }
        if let targetUser, targetUser == actor.userID,
           [.changeRoles, .disableUser, .enableUser, .resetTwoFactor, .changeSensitivePermissions].contains(action) {
            return .deny("administrators cannot change their own access")
        }
        if actor.isHostAdministrator { return .allow }
        switch action {
        case .createOrganisation, .editOrganisation:
            return .deny("only host administrators manage organisations")
        case .changeSensitivePermissions:
            return .deny("only host administrators grant the permissions to see sensitive fields")
        default:
            guard let targetOrganisation else { return .allow }  // lists are scoped by the query
            return targetOrganisation == actor.organisationID ? .allow : .deny("another organisation")
        }
    }

    /// The roles an organisation of this type may hold. Partners never hold the coordinating roles.
    public static func assignableRoles(in type: OrganisationType) -> [Role] {
        switch type {
        case .host: Role.allCases
        case .consortiumMember: Role.allCases.filter { $0 != .coordinator }
        case .partner, .networkMember: [.administrator, .verifier, .protectionOfficer, .fundManager, .trainer]
        }
    }

    /// Whether `actor` may grant exactly `roles` to a user of an organisation of `type`.
    public static func mayGrant(_ roles: Set<Role>, in type: OrganisationType, by actor: Actor) -> Decision {
        guard !roles.isEmpty else { return .deny("a user needs at least one role") }
        let allowed = Set(assignableRoles(in: type))
        guard roles.isSubset(of: allowed) else { return .deny("role not available for this organisation type") }
        return actor.has(.administrator) ? .allow : .deny("not an administrator")
    }
}

/// A step the domain's protocol does not allow now (a closed case, a transition out of order),
/// with the catalogue key of the message shown to the person who asked. Every workflow of every
/// module refuses with this one type; the web shows the message, the API answers 409.
public struct Refusal: Error, Sendable, Equatable {
    public var key: String
    public init(key: String) { self.key = key }
}
