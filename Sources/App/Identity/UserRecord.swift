import EgideCore
import Fluent
import Foundation

/// A staff or partner account. The email and name are encrypted under the organisation's key; the
/// email is found at sign-in through a blind index. The TOTP seed is encrypted too.
final class UserRecord: Model, EncryptedRecord, @unchecked Sendable {
    /// Its `…_ct` fields are sealed for the organisation in this column (`EncryptedRecord`).
    static let encryptionOwnerColumn: String? = "organisation_id"

    static let schema = "users"

    @ID(key: .id) var id: UUID?
    @Parent(key: "organisation_id") var organisation: OrganisationRecord
    @Field(key: "email_ct") var emailCiphertext: Data
    @Field(key: "email_index") var emailIndex: Int
    /// A full-width keyed hash of the normalised email, under a unique constraint: one address,
    /// one account, enforced by the database itself (it reveals only what uniqueness reveals).
    @Field(key: "email_key") var emailKey: Data
    @Field(key: "name_ct") var nameCiphertext: Data
    /// PHC string (`$scrypt$ln=17,r=8,p=1$…`); `nil` until the invitation is accepted.
    @OptionalField(key: "password_hash") var passwordHash: String?
    @OptionalField(key: "totp_seed_ct") var totpSeedCiphertext: Data?
    /// The last TOTP step accepted: a code is accepted once only.
    @OptionalField(key: "totp_last_step") var totpLastStep: Int64?
    /// Set when enrolment was confirmed with a first code; sign-in requires it.
    @OptionalField(key: "totp_confirmed_at") var totpConfirmedAt: Date?
    @OptionalField(key: "disabled_at") var disabledAt: Date?
    @Field(key: "failed_attempts") var failedAttempts: Int
    @OptionalField(key: "last_failed_at") var lastFailedAt: Date?
    @Field(key: "created_at") var createdAt: Date
    @Children(for: \.$user) var roles: [UserRoleRecord]

    init() {}

    init(id: UUID, organisationID: UUID, emailCiphertext: Data, emailIndex: Int, emailKey: Data, nameCiphertext: Data, createdAt: Date) {
        self.id = id
        self.emailKey = emailKey
        self.$organisation.id = organisationID
        self.emailCiphertext = emailCiphertext
        self.emailIndex = emailIndex
        self.nameCiphertext = nameCiphertext
        self.failedAttempts = 0
        self.createdAt = createdAt
    }

    static func emailRef(_ id: UUID) -> FieldRef { FieldRef(schema, id, "email") }
    static func nameRef(_ id: UUID) -> FieldRef { FieldRef(schema, id, "name") }
    static func totpRef(_ id: UUID) -> FieldRef { FieldRef(schema, id, "totp_seed") }
}

/// One role held by one user.
final class UserRoleRecord: Model, @unchecked Sendable {
    static let schema = "user_roles"

    @ID(key: .id) var id: UUID?
    @Parent(key: "user_id") var user: UserRecord
    @Field(key: "role") var role: Role

    init() {}

    init(userID: UUID, role: Role) {
        self.id = UUID()
        self.$user.id = userID
        self.role = role
    }
}
