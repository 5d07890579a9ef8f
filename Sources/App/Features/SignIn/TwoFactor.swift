import EgideCore
import EgideCrypto
import Fluent
import Foundation
import Vapor

/// The second factor: TOTP seeds (160 bits, encrypted under the organisation's key) and ten
/// single-use recovery codes (stored hashed).
package enum TwoFactor {
    static let issuer = "Egide"
    static let recoveryCodeCount = 10

    /// The user's TOTP seed, decrypted.
    static func seed(of user: UserRecord, vault: Vault) throws -> [UInt8]? {
        guard let ciphertext = user.totpSeedCiphertext else { return nil }
        let id = try user.requireID()
        let base32 = try vault.open(ciphertext, owner: Accounts.owner(user.$organisation.id), UserRecord.totpRef(id))
        return try Base32.decode(base32)
    }

    /// Sets `seed` (encrypted) as the user's TOTP seed, confirmed at `confirmedAt` or pending
    /// enrolment when `nil`. The caller saves the record.
    package static func setSeed(_ seed: [UInt8], for user: UserRecord, confirmedAt: Date?, vault: Vault) throws {
        let id = try user.requireID()
        user.totpSeedCiphertext = try vault.seal(Base32.encode(seed), owner: Accounts.owner(user.$organisation.id), UserRecord.totpRef(id))
        user.totpConfirmedAt = confirmedAt
        user.totpLastStep = nil
    }

    /// Stores a new, unconfirmed seed for `user` and returns it.
    static func newPendingSeed(for user: UserRecord, vault: Vault, on db: any Database) async throws -> [UInt8] {
        let seed = TOTP.generateSecret()
        try setSeed(seed, for: user, confirmedAt: nil, vault: vault)
        try await user.save(on: db)
        return seed
    }

    /// Checks a code typed at sign-in: a TOTP code (current or previous step, never one already
    /// used) or an unused recovery code, which is then spent. Returns `"totp"` or `"recovery"`.
    static func check(_ typed: String, for user: UserRecord, at now: Date, app: Application) async throws -> String? {
        let userID = try user.requireID()
        if typed.count == 6, typed.allSatisfy(\.isNumber) {
            guard user.totpConfirmedAt != nil, let seed = try seed(of: user, vault: app.vault) else { return nil }
            return try await app.transaction { db in
                // Re-read under a row lock so two requests cannot both spend the same step.
                try await lockRow(UserRecord.schema, id: userID, on: db)
                guard let fresh = try await UserRecord.find(userID, on: db),
                      let step = TOTP(secret: seed).verify(code: typed, at: now, lastUsedStep: fresh.totpLastStep) else { return nil }
                fresh.totpLastStep = step
                try await fresh.save(on: db)
                return "totp"
            }
        }
        let hash = Secrets.hash(Secrets.normaliseRecoveryCode(typed))
        return try await app.transaction { db in
            guard let candidate = try await RecoveryCodeRecord.query(on: db).filter(\.$user.$id == userID)
                .filter(\.$codeHash == hash).filter(\.$usedAt == nil).first() else { return nil }
            try await lockRow(RecoveryCodeRecord.schema, id: candidate.requireID(), on: db)
            guard let code = try await RecoveryCodeRecord.find(candidate.requireID(), on: db), code.usedAt == nil else { return nil }
            code.usedAt = now
            try await code.save(on: db)
            try await AuditRecorder.record(
                .init(actor: .user(userID), organisation: user.$organisation.id, action: "user.recovery_code_used",
                      objectType: "user", objectID: SiteURL.id(userID)), at: now, on: db)
            return "recovery"
        }
    }

    /// Replaces the user's recovery codes with ten new ones and returns them (shown once).
    static func newRecoveryCodes(for userID: UUID, on db: any Database) async throws -> [String] {
        try await RecoveryCodeRecord.query(on: db).filter(\.$user.$id == userID).delete()
        let codes = (0..<recoveryCodeCount).map { _ in Secrets.recoveryCode() }
        for code in codes {
            try await RecoveryCodeRecord(userID: userID, codeHash: Secrets.hash(Secrets.normaliseRecoveryCode(code))).create(on: db)
        }
        return codes
    }
}
