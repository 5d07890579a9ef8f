import EgideCore
import EgideCrypto
import Foundation

/// Where an encrypted value lives — table, row, column — bound into its ciphertext as associated
/// data, so a ciphertext copied to another row or column no longer decrypts.
package typealias FieldRef = FieldContext

extension FieldContext {
    init(_ table: String, _ id: UUID, _ field: String) {
        self.init(table: table, recordID: id.lowercasedText, field: field)
    }
}
