import Foundation

/// Who is acting: a signed-in user (with their organisation and roles), or the public.
public struct Actor: Sendable, Equatable {
    public var userID: UUID
    public var organisationID: UUID
    public var organisationType: OrganisationType
    public var roles: Set<Role>

    public init(userID: UUID, organisationID: UUID, organisationType: OrganisationType, roles: Set<Role>) {
        self.userID = userID
        self.organisationID = organisationID
        self.organisationType = organisationType
        self.roles = roles
    }

    public func has(_ role: Role) -> Bool { roles.contains(role) }

    /// An administrator of the host organisation: the only one who sees every organisation.
    public var isHostAdministrator: Bool { organisationType == .host && has(.administrator) }
}
