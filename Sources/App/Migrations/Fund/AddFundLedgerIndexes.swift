import Fluent
import SQLKit

/// Covering indexes for the fund statement: the balances read `(allocation, source, kind, amount)`
/// and the spending `(category, country, kind, amount)` of one fund from the index alone. Measured
/// with `egide bench fund` (1 M ledger entries, SQLite): balances 2.1 s → 0.16 s, spending
/// 1.25 s → 0.15 s; without them SQLite read every row of the fund after the index.
struct AddFundLedgerIndexes: AsyncMigration {
    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        for statement in [
            "CREATE INDEX fund_ledger_balances ON fund_ledger (fund_id, allocation_id, source_id, kind, at, amount)",
            "CREATE INDEX fund_ledger_spending ON fund_ledger (fund_id, category, country, kind, allocation_id, at, amount)",
        ] {
            try await sql.raw(SQLQueryString(statement)).run()
        }
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        for name in ["fund_ledger_balances", "fund_ledger_spending"] { try await sql.raw(SQLQueryString("DROP INDEX \(name)")).run() }
    }
}
