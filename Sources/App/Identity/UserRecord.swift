import EgideCore
import Fluent
import Foundation

/// A staff or partner account. The email and name are encrypted under the organisation's key; the
/// email is found at sign-in through a blind index. The TOTP seed is encrypted too.
package final class UserRecord: Model, EncryptedRecord, @unchecked Sendable {
    /// Its `…_ct` fields are sealed for the organisation in this column (`EncryptedRecord`).
    static let encryptionOwnerColumn: String? = "organisation_id"

    package static let schema = "users"

    @ID(key: .id) package var id: UUID?
    @Parent(key: "organisation_id") package var organisation: OrganisationRecord
    @Field(key: "email_ct") package var emailCiphertext: Data
    @Field(key: "email_index") package var emailIndex: Int
    /// A full-width keyed hash of the normalised email, under a unique constraint: one address,
    /// one account, enforced by the database itself (it reveals only what uniqueness reveals).
    @Field(key: "email_key") package var emailKey: Data
    @Field(key: "name_ct") package var nameCiphertext: Data
    /// PHC string (`$scrypt$ln=17,r=8,p=1$…`); `nil` until the invitation is accepted.
    @OptionalField(key: "password_hash") package var passwordHash: String?
    @OptionalField(key: "totp_seed_ct") package var totpSeedCiphertext: Data?
    /// The last TOTP step accepted: a code is accepted once only.
    @OptionalField(key: "totp_last_step") package var totpLastStep: Int64?
    /// Set when enrolment was confirmed with a first code; sign-in requires it.
    @OptionalField(key: "totp_confirmed_at") package var totpConfirmedAt: Date?
    @OptionalField(key: "disabled_at") package var disabledAt: Date?
    @Field(key: "failed_attempts") package var failedAttempts: Int
    @OptionalField(key: "last_failed_at") package var lastFailedAt: Date?
    @Field(key: "created_at") package var createdAt: Date
    @Children(for: \.$user) package var roles: [UserRoleRecord]

    package init() {}

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
package final class UserRoleRecord: Model, @unchecked Sendable {
    package static let schema = "user_roles"

    @ID(key: .id) package var id: UUID?
    @Parent(key: "user_id") package var user: UserRecord
    @Field(key: "role") package var role: Role

    package init() {}

    init(userID: UUID, role: Role) {
        self.id = UUID()
        self.$user.id = userID
        self.role = role
    }
}
