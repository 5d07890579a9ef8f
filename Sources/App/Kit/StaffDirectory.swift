import EgideCore
import Fluent
import Vapor

/// Names of staff and organisations for one request, decrypted once each. A page that shows many
/// names `preload`s them first: one query for all the people and one for all the organisations,
/// instead of one per name.
final class StaffDirectory: @unchecked Sendable {
    private let request: Request
    private var users: [UUID: String] = [:]
    private var organisations: [UUID: String] = [:]

    init(_ request: Request) { self.request = request }

    /// Reads the names of `users` and `organisations` not read yet, in one query each.
    func preload(users ids: some Sequence<UUID>, organisations organisationIDs: some Sequence<UUID> = []) async throws {
        let vault = request.application.vault
        let wantedUsers = Set(ids).subtracting(users.keys)
        if !wantedUsers.isEmpty {
            for user in try await UserRecord.query(on: request.db).filter(\.$id ~~ Array(wantedUsers)).all() {
                users[try user.requireID()] = (try? Accounts.identity(of: user, vault: vault).name) ?? request.t("user.unreadable")
            }
        }
        let wantedOrganisations = Set(organisationIDs).subtracting(organisations.keys)
        if !wantedOrganisations.isEmpty {
            for organisation in try await OrganisationRecord.query(on: request.db).filter(\.$id ~~ Array(wantedOrganisations)).all() {
                organisations[try organisation.requireID()] = (try? AdminQueries.name(of: organisation, vault: vault)) ?? request.t("user.unreadable")
            }
        }
    }

    func user(_ id: UUID?) async throws -> String {
        guard let id else { return request.t("alert.nobody") }
        if let known = users[id] { return known }
        let name: String
        if let user = try await UserRecord.find(id, on: request.db) {
            name = (try? Accounts.identity(of: user, vault: request.application.vault).name) ?? request.t("user.unreadable")
        } else {
            name = request.t("user.unreadable")
        }
        users[id] = name
        return name
    }

    func organisation(_ id: UUID) async throws -> String {
        if let known = organisations[id] { return known }
        let name = try await OrganisationRecord.find(id, on: request.db)
            .map { (try? AdminQueries.name(of: $0, vault: request.application.vault)) ?? request.t("user.unreadable") } ?? "—"
        organisations[id] = name
        return name
    }

    /// Active accounts of `organisation` holding one of `roles`.
    static func members(of organisation: UUID, roles: Set<Role>, on db: any Database) async throws -> [UserRecord] {
        let holders = try await UserRoleRecord.query(on: db).filter(\.$role ~~ Array(roles)).all().map { $0.$user.id }
        guard !holders.isEmpty else { return [] }
        return try await UserRecord.query(on: db).filter(\.$id ~~ holders).filter(\.$organisation.$id == organisation)
            .filter(\.$disabledAt == nil).all()
    }
}

extension Request {
    /// The `:name` path parameter as a UUID, or 404 (a malformed id is a missing record).
    func requireUUID(_ name: String) throws -> UUID {
        guard let id = uuid(name) else { throw Abort(.notFound) }
        return id
    }
}
