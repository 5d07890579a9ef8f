import EgideCore
import Fluent
import Foundation
import SQLKit

/// Drops `AddAlertIdempotencyIndex`'s index on SQLite: the unique constraint's own index serves the
/// lookup as well once the statement names it (`IntakeState.idempotencyIndex`), and a second index
/// of the same random 32-byte tags cost every alert with a key one more page written at random.
struct DropAlertIdempotencyIndex: AsyncMigration {
    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase, sql.dialect.name == "sqlite" else { return }
        try await sql.raw("DROP INDEX IF EXISTS \(ident: AddAlertIdempotencyIndex.name)").run()
    }

    func revert(on database: any Database) async throws {
        try await AddAlertIdempotencyIndex().prepare(on: database)
    }
}
