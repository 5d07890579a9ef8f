import EgideCrypto
import Fluent
import Foundation
import Vapor

/// Stores and reads encrypted files: the content and the name are sealed under the owner's data
/// key and bound to the file's row, like any encrypted field; a file over the size limit is refused
/// with a clear error before anything is written.
enum FileStore {
    /// The largest file Egide accepts (10 MiB): enough for photos and PDFs from a phone.
    static let maximumSize = 10 * 1024 * 1024

    enum StoreError: Error, Equatable, CustomStringConvertible {
        case tooLarge(size: Int, limit: Int)
        case empty

        var description: String {
            switch self {
            case .tooLarge(let size, let limit): "the file is \(size) bytes; the limit is \(limit) bytes"
            case .empty: "the file is empty"
            }
        }
    }

    static func owner(_ organisationID: UUID?) -> String { organisationID.map(Accounts.owner) ?? Vault.instanceOwner }

    /// Encrypts and stores a file inside the caller's transaction; returns its id.
    static func store(_ content: Data, name: String, mediaType: String, organisation: UUID?, purpose: String,
                      limit: Int = maximumSize, at now: Date, on db: any Database, vault: Vault) async throws -> UUID {
        guard !content.isEmpty else { throw StoreError.empty }
        guard content.count <= limit else { throw StoreError.tooLarge(size: content.count, limit: limit) }
        let id = UUID()
        let owner = owner(organisation)
        let sealedContent = try vault.cipher().seal(Array(content), owner: owner, context: FieldRef(EncryptedFileRecord.schema, id, "content"))
        try await EncryptedFileRecord(
            id: id, organisationID: organisation, purpose: purpose,
            nameCiphertext: try vault.seal(name, owner: owner, FieldRef(EncryptedFileRecord.schema, id, "name")),
            mediaType: mediaType, size: content.count, contentCiphertext: Data(sealedContent), createdAt: now).create(on: db)
        return id
    }

    /// The decrypted name and content of a stored file. Callers load the record through their own
    /// scoped query first: this function does not decide who may read it.
    static func open(_ record: EncryptedFileRecord, vault: Vault) throws -> (name: String, content: Data) {
        let id = try record.requireID()
        let owner = owner(record.organisationID)
        let name = try vault.open(record.nameCiphertext, owner: owner, FieldRef(EncryptedFileRecord.schema, id, "name"))
        let content = try vault.cipher().open(Array(record.contentCiphertext), owner: owner, context: FieldRef(EncryptedFileRecord.schema, id, "content"))
        return (name, Data(content))
    }
}
