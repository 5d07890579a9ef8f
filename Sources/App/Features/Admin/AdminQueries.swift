import EgideCore
import Fluent
import Foundation
import Vapor

extension OrganisationRecord {
    /// The organisations `actor` may see in administration: all for a host administrator, their
    /// own otherwise. Lookups by id go through this too, so another's record answers 404.
    static func visible(to actor: Actor, on db: any Database) -> QueryBuilder<OrganisationRecord> {
        let query = OrganisationRecord.query(on: db)
        return actor.isHostAdministrator ? query : query.filter(\.$id == actor.organisationID)
    }
}

extension UserRecord {
    /// The accounts `actor` may see in administration (same rule as organisations).
    static func visible(to actor: Actor, on db: any Database) -> QueryBuilder<UserRecord> {
        let query = UserRecord.query(on: db)
        return actor.isHostAdministrator ? query : query.filter(\.$organisation.$id == actor.organisationID)
    }
}

/// Reading administration records for pages: decrypting names, loading roles.
enum AdminQueries {
    /// The organisation `id` if `actor` may see it; 404 otherwise, exactly as if it did not exist.
    static func organisation(_ id: UUID?, for actor: Actor, on db: any Database) async throws -> OrganisationRecord {
        guard let id, let record = try await OrganisationRecord.visible(to: actor, on: db).filter(\.$id == id).first() else {
            throw Abort(.notFound)
        }
        return record
    }

    /// The account `id` if `actor` may see it; 404 otherwise.
    static func user(_ id: UUID?, for actor: Actor, on db: any Database) async throws -> UserRecord {
        guard let id, let record = try await UserRecord.visible(to: actor, on: db).filter(\.$id == id).first() else {
            throw Abort(.notFound)
        }
        return record
    }

    static func name(of organisation: OrganisationRecord, vault: Vault) throws -> String {
        try name(of: organisation.requireID(), ciphertext: organisation.nameCiphertext, vault: vault)
    }

    /// The name of organisation `id`, from its `name_ct` column.
    static func name(of id: UUID, ciphertext: Data, vault: Vault) throws -> String {
        try vault.open(ciphertext, owner: Vault.instanceOwner, OrganisationRecord.nameContext(id))
    }

    static func roles(of userID: UUID, on db: any Database) async throws -> [Role] {
        try await UserRoleRecord.query(on: db).filter(\.$user.$id == userID).all().map(\.role).sorted()
    }

    /// The state an administrator sees for an account.
    static func status(of user: UserRecord) -> (key: String, tone: String) {
        if user.disabledAt != nil { return ("user.status.disabled", "danger") }
        if user.passwordHash == nil { return ("user.status.invited", "warn") }
        if user.totpConfirmedAt == nil { return ("user.status.enrolling", "warn") }
        return ("user.status.active", "ok")
    }
}

extension Request {
    /// A UUID path parameter, or `nil` (which the scoped lookups turn into 404).
    func uuid(_ name: String) -> UUID? { parameters.get(name).flatMap(UUID.init(uuidString:)) }

    /// Throws 404 when the policy denies: used after a scoped lookup, so an out-of-scope record is
    /// indistinguishable from a missing one.
    func authorize(_ decision: Decision, orNotFound: Bool = false) throws {
        guard decision.isAllowed else { throw Abort(orNotFound ? .notFound : .forbidden) }
    }
}
