import EgideCore
import Fluent

/// The Arabic label of each violation category, written for the seeded ones; a category an
/// administrator added keeps an empty Arabic label (shown in English) until they write one.
struct AddArabicCategoryLabels: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(AlertCategoryRecord.schema).field("label_ar", .string).update()
        for (code, label) in AlertCategories.seededArabic {
            try await AlertCategoryRecord.query(on: database).filter(\.$code == code).set(\.$labelAR, to: label).update()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema(AlertCategoryRecord.schema).deleteField("label_ar").update()
    }
}
