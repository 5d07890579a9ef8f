import Fluent
import Foundation

/// A server-side session. The cookie holds a random token; only its SHA-256 is stored, so a copy of
/// the database does not let anyone sign in.
final class SessionRecord: Model, @unchecked Sendable {
    static let schema = "sessions"

    /// How far the sign-in has gone.
    enum Stage: String, Codable {
        /// Password accepted, second factor not yet given (short-lived).
        case passwordVerified = "password_verified"
        /// A new account that must enrol its second factor before anything else.
        case enrolling
        /// Fully signed in.
        case active
    }

    @ID(key: .id) var id: UUID?
    @Field(key: "token_hash") var tokenHash: Data
    @Parent(key: "user_id") var user: UserRecord
    @Field(key: "stage") var stage: Stage
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "last_seen_at") var lastSeenAt: Date
    /// The absolute end, whatever the activity.
    @Field(key: "expires_at") var expiresAt: Date

    init() {}

    init(id: UUID, tokenHash: Data, userID: UUID, stage: Stage, now: Date, expiresAt: Date) {
        self.id = id
        self.tokenHash = tokenHash
        self.$user.id = userID
        self.stage = stage
        self.createdAt = now
        self.lastSeenAt = now
        self.expiresAt = expiresAt
    }
}

/// A single-use invitation to join an organisation with given roles, valid 72 hours.
final class InvitationRecord: Model, @unchecked Sendable {
    static let schema = "invitations"

    @ID(key: .id) var id: UUID?
    @Field(key: "token_hash") var tokenHash: Data
    @Parent(key: "user_id") var user: UserRecord
    @Field(key: "created_by") var createdBy: String
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "expires_at") var expiresAt: Date
    @OptionalField(key: "accepted_at") var acceptedAt: Date?

    init() {}

    init(id: UUID, tokenHash: Data, userID: UUID, createdBy: String, now: Date, expiresAt: Date) {
        self.id = id
        self.tokenHash = tokenHash
        self.$user.id = userID
        self.createdBy = createdBy
        self.createdAt = now
        self.expiresAt = expiresAt
    }
}

/// A one-time recovery code (stored hashed), for when the authenticator is lost.
final class RecoveryCodeRecord: Model, @unchecked Sendable {
    static let schema = "recovery_codes"

    @ID(key: .id) var id: UUID?
    @Parent(key: "user_id") var user: UserRecord
    @Field(key: "code_hash") var codeHash: Data
    @OptionalField(key: "used_at") var usedAt: Date?

    init() {}

    init(userID: UUID, codeHash: Data) {
        self.id = UUID()
        self.$user.id = userID
        self.codeHash = codeHash
    }
}

/// A personal access token for the JSON API: scoped, expiring, shown once, stored hashed.
final class APITokenRecord: Model, @unchecked Sendable {
    static let schema = "api_tokens"

    @ID(key: .id) var id: UUID?
    @Parent(key: "user_id") var user: UserRecord
    @Field(key: "name") var name: String
    @Field(key: "token_hash") var tokenHash: Data
    /// Space-separated `APIScope` raw values.
    @Field(key: "scopes") var scopes: String
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "expires_at") var expiresAt: Date
    @OptionalField(key: "last_used_at") var lastUsedAt: Date?
    @OptionalField(key: "revoked_at") var revokedAt: Date?

    init() {}

    init(id: UUID, userID: UUID, name: String, tokenHash: Data, scopes: String, now: Date, expiresAt: Date) {
        self.id = id
        self.$user.id = userID
        self.name = name
        self.tokenHash = tokenHash
        self.scopes = scopes
        self.createdAt = now
        self.expiresAt = expiresAt
    }
}
