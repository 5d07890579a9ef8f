import EgideCore
import Fluent
import Foundation
import SQLKit

/// On SQLite, an index of the idempotency tags that holds only the alerts that have one. SQLite's
/// planner statistics count the many alerts without a key (web form, staff intake) as one repeated
/// value, so it judged the unique index poor and read the whole table to look up a batch of keys
/// (`IntakeState.read`), once per batch. This index has no such rows, and the lookup names it.
/// PostgreSQL's statistics know NULLs apart (`null_frac`); its unique index serves as it is.
struct AddAlertIdempotencyIndex: AsyncMigration {
    static let name = "alerts_idempotency"

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase, sql.dialect.name == "sqlite" else { return }
        try await sql.raw("CREATE UNIQUE INDEX \(ident: Self.name) ON \(ident: AlertRecord.schema) (idempotency_tag) WHERE idempotency_tag IS NOT NULL").run()
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase, sql.dialect.name == "sqlite" else { return }
        try await sql.raw("DROP INDEX \(ident: Self.name)").run()
    }
}
