import EgideCore
import Fluent
import SQLKit
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
            // Read as columns: a list page names up to fifty people, and filling whole `UserRecord`s
            // through Fluent's reflection cost more than decrypting their names.
            for row in try await (request.db as! any SQLDatabase).select().columns("id", "organisation_id", "name_ct").from(UserRecord.schema)
                .where(SQLIdentifier("id"), .in, SQLGroupExpression(wantedUsers.map { SQLBind($0) })).all() {
                let id = try row.decode(column: "id", as: UUID.self)
                users[id] = try name(of: id, row: row)
            }
        }
        let wantedOrganisations = Set(organisationIDs).subtracting(organisations.keys)
        if !wantedOrganisations.isEmpty {
            // As columns too: the grant list names an organisation a row.
            for row in try await (request.db as! any SQLDatabase).select().columns("id", "name_ct").from(OrganisationRecord.schema)
                .where(SQLIdentifier("id"), .in, SQLGroupExpression(wantedOrganisations.map { SQLBind($0) })).all() {
                let id = try row.decode(column: "id", as: UUID.self)
                organisations[id] = (try? AdminQueries.name(of: id, ciphertext: try row.decode(column: "name_ct", as: Data.self), vault: vault))
                    ?? request.t("user.unreadable")
            }
        }
    }

    func user(_ id: UUID?) async throws -> String {
        guard let id else { return request.t("alert.nobody") }
        if users[id] == nil { try await preload(users: [id]) }
        return users[id] ?? request.t("user.unreadable")
    }

    func organisation(_ id: UUID) async throws -> String {
        if let known = organisations[id] { return known }
        let name = try await OrganisationRecord.find(id, on: request.db)
            .map { (try? AdminQueries.name(of: $0, vault: request.application.vault)) ?? request.t("user.unreadable") } ?? "—"
        organisations[id] = name
        return name
    }

    /// The ids of the active accounts of `organisation` holding one of `roles`, in one query.
    static func members(of organisation: UUID, roles: Set<Role>, on db: any Database) async throws -> [UUID] {
        try await memberRows(of: organisation, roles: roles, on: db).map { try $0.decode(column: "id", as: UUID.self) }
    }

    /// The same members, their names kept in this directory as they are read (a page listing them
    /// as choices then asks nothing more for their names).
    func members(of organisation: UUID, roles: Set<Role>) async throws -> [UUID] {
        try await Self.memberRows(of: organisation, roles: roles, on: request.db).map { row in
            let id = try row.decode(column: "id", as: UUID.self)
            users[id] = try name(of: id, row: row)
            return id
        }
    }

    private static func memberRows(of organisation: UUID, roles: Set<Role>, on db: any Database) async throws -> [any SQLRow] {
        guard !roles.isEmpty else { return [] }
        return try await (db as! any SQLDatabase).raw("""
            SELECT DISTINCT u.id, u.organisation_id, u.name_ct FROM \(ident: UserRecord.schema) u
            JOIN \(ident: UserRoleRecord.schema) r ON r.user_id = u.id
            WHERE u.organisation_id = \(bind: organisation) AND u.disabled_at IS NULL AND r.role IN (\(binds: roles.map(\.rawValue).sorted()))
            ORDER BY u.id
            """).all()
    }

    /// A person's name from a row of `id`, `organisation_id` and `name_ct`.
    private func name(of id: UUID, row: any SQLRow) throws -> String {
        (try? request.application.vault.open(try row.decode(column: "name_ct", as: Data.self),
                                             owner: Accounts.owner(try row.decode(column: "organisation_id", as: UUID.self)), UserRecord.nameRef(id)))
            ?? request.t("user.unreadable")
    }

    /// `people` as the options of a `<select>`, by name, each marked when `selected` says so.
    func options(_ people: [UUID], selected: (UUID) -> Bool) async throws -> [SelectOption] {
        try await preload(users: people)
        var options: [SelectOption] = []
        for id in people { options.append(SelectOption(value: SiteURL.id(id), label: try await user(id), selected: selected(id))) }
        return options.sorted { $0.label.localizedStandardCompare($1.label) == .orderedAscending }
    }
}

extension Request {
    /// The `:name` path parameter as a UUID, or 404 (a malformed id is a missing record).
    func requireUUID(_ name: String) throws -> UUID {
        guard let id = uuid(name) else { throw Abort(.notFound) }
        return id
    }
}
