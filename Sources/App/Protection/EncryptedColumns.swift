import Fluent
import Foundation

/// A record type whose table holds encrypted values: each of its fields whose key ends in `_ct`
/// is AEAD ciphertext, bound to the field name without `_ct` (`FieldContext.field`) and sealed with
/// the key of the organisation named in `encryptionOwnerColumn` (the instance's key when `nil`).
/// A record declares it beside its fields, and key rotation finds its columns from the fields.
protocol EncryptedRecord: Model {
    static var encryptionOwnerColumn: String? { get }
}

extension EncryptedRecord {
    /// The record's encrypted columns, read from its own field declarations.
    static var encryptedColumns: [EncryptedColumn] {
        keys.map(\.description).filter { $0.hasSuffix("_ct") }.map {
            EncryptedColumn(table: schema, column: $0, field: String($0.dropLast(3)), ownerColumn: encryptionOwnerColumn)
        }
    }
}

/// One encrypted column, for key rotation and the canary tests, which walk them all without
/// knowing the features.
struct EncryptedColumn: Sendable, Equatable {
    var table: String
    var column: String
    /// The field name bound into the ciphertext (`FieldContext.field`).
    var field: String
    /// The column holding the owning organisation's id; `nil` for instance-owned data.
    var ownerColumn: String?

    /// The record types with encrypted columns, as the modules declare them (`Module.encryptedRecords`).
    /// `EncryptedColumnRegistryTests` reads the live schema (SQLite and PostgreSQL) and fails on any
    /// ciphertext column that none of these declares. (A hand-kept list of columns once lacked the
    /// six case columns, and `egide keys rotate` left case files under the retired key.)
    static var records: [any EncryptedRecord.Type] { Modules.all.flatMap { $0.encryptedRecords } }

    /// Every encrypted column in the database, derived from the records' declarations.
    static let all: [EncryptedColumn] = records.flatMap { $0.encryptedColumns }
}
