import EgideCore
import Fluent
import Foundation

/// An organisation sharing this Egide: the host NGO, consortium members, partners, network members.
/// Its name is encrypted (being a partner of a protection NGO can itself be dangerous); the slug
/// is a neutral identifier chosen by the administrator, used in the CLI.
package final class OrganisationRecord: Model, EncryptedRecord, @unchecked Sendable {
    /// Its `…_ct` fields are sealed for the organisation in this column (`EncryptedRecord`).
    static let encryptionOwnerColumn: String? = nil

    package static let schema = "organisations"

    @ID(key: .id) package var id: UUID?
    @Field(key: "name_ct") package var nameCiphertext: Data
    @Field(key: "slug") package var slug: String
    @Field(key: "type") package var type: OrganisationType
    /// ISO 3166-1 alpha-2.
    @Field(key: "country") package var country: String
    @Field(key: "created_at") package var createdAt: Date

    package init() {}

    init(id: UUID, nameCiphertext: Data, slug: String, type: OrganisationType, country: String, createdAt: Date) {
        self.id = id
        self.nameCiphertext = nameCiphertext
        self.slug = slug
        self.type = type
        self.country = country
        self.createdAt = createdAt
    }

    static func nameContext(_ id: UUID) -> FieldRef { FieldRef(schema, id, "name") }
}
