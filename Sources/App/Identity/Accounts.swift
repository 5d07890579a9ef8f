import EgideCore
import EgideCrypto
import Fluent
import SQLKit
import Foundation
import Vapor

/// Organisations and accounts: creation, lookup by email through the blind index, the actor a user
/// acts as. Every change is made inside the caller's transaction with its audit event.
package enum Accounts {
    /// Blind-index width for emails, sized (CipherSweet's rule) for up to a few thousand accounts:
    /// each index value is shared by several accounts, so the index alone singles out nobody.
    static let emailIndexBits = (try? BlindIndexSizing.bits(forExpectedRecords: 2_000)) ?? 9

    /// The form an email is compared and indexed in.
    static func normaliseEmail(_ email: String) -> String {
        email.precomposedStringWithCompatibilityMapping.trimmedWhitespace.lowercased()
    }

    /// Whether `email` looks like an address (one `@`, something on each side, a dot in the domain).
    static func isPlausibleEmail(_ email: String) -> Bool {
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."),
              !parts[1].hasSuffix("."), email.count <= 254 else { return false }
        return !email.contains { $0.isWhitespace }
    }

    static func emailIndex(_ email: String, vault: Vault) throws -> Int {
        Int(try vault.blindIndex("user.email", bits: emailIndexBits).value(for: normaliseEmail(email)))
    }

    /// The account with this email, found by blind index then decrypting the few candidates.
    static func findUser(email: String, on db: any Database, vault: Vault) async throws -> UserRecord? {
        let wanted = normaliseEmail(email)
        let candidates = try await UserRecord.query(on: db).filter(\.$emailIndex == emailIndex(wanted, vault: vault)).all()
        for user in candidates {
            let id = try user.requireID()
            if let stored = try? vault.open(user.emailCiphertext, owner: user.$organisation.id.lowercasedText, UserRecord.emailRef(id)),
               stored == wanted {
                return user
            }
        }
        return nil
    }

    /// The actor a user acts as: their organisation, its type and their roles.
    static func actor(for user: UserRecord, on db: any Database) async throws -> Actor {
        guard let standing = try await standing(of: try user.requireID(), on: db) else { throw Abort(.internalServerError) }
        return standing.actor
    }

    /// Who an account acts as and whether it may act at all, as every signed-in request needs it.
    struct Standing: Sendable {
        var actor: Actor
        var disabled: Bool
        var secondFactorConfirmed: Bool
    }

    /// The standing of `userID`, or `nil` if there is no such account: one query (the account, its
    /// organisation and its roles, one row per role) read as columns. It runs on every signed-in
    /// request and API call; through Fluent models it was four queries and a fifth of the processor
    /// time of a list page spent in model reflection (docs/DEVELOPMENT.md, "Public pages: benchmark").
    static func standing(of userID: UUID, on db: any Database) async throws -> Standing? {
        let rows = try await (db as! any SQLDatabase).raw("""
            SELECT u.organisation_id, u.disabled_at, u.totp_confirmed_at, o.type, r.role
            FROM \(ident: UserRecord.schema) u
            JOIN \(ident: OrganisationRecord.schema) o ON o.id = u.organisation_id
            LEFT JOIN \(ident: UserRoleRecord.schema) r ON r.user_id = u.id
            WHERE u.id = \(bind: userID)
            """).all()
        guard let first = rows.first else { return nil }
        let roles = try rows.compactMap { try $0.decodeNil(column: "role") ? nil : $0.decode(column: "role", as: Role.self) }
        return Standing(
            actor: Actor(userID: userID, organisationID: try first.decode(column: "organisation_id", as: UUID.self),
                         organisationType: try first.decode(column: "type", as: OrganisationType.self), roles: Set(roles)),
            disabled: !(try first.decodeNil(column: "disabled_at")),
            secondFactorConfirmed: !(try first.decodeNil(column: "totp_confirmed_at")))
    }

    /// The owner string under which an organisation's data is encrypted.
    package static func owner(_ organisationID: UUID) -> String { organisationID.lowercasedText }

    /// Creates an organisation and its data key.
    package static func createOrganisation(
        name: String, slug: String, type: OrganisationType, country: String,
        by actor: AuditActor, at now: Date, on db: any Database, vault: Vault
    ) async throws -> OrganisationRecord {
        let id = UUID()
        let record = OrganisationRecord(
            id: id, nameCiphertext: try vault.seal(name, owner: Vault.instanceOwner, OrganisationRecord.nameContext(id)),
            slug: slug, type: type, country: country, createdAt: now)
        try await record.create(on: db)
        try await vault.createKey(owner: owner(id), on: db)
        try await AuditRecorder.record(
            .init(actor: actor, organisation: id, action: "organisation.create", objectType: "organisation",
                  objectID: id.lowercasedText, details: ["type": type.rawValue, "country": country]),
            at: now, on: db)
        return record
    }

    /// Creates an account (no password yet) with its roles.
    package static func createUser(
        organisation: UUID, email: String, name: String, roles: Set<Role>,
        by actor: AuditActor, at now: Date, on db: any Database, vault: Vault
    ) async throws -> UserRecord {
        let id = UUID()
        let owner = owner(organisation)
        let user = UserRecord(
            id: id, organisationID: organisation,
            emailCiphertext: try vault.seal(normaliseEmail(email), owner: owner, UserRecord.emailRef(id)),
            emailIndex: try emailIndex(email, vault: vault),
            emailKey: try vault.uniqueTag("user.email", normaliseEmail(email)),
            nameCiphertext: try vault.seal(name, owner: owner, UserRecord.nameRef(id)), createdAt: now)
        try await user.create(on: db)
        for role in roles.sorted() { try await UserRoleRecord(userID: id, role: role).create(on: db) }
        try await AuditRecorder.record(
            .init(actor: actor, organisation: organisation, action: "user.create", objectType: "user",
                  objectID: id.lowercasedText, details: ["roles": roles.sorted().map(\.rawValue).joined(separator: " ")]),
            at: now, on: db)
        return user
    }

    /// Decrypted email and name of `user`.
    static func identity(of user: UserRecord, vault: Vault) throws -> (email: String, name: String) {
        let id = try user.requireID()
        let owner = owner(user.$organisation.id)
        return (try vault.open(user.emailCiphertext, owner: owner, UserRecord.emailRef(id)),
                try vault.open(user.nameCiphertext, owner: owner, UserRecord.nameRef(id)))
    }
}
