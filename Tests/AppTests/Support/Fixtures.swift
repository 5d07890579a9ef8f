@testable import App
import EgideCore
import EgideCrypto
import Fluent
import Foundation
import Vapor

/// A person who can sign in, made directly in the database for tests.
struct TestAccount {
    var id: UUID
    var organisationID: UUID
    var email: String
    var password: String
    var seed: [UInt8]
}

enum Fixtures {
    static let password = "a long and unusual test passphrase"

    /// An organisation (with its data key).
    static func organisation(_ app: Application, type: OrganisationType = .partner, slug: String? = nil,
                             country: String = "CM", name: String = "Test organisation") async throws -> OrganisationRecord {
        let slug = slug ?? "org-\(UUID().uuidString.prefix(8).lowercased())"
        return try await app.transaction { db in
            try await Accounts.createOrganisation(name: name, slug: slug, type: type, country: country, by: .system,
                                                  at: app.clock.now(), on: db, vault: app.vault)
        }
    }

    /// A fully enrolled account (password and confirmed TOTP) in `organisation`.
    static func account(_ app: Application, in organisation: OrganisationRecord, roles: Set<Role>,
                        email: String? = nil, name: String = "Test Person") async throws -> TestAccount {
        let email = email ?? "user-\(UUID().uuidString.prefix(8).lowercased())@example.org"
        let hash = try await app.passwordService.hash(password)
        let seed = TOTP.generateSecret()
        let orgID = try organisation.requireID()
        let id = try await app.transaction { db in
            let user = try await Accounts.createUser(organisation: orgID, email: email, name: name, roles: roles,
                                                     by: .system, at: app.clock.now(), on: db, vault: app.vault)
            let id = try user.requireID()
            user.passwordHash = hash
            try TwoFactor.setSeed(seed, for: user, confirmedAt: app.clock.now(), vault: app.vault)
            try await user.save(on: db)
            return id
        }
        return TestAccount(id: id, organisationID: orgID, email: email, password: password, seed: seed)
    }

    /// The host organisation and one administrator of it.
    static func hostAdmin(_ app: Application) async throws -> (OrganisationRecord, TestAccount) {
        let host = try await organisation(app, type: .host, slug: "host", country: "FR", name: "Host NGO")
        return (host, try await account(app, in: host, roles: [.administrator]))
    }
}
