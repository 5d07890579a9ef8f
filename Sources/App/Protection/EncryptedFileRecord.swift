import Fluent
import Foundation

/// A file (attachment, evidence) stored encrypted in the database itself, so that backups hold
/// everything and no plaintext ever touches the filesystem. Its name is encrypted too; its size and
/// media type are kept in clear to enforce limits and serve it.
final class EncryptedFileRecord: Model, EncryptedRecord, @unchecked Sendable {
    /// Its `…_ct` fields are sealed for the organisation in this column (`EncryptedRecord`).
    static let encryptionOwnerColumn: String? = "organisation_id"

    static let schema = "encrypted_files"

    @ID(key: .id) var id: UUID?
    /// The owning organisation (`nil`: the instance, e.g. public intake before triage).
    @OptionalField(key: "organisation_id") var organisationID: UUID?
    /// What the file belongs to, e.g. `alert`, `case` (never a name).
    @Field(key: "purpose") var purpose: String
    @Field(key: "name_ct") var nameCiphertext: Data
    @Field(key: "media_type") var mediaType: String
    @Field(key: "size") var size: Int
    @Field(key: "content_ct") var contentCiphertext: Data
    @Field(key: "created_at") var createdAt: Date

    init() {}

    init(id: UUID, organisationID: UUID?, purpose: String, nameCiphertext: Data, mediaType: String, size: Int,
         contentCiphertext: Data, createdAt: Date) {
        self.id = id
        self.organisationID = organisationID
        self.purpose = purpose
        self.nameCiphertext = nameCiphertext
        self.mediaType = mediaType
        self.size = size
        self.contentCiphertext = contentCiphertext
        self.createdAt = createdAt
    }
}
