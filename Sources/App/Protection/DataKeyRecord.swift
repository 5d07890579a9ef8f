import Fluent
import Foundation

/// A data-encryption key, stored only wrapped by the KEK (which is never in the database).
final class DataKeyRecord: Model, @unchecked Sendable {
    static let schema = "data_keys"

    /// What a key is for.
    enum Purpose: String, Codable, CaseIterable {
        /// Encrypts fields and files of one owner (an organisation, or the instance).
        case field
        /// Root of the blind indexes (instance-wide, so duplicates are found across partners).
        case index
        /// Signs audit checkpoints (Ed25519 seed).
        case auditSigning = "audit_signing"
    }

    enum State: String, Codable {
        case active, retired, destroyed
    }

    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "owner") var owner: String
    @Field(key: "purpose") var purpose: Purpose
    @Field(key: "state") var state: State
    /// `nil` once destroyed (crypto-shredding): the key is gone everywhere, backups included.
    @OptionalField(key: "wrapped") var wrapped: Data?
    @Field(key: "created_at") var createdAt: Date

    init() {}

    init(id: String, owner: String, purpose: Purpose, state: State, wrapped: Data, createdAt: Date) {
        self.id = id
        self.owner = owner
        self.purpose = purpose
        self.state = state
        self.wrapped = wrapped
        self.createdAt = createdAt
    }
}
