@testable import App
import FluentKit
import SQLKit
import Testing
import Vapor

@Suite struct MigrationTests {
    @Test func migrations_revert_completely_and_apply_again() async throws {
        try await withApp { app in
            let sql = try #require(app.db as? any SQLDatabase)
            let initial = try await InstanceRecord.query(on: app.db).count()
            #expect(initial == 1)

            try await app.autoRevert()
            await #expect(throws: (any Error).self) { try await sql.raw("SELECT id FROM instance").run() }

            try await app.autoMigrate()
            let after = try await InstanceRecord.query(on: app.db).count()
            #expect(after == 1)
        }
    }

    @Test func applying_migrations_twice_changes_nothing() async throws {
        try await withApp { app in
            let before = try await InstanceRecord.query(on: app.db).first()?.id
            try await app.autoMigrate()
            let rows = try await InstanceRecord.query(on: app.db).all()
            #expect(rows.count == 1)
            #expect(rows.first?.id == before)
        }
    }

    /// The names existing SQLite and PostgreSQL databases stored in `_fluent_migrations` when they
    /// ran each migration. A migration found under another name would run again on an upgrade (and
    /// fail on its existing tables), so moving a migration to a file of its own, or renaming its
    /// type, must keep its name.
    static let storedNames = [
        "App.CreateInstance", "App.CreateDataKeys", "App.CreateAuditEvents", "App.CreateOrganisations", "App.CreateUsers",
        "App.CreateSessionsAndTokens", "App.CreateEncryptedFiles", "App.CreateAlerts", "App.CreateCases",
        "App.AddAlertIdempotencyIndex", "App.DropAlertIdempotencyIndex", "App.CreateFund", "App.AddFundLedgerIndexes", "App.AddArabicCategoryLabels",
        "App.CreateThrottles", "App.CreateSetupTokens", "App.CreateChangeCounters", "App.CreateScheduledJobs", "App.CreateAppeals", "App.CreateAppealMailings",
    ]

    @Test func every_migration_keeps_the_name_existing_databases_stored() async throws {
        #expect(Migrations.all.map(\.name) == Self.storedNames)
        try await withApp { app in
            let sql = try #require(app.db as? any SQLDatabase)
            let stored = try await sql.raw("SELECT name FROM _fluent_migrations ORDER BY batch, created_at").all()
                .map { try $0.decode(column: "name", as: String.self) }
            #expect(Set(stored) == Set(Self.storedNames))
        }
    }
}
